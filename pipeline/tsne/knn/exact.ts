// Exact k nearest neighbours of every row: brute force over tiles of rows through the SIMD kernel
// (kernel.ts), with plain JavaScript where WebAssembly SIMD is unavailable.

import type { Matrix, NeighborGraph } from '../../types.js';
import { align16, ensureMemory, loadRows, sqDist } from './kernel.js';
import { NeighborHeaps, heapsToGraph } from './heap.js';
import { localityOrder, permuteRows } from './forest.js';

/** Rows per tile of the exact (and query) search: a tile pair (2 x 128 rows x cols float32) stays in L1/L2. */
export const TILE = 128;

/**
 * Exact brute force over tiles of rows: each unordered pair is measured once (by the SIMD kernel, a
 * TILE x TILE block at a time, in float64) and offered to both rows' bounded heaps. The heaps order by
 * (distance, original index), so the kept set is the k smallest by that order whatever the visiting
 * order. The rows are visited renumbered in the leaf order of a random-projection tree, and the diagonal
 * tiles (near rows) come first, so the heaps' bounds are tight early and few offers reach a heap.
 */
export function knnExact(x: Matrix, k: number): NeighborGraph {
  const n = x.rows;
  const { perm } = localityOrder(x, Math.max(TILE, 2 * k), 0);
  const xp = permuteRows(x, perm);
  const loaded = loadRows(xp, 'f64', n + 4);
  if (!loaded) return knnExactJs(x, k);
  const { k: kern, rows, list } = loaded;
  const out = align16(list + 4 * (n + 4));
  ensureMemory(kern, out + 8 * TILE * TILE);
  const heaps = new NeighborHeaps(n, k);
  const { bound } = heaps;
  // heaps.push(i, d, j): j is an original index; i a renumbered row
  const tile = (i0: number, j0: number): void => {
    const na = Math.min(n, i0 + TILE) - i0;
    const nb = Math.min(n, j0 + TILE) - j0;
    const tri = j0 === i0 ? 1 : 0;
    kern.block(rows, list + 4 * i0, na, list + 4 * j0, nb, out, tri);
    const d = new Float64Array(kern.memory.buffer, out, na * nb);
    for (let a = 0; a < na; a++) {
      const i = i0 + a;
      const pi = perm[i]!;
      const row = a * nb;
      let bi = bound[i]!;
      for (let b = tri ? a + 1 : 0; b < nb; b++) {
        const s = d[row + b]!;
        if (s <= bi) {
          heaps.push(i, s, perm[j0 + b]!);
          bi = bound[i]!;
        }
        if (s <= bound[j0 + b]!) heaps.push(j0 + b, s, pi);
      }
    }
  };
  for (let i0 = 0; i0 < n; i0 += TILE) tile(i0, i0);
  for (let i0 = 0; i0 < n; i0 += TILE) for (let j0 = i0 + TILE; j0 < n; j0 += TILE) tile(i0, j0);
  return heapsToGraph(n, k, heaps.dist, heaps.idx, heaps.size, perm, null, true);
}

/** knnExact in plain JavaScript, where WebAssembly SIMD is unavailable. */
export function knnExactJs(x: Matrix, k: number): NeighborGraph {
  const { rows: n, cols, values: v } = x;
  const heaps = new NeighborHeaps(n, k);
  const { bound } = heaps;
  const offer = (i: number, d: number, j: number): void => {
    if (d <= bound[i]!) heaps.push(i, d, j);
    if (d <= bound[j]!) heaps.push(j, d, i);
  };
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE);
    for (let j0 = i0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      let a = i0;
      for (; a + 4 <= i1; a += 4) {
        const oa = a * cols;
        const ob = oa + cols;
        const oc = ob + cols;
        const od = oc + cols;
        // in the diagonal tile only pairs j > row are measured
        for (let j = j0 === i0 ? a + 1 : j0; j < j1; j++) {
          const oj = j * cols;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let c = 0; c < cols; c++) {
            const w = v[oj + c]!;
            const d0 = v[oa + c]! - w;
            const d1 = v[ob + c]! - w;
            const d2 = v[oc + c]! - w;
            const d3 = v[od + c]! - w;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
          }
          offer(a, s0, j);
          if (j > a + 1) offer(a + 1, s1, j);
          if (j > a + 2) offer(a + 2, s2, j);
          if (j > a + 3) offer(a + 3, s3, j);
        }
      }
      for (; a < i1; a++) {
        for (let j = j0 === i0 ? a + 1 : j0; j < j1; j++) offer(a, sqDist(v, a, j, cols), j);
      }
    }
  }
  return heapsToGraph(n, k, heaps.dist, heaps.idx, heaps.size, null, null, true);
}

