import { describe, expect, it } from 'vitest';
import { knnExact } from '../../../pipeline/tsne/knn/index.js';
import { conditionalAffinities, rowPerplexities, sumPLogP, symmetrize, symmetrizeOrdered } from '../../../pipeline/tsne/affinities.js';
import { knnApprox } from '../../../pipeline/tsne/knn/index.js';
import { orderAffinities, TsneOptimizer } from '../../../pipeline/tsne/optimize.js';
import { serialForces } from '../../../pipeline/tsne/forces.js';
import { exactRepulsion } from '../../../pipeline/tsne/gradient-exact.js';
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

  it('P built straight into the optimizer\'s order is the renumbered copy of P, entry for entry (approximate graph, mutual neighbours)', () => {
    const { x } = blobs(2000, 8, 4, 5);
    const g = knnApprox(x, 45, { seed: 3 });
    const cond = conditionalAffinities(g, 15);
    const copied = orderAffinities(symmetrize(g, cond));
    const built = symmetrizeOrdered(g, cond);
    expect(Array.from(built.rank)).toEqual(Array.from(copied.rank));
    expect(Array.from(built.p.indptr)).toEqual(Array.from(copied.p.indptr));
    expect(Array.from(built.p.indices)).toEqual(Array.from(copied.p.indices));
    expect(Array.from(built.p.values)).toEqual(Array.from(copied.p.values));
    expect(built.pLogP).toBe(copied.pLogP);
    expect(built.pLogP).toBe(sumPLogP(symmetrize(g, cond).values));
    expect(built.p.values.buffer).toBeInstanceOf(SharedArrayBuffer);
    // some rows are reached twice (mutual neighbours), and the order is not the input's
    expect(built.p.indptr[2000]!).toBeLessThan(2 * 2000 * 45);
    expect(Array.from(built.rank).some((r, i) => r !== i)).toBe(true);
  });

  it('the optimizer moves the same points from P in either form, and gives P back in the input\'s order', () => {
    const { x } = blobs(400, 6, 3, 9);
    const g = knnApprox(x, 30, { seed: 1 });
    const cond = conditionalAffinities(g, 10);
    const p = symmetrize(g, cond);
    const init = Float64Array.from({ length: 800 }, (_, t) => Math.sin(t * 12.9898) * 1e-4);
    const run = (from: ConstructorParameters<typeof TsneOptimizer>[0]) => {
      const o = new TsneOptimizer(from, init, { learningRate: 200, iterations: 60, earlyExaggeration: 12, exaggerationIterations: 30, forces: serialForces('exact', exactRepulsion) });
      let kl = NaN;
      while (!o.done) kl = o.step(o.iteration === 59);
      return { y: Array.from(o.y), kl, p: o.p };
    };
    const a = run(p);
    const b = run(symmetrizeOrdered(g, cond));
    expect(b.y).toEqual(a.y);
    expect(b.kl).toBe(a.kl);
    expect(Array.from(b.p.indices)).toEqual(Array.from(p.indices));
    expect(Array.from(b.p.values)).toEqual(Array.from(p.values));
  });
});

