// One row of a run: GET /api/runs/:id/items/:index (its point, metadata, original values and their reconstruction
// by the run's model), and for image
// datasets its picture (image.png) and the picture decoded from its code by the run's model (reconstruction.png).
// :index is the row's `index` value in points.arrow (its position in the input).
import { DataType, Precision, type Float, type Table } from 'apache-arrow';
import { Router, type Request } from 'express';
import type { ImageShape, RunManifest } from '../../pipeline/types.js';
import { cachedBody, sendCached, sendFresh } from '../cached-body.js';
import { shortestFloat32 } from '../../pipeline/precision.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { intQuery, rowIndexParam, runIdParam } from '../params.js';
import { JSON_TYPE, type MatrixData } from '../run-cache.js';
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

function rowValues(data: MatrixData, pos: number): Float32Array {
  const { cols, values } = data.matrix;
  return values.subarray(pos * cols, pos * cols + cols);
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
  if (pos < 0) throw noRow(id, index, data.matrix.rows);
  return { id, manifest, values: rowValues(data, pos), scale };
}

/** Largest scale factor of image.png and reconstruction.png. */
export const MAX_SCALE = 16;
/** Largest side of a picture the server draws, pixels. */
export const MAX_IMAGE_SIDE = 1024;

/** Encodes a row as PNG in the worker thread. */
export async function png(ctx: ServerContext, values: Float32Array, image: ImageShape, range: [number, number], scale: number): Promise<Buffer> {
  const reply = await ctx.workers.run({ op: 'png', values: Float32Array.from(values), shape: image, range, scale });
  if (!reply.ok || !('png' in reply)) throw new Error(reply.ok ? 'unexpected worker reply' : reply.message);
  return Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength);
}

/** [0, 1] when the row lies in it, else the row's own range: the original and its reconstruction share it. */
export function displayRange(values: Float32Array): [number, number] {
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
    let values: number[] | null = null;
    try {
      const data = await ctx.cache.data(id);
      const p = data.lookup.positionOf(index);
      // float32 values in the fewest digits that read back the same (4.6, not 4.599999904632568)
      if (p >= 0) values = Array.from(rowValues(data, p), shortestFloat32);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 404)) throw err;
    }
    // The row passed through the run's model, in the input's units (null without a model or stored values).
    let reconstruction: number[] | null = null;
    if (values && reducerOfRun(manifest) !== 'none') {
      try {
        const rec = await ctx.reconstruct(ctx.store.path(id), manifest, { rows: 1, cols: values.length, values: Float32Array.from(values) });
        reconstruction = Array.from(rec.values, (v) => (Number.isFinite(v) ? shortestFloat32(v) : 0));
      } catch (err) {
        ctx.log(`reconstruction of ${id}/${index} failed: ${(err as Error).message}`);
      }
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
    const raw = { rows: 1, cols: values.length, values: Float32Array.from(values) };
    const rec = await ctx.reconstruct(ctx.store.path(id), manifest, raw);
    const bytes = await png(ctx, rec.values, manifest.dataset.image!, displayRange(values), scale);
    sendCached(req, res, await cachedBody(bytes, 'image/png', false));
  });

  return router;
}
