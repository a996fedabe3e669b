// Per-row reconstruction error of any reducer that can reconstruct its input (PCA here; the
// autoencoder computes its own with its training loss).
import type { Matrix } from '../types.js';

const EPS = 1e-7;

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
