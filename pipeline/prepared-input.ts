// The prepared input matrix through a run. The reducer needs it (fit, encode, per-row errors) and so do the
// metrics (the map judged against the input), but the map stage works on the codes alone. The matrix is the
// run's largest array (250,000 x 784 float32: 0.78 GB, beside a t-SNE stage whose own peak is about as large),
// so a run releases it before the map stage and reads it back for the metrics from the run's data file, which
// holds the kept rows' original values, scaled again with prepare's arithmetic: the same float32 rows, bit for
// bit, for a second or two of reading (page cache) per gigabyte. It is read back into a WebAssembly memory, where
// the metrics' neighbour search renumbers the rows in place (KnnOptions.inPlace) instead of copying them into
// its kernel's memory: the metrics hold the matrix once, not twice.
import { MessageChannel } from 'node:worker_threads';
import path from 'node:path';
import type { PreparePlan } from './prepare.js';
import { rescaleRows, type Rescaling } from './prepare-passes.js';
import { readAllDataRows, readDataLayout } from './runs/data-rows.js';
import type { Dataset, Matrix } from './types.js';

export interface PreparedInput {
  readonly rows: number;
  readonly cols: number;
  /** The matrix, read back from the data file first when it was released. */
  get(): Promise<Matrix>;
  /**
   * The WebAssembly memory a read-back matrix fills from byte 0 (for KnnOptions.inPlace; a search there may
   * grow it, detaching the matrix's views: view its buffer again), or null.
   */
  readonly memory: WebAssembly.Memory | null;
  /**
   * Frees the matrix's memory now, when the data file can give it back exactly and nothing else shares its
   * buffer; returns the bytes freed (0: kept). The matrix's views are empty afterwards: use get().
   */
  release(): number;
  /** Forgets the matrix for good (its memory goes at the next garbage collection); get() cannot be called after. */
  drop(): void;
  /**
   * Where a worker thread reads the matrix back itself (readBackInput), while it is released and has not been read
   * back here; null while this thread holds it.
   */
  readBack(): ReadBack | null;
}

/** The matrix's read-back, as plain data a worker thread can be sent. */
export interface ReadBack {
  /** The run's data file. */
  dataFile: string;
  rescaling: Rescaling;
}

export interface PreparedInputSource {
  /** The run's data file (data.arrow): row i holds the original values of kept row i. */
  dataFile: string;
  /** Scales rows of original values exactly as the matrix was scaled. */
  plan: Pick<PreparePlan, 'rescaling'>;
  /** The dataset the matrix came from: a metadata, label or precise column viewing its buffer keeps it. */
  dataset: Dataset;
  /**
   * False when the data file's values are not what the matrix was scaled from (columns centred in float64
   * before scaling, pipeline/precision.ts): the matrix is then kept.
   */
  exact: boolean;
}

export function preparedInput(x: Matrix, source: PreparedInputSource): PreparedInput {
  let current: Matrix | null = x;
  let memory: WebAssembly.Memory | null = null;
  let dropped = false;
  const { rows, cols } = x;
  return {
    rows,
    cols,
    get memory() {
      return memory;
    },
    async get(): Promise<Matrix> {
      if (dropped) throw new Error('prepared input: get() after drop()');
      if (!current) ({ matrix: current, memory } = await readBackInput({ dataFile: source.dataFile, rescaling: source.plan.rescaling }));
      // a search in the memory may have grown it since, detaching earlier views: the same rows, viewed again
      return memory ? { rows, cols, values: new Float32Array(memory.buffer, 0, rows * cols) } : current;
    },
    readBack(): ReadBack | null {
      return current || dropped ? null : { dataFile: source.dataFile, rescaling: source.plan.rescaling };
    },
    drop(): void {
      current = null;
      memory = null;
      dropped = true;
    },
    release(): number {
      if (!current || !source.exact) return 0;
      const buffer = current.values.buffer;
      if (!(buffer instanceof ArrayBuffer) || sharedWithColumns(buffer, source.dataset)) return 0;
      const bytes = buffer.byteLength;
      if (!freeNow(buffer)) return 0;
      current = null;
      return bytes;
    },
  };
}

/**
 * Reads the released matrix back from the run's data file and scales it again (the same float32 rows, bit for
 * bit), into a new WebAssembly memory when one can hold it (memory: for KnnOptions.inPlace), else a plain array.
 * Throws Error when the file's shape is not the matrix's.
 */
export async function readBackInput(from: ReadBack): Promise<{ matrix: Matrix; memory: WebAssembly.Memory | null }> {
  const { rows, cols } = from.rescaling;
  const { layout } = await readDataLayout(from.dataFile);
  if (layout.rows !== rows || layout.cols !== cols) {
    throw new Error(`${path.basename(from.dataFile)} holds ${layout.rows} x ${layout.cols} values, the run's input ${rows} x ${cols}`);
  }
  const memory = wasmMemory(rows * cols * 4 + 16 * rows);
  const values = rescaleRows(await readAllDataRows(layout, memory ? new Float32Array(memory.buffer, 0, rows * cols) : null), from.rescaling);
  return { matrix: { rows, cols, values }, memory };
}

/** Largest WebAssembly memory (wasm32: 65,536 pages of 64 KiB), less room for a search's lists and buffers. */
const WASM_MAX_BYTES = 2 ** 32 - 2 ** 26;

/** A WebAssembly memory of at least `bytes`, or null past what wasm32 addresses (or when none can be had). */
function wasmMemory(bytes: number): WebAssembly.Memory | null {
  if (bytes > WASM_MAX_BYTES) return null;
  try {
    return new WebAssembly.Memory({ initial: Math.ceil(bytes / 65536) });
  } catch {
    return null;
  }
}

/** Whether a column the run still writes (label, metadata, precise features) is a view of `buffer`. */
function sharedWithColumns(buffer: ArrayBuffer, dataset: Dataset): boolean {
  const views: ArrayBufferView[] = [...(dataset.precise?.values() ?? [])];
  for (const c of [...dataset.metadata, ...(dataset.label ? [dataset.label] : [])]) if (c.kind === 'number') views.push(c.values);
  return views.some((v) => v.buffer === buffer);
}

/**
 * Frees an ArrayBuffer's memory now. Dropping the last reference is not enough: the memory goes when this
 * thread next collects garbage, and while the map stage runs in its worker thread this one allocates almost
 * nothing, so that may not happen before the stage ends. Transferred into a message channel that is then
 * closed, the buffer is detached (every view of it becomes empty) and its memory released as the channel
 * closes. Returns false when the buffer cannot be transferred (Node keeps its small pooled buffers: left as they
 * were).
 */
function freeNow(buffer: ArrayBuffer): boolean {
  if (buffer.byteLength === 0) return false;
  const { port1, port2 } = new MessageChannel();
  try {
    port1.postMessage(null, [buffer]);
    return buffer.byteLength === 0;
  } catch {
    return false;
  } finally {
    port1.close();
    port2.close();
  }
}
