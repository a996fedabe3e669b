// Map-quality metrics: trustworthiness@k (as scikit-learn defines it), kNN preservation and k-NN label
// accuracy in the map. Computed for a seeded sample of rows against all points, so they stay cheap at 70,000.

import type { Matrix, NeighborGraph } from './types.js';
import { InputError } from './errors.js';
import { createRandom, permutation } from './random.js';
import { NeighborHeaps } from './tsne/knn/heap.js';

export interface MapMetricsOptions {
  /** Neighbourhood size. Default 10 (lowered for tiny inputs so the trustworthiness formula stays defined). */
  k?: number;
  /** Rows sampled (all rows when n is at most this). Default 2000. */
  sample?: number;
  /** Seed of the sample. Default 0. */
  seed?: number;
}

export interface MapMetrics {
  trustworthiness: number;
  knnPreservation: number;
  /** null when there are no labels. */
  labelAccuracy: number | null;
}

export function mapMetrics(
  high: Matrix,
  embedding: Float32Array,
  labels: ArrayLike<string | number | null> | null,
  opts: MapMetricsOptions = {},
): MapMetrics {
  const n = high.rows;
  const d = high.cols;
  if (embedding.length !== 2 * n) {
    throw new InputError(`the map has ${embedding.length / 2} points but the data has ${n} rows`);
  }
  if (labels && labels.length !== n) throw new InputError(`got ${labels.length} labels for ${n} rows`);
  if (n < 3) throw new InputError(`map metrics need at least 3 rows, got ${n}`);
  const k = Math.max(1, Math.min(opts.k ?? 10, n - 1, Math.floor((2 * n - 2) / 3)));
  const sampleSize = Math.min(opts.sample ?? 2000, n);
  const sample =
    sampleSize === n ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, createRandom(opts.seed ?? 0)).slice(0, sampleSize);

  const x = high.values;
  const highDist = new Float64Array(n);
  // the k nearest in each space by (squared distance, row), nearest first: high-dim (hi) and map (li)
  const heaps = new NeighborHeaps(2, k);
  const hd = new Float64Array(k);
  const hi = new Int32Array(k);
  const ld = new Float64Array(k);
  const li = new Int32Array(k);
  let penalty = 0;
  let preserved = 0;
  let correct = 0;
  let labelled = 0;
  const votes = new Map<string | number, number>();
  for (let s = 0; s < sampleSize; s++) {
    const i = sample[s]!;
    heaps.clear(0);
    heaps.clear(1);
    const { bound } = heaps;
    const ex = embedding[2 * i]!;
    const ey = embedding[2 * i + 1]!;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      let acc = 0;
      for (let c = 0; c < d; c++) {
        const t = x[i * d + c]! - x[j * d + c]!;
        acc += t * t;
      }
      highDist[j] = acc;
      if (acc <= bound[0]!) heaps.push(0, acc, j);
      const dx = ex - embedding[2 * j]!;
      const dy = ey - embedding[2 * j + 1]!;
      const dl = dx * dx + dy * dy;
      if (dl <= bound[1]!) heaps.push(1, dl, j);
    }
    heaps.sortedRow(0, hi, hd);
    heaps.sortedRow(1, li, ld);
    // trustworthiness: map neighbours that are not high-dim neighbours, penalized by their high-dim rank
    for (let a = 0; a < k; a++) {
      const j = li[a]!;
      let inHigh = false;
      for (let b = 0; b < k; b++) if (hi[b] === j) inHigh = true;
      if (inHigh) {
        preserved++;
        continue;
      }
      const dj = highDist[j]!;
      let rank = 1;
      for (let m = 0; m < n; m++) if (m !== i && highDist[m]! < dj) rank++;
      // ties with high-dim neighbours can leave rank <= k; those are not true intrusions
      if (rank > k) penalty += rank - k;
    }
    if (labels) {
      const own = labels[i];
      if (!missingLabel(own)) {
        labelled++;
        if (majorityLabel(li, (j) => labels[j], votes) === own) correct++;
      }
    }
  }
  const trustworthiness = 1 - (2 * penalty) / (sampleSize * k * (2 * n - 3 * k - 1));
  return {
    trustworthiness,
    knnPreservation: preserved / (sampleSize * k),
    labelAccuracy: labels && labelled > 0 ? correct / labelled : null,
  };
}

// ---- the run's quality: the map against the prepared input, what the reducer kept, what the map kept ----

/**
 * Per row: the share of its k nearest neighbours in `reference` that are among its k nearest in `other`
 * (both graphs over the same rows, with the same k). Float32Array of n values in [0, 1].
 */
export function neighbourPreservation(reference: NeighborGraph, other: NeighborGraph): Float32Array {
  const { n, k } = reference;
  if (other.n !== n || other.k !== k) throw new Error(`neighbourPreservation: graphs ${n}x${k} and ${other.n}x${other.k}`);
  const out = new Float32Array(n);
  const mark = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    for (let a = 0; a < k; a++) mark[reference.indices[i * k + a]!] = i;
    let hit = 0;
    for (let a = 0; a < k; a++) if (mark[other.indices[i * k + a]!] === i) hit++;
    out[i] = hit / k;
  }
  return out;
}

/** k-NN label accuracy over every labelled row: the majority label of its k graph neighbours (ties: the nearer). */
export function graphLabelAccuracy(graph: NeighborGraph, labels: ArrayLike<string | number | null>): number | null {
  const votes = new Map<string | number, number>();
  let correct = 0;
  let labelled = 0;
  for (let i = 0; i < graph.n; i++) {
    const own = labels[i];
    if (missingLabel(own)) continue;
    labelled++;
    if (majorityLabel(graph.indices.subarray(i * graph.k, (i + 1) * graph.k), (j) => labels[j], votes) === own) correct++;
  }
  return labelled > 0 ? correct / labelled : null;
}

/**
 * Per row of the graph: the share of its neighbours (those with a label) that carry the row's label; NaN for a
 * row without a label or without a labelled neighbour.
 */
export function rowLabelShares(graph: NeighborGraph, labels: ArrayLike<string | number | null>): Float64Array {
  const out = new Float64Array(graph.n).fill(NaN);
  for (let i = 0; i < graph.n; i++) {
    const own = labels[i];
    if (missingLabel(own)) continue;
    let same = 0;
    let counted = 0;
    for (let a = 0; a < graph.k; a++) {
      const lab = labels[graph.indices[i * graph.k + a]!];
      if (missingLabel(lab)) continue;
      counted++;
      if (lab === own) same++;
    }
    if (counted > 0) out[i] = same / counted;
  }
  return out;
}

/** Whether a label is missing (null, undefined or NaN). */
export function missingLabel(v: unknown): boolean {
  return v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v));
}

/**
 * The label most of `neighbours` carry (`labelOf` of each; missing labels do not vote; strictly more votes wins,
 * so a tie goes to the label that reached the count first: the nearer neighbours'), or null when none has one. `votes` is scratch space, cleared here.
 */
export function majorityLabel(
  neighbours: ArrayLike<number>,
  labelOf: (j: number) => string | number | null | undefined,
  votes: Map<string | number, number>,
): string | number | null {
  votes.clear();
  let best: string | number | null = null;
  let bestCount = 0;
  for (let a = 0; a < neighbours.length; a++) {
    const lab = labelOf(neighbours[a]!);
    if (missingLabel(lab)) continue;
    const c = (votes.get(lab!) ?? 0) + 1;
    votes.set(lab!, c);
    if (c > bestCount) {
      bestCount = c;
      best = lab!;
    }
  }
  return best;
}

/** A seeded sample of s of the n rows, in increasing order (all rows when s >= n). */
export function sampleRows(n: number, s: number, seed: number): Int32Array {
  if (s >= n) return Int32Array.from({ length: n }, (_, i) => i);
  return permutation(n, createRandom(seed)).slice(0, s).sort();
}
