import { describe, expect, it } from 'vitest';
import { mapMetrics } from '../../pipeline/metrics.js';
import { createRandom, permutation } from '../../pipeline/random.js';
import { isInputError } from '../../pipeline/errors.js';

function points(n: number, seed: number): Float32Array {
  const r = createRandom(seed);
  return Float32Array.from({ length: 2 * n }, () => r.normal() * 10);
}

describe('mapMetrics', () => {
  it('a perfect map (the 2-D data itself) scores 1 on trustworthiness and kNN preservation', () => {
    const y = points(500, 1);
    const m = mapMetrics({ rows: 500, cols: 2, values: y }, y, null);
    expect(m.trustworthiness).toBeCloseTo(1, 12);
    expect(m.knnPreservation).toBeCloseTo(1, 12);
    expect(m.labelAccuracy).toBeNull();
  });

  it('a map that scales and rotates the data is still perfect', () => {
    const y = points(300, 2);
    const map = new Float32Array(600);
    for (let i = 0; i < 300; i++) {
      map[2 * i] = -3 * y[2 * i + 1]!;
      map[2 * i + 1] = 3 * y[2 * i]!;
    }
    const m = mapMetrics({ rows: 300, cols: 2, values: y }, map, null);
    expect(m.trustworthiness).toBeCloseTo(1, 10);
    expect(m.knnPreservation).toBeCloseTo(1, 10);
  });

  it('a random map scores about 0.5 on trustworthiness and near 0 on kNN preservation', () => {
    const y = points(1000, 3);
    const m = mapMetrics({ rows: 1000, cols: 2, values: y }, points(1000, 4), null);
    expect(m.trustworthiness).toBeGreaterThan(0.4);
    expect(m.trustworthiness).toBeLessThan(0.6);
    expect(m.knnPreservation).toBeLessThan(0.05);
  });

  it('matches scikit-learn trustworthiness on a hand-checked case', () => {
    // 1-D line 0..9 mapped with two points swapped: 0 1 2 3 4 5 6 7 8 9 -> positions of 0 and 9 exchanged
    const n = 10;
    const high = Float32Array.from({ length: n }, (_, i) => i);
    const map = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) map[2 * i] = i === 0 ? 9 : i === 9 ? 0 : i;
    const m = mapMetrics({ rows: n, cols: 1, values: high }, map, null, { k: 2 });
    // computed with scikit-learn 1.2.1: trustworthiness(high[:, None], map2d, n_neighbors=2)
    expect(m.trustworthiness).toBeCloseTo(0.7230769230769231, 10);
  });

  it('label accuracy: separated labelled clusters score 1, shuffled labels about chance', () => {
    const r = createRandom(5);
    const n = 600;
    const y = new Float32Array(2 * n);
    const labels: (string | null)[] = [];
    for (let i = 0; i < n; i++) {
      const c = i % 3;
      y[2 * i] = c * 100 + r.normal();
      y[2 * i + 1] = r.normal();
      labels.push(['a', 'b', 'c'][c]!);
    }
    const x = { rows: n, cols: 2, values: y };
    expect(mapMetrics(x, y, labels).labelAccuracy).toBe(1);
    const perm = permutation(n, createRandom(11));
    const shuffled = labels.map((_, i) => labels[perm[i]!]!);
    const acc = mapMetrics(x, y, shuffled).labelAccuracy!;
    expect(acc).toBeLessThan(0.5);
    // rows without a label neither count nor vote
    const some = labels.map((l, i) => (i % 2 ? null : l));
    expect(mapMetrics(x, y, some).labelAccuracy).toBe(1);
  });

  it('a sample gives nearly the full value, and is seeded', () => {
    const y = points(3000, 6);
    const noisy = y.map((v, t) => v + Math.sin(t * 12.9898) * 2);
    const x = { rows: 3000, cols: 2, values: y };
    const full = mapMetrics(x, noisy, null, { sample: 3000 });
    const a = mapMetrics(x, noisy, null, { sample: 500, seed: 1 });
    const b = mapMetrics(x, noisy, null, { sample: 500, seed: 1 });
    expect(a).toEqual(b);
    expect(Math.abs(a.trustworthiness - full.trustworthiness)).toBeLessThan(0.01);
    expect(Math.abs(a.knnPreservation - full.knnPreservation)).toBeLessThan(0.05);
  });

  it('rejects a map of the wrong size', () => {
    try {
      mapMetrics({ rows: 10, cols: 2, values: new Float32Array(20) }, new Float32Array(18), null);
      expect.unreachable();
    } catch (e) {
      expect(isInputError(e)).toBe(true);
    }
  });
});
