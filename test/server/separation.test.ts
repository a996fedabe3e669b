import { describe, expect, it } from 'vitest';
import { columnMoments } from '../../server/column-moments.js';
import { largest, separations } from '../../server/separation.js';

/** Cohen's d computed the textbook way, for comparison. */
function cohenD(a: number[], b: number[]): number {
  const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
  const ss = (v: number[]) => v.reduce((s, x) => s + (x - mean(v)) ** 2, 0);
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
