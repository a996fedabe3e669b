// GET /api/runs/:id/points/overview?rows=N&seed=S: a stratified sample of at most N of the run's points
// GET /api/runs/:id/points/region?x0=&y0=&x1=&y1=&limit=L&seed=S&around=N: the points inside the region
// (bounds included), all of them when they are at most L, else a stratified sample of L of them; with
// around=N (default 0: none) also the rows of the N-row overview (same seed) that lie outside the region.
// Both answer the Arrow IPC stream /points serves (every column, the `index` column naming each row), its
// schema metadata saying how many rows the answer stands for (the true count) and whether it is a sample
// (points-subset.ts SUBSET_KEYS). For maps past what a browser holds: the viewer draws the overview, and the
// exact rows of the region it shows once the user has zoomed in far enough. Built in the worker thread.
import { stat } from 'node:fs/promises';
import type { Response, Router } from 'express';
import { sendCached, type CachedBody } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { corruptRun, HttpError } from '../http-error.js';
import { intQuery, onlyQuery, queryError, runIdParam } from '../params.js';
import { replyWith } from '../read-tasks.js';
import { ARROW_STREAM } from '../run-cache.js';
import { requestSignal } from '../worker-pool.js';
import { runOr404 } from './runs.js';

/** Default rows of an overview and of a region answer. */
export const DEFAULT_SUBSET_ROWS = 1_000_000;
/** Most rows an overview or region answer may hold (about what a browser holds). */
export const MAX_SUBSET_ROWS = 10_000_000;
/** Largest seed. */
export const MAX_SEED = 999_999_999;

/** A required finite decimal number query parameter (no hex, no Infinity, at most 40 characters). */
function numberQuery(raw: unknown, name: string): number {
  if (typeof raw !== 'string' || raw.length > 40 || !/^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(raw) || !Number.isFinite(Number(raw))) {
    throw queryError(name, `query parameter ${name} must be a finite decimal number${raw === undefined ? ' (it is required)' : ''}`);
  }
  return Number(raw);
}

export function addPointsSubsetRoutes(router: Router, ctx: ServerContext): void {
  router.get('/api/runs/:id/points/overview', async (req, res) => {
    const id = runIdParam(req.params.id);
    onlyQuery(req.query, ['rows', 'seed']);
    const rows = intQuery(req.query.rows, 'rows', DEFAULT_SUBSET_ROWS, 1, MAX_SUBSET_ROWS);
    const seed = intQuery(req.query.seed, 'seed', 0, 0, MAX_SEED);
    const { key, manifest } = await runOr404(ctx, id);
    const file = await stat(ctx.store.file(id, 'points')).then((s) => s.size, () => 0);
    // the answer is about the file's share of the rows asked for; twice that while it is built (the worker
    // thread's table and grid count against the budget as the process's memory)
    const reserve = Math.max(65536, Math.ceil(file * Math.min(1, rows / Math.max(1, manifest.dataset.rows)) * 2));
    const body = await ctx.cache.workerBody(id, `${key}#points.overview:${rows}:${seed}`, 'points', reserve, { op: 'points-subset', runDir: ctx.store.path(id), pick: { kind: 'overview', rows, seed } }, ARROW_STREAM);
    sendCached(req, res, body);
  });

  router.get('/api/runs/:id/points/region', async (req, res: Response) => {
    const id = runIdParam(req.params.id);
    onlyQuery(req.query, ['x0', 'y0', 'x1', 'y1', 'limit', 'seed', 'around']);
    const x0 = numberQuery(req.query.x0, 'x0');
    const y0 = numberQuery(req.query.y0, 'y0');
    const x1 = numberQuery(req.query.x1, 'x1');
    const y1 = numberQuery(req.query.y1, 'y1');
    if (!(x0 <= x1) || !(y0 <= y1)) throw queryError(x0 <= x1 ? 'y1' : 'x1', `the region must have x0 <= x1 and y0 <= y1 (got x ${x0}..${x1}, y ${y0}..${y1})`);
    const limit = intQuery(req.query.limit, 'limit', DEFAULT_SUBSET_ROWS, 1, MAX_SUBSET_ROWS);
    const seed = intQuery(req.query.seed, 'seed', 0, 0, MAX_SEED);
    const around = intQuery(req.query.around, 'around', 0, 0, MAX_SUBSET_ROWS);
    await runOr404(ctx, id);
    await new Promise<void>((resolve, reject) => ctx.readLimit(req, res, (err?: unknown) => (err ? reject(err) : resolve())));
    let reply;
    try {
      reply = replyWith(await ctx.workers.run({ op: 'points-subset', runDir: ctx.store.path(id), pick: { kind: 'region', x0, y0, x1, y1, limit, seed, around } }, [], requestSignal(res)), 'bytes');
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw corruptRun(id, 'its points cannot be read');
    }
    const bytes = Buffer.from(reply.bytes.buffer, reply.bytes.byteOffset, reply.bytes.byteLength);
    const body: CachedBody = { type: ARROW_STREAM, etag: reply.etag, identity: bytes, gzip: null, br: null };
    sendCached(req, res, body);
  });
}
