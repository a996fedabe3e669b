// GET /api/runs/:id/neighbors/:index?k=10&space=code|input: the k rows nearest to a row (Euclidean), nearest
// first. space=code (default): among the codes the map was made from. space=input: among the prepared input
// rows (the stored values through the run's scaling), the space the run's trustworthiness and per-row
// preservation are measured in; the viewer draws these as lines, so a neighbour placed far away shows a tear.
import { Router } from 'express';
import { readPreprocessing } from '../../pipeline/runs/run-dir.js';
import { sendFresh } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { intQuery, rowIndexParam, runIdParam } from '../params.js';
import { JSON_TYPE, type MatrixData } from '../run-cache.js';
import type { WorkerTask } from '../read-worker.js';
import { runOr404 } from './runs.js';

export const MAX_K = 1000;

type Space = 'code' | 'input';
type Scaling = { scale: Float64Array; fill: Float64Array };

/** The per-column scaling of a run's input (the scale and fill of its preprocessing), a few runs kept. */
const scalings = new Map<string, Promise<Scaling>>();

function scalingOf(ctx: ServerContext, id: string, key: string): Promise<Scaling> {
  let p = scalings.get(key);
  if (!p) {
    p = readPreprocessing(ctx.store.path(id)).then(
      (pre) => ({ scale: Float64Array.from(pre.scale), fill: Float64Array.from(pre.fill ?? pre.offset) }),
      () => {
        throw new HttpError(404, `run ${id} has no saved preprocessing, so its input space is unknown; use space=code`);
      },
    );
    p.catch(() => scalings.delete(key));
    scalings.set(key, p);
    while (scalings.size > 8) scalings.delete(scalings.keys().next().value!);
  }
  return p;
}

function spaceQuery(raw: unknown): Space {
  if (raw === undefined || raw === 'code') return 'code';
  if (raw === 'input') return 'input';
  throw new HttpError(400, 'query parameter space must be code or input');
}

export function neighborsRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.get('/api/runs/:id/neighbors/:index', ctx.readLimit, async (req, res) => {
    const id = runIdParam(req.params.id);
    const index = rowIndexParam(req.params.index);
    const k = intQuery(req.query.k, 'k', 10, 1, MAX_K);
    const space = spaceQuery(req.query.space);
    const info = await runOr404(ctx, id);
    let data: MatrixData;
    let scaling: Scaling | undefined;
    if (space === 'input') {
      if (!info.manifest.artifacts?.data) throw new HttpError(404, `run ${id} kept no input values (data.arrow), so its input-space neighbours cannot be found; use space=code`);
      [data, scaling] = await Promise.all([ctx.cache.data(id), scalingOf(ctx, id, info.key)]);
      if (scaling.scale.length !== data.matrix.cols) throw new HttpError(500, `run ${id} is corrupt: its preprocessing has ${scaling.scale.length} columns, its data ${data.matrix.cols}`);
    } else data = await ctx.cache.codes(id);
    const pos = data.lookup.positionOf(index);
    if (pos < 0) throw new HttpError(404, `run ${id} has no row with index ${index} (it has ${data.matrix.rows} rows)`);
    // The search runs in the worker thread, over the values in shared memory (no copy).
    const { matrix } = data;
    const task: WorkerTask = { op: 'nearest', values: matrix.values.buffer as SharedArrayBuffer, rows: matrix.rows, cols: matrix.cols, row: pos, k, ...(scaling ? { scaling } : {}) };
    const reply = await ctx.workers.run(task);
    if (!reply.ok || !('distances' in reply)) throw new Error(reply.ok ? 'unexpected worker reply' : reply.message);
    const neighbors = Array.from(reply.rows, (r, i) => ({ index: data.index[r]!, distance: reply.distances[i]! }));
    await sendFresh(req, res, Buffer.from(JSON.stringify({ index, k, space, neighbors })), JSON_TYPE);
  });
  return router;
}
