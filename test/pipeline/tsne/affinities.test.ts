import { describe, expect, it } from 'vitest';
import { knnExact } from '../../../pipeline/tsne/knn/index.js';
import { conditionalAffinities, rowPerplexities, symmetrize } from '../../../pipeline/tsne/affinities.js';
import { blobs } from './fixtures.js';

describe('affinities', () => {
  it('bandwidths hit the target perplexity on every row', () => {
    const { x } = blobs(500, 10, 5, 1);
    const g = knnExact(x, 90);
    const cond = conditionalAffinities(g, 30);
    const perp = rowPerplexities(cond);
    for (const p of perp) expect(Math.abs(p - 30)).toBeLessThan(0.01);
  });

  it('the symmetrized P is symmetric, non-negative and sums to 1', () => {
    const { x } = blobs(300, 6, 3, 2);
    const g = knnExact(x, 30);
    const p = symmetrize(g, conditionalAffinities(g, 10));
    const dense = new Map<number, number>();
    let sum = 0;
    let negative = 0;
    let repeated = 0;
    for (let i = 0; i < p.rows; i++) {
      const cols = new Set<number>();
      for (let e = p.indptr[i]!; e < p.indptr[i + 1]!; e++) {
        if (p.values[e]! < 0) negative++;
        if (cols.has(p.indices[e]!)) repeated++; // duplicates must be merged
        cols.add(p.indices[e]!);
        dense.set(i * p.rows + p.indices[e]!, p.values[e]!);
        sum += p.values[e]!;
      }
    }
    expect(negative).toBe(0);
    expect(repeated).toBe(0);
    expect(sum).toBeCloseTo(1, 10);
    let asymmetry = 0;
    for (const [key, v] of dense) {
      const i = Math.floor(key / p.rows);
      const j = key % p.rows;
      asymmetry = Math.max(asymmetry, Math.abs((dense.get(j * p.rows + i) ?? -1) - v));
    }
    expect(asymmetry).toBeLessThan(1e-15);
  });

  it('rows whose neighbours are all duplicates get finite, uniform weights', () => {
    const values = new Float32Array(20 * 2);
    const g = knnExact({ rows: 20, cols: 2, values }, 6);
    const cond = conditionalAffinities(g, 3);
    for (const v of cond.values) expect(v).toBeCloseTo(1 / 6, 12);
  });
});
