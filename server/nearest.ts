// Brute-force k nearest neighbours of one row in code space (Euclidean), with the neighbour search's bounded
// heap (pipeline/tsne/knn/heap.ts) as the partial selection and early exit from rows that cannot make the k best. Pure: no I/O.
// 70,000 x 32 codes take a few milliseconds.
import type { Matrix } from '../pipeline/types.js';
import { NeighborHeaps } from '../pipeline/tsne/knn/heap.js';

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
  // the k best so far by (squared distance, row): the neighbour search's one bounded heap
  const heap = new NeighborHeaps(1, kk);
  const q = values.subarray(row * cols, row * cols + cols);
  if (kk > 0) {
    for (let j = 0; j < rows; j++) {
      if (j === row) continue;
      const base = j * cols;
      // Partial distance: once the sum passes the k-th best so far, this row cannot enter (checked every 8 dims).
      const bound = heap.bound[0]!;
      let d = 0;
      for (let c = 0; c < cols; c++) {
        const diff = values[base + c]! - q[c]!;
        d += diff * diff;
        if ((c & 7) === 7 && d > bound) break;
      }
      if (d > bound) continue;
      heap.push(0, d, j);
    }
  }
  const outR = new Int32Array(heap.size[0]!);
  const sq = new Float64Array(outR.length);
  heap.sortedRow(0, outR, sq);
  return { rows: outR, distances: Float32Array.from(sq, Math.sqrt) };
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
