// Map-quality metrics: trustworthiness@k (as scikit-learn defines it), kNN preservation and k-NN label
// accuracy in the map. Computed for a seeded sample of rows against all points, so they stay cheap at 70,000.

import type { Matrix } from './types.js';
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
      if (own !== null && own !== undefined && !(typeof own === 'number' && Number.isNaN(own))) {
        votes.clear();
        let best: string | number | null = null;
        let bestCount = 0;
        for (let a = 0; a < k; a++) {
          const lab = labels[li[a]!];
          if (lab === null || lab === undefined || (typeof lab === 'number' && Number.isNaN(lab))) continue;
          const c = (votes.get(lab) ?? 0) + 1;
          votes.set(lab, c);
          // strictly more votes wins; ties go to the label reached first (the nearer neighbours)
          if (c > bestCount) {
            bestCount = c;
            best = lab;
          }
        }
        labelled++;
        if (best !== null && best === own) correct++;
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
