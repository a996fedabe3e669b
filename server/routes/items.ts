// One row of a run: GET /api/runs/:id/items/:index (its point, metadata, original values and their reconstruction
// by the run's model), and for image
// datasets its picture (image.png) and the picture decoded from its code by the run's model (reconstruction.png).
// :index is the row's `index` value in points.arrow (its position in the input).
import { DataType, Precision, type Float, type Table } from 'apache-arrow';
import { Router, type Request } from 'express';
import type { ImageShape, RunManifest } from '../../pipeline/types.js';
import { cachedBody, sendCached, sendFresh } from '../cached-body.js';
import { shortestFloat32 } from '../points-json.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { intQuery, rowIndexParam, runIdParam } from '../params.js';
import { replyWith } from '../read-tasks.js';
import { JSON_TYPE } from '../run-cache.js';
import { runOr404 } from './runs.js';
import { reducerOfRun } from '../../pipeline/reduce/reducer.js';

/** One row of a points table as a plain object (numbers, strings, booleans). */
export function rowObject(table: Table, pos: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const field of table.schema.fields) {
    const v: unknown = table.getChild(field.name)!.get(pos);
    const single = DataType.isFloat(field.type) && (field.type as Float).precision === Precision.SINGLE;
    row[field.name] = typeof v === 'bigint' ? Number(v) : single && typeof v === 'number' ? shortestFloat32(v) : v;
  }
  return row;
}

function noRow(id: string, index: number, rows: number): HttpError {
  return new HttpError(404, `run ${id} has no row with index ${index} (it has ${rows} rows)`);
}

/** Float32 values in their shortest round-trip decimals (4.6, not 4.599999904632568), in the worker thread. */
async function shortest(ctx: ServerContext, values: Float32Array): Promise<number[]> {
  return Array.from(replyWith(await ctx.workers.run({ op: 'shortest', values }), 'numbers').numbers);
}

async function imageRow(ctx: ServerContext, req: Request): Promise<{ id: string; manifest: RunManifest; values: Float32Array; scale: number }> {
  const id = runIdParam(req.params.id);
  const index = rowIndexParam(req.params.index);
  const scale = intQuery(req.query.scale, 'scale', 1, 1, MAX_SCALE);
  const { manifest } = await runOr404(ctx, id);
  const image = manifest.dataset?.image;
  if (!image) throw new HttpError(404, `run ${id} is not an image dataset`);
  if (scale * Math.max(image.width, image.height) > MAX_IMAGE_SIDE) {
    throw new HttpError(400, `query parameter scale: at most ${Math.max(1, Math.floor(MAX_IMAGE_SIDE / Math.max(image.width, image.height)))} for this run's ${image.width}x${image.height} images (pictures are at most ${MAX_IMAGE_SIDE} pixels wide)`);
  }
  const data = await ctx.cache.data(id);
  const pos = data.lookup.positionOf(index);
  if (pos < 0) throw noRow(id, index, data.layout.rows);
  return { id, manifest, values: await data.row(pos), scale };
}

/** Largest scale factor of image.png and reconstruction.png. */
export const MAX_SCALE = 16;
/** Largest side of a picture the server draws, pixels. */
export const MAX_IMAGE_SIDE = 1024;

/** Encodes a row as PNG in the worker thread. */
async function png(ctx: ServerContext, values: Float32Array, image: ImageShape, range: [number, number], scale: number): Promise<Buffer> {
  const { png: bytes } = replyWith(await ctx.workers.run({ op: 'png', values, shape: image, range, scale }), 'png');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** [0, 1] when the row lies in it, else the row's own range: the original and its reconstruction share it. */
function displayRange(values: Float32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (lo >= 0 && hi <= 1) return [0, 1];
  if (lo >= 0 && hi <= 255) return [0, 255];
  return hi > lo ? [lo, hi] : [lo, lo + 1];
}

export function itemsRoutes(ctx: ServerContext): Router {
  const router = Router();

  router.get('/api/runs/:id/items/:index', ctx.readLimit, async (req, res) => {
    const id = runIdParam(req.params.id);
    const index = rowIndexParam(req.params.index);
    const { manifest } = await runOr404(ctx, id);
    const points = await ctx.cache.points(id);
    const pos = points.lookup.positionOf(index);
    if (pos < 0) throw noRow(id, index, points.rows);
    let raw: Float32Array | null = null;
    try {
      const data = await ctx.cache.data(id);
      const p = data.lookup.positionOf(index);
      if (p >= 0) raw = await data.row(p);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 404)) throw err;
    }
    // The row passed through the run's model, in the input's units (null without a model or stored values).
    let rec: Float32Array | null = null;
    if (raw && reducerOfRun(manifest) !== 'none') {
      try {
        const out = (await ctx.reconstruct(ctx.store.path(id), manifest, { rows: 1, cols: raw.length, values: raw })).values;
        rec = Float32Array.from(out, (v) => (Number.isFinite(v) ? v : 0));
      } catch (err) {
        ctx.log(`reconstruction of ${id}/${index} failed: ${(err as Error).message}`);
      }
    }
    // Both in their shortest decimals, converted in one trip to the worker thread.
    let values: number[] | null = null;
    let reconstruction: number[] | null = null;
    if (raw) {
      const both = new Float32Array(raw.length * (rec ? 2 : 1));
      both.set(raw);
      if (rec) both.set(rec, raw.length);
      const numbers = await shortest(ctx, both);
      values = numbers.slice(0, raw.length);
      reconstruction = rec ? numbers.slice(raw.length) : null;
    }
    const image = manifest.dataset?.image ?? null;
    const body = {
      index,
      point: rowObject(points.table, pos),
      features: manifest.dataset?.features ?? [],
      values,
      reconstruction,
      image,
      imageUrl: image && values ? `/api/runs/${id}/items/${index}/image.png` : null,
      reconstructionUrl: image && values && reducerOfRun(manifest) !== 'none' ? `/api/runs/${id}/items/${index}/reconstruction.png` : null,
    };
    await sendFresh(req, res, Buffer.from(JSON.stringify(body)), JSON_TYPE);
  });

  router.get('/api/runs/:id/items/:index/image.png', ctx.readLimit, async (req, res) => {
    const { manifest, values, scale } = await imageRow(ctx, req);
    const bytes = await png(ctx, values, manifest.dataset.image!, displayRange(values), scale);
    sendCached(req, res, await cachedBody(bytes, 'image/png', false));
  });

  router.get('/api/runs/:id/items/:index/reconstruction.png', ctx.readLimit, async (req, res) => {
    const { id, manifest, values, scale } = await imageRow(ctx, req);
    if (reducerOfRun(manifest) === 'none') throw new HttpError(404, `run ${id} used reducer none: it has no model to reconstruct with`);
    const rec = await ctx.reconstruct(ctx.store.path(id), manifest, { rows: 1, cols: values.length, values: Float32Array.from(values) });
    const bytes = await png(ctx, rec.values, manifest.dataset.image!, displayRange(values), scale);
    sendCached(req, res, await cachedBody(bytes, 'image/png', false));
  });

  return router;
}
