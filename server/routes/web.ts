// The viewer's static files at / (web/dist, built by `npm run build`).
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { Router } from 'express';
import { HttpError } from '../http-error.js';

export function webRoutes(webRoot: string): Router {
  const router = Router();
  router.use(
    express.static(webRoot, {
      index: 'index.html',
      dotfiles: 'ignore',
      redirect: false,
      // index.html must be revalidated so a rebuilt viewer shows up; the bundle is small and carries ETags.
      maxAge: 0,
    }),
  );
  router.get('/', () => {
    if (!existsSync(path.join(webRoot, 'index.html'))) {
      throw new HttpError(503, 'the viewer is not built: run npm run build (the API under /api works without it)');
    }
    throw new HttpError(404, 'not found');
  });
  return router;
}
