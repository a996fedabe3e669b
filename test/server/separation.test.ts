import { describe, expect, it } from 'vitest';
import { createRandom } from '../../pipeline/random.js';
import { columnMoments } from '../../server/column-moments.js';
import { largest, separations, SPREAD_FLOOR } from '../../server/separation.js';

/** Cohen's d computed the textbook way, for comparison. */
function cohenD(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ss = (v: number[]) => {
    const m = mean(v);
    return v.reduce((s, x) => s + (x - m) ** 2, 0);
  };
  return (mean(a) - mean(b)) / Math.sqrt((ss(a) + ss(b)) / (a.length + b.length - 2));
}

describe('separation of a selection from the rest', () => {
  // 3 columns x 8 rows: column 0 separates rows 0-3 from 4-7, column 1 is noise, column 2 is constant
  const cols = 3;
  const rows = [
    [1, 5, 7], [2, 3, 7], [1.5, 4, 7], [2.5, 6, 7],
    [8, 4, 7], [9, 5, 7], [7.5, 3, 7], [8.5, 6, 7],
  ];
  const m = { rows: 8, cols, values: Float32Array.from(rows.flat()) };
  const selected = Int32Array.from([0, 1, 2, 3]);

  it('gives the standardized mean difference and both means from the selection’s moments and every row’s', () => {
    const s = separations(columnMoments(m, null), columnMoments(m, selected), (c) => `c${c}`);
    const col = (c: number) => rows.map((r) => r[c]!);
    expect(s[0]!.d).toBeCloseTo(cohenD(col(0).slice(0, 4), col(0).slice(4)), 10);
    expect(s[0]!.meanIn).toBeCloseTo(1.75, 10);
    expect(s[0]!.meanOut).toBeCloseTo(8.25, 10);
    expect(s[1]!.d).toBeCloseTo(cohenD(col(1).slice(0, 4), col(1).slice(4)), 10);
    // a constant column has no standardized difference
    expect(s[2]).toEqual({ name: 'c2', d: null, meanIn: 7, meanOut: 7 });
  });

  it('ranks by |d| and leaves out what is undefined', () => {
    const s = largest(separations(columnMoments(m, null), columnMoments(m, selected), (c) => `c${c}`), 5);
    expect(s.map((x) => x.name)).toEqual(['c0', 'c1']);
    expect(s[0]!.d!).toBeLessThan(-5);
  });

  it('leaves missing values out of their column, and has no d when the selection holds every row', () => {
    const withNaN = { rows: 4, cols: 1, values: Float32Array.from([1, NaN, 3, 10]) };
    const s = separations(columnMoments(withNaN, null), columnMoments(withNaN, Int32Array.from([0, 1, 2])), () => 'x');
    expect(s[0]!.meanIn).toBe(2);
    expect(s[0]!.meanOut).toBe(10);
    const everyRow = separations(columnMoments(m, null), columnMoments(m, Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7])), () => 'x');
    expect(everyRow[0]).toMatchObject({ d: null, meanOut: null });
  });
});

describe('the floor on the pooled spread', () => {
  // 10,000 rows, the first 500 selected; columns: a near-blank pixel (0 but for faint ink in 50 selected rows and
  // one bright row in the rest), a real difference (0.55 against 0.5, sd 0.2), and columns of ordinary spread
  // (uniform, a binary column with 1 % ones) that the floor must leave alone
  const rows = 10_000;
  const inSel = 500;
  const cols = 4;
  const rng = createRandom(14);
  const values = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const sel = r < inSel;
    values[r * cols] = sel ? (r % 10 === 0 ? 0.05 : 0) : r === 7000 ? 0.9 : 0;
    values[r * cols + 1] = (sel ? 0.55 : 0.5) + 0.2 * rng.normal();
    values[r * cols + 2] = rng() + (sel ? 0.1 : 0);
    values[r * cols + 3] = r % 100 === (sel ? 3 : 50) || (sel && r % 250 === 1) ? 1 : 0;
  }
  const m = { rows, cols, values };
  const col = (c: number, from: number, to: number) => Array.from({ length: to - from }, (_, i) => values[(from + i) * cols + c]!);
  const textbook = (c: number) => cohenD(col(c, 0, inSel), col(c, inSel, rows));
  const names = ['blank', 'real', 'uniform', 'binary'];
  const s = separations(columnMoments(m, null), columnMoments(m, Int32Array.from({ length: inSel }, (_, i) => i)), (c) => names[c]!);

  it('ranks a near-blank column whose tiny values give a large textbook d below a real difference', () => {
    // the case: unfloored, the near-blank column leads
    expect(textbook(0)).toBeGreaterThan(textbook(1));
    expect(textbook(0)).toBeGreaterThan(0.4);
    expect(largest(s, 4).map((x) => x.name).indexOf('real')).toBeLessThan(largest(s, 4).map((x) => x.name).indexOf('blank'));
    // floored: the means' difference over a 20th of the column's range (0.9)
    const blank = s[0]!;
    expect(blank.meanIn).toBeCloseTo(0.005, 6);
    expect(blank.meanOut).toBeCloseTo(0.9 / 9500, 6);
    expect(blank.d!).toBeCloseTo((0.005 - 0.9 / 9500) / (SPREAD_FLOOR * 0.9), 5);
    expect(blank.d!).toBeLessThan(0.15);
    expect(s[1]!.d!).toBeGreaterThan(0.15);
  });

  it('leaves the textbook d of columns of ordinary spread as it is', () => {
    for (const c of [1, 2, 3]) expect(s[c]!.d!).toBeCloseTo(textbook(c), 6);
  });

  it('bounds |d| by 1 / SPREAD_FLOOR: the whole range apart', () => {
    // every selected row at the column's top, every other at its bottom, and a hair of spread
    const v = Float32Array.from({ length: 1000 }, (_, r) => (r < 10 ? 1 : 0) + (r % 2) * 1e-3);
    const t = { rows: 1000, cols: 1, values: v };
    const d = separations(columnMoments(t, null), columnMoments(t, Int32Array.from({ length: 10 }, (_, i) => i)), () => 'x')[0]!.d!;
    expect(d).toBeGreaterThan(15);
    expect(d).toBeLessThanOrEqual(1 / SPREAD_FLOOR);
  });
});
