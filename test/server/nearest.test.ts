// nearestRows: the partial selection agrees with a full sort, excludes the row itself, handles ties and small n.
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../pipeline/random.js';
import { applyPreprocessing } from '../../pipeline/preprocessing.js';
import { byVariance, nearestRows } from '../../server/nearest.js';

function sorted(values: Float32Array, rows: number, cols: number, row: number): { j: number; d: number }[] {
  const out: { j: number; d: number }[] = [];
  for (let j = 0; j < rows; j++) {
    if (j === row) continue;
    let s = 0;
    for (let c = 0; c < cols; c++) s += (values[j * cols + c]! - values[row * cols + c]!) ** 2;
    out.push({ j, d: s });
  }
  return out.sort((a, b) => a.d - b.d || a.j - b.j);
}

describe('nearestRows', () => {
  it('matches a full sort on random codes for many rows and k', () => {
    const rng = createRandom(11);
    for (const [rows, cols] of [
      [200, 8],
      [57, 3],
      [1000, 32],
    ] as const) {
      const values = Float32Array.from({ length: rows * cols }, () => rng.normal());
      for (const row of [0, 1, rows >> 1, rows - 1]) {
        for (const k of [1, 5, 10, 50]) {
          const got = nearestRows({ rows, cols, values }, row, k);
          const want = sorted(values, rows, cols, row).slice(0, k);
          expect(Array.from(got.rows)).toEqual(want.map((w) => w.j));
          want.forEach((w, i) => expect(got.distances[i]).toBeCloseTo(Math.sqrt(w.d), 4));
        }
      }
    }
  });

  it('never returns the row itself and caps k at rows - 1', () => {
    const values = Float32Array.from([0, 0, 1, 0, 0, 1, 5, 5]);
    const got = nearestRows({ rows: 4, cols: 2, values }, 0, 10);
    expect(Array.from(got.rows)).toEqual([1, 2, 3]);
    expect(Array.from(got.distances)).toEqual([1, 1, Math.fround(Math.sqrt(50))]);
  });

  it('breaks ties by the lower row and returns nothing for a single row', () => {
    const values = new Float32Array(6 * 2); // all rows at the origin
    expect(Array.from(nearestRows({ rows: 6, cols: 2, values }, 3, 3).rows)).toEqual([0, 1, 2]);
    expect(nearestRows({ rows: 1, cols: 2, values: new Float32Array(2) }, 0, 5).rows.length).toBe(0);
  });

  it('refuses a row out of range', () => {
    expect(() => nearestRows({ rows: 2, cols: 1, values: new Float32Array(2) }, 2, 1)).toThrow(RangeError);
  });
});

describe('byVariance', () => {
  it('reorders columns widest first and keeps every distance', () => {
    const rng = createRandom(5);
    const rows = 300;
    const cols = 6;
    const scale = [0.1, 3, 1, 10, 0.5, 2];
    const values = Float32Array.from({ length: rows * cols }, (_, i) => rng.normal() * scale[i % cols]!);
    const m = { rows, cols, values };
    const v = byVariance(m);
    expect(Array.from(v.values.subarray(0, cols))).toEqual([3, 1, 5, 2, 4, 0].map((c) => values[c]));
    expect(Array.from(v.order)).toEqual([3, 1, 5, 2, 4, 0]);
    for (const row of [0, 17, 299]) {
      const a = nearestRows(m, row, 8);
      const b = nearestRows(v, row, 8);
      expect(Array.from(b.rows)).toEqual(Array.from(a.rows));
      a.distances.forEach((d, i) => expect(b.distances[i]).toBeCloseTo(d, 4));
    }
  });
});

describe('nearestRows with a scaling (input space)', () => {
  it('finds the neighbours of the scaled rows, missing values taking the fill, without copying the rows', () => {
    const rng = createRandom(9);
    const rows = 250;
    const cols = 5;
    const values = Float32Array.from({ length: rows * cols }, () => rng.normal() * 4 + 2);
    for (let i = 3; i < values.length; i += 37) values[i] = NaN;
    const pre = { kind: 'standardize' as const, features: ['a', 'b', 'c', 'd', 'e'], offset: [2, 1, 0, -1, 5], scale: [4, 0.5, 8, 1, 0.1], fill: [2, 2, 2, 2, 2], missing: 'mean' as const, loss: 'mse' as const };
    const scaled = applyPreprocessing({ rows, cols, values }, pre);
    for (const row of [0, 40, 148, 249]) {
      const want = nearestRows(scaled, row, 12);
      const got = nearestRows({ rows, cols, values }, row, 12, pre);
      expect(Array.from(got.rows)).toEqual(Array.from(want.rows));
      want.distances.forEach((d, i) => expect(got.distances[i]).toBeCloseTo(d, 3));
    }
    expect(() => nearestRows({ rows, cols, values }, 0, 3, { scale: [1], fill: [0] })).toThrow(RangeError);
  });
});
