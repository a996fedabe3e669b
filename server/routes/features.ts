// GET /api/runs/:id/features/:name: one input feature column of every row (the stored values of
// data.arrow, before scaling), for the viewer's Color by. An Arrow IPC stream of `index` int32 and
// `value` float32, in input order. 404 when the run kept no data or has no such feature; 503 with Retry-After
// while two other blocks of columns are being read (each block of 16 is one pass over data.arrow in the worker
// thread, run-cache.ts).
import { Router } from 'express';
import { sendCached } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { onlyQuery, runIdParam } from '../params.js';
import { runOr404 } from './runs.js';

export function featuresRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/runs/:id/features/:name', async (req, res) => {
    const id = runIdParam(req.params.id);
    const name = String(req.params.name);
    onlyQuery(req.query, []);
    const info = await runOr404(ctx, id);
    if (!info.manifest.artifacts?.data) throw new HttpError(404, `run ${id} kept no input values (data.arrow), so its features cannot be shown`);
    const { index: col, count, first } = await ctx.cache.featureIndex(id, name);
    if (col < 0) throw new HttpError(404, `run ${id} has no feature "${name.slice(0, 100)}"${count ? ` (it has ${count}, e.g. ${first.join(', ')})` : ''}`);
    // Read from data.arrow in the worker thread, in blocks; kept as an encoded body.
    sendCached(req, res, await ctx.cache.feature(id, col));
  });
  return router;
}
