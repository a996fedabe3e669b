// POST /api/runs/:id/decode: what a typical member of a selection looks like. The body names the rows (or one
// code; server/selection.ts). The answer holds the mean of the rows' stored values and the run's model's
// decoding of their mean code, both in the input's units, as PNG data URLs beside the numbers for image
// datasets. An autoencoder run decodes with its decoder; a PCA run with its inverse transform (codes W + mean,
// which for PCA equals the mean of the rows' reconstructions); a reducer-none run has no model, so nothing is
// decoded (decoded: null) and the answer says so. Everything that takes time runs in the worker thread: the
// mean of the codes (cached, in shared memory), the mean of the rows' stored values (only the chosen rows of
// data.arrow are read, by position), loading and running the model, the PNGs. At most MAX_DECODES requests
// are decoded at once (each may read all of data.arrow); past that, 503 with Retry-After.
import express, { Router, type Request, type Response } from 'express';
import { isInputError } from '../../pipeline/errors.js';
import type { ImageShape, Matrix } from '../../pipeline/types.js';
import { reducerOfRun } from '../../pipeline/reduce/reducer.js';
import { declaredLengthWithin, parseJsonBody } from '../body.js';
import { sendFresh } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { HttpError } from '../http-error.js';
import { MODEL_INCOMPLETE } from '../reconstruct.js';
import { runIdParam } from '../params.js';
import { shortestFloat32 } from '../../pipeline/precision.js';
import { corruptRun, JSON_TYPE, type DataRows, type IndexLookup, type MatrixData } from '../run-cache.js';
import { MAX_ANSWER_VALUES, MAX_IMAGE_SIDE, pictureNote, replyWith, valuesOmitted } from '../read-tasks.js';
import { pictureSize } from '../../pipeline/image.js';
import { requestSignal } from '../worker-pool.js';
import { parseSelection } from '../selection.js';
import { displayRange, png } from './items.js';
import { runOr404 } from './runs.js';

/** Largest request body, bytes: a mask of 20 million rows in base64. */
export const MAX_DECODE_BODY = 4 * 1024 * 1024;
/** Scale of the PNGs in the answer (28 x 28 pictures become 112 x 112; lower for large pictures: at most MAX_IMAGE_SIDE a side). */
const IMAGE_SCALE = 4;

/** What the model is to a code, in the panel's words. */
const DECODED_BY = { autoencoder: 'decoder', pca: 'inverse transform', none: null } as const;

const NOTES = {
  autoencoder: "the autoencoder's decoder applied to the selection's mean code: what the model takes a typical member to be",
  pca: 'a PCA run has no decoder; its inverse transform (mean code × components + mean) is the analogue, and for PCA it equals the mean of the rows’ reconstructions',
  none: 'this run used reducer none (the map was made from the scaled input itself): there is no model, so there is nothing to decode',
} as const;

/** Decodes answered at once, at most. */
export const MAX_DECODES = 2;

/** Positions (in an artifact) of the given index values; 400 naming the first one the artifact lacks. */
function positionsIn(lookup: IndexLookup, indexes: Int32Array, id: string): Int32Array {
  const out = new Int32Array(indexes.length);
  for (let i = 0; i < indexes.length; i++) {
    const p = lookup.positionOf(indexes[i]!);
    if (p < 0) throw new HttpError(400, `run ${id} has no row with index ${indexes[i]}`);
    out[i] = p;
  }
  return out;
}

/** The mean of the codes at `positions` (the cached codes, in shared memory). */
async function codeMean(ctx: ServerContext, codes: MatrixData, positions: Int32Array, signal: AbortSignal): Promise<Float64Array> {
  const { matrix } = codes;
  return replyWith(await ctx.workers.run({ op: 'mean', values: matrix.values.buffer as SharedArrayBuffer, rows: matrix.rows, cols: matrix.cols, positions }, [positions.buffer as ArrayBuffer], signal), 'mean').mean;
}

/** The mean of the stored values of the rows at `positions` of data.arrow: only those rows are read. */
async function dataMean(ctx: ServerContext, id: string, data: DataRows, positions: Int32Array, signal: AbortSignal): Promise<Float64Array> {
  positions.sort();
  const reply = await ctx.workers.run({ op: 'data-mean', layout: data.layout, positions }, [positions.buffer as ArrayBuffer], signal);
  try {
    return replyWith(reply, 'mean').mean;
  } catch (err) {
    ctx.log(`run ${id}: reading data.arrow failed: ${(err as Error).message}`);
    throw corruptRun(id, 'its stored input values cannot be read');
  }
}

const json = (v: ArrayLike<number> | null): (number | null)[] | null => (v ? Array.from(v, (x) => (Number.isFinite(x) ? shortestFloat32(Math.fround(x)) : null)) : null);

/** A row's values as JSON numbers, or null when absent or too long to list (MAX_ANSWER_VALUES). */
const listed = (v: Float32Array | null): (number | null)[] | null => (v && v.length <= MAX_ANSWER_VALUES ? json(v) : null);

async function dataUrl(ctx: ServerContext, values: Float32Array | null, image: ImageShape | null, range: [number, number]): Promise<string | null> {
  if (!values || !image || values.length !== image.width * image.height * image.channels) return null;
  return `data:image/png;base64,${(await png(ctx, values, image, range, IMAGE_SCALE)).toString('base64')}`;
}

export function decodeRoutes(ctx: ServerContext): Router {
  const router = Router();
  const readBody = express.raw({ limit: MAX_DECODE_BODY, type: () => true });
  let decoding = 0;
  const busy = (): HttpError | null =>
    decoding >= MAX_DECODES ? new HttpError(503, 'the server is busy decoding other selections; try again in a moment', { 'Retry-After': '1' }) : null;
  // Refused before the body is read too: a saturated server answers many of these.
  const notBusy: express.RequestHandler = (_req, _res, next) => next(busy() ?? undefined);
  router.post('/api/runs/:id/decode', ctx.readLimit, notBusy, declaredLengthWithin(MAX_DECODE_BODY), readBody, async (req, res) => {
    const refused = busy();
    if (refused) throw refused;
    decoding++;
    try {
      await decode(req, res);
    } finally {
      decoding--;
    }
  });

  async function decode(req: Request, res: Response): Promise<void> {
    const signal = requestSignal(res);
    const id = runIdParam(req.params.id);
    if (!req.is('application/json')) throw new HttpError(415, 'send the selection as JSON with Content-Type: application/json');
    if (!Buffer.isBuffer(req.body) || req.body.length === 0) throw new HttpError(400, 'send the selection in the request body: {"rows": [...]}, {"mask": "<base64>"} or {"code": [...]}');
    const body = parseJsonBody(req.body);
    const { manifest } = await runOr404(ctx, id);
    const reducer = reducerOfRun(manifest);
    const codes = await ctx.cache.codes(id);
    let rowCount = 0;
    for (const i of codes.index) rowCount = Math.max(rowCount, i + 1);
    const selection = parseSelection(body, rowCount);
    const codeSize = codes.matrix.cols;

    let code: Float32Array;
    let mean: Float32Array | null = null;
    let count: number | null = null;
    if (selection.kind === 'code') {
      if (selection.code.length !== codeSize) throw new HttpError(400, `code: run ${id} has codes of ${codeSize} values; got ${selection.code.length}`);
      code = selection.code;
    } else {
      count = selection.indexes.length;
      const data = manifest.artifacts?.data ? await ctx.cache.data(id) : null;
      const [codesMean, valuesMean] = await Promise.all([
        codeMean(ctx, codes, positionsIn(codes.lookup, selection.indexes, id), signal),
        data ? dataMean(ctx, id, data, positionsIn(data.lookup, selection.indexes, id), signal) : null,
      ]);
      // the cached codes have their columns reordered by variance: put the mean back in the codes' order
      code = new Float32Array(codeSize);
      for (let c = 0; c < codeSize; c++) code[codes.columns ? codes.columns[c]! : c] = codesMean[c]!;
      mean = valuesMean ? Float32Array.from(valuesMean) : null;
    }

    let decoded: Float32Array | null = null;
    let note: string = NOTES[reducer];
    if (reducer !== 'none') {
      const m: Matrix = { rows: 1, cols: codeSize, values: code };
      try {
        decoded = (await ctx.decode(ctx.store.path(id), manifest, m)).values;
      } catch (err) {
        // a run whose model files are gone (or unreadable as a model) still has the mean of its rows to show
        const modelGone = err instanceof HttpError && (err.status === 404 || (err.status === 500 && err.message.includes(MODEL_INCOMPLETE)));
        if (!modelGone && !isInputError(err)) throw err;
        note = `nothing decoded: ${(err as Error).message.split(ctx.store.dir).join('')}`;
      }
    }
    const image = manifest.dataset?.image ?? null;
    const rowLength = (mean ?? decoded)?.length ?? 0;
    const notes = [note, rowLength > MAX_ANSWER_VALUES ? valuesOmitted(rowLength) : null, image ? pictureNote(image, pictureSize(image, IMAGE_SCALE, MAX_IMAGE_SIDE)) : null];
    const range = displayRange(mean ?? decoded ?? new Float32Array([0, 1]));
    const [meanImage, decodedImage] = await Promise.all([dataUrl(ctx, mean, image, range), dataUrl(ctx, decoded, image, range)]);
    const answer = {
      reducer,
      decodedBy: decoded ? DECODED_BY[reducer] : null,
      note: notes.filter((n) => n !== null).join('; '),
      count,
      // the names go with the values: none when the values are too many to list
      features: rowLength > MAX_ANSWER_VALUES ? [] : await ctx.cache.featureNames(id),
      code: json(reducer === 'none' ? null : code),
      mean: listed(mean),
      decoded: listed(decoded),
      image,
      meanImage,
      decodedImage,
    };
    await sendFresh(req, res, Buffer.from(JSON.stringify(answer)), JSON_TYPE);
  }
  return router;
}
