// GET /api/runs/:id/neighbors/:index?k=10: the k rows nearest to a row in code space (Euclidean), nearest first.
import { Router } from 'express';
import { sendFresh } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { intQuery, rowIndexParam, runIdParam } from '../params.js';
import { replyWith } from '../read-tasks.js';
import { JSON_TYPE } from '../run-cache.js';
import { requestSignal } from '../worker-pool.js';
import { runOr404 } from './runs.js';

export const MAX_K = 1000;

export function neighborsRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/runs/:id/neighbors/:index', ctx.readLimit, async (req, res) => {
    const id = runIdParam(req.params.id);
    const index = rowIndexParam(req.params.index);
    const k = intQuery(req.query.k, 'k', 10, 1, MAX_K);
    await runOr404(ctx, id);
    const codes = await ctx.cache.codes(id);
    const pos = codes.lookup.positionOf(index);
    if (pos < 0) throw new HttpError(404, `run ${id} has no row with index ${index} (it has ${codes.matrix.rows} rows)`);
    // The search runs in the worker thread, over the codes in shared memory (no copy).
    const { matrix } = codes;
    const reply = replyWith(await ctx.workers.run({ op: 'nearest', codes: matrix.values.buffer as SharedArrayBuffer, rows: matrix.rows, cols: matrix.cols, row: pos, k }, [], requestSignal(res)), 'distances');
    const neighbors = Array.from(reply.rows, (r, i) => ({ index: codes.index[r]!, distance: reply.distances[i]! }));
    await sendFresh(req, res, Buffer.from(JSON.stringify({ index, k, neighbors })), JSON_TYPE);
  });
  return router;
}
