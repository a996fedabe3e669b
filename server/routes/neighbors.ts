// GET /api/runs/:id/neighbors/:index?k=10&space=code|input: the k rows nearest to a row (Euclidean), nearest
// first. space=code (default): among the codes the map was made from. space=input: among the prepared input
// rows (the stored values through the run's scaling), the space the run's trustworthiness and per-row
// preservation are measured in; the viewer draws these as lines, so a neighbour placed far away shows a tear.
// Code space searches the cached codes; input space passes over data.arrow (input-neighbors.ts), which is
// never held in memory.
import { Router } from 'express';
import { sendFresh } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { corruptRun, HttpError } from '../http-error.js';
import { intQuery, onlyQuery, queryError, rowIndexParam, runIdParam } from '../params.js';
import { InputNeighbours } from '../input-neighbors.js';
import { JSON_TYPE, type RunInfo } from '../run-cache.js';
import { replyWith, type WorkerTask } from '../read-tasks.js';
import { requestSignal } from '../worker-pool.js';
import { runOr404 } from './runs.js';

export const MAX_K = 1000;

type Space = 'code' | 'input';
type Scaling = { scale: Float64Array; fill: Float64Array };

/** The per-column scaling of a run's input (the scale and fill of its preprocessing), a few runs kept. */
const scalings = new Map<string, Promise<Scaling>>();

function scalingOf(ctx: ServerContext, id: string, key: string): Promise<Scaling> {
  let p = scalings.get(key);
  if (!p) {
    // Read in the worker thread: three numbers and a name per column, 87 MB of JSON for a 1,500 x 1,500 picture.
    p = ctx.workers
      .run({ op: 'scaling', runDir: ctx.store.path(id) })
      .then((reply) => replyWith(reply, 'scale'))
      .then(
        (r) => ({ scale: r.scale, fill: r.fill }),
        (err: unknown) => {
          if (err instanceof HttpError) throw err;
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
  throw queryError('space', 'query parameter space must be code or input');
}

export function neighborsRoutes(ctx: ServerContext): Router {
  const router = Router();
  const inputSpace = new InputNeighbours((task) => ctx.workers.run(task));

  /** Input space: one pass over data.arrow (input-neighbors.ts), shared with the run's other queries meanwhile. */
  async function inputNeighbours(id: string, info: RunInfo, index: number, k: number, signal: AbortSignal): Promise<{ index: number; distance: number }[]> {
    if (!info.manifest.artifacts?.data) throw new HttpError(404, `run ${id} kept no input values (data.arrow), so its input-space neighbours cannot be found; use space=code`);
    const [data, scaling] = await Promise.all([ctx.cache.data(id), scalingOf(ctx, id, info.key)]);
    if (scaling.scale.length !== data.layout.cols) throw corruptRun(id, `its preprocessing has ${scaling.scale.length} columns, its data ${data.layout.cols}`);
    const pos = data.lookup.positionOf(index);
    if (pos < 0) throw new HttpError(404, `run ${id} has no row with index ${index} (it has ${data.layout.rows} rows)`);
    let near;
    try {
      near = await inputSpace.find(info.key, data.layout, scaling, pos, k, signal);
    } catch (err) {
      if (err instanceof HttpError) throw err;
      ctx.log(`run ${id}: input-space neighbours failed: ${(err as Error).message}`);
      throw corruptRun(id, 'its stored input values cannot be read');
    }
    return Array.from(near.rows, (r, i) => ({ index: data.index[r]!, distance: near.distances[i]! }));
  }

  /** Code space: a search over the cached codes in shared memory, in the worker thread (no copy). */
  async function codeNeighbours(id: string, index: number, k: number, signal: AbortSignal): Promise<{ index: number; distance: number }[]> {
    const data = await ctx.cache.codes(id);
    const pos = data.lookup.positionOf(index);
    if (pos < 0) throw new HttpError(404, `run ${id} has no row with index ${index} (it has ${data.matrix.rows} rows)`);
    const { matrix } = data;
    const task: WorkerTask = { op: 'nearest', values: matrix.values.buffer as SharedArrayBuffer, rows: matrix.rows, cols: matrix.cols, row: pos, k };
    const reply = replyWith(await ctx.workers.run(task, [], signal), 'distances');
    return Array.from(reply.rows, (r, i) => ({ index: data.index[r]!, distance: reply.distances[i]! }));
  }

  router.get('/api/runs/:id/neighbors/:index', async (req, res) => {
    const id = runIdParam(req.params.id);
    const index = rowIndexParam(req.params.index);
    onlyQuery(req.query, ['k', 'space']);
    const k = intQuery(req.query.k, 'k', 10, 1, MAX_K);
    const space = spaceQuery(req.query.space);
    const info = await runOr404(ctx, id);
    const signal = requestSignal(res);
    const neighbors = space === 'input' ? await inputNeighbours(id, info, index, k, signal) : await codeNeighbours(id, index, k, signal);
    await sendFresh(req, res, Buffer.from(JSON.stringify({ index, k, space, neighbors })), JSON_TYPE);
  });
  return router;
}
