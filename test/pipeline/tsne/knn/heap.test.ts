import { describe, expect, it } from 'vitest';
import { NeighborHeaps } from '../../../../pipeline/tsne/knn/heap.js';
import { createRandom, permutation } from '../../../../pipeline/random.js';

/** The k smallest (d, j) pairs by (distance, index), by a full sort. */
function smallest(pairs: [number, number][], k: number): [number, number][] {
  return [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, k);
}

describe('the one bounded neighbour heap', () => {
  for (const precision of ['f32', 'f64'] as const) {
    it(`keeps the k smallest by (distance, index) whatever the order of the offers, ties to the lower index (${precision})`, () => {
      const r = createRandom(9);
      const k = 7;
      // distances with many ties (quarter steps), offered in three different orders to three rows
      const pairs: [number, number][] = Array.from({ length: 200 }, (_, j) => [r.int(20) / 4, j]);
      const want = smallest(pairs, k);
      const heaps = new NeighborHeaps(3, k, { precision });
      for (let row = 0; row < 3; row++) {
        const order = row === 0 ? pairs.map((_, t) => t) : row === 1 ? pairs.map((_, t) => pairs.length - 1 - t) : Array.from(permutation(pairs.length, r));
        for (const t of order) heaps.push(row, pairs[t]![0], pairs[t]![1]);
        const idx = new Int32Array(k);
        const dist = precision === 'f32' ? new Float32Array(k) : new Float64Array(k);
        expect(heaps.sortedRow(row, idx, dist)).toBe(k);
        expect(Array.from(idx)).toEqual(want.map((p) => p[1]));
        expect(Array.from(dist)).toEqual(want.map((p) => p[0]));
        // the bound is the worst kept distance once full
        expect(heaps.bound[row]).toBe(want[k - 1]![0]);
      }
    });
  }

  it('reports Infinity as the bound until a row is full, and clear() empties one row only', () => {
    const heaps = new NeighborHeaps(2, 3);
    heaps.push(0, 5, 1);
    heaps.push(0, 2, 2);
    expect(heaps.bound[0]).toBe(Infinity);
    heaps.push(0, 9, 3);
    expect(heaps.bound[0]).toBe(9);
    heaps.push(0, 1, 4);
    expect(heaps.bound[0]).toBe(5);
    heaps.push(1, 3, 0);
    heaps.clear(0);
    expect(heaps.size[0]).toBe(0);
    expect(heaps.bound[0]).toBe(Infinity);
    expect(heaps.size[1]).toBe(1);
  });
});
