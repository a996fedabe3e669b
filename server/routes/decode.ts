// POST /api/runs/:id/decode: what a typical member of a selection looks like. The body names the rows (or one
// code; server/selection.ts). The answer holds the mean of the rows' stored values and the run's model's
// decoding of their mean code, both in the input's units, as PNG data URLs beside the numbers for image
// datasets. An autoencoder run decodes with its decoder; a PCA run with its inverse transform (codes W + mean,
// which for PCA equals the mean of the rows' reconstructions); a reducer-none run has no model, so nothing is
// decoded (decoded: null) and the answer says so. Everything that takes time runs in the worker thread: the
// mean of the codes (cached, in shared memory), the mean of the rows' stored values (only the chosen rows of
// data.arrow are read, by position), loading and running the model, the PNGs. At most MAX_DECODES requests
// are decoded at once (each may read all of data.arrow); past that, 503 with Retry-After.
// The answer also says what sets the selection apart (separation.ts): the standardized mean difference of
// every input feature and code unit, the largest listed with both means, and for image datasets the
// difference of every pixel (the viewer's heat map). The rest's figures come from the moments of every row,
// one pass over data.arrow and the codes per run, kept (TOTALS_KEPT runs).
import express, { Router, type Request, type Response } from 'express';
import { isInputError } from '../../pipeline/errors.js';
import type { ImageShape, Matrix } from '../../pipeline/types.js';
import { reducerOfRun } from '../../pipeline/reduce/reducer.js';
import { declaredLengthWithin, parseJsonBody } from '../body.js';
import { sendFresh } from '../cached-body.js';
import type { ServerContext } from '../context.js';
import { corruptRun, HttpError, isCorruptRun } from '../http-error.js';
import { MODEL_INCOMPLETE } from '../reconstruct.js';
import { onlyQuery, runIdParam } from '../params.js';
import { shortestFloat32 } from '../../pipeline/precision.js';
import { JSON_TYPE, type DataRows, type IndexLookup, type MatrixData } from '../run-cache.js';
import { MAX_ANSWER_VALUES, MAX_IMAGE_SIDE, pictureNote, replyWith, valuesOmitted } from '../read-tasks.js';
import { pictureSize } from '../../pipeline/image.js';
import { requestSignal } from '../worker-pool.js';
import { parseSelection } from '../selection.js';
import { meansOf, type Moments } from '../column-moments.js';
import { largest, separations, type Separation } from '../separation.js';
import { displayRange, png } from './items.js';
import { runOr404 } from './runs.js';

/** The body of POST /decode, for its 400s. */
const SELECTION_BODY = { expected: 'the selection', shape: 'a selection is {"rows": [...]}, {"mask": "<base64>"} or {"code": [...]}' };

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

/** Features of largest |d| listed, and code units. */
const TOP_FEATURES = 12;
const TOP_UNITS = 8;
/** Runs whose every-row moments are kept (two small arrays per run: a pass over data.arrow saved). */
const TOTALS_KEPT = 16;

/**
 * The moments of the codes at `positions` (every row when null), per code unit in the codes' own order (the
 * cached codes have their columns reordered by variance).
 */
async function codeMoments(ctx: ServerContext, codes: MatrixData, positions: Int32Array | null, signal?: AbortSignal): Promise<Moments> {
  const { matrix } = codes;
  const task = { op: 'moments' as const, values: matrix.values.buffer as SharedArrayBuffer, rows: matrix.rows, cols: matrix.cols, positions };
  const m = replyWith(await ctx.workers.run(task, positions ? [positions.buffer as ArrayBuffer] : [], signal), 'moments').moments;
  const order = codes.columns;
  if (!order) return m;
  // every moment reordered, the range too (separation's floor on the pooled spread needs it)
  const reorder = (a: Float64Array): Float64Array => {
    const b = new Float64Array(matrix.cols);
    for (let c = 0; c < matrix.cols; c++) b[order[c]!] = a[c]!;
    return b;
  };
  return {
    count: reorder(m.count),
    sum: reorder(m.sum),
    sumSq: reorder(m.sumSq),
    ...(m.min ? { min: reorder(m.min) } : {}),
    ...(m.max ? { max: reorder(m.max) } : {}),
  };
}

/** The moments of the stored values of the rows at `positions` of data.arrow (only those rows read), or of every row when null. */
async function dataMoments(ctx: ServerContext, id: string, data: DataRows, positions: Int32Array | null, signal?: AbortSignal): Promise<Moments> {
  positions?.sort();
  const reply = await ctx.workers.run({ op: 'data-moments', layout: data.layout, positions }, positions ? [positions.buffer as ArrayBuffer] : [], signal);
  try {
    return replyWith(reply, 'moments').moments;
  } catch (err) {
    ctx.log(`run ${id}: reading data.arrow failed: ${(err as Error).message}`);
    throw corruptRun(id, 'its stored input values cannot be read');
  }
}

/** A figure of the answer: 6 significant digits (d: 4), null when not finite. */
const figure = (v: number | null, digits = 6): number | null => (v !== null && Number.isFinite(v) ? Number(v.toPrecision(digits)) : null);
const rounded = (s: Separation): Separation => ({ name: s.name, d: figure(s.d, 4), meanIn: figure(s.meanIn), meanOut: figure(s.meanOut) });

/** What sets a selection apart, as the answer carries it. */
interface SeparationAnswer {
  /** The features of largest |d|, largest first (empty when the run kept no input values). */
  features: Separation[];
  /** The code units of largest |d| ("unit k"), largest first (empty for reducer none). */
  units: Separation[];
  /** Image datasets: d of every feature (pixel) in input order, for a heat map; null otherwise. */
  featureD: (number | null)[] | null;
  /** What is missing and why, or null. */
  note: string | null;
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
  /** Every row's moments per run (id and creation time), the oldest dropped past TOTALS_KEPT. */
  const totals = new Map<string, Promise<{ codes: Moments; data: Moments | null }>>();
  const totalsOf = (key: string, load: () => Promise<{ codes: Moments; data: Moments | null }>) => {
    let t = totals.get(key);
    if (!t) {
      t = load();
      t.catch(() => totals.delete(key));
      totals.set(key, t);
      if (totals.size > TOTALS_KEPT) totals.delete(totals.keys().next().value!);
    }
    return t;
  };
  const busy = (): HttpError | null =>
    decoding >= MAX_DECODES ? new HttpError(503, 'the server is busy decoding other selections; try again in a moment', { 'Retry-After': '1' }) : null;
  // Refused before the body is read too: a saturated server answers many of these.
  const notBusy: express.RequestHandler = (_req, _res, next) => next(busy() ?? undefined);
  router.post('/api/runs/:id/decode', notBusy, declaredLengthWithin(MAX_DECODE_BODY), readBody, async (req, res) => {
    onlyQuery(req.query, []);
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
    const body = parseJsonBody(req.body, SELECTION_BODY);
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
    let separation: SeparationAnswer | null = null;
    if (selection.kind === 'code') {
      if (selection.code.length !== codeSize) throw new HttpError(400, `code: run ${id} has codes of ${codeSize} values; got ${selection.code.length}`);
      code = selection.code;
    } else {
      count = selection.indexes.length;
      const data = manifest.artifacts?.data ? await ctx.cache.data(id) : null;
      const [codesIn, valuesIn, all] = await Promise.all([
        codeMoments(ctx, codes, positionsIn(codes.lookup, selection.indexes, id), signal),
        data ? dataMoments(ctx, id, data, positionsIn(data.lookup, selection.indexes, id), signal) : null,
        // not tied to this request: a run's totals, once read, serve every later selection
        totalsOf(`${id}@${manifest.createdAt}`, async () => ({ codes: await codeMoments(ctx, codes, null), data: data ? await dataMoments(ctx, id, data, null) : null })),
      ]);
      code = Float32Array.from(meansOf(codesIn));
      mean = valuesIn ? Float32Array.from(meansOf(valuesIn)) : null;
      separation = separationAnswer(manifest, await ctx.cache.featureNames(id), reducer, codesIn, valuesIn, all);
    }

    let decoded: Float32Array | null = null;
    let note: string = NOTES[reducer];
    if (reducer !== 'none') {
      const m: Matrix = { rows: 1, cols: codeSize, values: code };
      try {
        decoded = (await ctx.decode(ctx.store.path(id), manifest, m)).values;
      } catch (err) {
        // a run whose model files are gone (or unreadable as a model) still has the mean of its rows to show
        const modelGone = err instanceof HttpError && (err.status === 404 || (isCorruptRun(err) && err.message.includes(MODEL_INCOMPLETE)));
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
      separation,
    };
    await sendFresh(req, res, Buffer.from(JSON.stringify(answer)), JSON_TYPE);
  }
  return router;
}

/** The separation part of the answer: features (with every pixel's d for images) and code units. */
function separationAnswer(
  manifest: { dataset: { image?: ImageShape | null } },
  /** The run's feature names (RunCache.featureNames: at most the first MAX_ANSWER_VALUES; past them "feature <c>"). */
  names: readonly string[],
  reducer: 'autoencoder' | 'pca' | 'none',
  codesIn: Moments,
  valuesIn: Moments | null,
  all: { codes: Moments; data: Moments | null },
): SeparationAnswer {
  const notes: string[] = [];
  let features: Separation[] = [];
  let featureD: (number | null)[] | null = null;
  if (valuesIn && all.data) {
    const list = separations(all.data, valuesIn, (c) => names[c] ?? `feature ${c}`);
    features = largest(list, TOP_FEATURES).map(rounded);
    if (manifest.dataset.image && list.length <= MAX_ANSWER_VALUES) featureD = list.map((s) => figure(s.d, 3));
  } else notes.push('this run kept no input values (data.arrow), so its features cannot be compared');
  // reducer none: the codes are the scaled input itself, not units of a model
  const units = reducer === 'none' ? [] : largest(separations(all.codes, codesIn, (c) => `unit ${c}`), TOP_UNITS).map(rounded);
  if (features.length === 0 && valuesIn && all.data) notes.push('no feature differs: every feature is constant, or the selection holds every row');
  return { features, units, featureD, note: notes.length ? notes.join('; ') : null };
}
