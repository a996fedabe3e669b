// Exact k nearest reference rows of each query row (the transform's neighbour search).

import type { Matrix, NeighborGraph } from '../../types.js';
import { align16, ensureMemory, loadRows } from './kernel.js';
import { NeighborHeaps } from './heap.js';
import { TILE } from './exact.js';

/** Exact k nearest reference rows of each query row (for transform), through the float64 SIMD kernel. */
export function knnQuery(reference: Matrix, queries: Matrix, k: number): NeighborGraph {
  if (reference.cols !== queries.cols) {
    throw new RangeError(`queries have ${queries.cols} columns, the reference ${reference.cols}`);
  }
  const n = queries.rows;
  const m = reference.rows;
  const cols = reference.cols;
  // the reference rows, then the query rows, in one kernel memory
  const both: Matrix = { rows: m + n, cols, values: new Float32Array((m + n) * cols) };
  both.values.set(reference.values.subarray(0, m * cols));
  both.values.set(queries.values.subarray(0, n * cols), m * cols);
  const loaded = loadRows(both, 'f64', m + n + 4);
  if (!loaded) return knnQueryJs(reference, queries, k);
  const { k: kern, rows, list } = loaded;
  const out = align16(list + 4 * (m + n + 4));
  ensureMemory(kern, out + 8 * TILE * TILE);
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const heaps = new NeighborHeaps(Math.min(n, TILE), k);
  const row = { idx: new Int32Array(k), dist: new Float64Array(k) };
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const na = Math.min(n, i0 + TILE) - i0;
    for (let a = 0; a < na; a++) heaps.clear(a);
    for (let j0 = 0; j0 < m; j0 += TILE) {
      const nb = Math.min(m, j0 + TILE) - j0;
      kern.block(rows, list + 4 * (m + i0), na, list + 4 * j0, nb, out, 0);
      const d = new Float64Array(kern.memory.buffer, out, na * nb);
      const { bound } = heaps;
      for (let a = 0; a < na; a++) {
        const o = a * nb;
        for (let b = 0; b < nb; b++) {
          const s = d[o + b]!;
          if (s < bound[a]!) heaps.push(a, s, j0 + b);
        }
      }
    }
    for (let a = 0; a < na; a++) writeRow(heaps, a, row, indices, distances, (i0 + a) * k);
  }
  return { n, k, indices, distances };
}

/** knnQuery in plain JavaScript, where WebAssembly SIMD is unavailable. */
export function knnQueryJs(reference: Matrix, queries: Matrix, k: number): NeighborGraph {
  const n = queries.rows;
  const cols = reference.cols;
  const ref = reference.values;
  const q = queries.values;
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const heaps = new NeighborHeaps(1, k);
  const row = { idx: new Int32Array(k), dist: new Float64Array(k) };
  for (let i = 0; i < n; i++) {
    heaps.clear(0);
    const oi = i * cols;
    for (let j = 0; j < reference.rows; j++) {
      let s = 0;
      const oj = j * cols;
      for (let c = 0; c < cols; c++) {
        const d = q[oi + c]! - ref[oj + c]!;
        s += d * d;
      }
      if (s < heaps.bound[0]!) heaps.push(0, s, j);
    }
    writeRow(heaps, 0, row, indices, distances, i * k);
  }
  return { n, k, indices, distances };
}

/** Heap row a, nearest first, into the graph's row at offset (distances clamped at 0, as float32). */
function writeRow(heaps: NeighborHeaps, a: number, tmp: { idx: Int32Array; dist: Float64Array }, indices: Int32Array, distances: Float32Array, offset: number): void {
  const s = heaps.sortedRow(a, tmp.idx, tmp.dist);
  for (let t = 0; t < s; t++) {
    indices[offset + t] = tmp.idx[t]!;
    distances[offset + t] = Math.max(0, tmp.dist[t]!);
  }
}
