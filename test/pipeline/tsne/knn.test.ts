import { describe, expect, it } from 'vitest';
import { knn, knnApprox, knnExact, knnExactJs, knnQuery, knnQueryJs } from '../../../pipeline/tsne/knn/index.js';
import { knnParallel } from '../../../pipeline/tsne/knn/index.js';
import { createKernel } from '../../../pipeline/tsne/knn/kernel.js';
import { blobs } from './fixtures.js';

function bruteForce(values: Float32Array, n: number, d: number, i: number, k: number): number[] {
  const ds: [number, number][] = [];
  for (let j = 0; j < n; j++) {
    if (j === i) continue;
    let s = 0;
    for (let c = 0; c < d; c++) s += (values[i * d + c]! - values[j * d + c]!) ** 2;
    ds.push([s, j]);
  }
  ds.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return ds.slice(0, k).map((p) => p[1]);
}

describe('knn distance kernel', () => {
  // rows 0..n-1 of `cols` values in the kernel's memory, a list of row numbers, bounds, an output
  function setup(precision: 'f64' | 'f32', n: number, cols: number) {
    const kern = createKernel(precision, cols, 1 << 20);
    expect(kern).not.toBeNull();
    const k = kern!;
    const elem = precision === 'f64' ? 8 : 4;
    const { x } = blobs(n, cols, 3, 11);
    const rows = precision === 'f64' ? new Float64Array(k.memory.buffer, 0, (n * k.stride) / 8) : new Float32Array(k.memory.buffer, 0, (n * k.stride) / 4);
    for (let i = 0; i < n; i++) for (let c = 0; c < cols; c++) rows[(i * k.stride) / elem + c] = x.values[i * cols + c]!;
    const listAt = n * k.stride;
    const list = new Int32Array(k.memory.buffer, listAt, n + 4);
    for (let i = 0; i < n + 4; i++) list[i] = (i * 7) % n;
    const boundAt = listAt + 4 * (n + 4);
    const outAt = boundAt + 4 * n + 16 - ((boundAt + 4 * n) % 16);
    const dist = (a: number, b: number) => {
      let s = 0;
      for (let c = 0; c < cols; c++) s += (x.values[a * cols + c]! - x.values[b * cols + c]!) ** 2;
      return s;
    };
    return { k, list, listAt, boundAt, outAt, dist };
  }

  it('block64 gives squared distances between listed rows, also for partial groups of four and with tri', () => {
    const { k, list, listAt, outAt, dist } = setup('f64', 40, 7);
    for (const [na, nb, tri] of [[9, 13, 0], [11, 11, 1]] as const) {
      const bAt = tri ? listAt : listAt + 4 * 20;
      k.block(0, listAt, na, bAt, nb, outAt, tri);
      const out = new Float64Array(k.memory.buffer, outAt, na * nb);
      for (let a = 0; a < na; a++) {
        for (let b = tri ? a + 1 : 0; b < nb; b++) {
          const want = dist(list[a]!, list[(tri ? 0 : 20) + b]!);
          expect(Math.abs(out[a * nb + b]! - want)).toBeLessThan(1e-12 * want + 1e-12);
        }
      }
    }
  });

  it('candidates32 passes on exactly the pairs within either row\'s bound', () => {
    const { k, list, listAt, boundAt, outAt, dist } = setup('f32', 40, 7);
    const bounds = new Float32Array(k.memory.buffer, boundAt, 40);
    const sorted = Array.from({ length: 200 }, (_, t) => dist(t % 40, (t * 13 + 5) % 40)).sort((p, q) => p - q);
    for (let i = 0; i < 40; i++) bounds[i] = sorted[(i * 37) % 200]!;
    for (const [na, nb, tri] of [[9, 13, 0], [11, 11, 1]] as const) {
      const bAt = tri ? listAt : listAt + 4 * 20;
      const count = k.candidates(0, listAt, na, bAt, nb, outAt, tri, boundAt);
      expect(count).toBeGreaterThan(0);
      expect(count).toBeLessThan(tri ? (na * (na - 1)) / 2 : na * nb);
      const d = new Float32Array(k.memory.buffer, outAt, 2 * count);
      const code = new Int32Array(k.memory.buffer, outAt, 2 * count);
      const got = new Map<number, number>();
      for (let t = 0; t < count; t++) got.set(code[2 * t + 1]!, d[2 * t]!);
      for (let a = 0; a < na; a++) {
        for (let b = tri ? a + 1 : 0; b < nb; b++) {
          const ia = list[a]!;
          const ib = list[(tri ? 0 : 20) + b]!;
          const want = dist(ia, ib);
          const margin = 1e-5 * want;
          const key = (a << 16) | b;
          if (want <= Math.max(bounds[ia]!, bounds[ib]!) - margin) expect(Math.abs(got.get(key)! - want)).toBeLessThan(margin);
          if (want > Math.max(bounds[ia]!, bounds[ib]!) + margin) expect(got.has(key)).toBe(false);
        }
      }
      if (tri) for (const key of got.keys()) expect(key & 0xffff).toBeGreaterThan(key >>> 16);
    }
  });
});

describe('knn', () => {
  it('exact search returns the true nearest neighbours, nearest first, without the row itself', () => {
    const { x } = blobs(300, 5, 3, 1);
    const g = knnExact(x, 7);
    for (const i of [0, 17, 150, 299]) {
      expect(Array.from(g.indices.subarray(i * 7, i * 7 + 7))).toEqual(bruteForce(x.values, 300, 5, i, 7));
      for (let t = 1; t < 7; t++) expect(g.distances[i * 7 + t]!).toBeGreaterThanOrEqual(g.distances[i * 7 + t - 1]!);
    }
  });

  it('exact search is exact for sizes that do not fill whole tiles or groups of four', () => {
    for (const [n, d, k] of [[31, 3, 10], [130, 7, 5], [261, 50, 30]] as const) {
      const { x } = blobs(n, d, 3, n);
      const g = knnExact(x, k);
      for (let i = 0; i < n; i++) expect(Array.from(g.indices.subarray(i * k, i * k + k))).toEqual(bruteForce(x.values, n, d, i, k));
    }
  });

  it('the JavaScript fallback (no wasm SIMD) gives the kernel\'s graph', () => {
    for (const [n, d, k] of [[31, 3, 10], [261, 50, 30]] as const) {
      const { x } = blobs(n, d, 3, n + 1);
      const a = knnExact(x, k);
      const b = knnExactJs(x, k);
      expect(Array.from(b.indices)).toEqual(Array.from(a.indices));
      for (let i = 0; i < a.distances.length; i++) expect(b.distances[i]!).toBeCloseTo(a.distances[i]!, 4);
    }
  });

  it('exact search keeps the lower indices among equidistant rows (duplicates)', () => {
    const values = new Float32Array(12 * 2);
    for (let i = 6; i < 12; i++) values[2 * i] = 1; // rows 0-5 at (0, 0), rows 6-11 at (1, 0)
    const g = knnExact({ rows: 12, cols: 2, values }, 7);
    expect(Array.from(g.indices.subarray(0, 7))).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(Array.from(g.indices.subarray(7 * 7, 8 * 7))).toEqual([6, 8, 9, 10, 11, 0, 1]);
  });

  it('approximate search finds at least 99% of the true neighbours on clustered data', () => {
    const { x } = blobs(2000, 20, 10, 2);
    const k = 30;
    const approx = knnApprox(x, k, { seed: 3 });
    const exact = knnExact(x, k);
    let hits = 0;
    for (let i = 0; i < x.rows; i++) {
      const truth = new Set(exact.indices.subarray(i * k, i * k + k));
      for (let t = 0; t < k; t++) if (truth.has(approx.indices[i * k + t]!)) hits++;
      expect(approx.indices.subarray(i * k, i * k + k)).not.toContain(i);
    }
    expect(hits / (x.rows * k)).toBeGreaterThan(0.99);
  });

  it('approximate search reports the distances of the neighbours it returns, nearest first', () => {
    const { x } = blobs(1200, 12, 6, 4);
    const k = 15;
    const g = knnApprox(x, k, { seed: 1 });
    for (let i = 0; i < x.rows; i += 7) {
      for (let t = 0; t < k; t++) {
        const j = g.indices[i * k + t]!;
        let s = 0;
        for (let c = 0; c < 12; c++) s += (x.values[i * 12 + c]! - x.values[j * 12 + c]!) ** 2;
        expect(Math.abs(g.distances[i * k + t]! - s)).toBeLessThan(1e-5 * s + 1e-9);
        if (t > 0) expect(g.distances[i * k + t]!).toBeGreaterThanOrEqual(g.distances[i * k + t - 1]!);
      }
      expect(new Set(g.indices.subarray(i * k, i * k + k)).size).toBe(k);
    }
  });

  it('the approximate search is deterministic for a seed', () => {
    const { x } = blobs(1500, 8, 4, 5);
    const a = knn(x, 10, { method: 'approx', seed: 9 });
    const b = knn(x, 10, { method: 'approx', seed: 9 });
    expect(a.indices).toEqual(b.indices);
  });

  it('the two-thread search returns the same graph as the one-thread search', () => {
    const { x } = blobs(3000, 10, 12, 6);
    const one = knnApprox(x, 12, { seed: 4, leafSize: 64 });
    const two = knnParallel(x, 12, { method: 'approx', seed: 4, leafSize: 64, helperMinRows: 0, waitForHelper: true });
    expect(two.indices).toEqual(one.indices);
    expect(two.distances).toEqual(one.distances);
  });

  it('handles duplicate rows (distance zero) without losing rows', () => {
    const values = new Float32Array(40 * 3); // all rows identical
    const g = knn({ rows: 40, cols: 3, values }, 5, { method: 'approx', seed: 1 });
    for (let i = 0; i < 40; i++) {
      const row = Array.from(g.indices.subarray(i * 5, i * 5 + 5));
      expect(new Set(row).size).toBe(5);
      expect(row).not.toContain(i);
    }
    expect(Math.max(...g.distances)).toBe(0);
  });

  it('knnQuery through the kernel gives the JavaScript search\'s neighbours, across partial tiles', () => {
    const { x } = blobs(300, 13, 3, 21);
    const { x: q } = blobs(150, 13, 3, 22);
    const a = knnQuery(x, q, 9);
    const b = knnQueryJs(x, q, 9);
    expect(Array.from(a.indices)).toEqual(Array.from(b.indices));
    for (let i = 0; i < a.distances.length; i++) expect(a.distances[i]!).toBeCloseTo(b.distances[i]!, 4);
  });

  it('knnQuery finds a copied reference row at distance zero', () => {
    const { x } = blobs(200, 4, 2, 7);
    const q = { rows: 1, cols: 4, values: x.values.slice(13 * 4, 14 * 4) };
    const g = knnQuery(x, q, 3);
    expect(g.indices[0]).toBe(13);
    expect(g.distances[0]).toBe(0);
  });
});
