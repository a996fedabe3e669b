import { describe, expect, it } from 'vitest';
import { fuzzySimplicialSet, smoothKnnDist } from '../../../pipeline/umap/graph.js';
import { knn, knnExact } from '../../../pipeline/tsne/index.js';
import { umapKnnOptions } from '../../../pipeline/umap/umap.js';
import type { SparseMatrix } from '../../../pipeline/types.js';
import { blobs } from '../tsne/fixtures.js';

function dense(m: SparseMatrix): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let i = 0; i < m.rows; i++) for (let p = m.indptr[i]!; p < m.indptr[i + 1]!; p++) out[i]![m.indices[p]!] = m.values[p]!;
  return out;
}

// five points on a line at 0, 1, 3, 7 and 12; n_neighbors 3 (the point itself and two others)
const line = { rows: 5, cols: 1, values: Float32Array.from([0, 1, 3, 7, 12]) };

describe('fuzzy simplicial set', () => {
  it('gives the hand-computed weights of a small case', () => {
    // point 0: neighbours at 1 and 3, rho = 1, sigma solves 1 + exp(-2 / sigma) = log2(3), so
    // w(0, 2) = log2(3) - 1 = 0.58496; likewise w(2, 0) = log2(3) - 1 (point 2: rho = 2, neighbour at 3).
    // The union of the two: 2 w - w^2 = 0.82775.
    const w = Math.log2(3) - 1;
    const g = dense(fuzzySimplicialSet(knnExact(line, 2)));
    expect(g[0]![1]).toBeCloseTo(1, 6);
    expect(g[0]![2]).toBeCloseTo(2 * w - w * w, 4);
    expect(g[2]![4]).toBeCloseTo(w, 4);
    expect(g[0]![3]).toBe(0);
  });

  it('equals umap-learn 0.5.3 fuzzy_simplicial_set on the same points', () => {
    // umap.umap_.fuzzy_simplicial_set(X, 3, RandomState(0), 'euclidean')[0].toarray()
    const expected = [
      [0, 1, 0.8277495503425598, 0, 0],
      [1, 0, 0.9999999403953552, 0, 0],
      [0.8277495503425598, 0.9999999403953552, 0, 1, 0.5849693417549133],
      [0, 0, 1, 0, 0.9999999403953552],
      [0, 0, 0.5849693417549133, 0.9999999403953552, 0],
    ];
    const g = dense(fuzzySimplicialSet(knnExact(line, 2)));
    for (let i = 0; i < 5; i++) for (let j = 0; j < 5; j++) expect(g[i]![j], `(${i}, ${j})`).toBeCloseTo(expected[i]![j]!, 5);
  });

  it('finds sigmas that make each row sum to log2(k), as umap-learn bisects them', () => {
    // umap-learn's sigmas and rhos for the line above
    const dist = Float64Array.from([1, 3, 1, 2, 2, 3, 4, 5, 5, 9]);
    const { sigmas, rhos } = smoothKnnDist(dist, 5, 2, 3);
    expect(Array.from(rhos)).toEqual([1, 1, 2, 4, 5]);
    const umapLearn = [3.72998046875, 1.864990234375, 1.864990234375, 1.864990234375, 7.4599609375];
    for (let i = 0; i < 5; i++) expect(sigmas[i]).toBeCloseTo(umapLearn[i]!, 6);
    const { x } = blobs(200, 5, 3, 1);
    const g = knnExact(x, 14);
    const d = Float64Array.from(g.distances, Math.sqrt);
    const s = smoothKnnDist(d, 200, 14, 15);
    for (let i = 0; i < 200; i++) {
      let sum = 0;
      for (let t = 0; t < 14; t++) sum += Math.exp(-Math.max(0, d[i * 14 + t]! - s.rhos[i]!) / s.sigmas[i]!);
      expect(sum).toBeCloseTo(Math.log2(15), 4);
    }
  });

  it('is symmetric with weights in (0, 1] and sorted columns', () => {
    const { x } = blobs(300, 4, 3, 2);
    const g = fuzzySimplicialSet(knnExact(x, 9));
    const d = dense(g);
    let unsorted = 0;
    let asymmetric = 0;
    let outOfRange = 0;
    for (let i = 0; i < 300; i++) {
      for (let p = g.indptr[i]! + 1; p < g.indptr[i + 1]!; p++) if (g.indices[p]! <= g.indices[p - 1]!) unsorted++;
      for (let j = 0; j < 300; j++) {
        if (d[i]![j] !== d[j]![i]) asymmetric++;
        if (d[i]![j]! > 1 || d[i]![j]! < 0) outOfRange++;
      }
      if (d[i]![i] !== 0) outOfRange++;
    }
    expect({ unsorted, asymmetric, outOfRange }).toEqual({ unsorted: 0, asymmetric: 0, outOfRange: 0 });
    expect(g.values.length).toBeGreaterThanOrEqual(300 * 9);
  });
});

describe("UMAP's neighbour search", () => {
  it('finds nearly all of the 14 true neighbours where the t-SNE settings miss many', () => {
    // 8,000 rows in 40 overlapping blobs of 30 dimensions: past the exact-search size, hard for trees
    const { x } = blobs(8000, 30, 40, 11, 1.5);
    const exact = knnExact(x, 14);
    const recall = (g: { indices: Int32Array }) => {
      let hit = 0;
      for (let i = 0; i < 8000; i++) {
        const mine = new Set(g.indices.subarray(i * 14, i * 14 + 14));
        for (let t = i * 14; t < i * 14 + 14; t++) if (mine.has(exact.indices[t]!)) hit++;
      }
      return hit / (8000 * 14);
    };
    const umapGraph = knn(x, 14, { seed: 1, ...umapKnnOptions(14) });
    const tsneDefaults = knn(x, 14, { seed: 1 });
    expect(recall(umapGraph)).toBeGreaterThan(0.98);
    expect(recall(umapGraph)).toBeGreaterThan(recall(tsneDefaults) + 0.02);
  });
});
