// The order of the points that the two-block layout (layout.ts) runs in. Each block reads the other
// block's points as they were when the epoch began, so every edge between the blocks is optimized with
// one epoch's delay: with the points in input order about half the edges cross (the input order says
// nothing about the graph), and that delay loosens every neighbourhood of the map (Fashion-MNIST at
// 70,000 rows: median 1st-neighbour distance in the map 6% above umap-learn's, 10-NN label accuracy
// about 0.008 lower; npm run bench:umap). Sorted along an axis of the initial layout, which for the
// spectral and PCA initializations follows the graph, the blocks become two halves of the map and only
// the edges across the dividing line cross (about 5% of the weight there); the layout is then nearly the
// sequential SGD of umap-learn, still deterministic and on two threads.

import type { SparseMatrix } from '../types.js';

export interface BlockOrder {
  /** order[r]: the point at position r of the layout. */
  order: Int32Array;
  /** rank[i]: the position of point i (the inverse of order). */
  rank: Int32Array;
  /** The first point of the second block (the two blocks carry about equal edge weight). */
  split: number;
  /** The initial layout's axis the points are sorted along (0: x, 1: y). */
  axis: 0 | 1;
  /** Share of the graph's edge weight between the blocks. */
  crossing: number;
}

/** Per point: the sum of its edge weights (the sampling work it heads). */
function rowWeights(graph: SparseMatrix): Float64Array {
  const out = new Float64Array(graph.rows);
  for (let i = 0; i < graph.rows; i++) for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) out[i]! += graph.values[p]!;
  return out;
}

/** The position where the weights in `order` reach half their total. */
function halfWeight(order: Int32Array, weights: Float64Array): number {
  let total = 0;
  for (const w of weights) total += w;
  let acc = 0;
  let split = 0;
  while (split < order.length && acc + weights[order[split]!]! <= total / 2) acc += weights[order[split++]!]!;
  return split;
}

/**
 * Splits the points in two halves of equal edge weight along the x or the y axis of `init` (n x 2,
 * row-major; ties by index), whichever puts less edge weight between the halves; each half keeps the
 * input order. Deterministic.
 */
export function blockOrder(graph: SparseMatrix, init: ArrayLike<number>): BlockOrder {
  const n = graph.rows;
  const weights = rowWeights(graph);
  let total = 0;
  for (const w of weights) total += w;
  let best: BlockOrder | null = null;
  for (const axis of [0, 1] as const) {
    const order = Int32Array.from({ length: n }, (_, i) => i).sort((p, q) => init[2 * p + axis]! - init[2 * q + axis]! || p - q);
    const rank = new Int32Array(n);
    for (let r = 0; r < n; r++) rank[order[r]!] = r;
    const split = halfWeight(order, weights);
    let cut = 0;
    for (let i = 0; i < n; i++) {
      for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
        if (rank[i]! < split !== rank[graph.indices[p]!]! < split) cut += graph.values[p]!;
      }
    }
    const crossing = total > 0 ? cut / total : 0;
    if (!best || crossing < best.crossing) best = { order, rank, split, axis, crossing };
  }
  // within each block the points keep their input order: the SGD visits the edges in the data's order
  // as umap-learn does (a sweep along the axis would be a different, biased schedule)
  const { order, rank, split } = best!;
  let first = 0;
  let second = split;
  for (let i = 0; i < n; i++) {
    const r = rank[i]! < split ? first++ : second++;
    order[r] = i;
    rank[i] = r;
  }
  return best!;
}

/** The graph with its points renumbered: point i becomes rank[i]; columns sorted within each row. */
export function permuteGraph(graph: SparseMatrix, order: Int32Array, rank: Int32Array): SparseMatrix {
  const n = graph.rows;
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(graph.indices.length);
  const values = new Float64Array(graph.values.length);
  let t = 0;
  for (let r = 0; r < n; r++) {
    const i = order[r]!;
    const lo = t;
    for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
      // insertion into the sorted row (rows hold a few dozen entries)
      const c = rank[graph.indices[p]!]!;
      const v = graph.values[p]!;
      let q = t++;
      while (q > lo && indices[q - 1]! > c) {
        indices[q] = indices[q - 1]!;
        values[q] = values[q - 1]!;
        q--;
      }
      indices[q] = c;
      values[q] = v;
    }
    indptr[r + 1] = t;
  }
  return { rows: n, cols: graph.cols, indptr, indices, values };
}
