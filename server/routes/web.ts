// The viewer's static files at / (web/dist, built by `npm run build`). Each file is read and compressed (gzip
// and brotli, in libuv's thread pool) once per version of it (inode, mtime, size), then served from memory with
// a strong ETag: the bundle (about 0.5 MB) is not compressed again for every browser that loads the viewer.
// Revalidated on every load (no-cache), so a rebuilt viewer shows up at once.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { Router } from 'express';
import { cachedBody, sendCached, type CachedBody } from '../cached-body.js';
import { HttpError } from '../http-error.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** A file name of the built viewer: one path segment, no dot file (so no request names anything outside it). */
const FILE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

export function webRoutes(webRoot: string): Router {
  const router = Router();
  /** Bodies by file name, with the version they were read at. */
  const files = new Map<string, { version: string; body: Promise<CachedBody> }>();

  router.get(/^\/[^/]*$/, async (req, res, next) => {
    const name = req.path === '/' ? 'index.html' : req.path.slice(1);
    const type = TYPES[path.extname(name).toLowerCase()];
    if (!FILE_NAME.test(name) || type === undefined) {
      next();
      return;
    }
    const file = path.join(webRoot, name);
    const s = await stat(file).catch(() => null);
    if (!s?.isFile()) {
      if (req.path === '/') throw new HttpError(503, 'the viewer is not built: run npm run build (the API under /api works without it)');
      next();
      return;
    }
    const version = `${s.ino}:${s.mtimeMs}:${s.size}`;
    let entry = files.get(name);
    if (entry?.version !== version) {
      const made = { version, body: readFile(file).then((bytes) => cachedBody(bytes, type)) };
      made.body.catch(() => void (files.get(name) === made && files.delete(name)));
      files.set(name, made);
      entry = made;
    }
    sendCached(req, res, await entry.body, 'no-cache');
  });
  return router;
}
