// Brute-force k nearest neighbours of one row in code space (Euclidean), with a bounded max-heap as the
// partial selection and early exit from rows that cannot make the k best. Pure: no I/O.
// 70,000 x 32 codes take a few milliseconds.
import type { Matrix } from '../pipeline/types.js';

export interface Nearest {
  /** Row positions, nearest first. */
  rows: Int32Array;
  /** Euclidean distances, ascending. */
  distances: Float32Array;
}

/** The k rows nearest to row `row` (excluding itself), nearest first; ties broken by lower row. */
export function nearestRows(m: Matrix, row: number, k: number): Nearest {
  const { rows, cols, values } = m;
  if (!(row >= 0 && row < rows)) throw new RangeError(`row ${row} out of range [0, ${rows})`);
  const kk = Math.max(0, Math.min(k, rows - 1));
  // Max-heap on (distance, row) of the best kk so far.
  const heapD = new Float64Array(kk);
  const heapR = new Int32Array(kk);
  let size = 0;
  const q = values.subarray(row * cols, row * cols + cols);
  const worse = (d1: number, r1: number, d2: number, r2: number): boolean => d1 > d2 || (d1 === d2 && r1 > r2);
  const siftDown = (): void => {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m2 = i;
      if (l < size && worse(heapD[l]!, heapR[l]!, heapD[m2]!, heapR[m2]!)) m2 = l;
      if (r < size && worse(heapD[r]!, heapR[r]!, heapD[m2]!, heapR[m2]!)) m2 = r;
      if (m2 === i) return;
      const td = heapD[i]!;
      const tr = heapR[i]!;
      heapD[i] = heapD[m2]!;
      heapR[i] = heapR[m2]!;
      heapD[m2] = td;
      heapR[m2] = tr;
      i = m2;
    }
  };
  if (kk > 0) {
    for (let j = 0; j < rows; j++) {
      if (j === row) continue;
      const base = j * cols;
      // Partial distance: once the sum passes the k-th best so far, this row cannot enter (checked every 8 dims).
      const bound = size < kk ? Infinity : heapD[0]!;
      let d = 0;
      for (let c = 0; c < cols; c++) {
        const diff = values[base + c]! - q[c]!;
        d += diff * diff;
        if ((c & 7) === 7 && d > bound) break;
      }
      if (d > bound) continue;
      if (size < kk) {
        // Sift up.
        let i = size++;
        heapD[i] = d;
        heapR[i] = j;
        while (i > 0) {
          const p = (i - 1) >> 1;
          if (!worse(heapD[i]!, heapR[i]!, heapD[p]!, heapR[p]!)) break;
          const td = heapD[i]!;
          const tr = heapR[i]!;
          heapD[i] = heapD[p]!;
          heapR[i] = heapR[p]!;
          heapD[p] = td;
          heapR[p] = tr;
          i = p;
        }
      } else if (worse(heapD[0]!, heapR[0]!, d, j)) {
        heapD[0] = d;
        heapR[0] = j;
        siftDown();
      }
    }
  }
  // Pop into ascending order.
  const outR = new Int32Array(size);
  const outD = new Float32Array(size);
  for (let n = size; n > 0; n--) {
    outR[n - 1] = heapR[0]!;
    outD[n - 1] = Math.sqrt(heapD[0]!);
    size--;
    heapD[0] = heapD[size]!;
    heapR[0] = heapR[size]!;
    siftDown();
  }
  return { rows: outR, distances: outD };
}

/**
 * The same rows with columns reordered by decreasing variance: distances are unchanged, and the early
 * exit in nearestRows triggers sooner because the widest dimensions are summed first.
 */
export function byVariance(m: Matrix): Matrix {
  const { rows, cols, values } = m;
  const mean = new Float64Array(cols);
  const sq = new Float64Array(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = values[r * cols + c]!;
      mean[c]! += v;
      sq[c]! += v * v;
    }
  }
  const variance = Array.from({ length: cols }, (_, c) => sq[c]! / Math.max(1, rows) - (mean[c]! / Math.max(1, rows)) ** 2);
  const order = Array.from({ length: cols }, (_, c) => c).sort((a, b) => variance[b]! - variance[a]! || a - b);
  const out = new Float32Array(values.length);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    for (let c = 0; c < cols; c++) out[base + c] = values[base + order[c]!]!;
  }
  return { rows, cols, values: out };
}
