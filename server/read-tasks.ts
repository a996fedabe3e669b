// What the server's worker thread (read-worker.ts) computes: CPU-heavy work a request asks for, kept off the
// event loop so /api/health and every other request stay fast. Pure functions of the task (they read run
// files, never write); the main thread owns the caches. Run in-process by RunCache when it has no pool (tests).
//   png          one image row (given, or read from data.arrow) → PNG bytes (pipeline/image.ts)
//   row          one row of data.arrow (pipeline/runs/data-rows.ts): its values, and as JSON in shortest round-trip decimals
//   check        an uploaded file loaded by the pipeline's own loaders (pipeline/load): its shape, or its error;
//                gzipped content is decompressed only up to a cap (a gzip bomb: 413)
//   run-check    whether runs are whole (pipeline/runs/run-check.ts: manifests parsed, Arrow footers and JSON
//                files read, never their data), with the stamp of the files looked at; a run whose stamp is the
//                one the caller knows is answered `same` without reading anything. Answers the whole manifest
//                (one run opened) or only the fields the run list shows (run-summary.ts), in batches of
//                RUN_CHECK_BATCH runs; a run whose manifest is past LARGE_MANIFEST_BYTES (seconds to parse) is
//                answered `heavy` and checked again by itself in the slow lane
//   feature-names  a run's feature names (features.arrow, or an old manifest's list): the first `limit`, their
//                count, and where `find` is among them
//   scaling      the per-column scale and fill of a run's preprocessing (model/preprocessing.json: three
//                numbers and a name per column, 87 MB of JSON for a 1,500 x 1,500 picture)
//   codes        a run's codes.arrow, columns ordered by variance (nearest.ts), in shared memory
//   nearest      over codes in shared memory (code space)
//   nearest-input  several queries answered in one pass over data.arrow (pipeline/runs/data-rows.ts), the stored values
//                through the run's scaling (input space); the file is read in 4 MB pieces, never held
//   moments      per-column count, sum and sum of squares (column-moments.ts) of chosen rows, or of every row,
//                of a matrix in shared memory (codes)
//   data-moments the same over data.arrow: only the chosen rows read (by position), or one pass over every row
//   columns      whether the label column and feature columns a run names are columns of its input (a file or
//                a built-in), by the CLI's own loaders reading only the first COLUMN_CHECK_ROWS rows
//   points-body  a run's points as the Arrow IPC stream (all columns, or the ones named; integer columns
//                narrowed, points-stream.ts) or the ?format=json body, with its strong ETag
//   points-subset  an overview sample of a run's points, or the rows of a region (points-subset.ts), as the same
//                Arrow IPC stream, with the true count; the thread keeps the last run's table and grid a while
//   features     columns of data.arrow (pipeline/runs/data-rows.ts, one pass), each with the index as an Arrow IPC stream, with its ETag
//   compress     the gzip and brotli variants of bodies (cached-body.ts): the event loop only stores them
//   shortest     float32 values as a JSON array of their shortest round-trip decimals (points-json.ts)
//   model        rows through a run's saved model, or codes decoded by it (reconstruct.ts: the model, and
//                the code that runs it, load here)
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { InputError, isInputError, type InputLocation } from '../pipeline/errors.js';
import { rowToPng, type PictureSize } from '../pipeline/image.js';
import { readCodes, readPoints } from '../pipeline/runs/artifacts.js';
import { readFeatureNames } from '../pipeline/runs/feature-names.js';
import { readPreprocessing } from '../pipeline/runs/run-dir.js';
import { stat } from 'node:fs/promises';
import { runFile } from '../pipeline/runs/layout.js';
import { checkRun, LARGE_MANIFEST_BYTES, stampRun, type RunCheck } from '../pipeline/runs/run-check.js';
import { listedPart, type ListedManifest } from './run-summary.js';
import type { ImageShape, ProgressEvent, ProgressInfo, RunManifest, Stage, UploadReading, UploadShape } from '../pipeline/types.js';
import { HttpError } from './http-error.js';
import { createReconstructor } from './reconstruct.js';
import { compressSync, strongEtag, type Variants } from './cached-body.js';
import { readDataColumns, readDataRow, visitDataRows, type DataLayout } from '../pipeline/runs/data-rows.js';
import { ColumnMoments, columnMoments, type Moments } from './column-moments.js';
import { byVariance, nearestRows, type ColumnScaling } from './nearest.js';
import { NearestBatch } from './nearest-batch.js';
import { pointsJson, shortestFloat32 } from './points-json.js';
import { pointsStream } from './points-stream.js';
import { pointsSubset, type SubsetPick } from './points-subset.js';

/** Uploads with more feature columns than this report no featureNames (nobody picks among them by hand). */
export const UPLOAD_FEATURE_NAMES = 500;

/** A row of a run's data.arrow, by position. */
export interface RowRef {
  layout: DataLayout;
  pos: number;
}

export type WorkerTask =
  /** range: the values mapped to black and white; null: displayRange of the row. */
  | { op: 'png'; source: Float32Array | RowRef; shape: ImageShape; range: [number, number] | null; scale: number }
  | { op: 'row'; row: RowRef }
  | { op: 'nearest'; values: SharedArrayBuffer; rows: number; cols: number; row: number; k: number }
  /** rows[i]: the position of query i in data.arrow, k[i] its neighbours wanted. */
  | { op: 'nearest-input'; layout: DataLayout; scaling: ColumnScaling; rows: Int32Array; k: Int32Array }
  /** positions: the rows (repeats count twice); null: every row. */
  | { op: 'moments'; values: SharedArrayBuffer; rows: number; cols: number; positions: Int32Array | null }
  /** positions: ascending (repeats count twice); null: every row. */
  | { op: 'data-moments'; layout: DataLayout; positions: Int32Array | null }
  /**
   * maxDecompressedBytes: a gzipped file decompressing past it is refused (413, `what` named: "the upload",
   * "the input"), reading stopping there. reading: how a CSV/TSV is read (default: header guessed, encoding detected).
   */
  | { op: 'check'; file: string; what: string; maxDecompressedBytes?: number; reading?: UploadReading }
  | { op: 'codes'; runDir: string }
  /** file: an input file; else dataset (a built-in, its files in dataDir when given). */
  | { op: 'columns'; file: string | null; dataset: string | null; dataDir: string | null; choice: ColumnChoice; reading?: UploadReading; maxDecompressedBytes?: number }
  /**
   * manifest: answer each complete run's whole manifest (else only its listed part). heavy: runs whose manifest
   * is past LARGE_MANIFEST_BYTES, checked in the slow lane; without it such a run is answered `heavy`, unread.
   */
  | { op: 'run-check'; runs: RunCheckAsk[]; manifest: boolean; heavy?: boolean }
  /** limit: most names answered (the first ones); find: a name whose position is wanted. */
  | { op: 'feature-names'; runDir: string; limit: number; find?: string }
  | { op: 'scaling'; runDir: string }
  | { op: 'points-body'; runDir: string; format: 'arrow' | 'json'; columns?: string[] }
  | { op: 'points-subset'; runDir: string; pick: SubsetPick }
  | { op: 'features'; layout: DataLayout; index: Int32Array; cols: number[] }
  /** bodies: in shared memory (as points-body and features answer), so they reach the thread without a copy. */
  | { op: 'compress'; bodies: Uint8Array[] }
  | { op: 'shortest'; values: Float32Array }
  /** apply: reconstruct (values are rows in the input's units) or decode (values are codes). */
  | { op: 'model'; apply: 'reconstruct' | 'decode'; runDir: string; manifest: RunManifest; rows: number; cols: number; values: Float32Array };

export type WorkerReply =
  | { ok: true; png: Uint8Array }
  | { ok: true; rows: Int32Array; distances: Float32Array }
  /** One entry per query of a nearest-input task. */
  | { ok: true; neighbours: Int32Array[]; neighbourDistances: Float32Array[] }
  | { ok: true; shape: UploadShape }
  | { ok: true; codes: SharedArrayBuffer; rows: number; cols: number; index: Int32Array; columns?: Int32Array }
  | { ok: true; moments: Moments }
  | { ok: true; checks: RunCheckAnswer[] }
  | { ok: true; columnsChecked: true }
  /** found: the position of `find` among all the names, -1 when absent or not asked. */
  | { ok: true; names: string[]; count: number; found: number }
  | { ok: true; scale: Float64Array; fill: Float64Array }
  /** total: of a points-subset, the rows it stands for (the true count); rows: the rows it holds. */
  | { ok: true; bytes: Uint8Array; etag: string; total?: number; rows?: number }
  | { ok: true; streams: Uint8Array[]; etags: string[] }
  | { ok: true; variants: Variants[] }
  | { ok: true; values: Float32Array; text: string }
  | { ok: true; text: string }
  | { ok: true; matrix: Float32Array; rows: number; cols: number }
  | TaskFailure;

/**
 * A task that failed, with what the main thread needs to throw the same error there (errorOfReply): an
 * HttpError's status and extra fields, or a bad-input error's parts (InputError: its message without the
 * location, and the location: file, line, column, field).
 */
export interface TaskFailure {
  ok: false;
  /** A bad-input error of the pipeline (InputError). */
  input: boolean;
  /** The error's message as formatted (with its location). */
  message: string;
  /** The HTTP status of an HttpError thrown by the task (e.g. 404: no saved model), and its extra JSON fields. */
  status?: number;
  extra?: Record<string, unknown>;
  /** An InputError's own parts. */
  reason?: string;
  location?: InputLocation;
}

/** A run to check: its id and directory, and the files and stamp of the check the caller holds, if any. */
export interface RunCheckAsk {
  id: string;
  runDir: string;
  known?: { files: string[]; stamp: string };
}

/** A run checked: `same` when its files' stamp is the one the caller holds, `heavy` when its manifest is to be read in the slow lane, else the check. */
export type RunCheckAnswer =
  | { id: string; same: true }
  | { id: string; heavy: true }
  | ({ id: string; same: false; listing: ListedManifest | null } & RunCheck);

/** Runs checked in one task (the run list's batches): the thread is not held for long by any one task. */
export const RUN_CHECK_BATCH = 32;

/** The columns a run configuration names in its input (labelColumn, features, exclude, coordinates). */
export interface ColumnChoice {
  labelColumn: string | null;
  features: string[] | null;
  exclude: string[];
  coordinates: string[] | null;
}

/** Rows the column check reads: the loaders name and choose columns from the header or schema and the first rows. */
export const COLUMN_CHECK_ROWS = 100;

/** Fields whose bad-input errors the column check reports; any other problem is left to the input's full check and the job. */
export const COLUMN_FIELDS: ReadonlySet<string> = new Set(['labelColumn', 'features', 'exclude', 'coordinates']);

/** [0, 1] when the row lies in it (or [0, 255]), else the row's own range: an original and its reconstruction share it. */
/** Largest side of a picture the server draws, pixels: a larger one is drawn reduced (pipeline/image.ts pictureSize). */
export const MAX_IMAGE_SIDE = 1024;

/**
 * Most values of one row an answer lists as numbers (items' values and reconstruction, decode's mean and
 * decoded): 256 x 256 pictures and 65,536 features. A longer row is shown only as its picture (at most
 * MAX_IMAGE_SIDE a side), so no answer grows with the row (a 1,500 x 1,500 picture is 2.25 million values).
 */
export const MAX_ANSWER_VALUES = 65_536;

/** What an answer says in place of a row's values too long to list. */
export function valuesOmitted(length: number): string {
  return `a row of ${length.toLocaleString('en-US')} values is more than an answer lists (${MAX_ANSWER_VALUES.toLocaleString('en-US')}); its values are shown only as a picture`;
}

/** What an answer says of a picture drawn smaller than asked (pictures are at most MAX_IMAGE_SIDE a side). */
export function pictureNote(shape: ImageShape, size: PictureSize): string | null {
  if (size.shrink === 1) return null;
  return `the ${shape.width}x${shape.height} picture is drawn at ${size.width}x${size.height}, reduced ${size.shrink}x by area averaging: pictures are at most ${MAX_IMAGE_SIDE} pixels a side`;
}

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

/** Float32 values as a JSON array in their shortest round-trip decimals (4.6, not 4.599999904632568); non-finite as 0. */
function shortestJson(values: Float32Array): string {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    parts[i] = Number.isFinite(v) ? String(shortestFloat32(v)) : '0';
  }
  return `[${parts.join(',')}]`;
}

/** A reply of the kind that carries `key`, or an Error (the task failed, or answered something else). */
export function replyWith<K extends string>(reply: WorkerReply, key: K): Extract<WorkerReply, Record<K, unknown>> {
  if (!reply.ok) throw errorOfReply(reply);
  if (!(key in reply)) throw new Error(`unexpected worker reply (no ${key})`);
  return reply as Extract<WorkerReply, Record<K, unknown>>;
}

/**
 * `bytes` copied into shared memory: a body the main thread caches and serves, and hands back to this
 * thread to compress ('compress') without a copy either way.
 */
function shared(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  out.set(bytes);
  return out;
}

function body(bytes: Uint8Array): WorkerReply {
  return { ok: true, bytes: shared(bytes), etag: strongEtag(bytes) };
}

/** The models this thread has loaded (reconstruct tasks). */
let reconstructor: ReturnType<typeof createReconstructor> | null = null;

/**
 * How far a task has got: a file check reports the loader's progress (bytes of the file read), as the CLI's JSON
 * log does for the load stage.
 */
export type TaskProgress = (progress: ProgressEvent) => void;

export async function runTask(task: WorkerTask, onProgress?: TaskProgress): Promise<WorkerReply> {
  switch (task.op) {
    case 'png': {
      const values = task.source instanceof Float32Array ? task.source : readDataRow(task.source.layout, task.source.pos);
      return { ok: true, png: rowToPng(values, task.shape, { range: task.range ?? displayRange(values), scale: task.scale, maxSide: MAX_IMAGE_SIDE }) };
    }
    case 'row': {
      const values = readDataRow(task.row.layout, task.row.pos);
      return { ok: true, values, text: shortestJson(values) };
    }
    case 'nearest': {
      const near = nearestRows({ rows: task.rows, cols: task.cols, values: new Float32Array(task.values, 0, task.rows * task.cols) }, task.row, task.k);
      return { ok: true, rows: near.rows, distances: near.distances };
    }
    case 'nearest-input': {
      const { layout } = task;
      const queries = Array.from(task.rows, (pos) => readDataRow(layout, pos));
      const batch = new NearestBatch(queries, Array.from(task.k, (k) => Math.min(k, layout.rows - 1)), task.rows, task.scaling);
      await visitDataRows(layout, null, (block, at, pos) => batch.add(block, at, pos));
      const found = batch.result();
      return { ok: true, neighbours: found.map((f) => f.rows), neighbourDistances: found.map((f) => f.distances) };
    }
    case 'check': {
      const { loadDataset, DecompressedLimitError } = await import('../pipeline/load/index.js');
      const cap = task.maxDecompressedBytes === undefined ? {} : { maxDecompressedBytes: task.maxDecompressedBytes };
      const reading = task.reading ? { header: task.reading.header, encoding: task.reading.encoding } : {};
      // the loaders' last report (1: done) carries no byte counts: the whole file was read
      let totalBytes: number | undefined;
      const report = (progress: number, stage: Stage, info: ProgressInfo = {}): void => {
        totalBytes = info.totalBytes ?? totalBytes;
        const bytes = info.bytes ?? (progress >= 1 && totalBytes !== undefined ? totalBytes : undefined);
        onProgress!({ type: 'progress', stage, progress, ...info, ...(bytes !== undefined && totalBytes !== undefined ? { bytes, totalBytes } : {}) });
      };
      const hooks = onProgress ? { onProgress: report } : {};
      const d = await loadDataset({ dataset: null, input: task.file, labelColumn: null, dataDir: null, limit: null, ...cap, ...reading }, hooks).catch((err: unknown) => {
        if (err instanceof DecompressedLimitError) {
          throw new HttpError(413, `${task.what} decompresses to more than ${err.limit} bytes, the most this server reads from one file (--max-upload-bytes)`);
        }
        throw err;
      });
      // the rules every input meets before any setting matters, as the CLI applies them (a 1-row or all-zero file)
      const { checkMappable } = await import('../pipeline/mappable.js');
      checkMappable(d.matrix, d.columns, { file: task.file });
      return {
        ok: true,
        shape: {
          rows: d.matrix.rows,
          columns: d.matrix.cols,
          label: d.label?.name ?? null,
          metadata: d.metadata.map((m) => m.name),
          featureNames: d.image || d.columns.length > UPLOAD_FEATURE_NAMES ? null : d.columns.slice(),
          image: d.image ?? null,
        },
      };
    }
    case 'codes': {
      const { codes, index } = await readCodes(task.runDir);
      // Only distances are needed from the codes: keep them in the order that searches fastest, in shared
      // memory for the neighbour searches.
      const ordered = byVariance(codes);
      const shared = new Float32Array(new SharedArrayBuffer(ordered.values.byteLength));
      shared.set(ordered.values);
      return { ok: true, codes: shared.buffer as SharedArrayBuffer, rows: ordered.rows, cols: ordered.cols, index: index.slice(), columns: ordered.order };
    }
    case 'columns': {
      const { loadDataset } = await import('../pipeline/load/index.js');
      const { takeCoordinates } = await import('../pipeline/coordinates.js');
      const { choice } = task;
      try {
        const head = await loadDataset({
          dataset: task.dataset,
          input: task.file,
          labelColumn: choice.labelColumn,
          dataDir: task.dataDir,
          limit: COLUMN_CHECK_ROWS,
          ...(task.reading ? { header: task.reading.header, encoding: task.reading.encoding } : {}),
          ...(task.maxDecompressedBytes === undefined ? {} : { maxDecompressedBytes: task.maxDecompressedBytes }),
          selection: { features: choice.features, exclude: choice.exclude, coordinates: choice.coordinates ?? [] },
        });
        // a built-in's loader does not see the selection's coordinates: the pipeline's own step checks them
        if (choice.coordinates) takeCoordinates(head, choice.coordinates);
      } catch (err) {
        if (isInputError(err) && COLUMN_FIELDS.has(err.location.field ?? '')) throw err;
        // anything else is for the input's full check and the job to say (with every row read)
      }
      return { ok: true, columnsChecked: true };
    }
    case 'run-check': {
      // the runs of a batch at once: their reads overlap in libuv's thread pool
      const checks = await Promise.all(
        task.runs.map(async (run): Promise<RunCheckAnswer> => {
          if (run.known && (await stampRun(run.runDir, run.known.files)) === run.known.stamp) return { id: run.id, same: true };
          if (!task.heavy && (await stat(runFile(run.runDir, 'manifest')).then((st) => st.size, () => 0)) > LARGE_MANIFEST_BYTES) return { id: run.id, heavy: true };
          const check = await checkRun(run.runDir, run.id);
          const listing = check.manifest ? listedPart(check.manifest) : null;
          return { id: run.id, same: false, ...check, manifest: task.manifest ? check.manifest : null, listing: task.manifest ? null : listing };
        }),
      );
      return { ok: true, checks };
    }
    case 'feature-names': {
      const names = await readFeatureNames(task.runDir);
      return { ok: true, names: names.length > task.limit ? names.slice(0, task.limit) : names, count: names.length, found: task.find === undefined ? -1 : names.indexOf(task.find) };
    }
    case 'scaling': {
      const pre = await readPreprocessing(task.runDir);
      return { ok: true, scale: Float64Array.from(pre.scale), fill: Float64Array.from(pre.fill ?? pre.offset) };
    }
    case 'moments':
      return { ok: true, moments: columnMoments({ rows: task.rows, cols: task.cols, values: new Float32Array(task.values, 0, task.rows * task.cols) }, task.positions) };
    case 'data-moments': {
      const acc = new ColumnMoments(task.layout.cols);
      await visitDataRows(task.layout, task.positions, (block, at) => acc.add(block, at));
      return { ok: true, moments: acc.result() };
    }
    case 'points-body': {
      const table = await readPoints(task.runDir);
      if (task.format === 'json') return body(Buffer.from(pointsJson(table)));
      return body(pointsStream(table, task.columns));
    }
    case 'points-subset': {
      const subset = await pointsSubset(task.runDir, task.pick);
      return { ...(body(subset.bytes) as { ok: true; bytes: Uint8Array; etag: string }), total: subset.total, rows: subset.rows };
    }
    case 'features': {
      const columns = await readDataColumns(task.layout, task.cols);
      const streams = columns.map((value) => shared(tableToIPC(tableFromArrays({ index: task.index, value }), 'stream')));
      return { ok: true, streams, etags: streams.map(strongEtag) };
    }
    case 'compress':
      return { ok: true, variants: task.bodies.map(compressSync) };
    case 'shortest':
      return { ok: true, text: shortestJson(task.values) };
    case 'model': {
      reconstructor ??= createReconstructor();
      const out = await reconstructor[task.apply](task.runDir, task.manifest, { rows: task.rows, cols: task.cols, values: task.values });
      return { ok: true, matrix: Float32Array.from(out.values), rows: out.rows, cols: out.cols };
    }
  }
}

/** The failure reply of an error a task threw (errorOfReply makes the same error of it). */
export function failureOf(err: unknown): TaskFailure {
  if (isInputError(err)) return { ok: false, input: true, message: err.message, reason: err.reason, location: { ...err.location } };
  return {
    ok: false,
    input: false,
    message: err instanceof Error ? err.message : String(err),
    ...(err instanceof HttpError ? { status: err.status, ...(Object.keys(err.extra).length ? { extra: err.extra } : {}) } : {}),
  };
}

/** The error a failed task threw, made again in this thread: an HttpError (status kept), an InputError (its parts kept), else an Error. */
export function errorOfReply(reply: TaskFailure): Error {
  if (reply.status !== undefined) return new HttpError(reply.status, reply.message, {}, reply.extra ?? {});
  if (reply.input) return reply.reason !== undefined ? new InputError(reply.reason, reply.location ?? {}) : new InputError(reply.message);
  return new Error(reply.message);
}

/** runTask, with any failure as an error reply (failureOf). */
export function runTaskSafely(task: WorkerTask, onProgress?: TaskProgress): Promise<WorkerReply> {
  return runTask(task, onProgress).catch(failureOf);
}

/** The buffers of a reply that can move to the other thread instead of being copied. */
export function transferables(reply: WorkerReply): ArrayBuffer[] {
  const out: ArrayBuffer[] = [];
  const values = Object.values(reply).flatMap((x) => (Array.isArray(x) ? x : [x]));
  for (const v of values.flatMap((x) => (x !== null && typeof x === 'object' && !ArrayBuffer.isView(x) ? Object.values(x) : [x]))) {
    if (ArrayBuffer.isView(v) && v.buffer instanceof ArrayBuffer && v.byteOffset === 0 && v.byteLength === v.buffer.byteLength) out.push(v.buffer);
  }
  return out;
}
