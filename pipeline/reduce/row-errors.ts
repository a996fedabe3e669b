// Per-row reconstruction error of any reducer that can reconstruct its input (PCA here; the
// autoencoder computes its own with its training loss).
import type { Matrix } from '../types.js';

const EPS = 1e-7;

/**
 * Rows per block of blockRowErrors: 4,096 rows of 784 float32 values are 12.8 MB, so the reconstructions held at
 * once stay small however many rows there are.
 */
export const ROW_ERROR_BLOCK = 4096;

/** Mean loss of each row: squared error, or binary cross-entropy with targets x and predictions r in [0, 1]. */
export function rowErrors(x: Matrix, r: Matrix, loss: 'mse' | 'bce'): Float32Array {
  if (x.rows !== r.rows || x.cols !== r.cols) throw new Error(`rowErrors: ${x.rows}x${x.cols} vs ${r.rows}x${r.cols}`);
  const out = new Float32Array(x.rows);
  const { cols } = x;
  for (let i = 0; i < x.rows; i++) {
    let s = 0;
    const o = i * cols;
    for (let j = 0; j < cols; j++) {
      const t = x.values[o + j]!;
      const p = r.values[o + j]!;
      if (loss === 'mse') {
        const d = t - p;
        s += d * d;
      } else {
        const q = Math.min(1 - EPS, Math.max(EPS, p));
        s -= t * Math.log(q) + (1 - t) * Math.log(1 - q);
      }
    }
    out[i] = s / cols;
  }
  return out;
}

/**
 * rowErrors of x against reconstruct(x), reconstructing `block` rows at a time: the same figures as
 * rowErrors(x, reconstruct(x), loss) without a second n x cols matrix (at 1,000,000 x 784 that copy is 3.1 GB).
 * reconstruct takes rows [m, cols] (views into x) and returns their reconstructions [m, cols].
 */
export function blockRowErrors(x: Matrix, reconstruct: (rows: Matrix) => Matrix, loss: 'mse' | 'bce', block = ROW_ERROR_BLOCK): Float32Array {
  const out = new Float32Array(x.rows);
  for (let start = 0; start < x.rows; start += block) {
    const end = Math.min(x.rows, start + block);
    const rows: Matrix = { rows: end - start, cols: x.cols, values: x.values.subarray(start * x.cols, end * x.cols) };
    out.set(rowErrors(rows, reconstruct(rows), loss), start);
  }
  return out;
}
