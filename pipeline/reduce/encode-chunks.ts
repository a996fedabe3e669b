// Codes and per-row errors of many rows without holding the event loop: the reducers' encode and rowErrors are
// synchronous (tfjs, PCA in JS). A shard of a 1,000,000-row run in 12 shards has 83,334 rows: through a
// 784-256-128-32 autoencoder, encode and rowErrors are about 6e10 multiply-adds, through 32 PCA components about
// 6e9 (estimates, not measured), seconds to tens of seconds of one core, more when workers share cores. A queue
// worker's lock on its job is renewed by a timer on this event loop; held past --lock-seconds (30 s), the job
// counts as stalled and goes to another worker, which does the work again (and BullMQ fails it for good after its
// stall limit). Encoding in
// chunks with a yield between them keeps the timers running. Chunks are a multiple of the autoencoder's inference
// batch and of the PCA row-error block, so every row goes through the same batches as in one call: same values.

import { throwIfAborted } from '../errors.js';
import { INFERENCE_BATCH } from '../autoencoder/index.js';
import { ROW_ERROR_BLOCK } from './row-errors.js';
import type { Reducer } from './reducer.js';
import type { Matrix } from '../types.js';

/** Rows encoded between two yields to the event loop: 16,384 (8 inference batches, 4 row-error blocks). */
export const ENCODE_CHUNK_ROWS = Math.max(INFERENCE_BATCH, ROW_ERROR_BLOCK) * 4;

/**
 * reducer.encode(x) and reducer.rowErrors(x), `chunkRows` rows at a time, yielding to the event loop
 * (setImmediate) between chunks; the same values as the two calls on all rows. Codes [n, codeSize]; errors [n]
 * or null (reducer none). Rejects with CancelledError when `signal` aborts between chunks.
 */
export async function encodeInChunks(
  reducer: Pick<Reducer, 'encode' | 'rowErrors' | 'codeSize'>,
  x: Matrix,
  signal?: AbortSignal,
  chunkRows = ENCODE_CHUNK_ROWS,
): Promise<{ codes: Matrix; errors: Float32Array | null }> {
  if (x.rows <= chunkRows) return { codes: reducer.encode(x), errors: reducer.rowErrors(x) };
  let codes: Float32Array | null = null;
  let width = 0;
  let errors: Float32Array | null = null;
  for (let start = 0; start < x.rows; start += chunkRows) {
    const end = Math.min(x.rows, start + chunkRows);
    const rows: Matrix = { rows: end - start, cols: x.cols, values: x.values.subarray(start * x.cols, end * x.cols) };
    const c = reducer.encode(rows);
    if (codes === null) {
      width = c.cols;
      codes = new Float32Array(x.rows * width);
    }
    codes.set(c.values, start * width);
    const e = reducer.rowErrors(rows);
    if (e) {
      errors ??= new Float32Array(x.rows);
      errors.set(e, start);
    }
    await new Promise<void>((resolve) => setImmediate(resolve));
    throwIfAborted(signal);
  }
  return { codes: { rows: x.rows, cols: width, values: codes! }, errors };
}
