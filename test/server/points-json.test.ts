import { Bool, Float32, Float64, Int32, Int64, Table, Utf8, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { pointsToRows } from '../../pipeline/runs/artifacts.js';
import { pointsJson, shortestFloat32 } from '../../server/points-json.js';

describe('the points JSON body', () => {
  it('reads back as the rows of the table, float32 values in their shortest round-trip decimals', () => {
    let s = 11;
    const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32) * 20 - 10;
    const n = 257;
    const table = new Table({
      index: vectorFromArray(Array.from({ length: n }, (_, i) => i * 3), new Int32()),
      x: vectorFromArray(Array.from({ length: n }, rnd), new Float32()),
      error: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 50 === 7 ? NaN : rnd())), new Float32()),
      label: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : `class "${i % 4}"\n`)), new Utf8()),
      score: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 13 === 0 ? null : rnd())), new Float64()),
      big: vectorFromArray(Array.from({ length: n }, (_, i) => BigInt(i) * 1000n), new Int64()),
      isNew: vectorFromArray(Array.from({ length: n }, (_, i) => i % 2 === 0), new Bool()),
    });
    const text = pointsJson(table);
    const expected = pointsToRows(table).map((row) => {
      for (const k of ['x', 'error']) row[k] = shortestFloat32(row[k] as number);
      return row;
    });
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(expected)));
    // the shortest digits: 1/3 as float32 is 0.33333334, not 0.3333333432674408
    expect(pointsJson(new Table({ x: vectorFromArray([1 / 3], new Float32()) }))).toBe('[{"x":0.33333334}]');
    expect(pointsJson(new Table({ x: vectorFromArray([] as number[], new Float32()) }))).toBe('[]');
  });
});
