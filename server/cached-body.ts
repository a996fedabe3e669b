// Immutable response bodies: a strong ETag, precompressed gzip/brotli variants, 304 on If-None-Match.
// A run never changes once written, so its resources are encoded once and then served from memory.
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync, type BrotliOptions, type ZlibOptions } from 'node:zlib';
import type { Request, Response } from 'express';
import { endInSlices } from './send-slices.js';

const gzipAsync = promisify(gzip);
const brotliAsync = promisify(brotliCompress);

export const IMMUTABLE = 'public, max-age=31536000, immutable';

export interface CachedBody {
  type: string;
  /** Strong ETag of the identity bytes, quoted. Encoded variants carry it with a -gzip / -br suffix. */
  etag: string;
  identity: Buffer;
  gzip: Buffer | null;
  br: Buffer | null;
}

/** Bodies stored compressed (once, then served many times) are compressed from this size. */
const MIN_COMPRESS = 1024;

/**
 * Bodies compressed for one request (sendFresh: items, neighbours, decodes, the job and upload lists) are
 * compressed from this size, the one threshold for per-request compression: about TCP's initial congestion
 * window (10 segments of 1460 bytes, RFC 6928). A smaller answer reaches the client in one round trip
 * compressed or not, so compressing it would only cost a zlib stream (a few hundred kB of native memory, and
 * thread-pool time) per request. There is no compression middleware: everything else the server sends is
 * small, or stored precompressed (run resources, the viewer's files).
 */
export const FRESH_MIN_COMPRESS = 14_600;

export function strongEtag(bytes: Buffer | Uint8Array | string): string {
  return `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`;
}

/**
 * Builds a cached body; compresses in libuv's thread pool so the event loop stays free. `etag`: the bytes'
 * strongEtag when already known (computed in the worker thread for large bodies). `compress` false: identity
 * only (compressBody adds the variants later).
 */
export async function cachedBody(bytes: Buffer | Uint8Array, type: string, compress = true, etag?: string): Promise<CachedBody> {
  const identity = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const body: CachedBody = { type, etag: etag ?? strongEtag(identity), identity, gzip: null, br: null };
  if (compress) await compressBody(body);
  return body;
}

/** The compressed variants of a body kept: each only when it saves at least 5%. */
export interface Variants {
  gzip: Uint8Array | null;
  br: Uint8Array | null;
}

function codingOptions(length: number): { gzip: ZlibOptions; br: BrotliOptions } {
  // Output in pieces of up to 1 MiB, not zlib's default 16 kB: each piece is a callback and a copy.
  const chunkSize = Math.min(1 << 20, Math.max(16 * 1024, length));
  return {
    gzip: { level: 6, chunkSize },
    br: { chunkSize, params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: length } },
  };
}

/**
 * `b` in a buffer of its own size. zlib's output is a view of its whole output chunk (up to 1 MiB, or the
 * body's size): kept as it is, a 2 kB variant would hold the chunk in the cache, uncounted, and a worker's
 * reply could not move it to the event loop's thread but copied every chunk there (18 MB a feature block).
 */
function exact(b: Uint8Array): Uint8Array {
  if (b.byteOffset === 0 && b.byteLength === b.buffer.byteLength) return b;
  const own = Buffer.allocUnsafeSlow(b.byteLength);
  own.set(b);
  return own;
}

function kept(identity: Uint8Array, gz: Uint8Array, br: Uint8Array): Variants {
  return { gzip: gz.length < identity.length * 0.95 ? exact(gz) : null, br: br.length < identity.length * 0.95 ? exact(br) : null };
}

/**
 * The variants of `identity`, compressed in this thread: for the server's worker threads (read-tasks.ts
 * 'compress'), so that the pieces and copies compression makes are garbage of the worker's heap, not of
 * the event loop's (where they set off major collections that paused it for up to 190 ms a time).
 */
export function compressSync(identity: Uint8Array): Variants {
  if (identity.length < MIN_COMPRESS) return { gzip: null, br: null };
  const options = codingOptions(identity.length);
  return kept(identity, gzipSync(identity, options.gzip), brotliCompressSync(identity, options.br));
}

/** Sets a body's variants (from compressSync, or compressBody). */
export function setVariants(body: CachedBody, v: Variants): void {
  const buffer = (b: Uint8Array | null): Buffer | null => (b === null ? null : Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  body.gzip = buffer(v.gzip);
  body.br = buffer(v.br);
}

/**
 * Adds the gzip and brotli variants to a body (in libuv's thread pool), keeping each only when it saves bytes.
 * Until it resolves the body is served as it is: identity, or the variants already there. For small bodies;
 * large ones are compressed in a worker thread (compressSync).
 */
export async function compressBody(body: CachedBody): Promise<void> {
  const identity = body.identity;
  if (identity.length < MIN_COMPRESS) return;
  const options = codingOptions(identity.length);
  const [gz, br] = await Promise.all([gzipAsync(identity, options.gzip), brotliAsync(identity, options.br)]);
  setVariants(body, kept(identity, gz, br));
}

export function sizeOfBody(b: CachedBody): number {
  return b.identity.length + (b.gzip?.length ?? 0) + (b.br?.length ?? 0);
}

/** True when an If-None-Match header names this entity (weak comparison, encoding suffixes ignored). */
export function etagMatches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  const bare = etag.replace(/^W\//, '').replace(/"/g, '');
  return ifNoneMatch.split(',').some((tag) => {
    const t = tag.trim().replace(/^W\//, '').replace(/"/g, '');
    return t === bare || t === `${bare}-gzip` || t === `${bare}-br`;
  });
}

/** Quality of each coding named in an Accept-Encoding header ("*" included). */
function qualities(header: string): Map<string, number> {
  const q = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name, ...params] = part.trim().split(';');
    if (!name) continue;
    let value = 1;
    for (const p of params) {
      const m = /^\s*q\s*=\s*([0-9.]+)\s*$/i.exec(p);
      if (m) value = Number(m[1]);
    }
    q.set(name.trim().toLowerCase(), Number.isFinite(value) ? value : 0);
  }
  return q;
}

/** Brotli when the client accepts it at least as much as gzip, else gzip, else identity. */
export function chooseEncoding(header: string | undefined, haveBr: boolean, haveGzip: boolean): 'br' | 'gzip' | 'identity' {
  if (!header || (!haveBr && !haveGzip)) return 'identity';
  const q = qualities(header);
  const star = q.get('*') ?? 0;
  const br = haveBr ? (q.get('br') ?? star) : 0;
  const gz = haveGzip ? (q.get('gzip') ?? q.get('x-gzip') ?? star) : 0;
  if (br > 0 && br >= gz) return 'br';
  if (gz > 0) return 'gzip';
  return 'identity';
}

/** Sends a cached body with caching headers, the best encoding the client accepts, or 304. */
export function sendCached(req: Request, res: Response, body: CachedBody, cacheControl = IMMUTABLE): void {
  res.setHeader('Cache-Control', cacheControl);
  res.setHeader('Vary', 'Accept-Encoding');
  const encoding = chooseEncoding(req.headers['accept-encoding'], body.br !== null, body.gzip !== null);
  const etag = encoding === 'identity' ? body.etag : `${body.etag.slice(0, -1)}-${encoding}"`;
  res.setHeader('ETag', etag);
  if (etagMatches(req.headers['if-none-match'], body.etag)) {
    res.status(304).end();
    return;
  }
  const bytes = encoding === 'br' ? body.br! : encoding === 'gzip' ? body.gzip! : body.identity;
  res.setHeader('Content-Type', body.type);
  if (encoding !== 'identity') res.setHeader('Content-Encoding', encoding);
  res.setHeader('Content-Length', String(bytes.length));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  endInSlices(res, bytes);
}

/**
 * Sends a body computed for this request (an item, a neighbour list) like sendCached: strong ETag, 304,
 * immutable caching unless `cacheControl` says otherwise; only the one encoding the client prefers is
 * compressed, and only from FRESH_MIN_COMPRESS bytes.
 */
export async function sendFresh(req: Request, res: Response, bytes: Buffer, type: string, cacheControl = IMMUTABLE): Promise<void> {
  const body: CachedBody = { type, etag: strongEtag(bytes), identity: bytes, gzip: null, br: null };
  const want = bytes.length >= FRESH_MIN_COMPRESS ? chooseEncoding(req.headers['accept-encoding'], true, true) : 'identity';
  if (want !== 'identity' && !etagMatches(req.headers['if-none-match'], body.etag)) {
    if (want === 'br') body.br = await brotliAsync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } });
    else body.gzip = await gzipAsync(bytes, { level: 6 });
  }
  sendCached(req, res, body, cacheControl);
}
