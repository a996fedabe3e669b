// One row of a run: GET /api/runs/:id/items/:index (its point, metadata, original values and their reconstruction
// by the run's model), and for image
// datasets its picture (image.png) and the picture decoded from its code by the run's model (reconstruction.png).
// :index is the row's `index` value in points.arrow (its position in the input).
import { DataType, Precision, type Float, type Table } from 'apache-arrow';
import { Router, type Request, type Response } from 'express';
import type { ImageShape, RunManifest } from '../../pipeline/types.js';
import { cachedBody, sendCached, sendFresh } from '../cached-body.js';
import { shortestFloat32 } from '../../pipeline/precision.js';
import type { ServerContext } from '../context.js';
import { corruptRun, HttpError } from '../http-error.js';
import { intQuery, onlyQuery, queryError, rowIndexParam, runIdParam } from '../params.js';
import { displayRange, MAX_ANSWER_VALUES, MAX_IMAGE_SIDE, pictureNote, replyWith, valuesOmitted, type RowRef, type WorkerTask } from '../read-tasks.js';
import { pictureSize } from '../../pipeline/image.js';

export { displayRange, MAX_IMAGE_SIDE };
import { JSON_TYPE } from '../run-cache.js';
import { requestSignal } from '../worker-pool.js';
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

/** Runs a task that reads the run's data.arrow in the worker thread; a failure means the file is damaged. */
async function dataTask<K extends string>(ctx: ServerContext, id: string, task: WorkerTask, key: K, signal: AbortSignal) {
  const reply = await ctx.workers.run(task, [], signal); // 503 when the pool is saturated or closing
  try {
    return replyWith(reply, key);
  } catch (err) {
    // The reason (it may name the file) goes to the server's log only.
    ctx.log(`run ${id}: reading data.arrow failed: ${(err as Error).message}`);
    throw corruptRun(id, 'its stored input values cannot be read');
  }
}

/** The image row a picture route asks for: where it is in data.arrow, and the scale. */
async function imageRow(ctx: ServerContext, req: Request): Promise<{ id: string; manifest: RunManifest; row: RowRef; scale: number }> {
  const id = runIdParam(req.params.id);
  const index = rowIndexParam(req.params.index);
  onlyQuery(req.query, ['scale']);
  const scale = intQuery(req.query.scale, 'scale', 1, 1, MAX_SCALE);
  const { manifest } = await runOr404(ctx, id);
  const image = manifest.dataset?.image;
  if (!image) throw new HttpError(404, `run ${id} is not an image dataset`);
  // scale 1 is always drawn (reduced to fit when larger: pictureSize); a larger scale must fit
  if (scale > 1 && scale * Math.max(image.width, image.height) > MAX_IMAGE_SIDE) {
    throw queryError('scale', `query parameter scale: at most ${Math.max(1, Math.floor(MAX_IMAGE_SIDE / Math.max(image.width, image.height)))} for this run's ${image.width}x${image.height} images (pictures are at most ${MAX_IMAGE_SIDE} pixels wide)`);
  }
  const data = await ctx.cache.data(id);
  const pos = data.lookup.positionOf(index);
  if (pos < 0) throw noRow(id, index, data.layout.rows);
  return { id, manifest, row: { layout: data.layout, pos }, scale };
}

/** Largest scale factor of image.png and reconstruction.png. */
export const MAX_SCALE = 16;

/** Encodes a row as PNG in the worker thread (reading it there when `source` is a RowRef). */
async function pngOf(ctx: ServerContext, id: string, source: Float32Array | RowRef, image: ImageShape, range: [number, number] | null, scale: number, signal: AbortSignal): Promise<Buffer> {
  const { png: bytes } = await dataTask(ctx, id, { op: 'png', source, shape: image, range, scale }, 'png', signal);
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Encodes given values as a PNG in the worker thread (the decode route's pictures). */
export async function png(ctx: ServerContext, values: Float32Array, image: ImageShape, range: [number, number], scale: number): Promise<Buffer> {
  const { png: bytes } = replyWith(await ctx.workers.run({ op: 'png', source: Float32Array.from(values), shape: image, range, scale }), 'png');
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A picture larger than MAX_IMAGE_SIDE is drawn reduced; the answer says so (header X-Image-Note). */
function sayIfReduced(res: Response, image: ImageShape): void {
  const note = pictureNote(image, pictureSize(image, 1, MAX_IMAGE_SIDE));
  if (note) res.setHeader('X-Image-Note', note);
}

export function itemsRoutes(ctx: ServerContext): Router {
  const router = Router();

  router.get('/api/runs/:id/items/:index', async (req, res) => {
    const signal = requestSignal(res);
    const id = runIdParam(req.params.id);
    const index = rowIndexParam(req.params.index);
    onlyQuery(req.query, []);
    const { manifest } = await runOr404(ctx, id);
    const points = await ctx.cache.points(id);
    const pos = points.lookup.positionOf(index);
    if (pos < 0) throw noRow(id, index, points.rows);
    // The row's values (read and written as JSON in the worker thread), and the row passed through the run's
    // model in the input's units (null without a model or stored values).
    let values: { raw: Float32Array; text: string } | null = null;
    let data = null;
    try {
      data = await ctx.cache.data(id);
    } catch (err) {
      if (!(err instanceof HttpError && err.status === 404)) throw err;
    }
    const p = data ? data.lookup.positionOf(index) : -1;
    // a row too long to list (a large picture) is shown only as its picture: the answer stays small
    const listed = !data || data.layout.cols <= MAX_ANSWER_VALUES;
    if (data && p >= 0 && listed) {
      const r = await dataTask(ctx, id, { op: 'row', row: { layout: data.layout, pos: p } }, 'values', signal);
      values = { raw: r.values, text: r.text };
    }
    let reconstruction: string | null = null;
    if (values && reducerOfRun(manifest) !== 'none') {
      try {
        const rec = await ctx.reconstruct(ctx.store.path(id), manifest, { rows: 1, cols: values.raw.length, values: values.raw });
        reconstruction = replyWith(await ctx.workers.run({ op: 'shortest', values: Float32Array.from(rec.values) }, [], signal), 'text').text;
      } catch (err) {
        if (err instanceof HttpError && (err.status === 503 || err.status === 499)) throw err;
        ctx.log(`reconstruction of ${id}/${index} failed: ${(err as Error).message}`);
      }
    }
    const image = manifest.dataset?.image ?? null;
    const hasPicture = !!image && !!data && p >= 0;
    const notes = [listed ? null : valuesOmitted(data!.layout.cols), image ? pictureNote(image, pictureSize(image, 1, MAX_IMAGE_SIDE)) : null].filter((n) => n !== null);
    // The two long arrays arrive as JSON text from the worker thread and are spliced in as they are.
    const json = (v: unknown): string => JSON.stringify(v);
    const body =
      `{"index":${json(index)},"point":${json(rowObject(points.table, pos))},"features":${json(listed ? await ctx.cache.featureNames(id) : [])},` +
      `"values":${values ? values.text : 'null'},"reconstruction":${reconstruction ?? 'null'},"image":${json(image)},` +
      `"imageUrl":${json(hasPicture ? `/api/runs/${id}/items/${index}/image.png` : null)},` +
      `"reconstructionUrl":${json(hasPicture && reducerOfRun(manifest) !== 'none' ? `/api/runs/${id}/items/${index}/reconstruction.png` : null)}` +
      `${notes.length > 0 ? `,"note":${json(notes.join('; '))}` : ''}}`;
    await sendFresh(req, res, Buffer.from(body), JSON_TYPE);
  });

  router.get('/api/runs/:id/items/:index/image.png', async (req, res) => {
    const { id, manifest, row, scale } = await imageRow(ctx, req);
    const bytes = await pngOf(ctx, id, row, manifest.dataset.image!, null, scale, requestSignal(res));
    sayIfReduced(res, manifest.dataset.image!);
    sendCached(req, res, await cachedBody(bytes, 'image/png', false));
  });

  router.get('/api/runs/:id/items/:index/reconstruction.png', async (req, res) => {
    const { id, manifest, row, scale } = await imageRow(ctx, req);
    if (reducerOfRun(manifest) === 'none') throw new HttpError(404, `run ${id} used reducer none: it has no model to reconstruct with`);
    const signal = requestSignal(res);
    const { values } = await dataTask(ctx, id, { op: 'row', row }, 'values', signal);
    const rec = await ctx.reconstruct(ctx.store.path(id), manifest, { rows: 1, cols: values.length, values });
    const bytes = await pngOf(ctx, id, Float32Array.from(rec.values), manifest.dataset.image!, displayRange(values), scale, signal);
    sayIfReduced(res, manifest.dataset.image!);
    sendCached(req, res, await cachedBody(bytes, 'image/png', false));
  });

  return router;
}
