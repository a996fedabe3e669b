import { Float32, Int32, makeData, makeVector, Table, tableFromIPC, type Vector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { narrowInteger, pointsStream } from '../../server/points-stream.js';

function int32(values: number[], nulls = false): Vector {
  const data = Int32Array.from(values);
  if (!nulls) return makeVector(data);
  const bitmap = new Uint8Array(Math.ceil(values.length / 8)).fill(0xff);
  bitmap[0] &= ~1; // row 0 missing
  return makeVector(makeData({ type: new Int32(), length: values.length, nullCount: 1, data, nullBitmap: bitmap }));
}

describe('the points stream', () => {
  it('narrows integer columns to the smallest type that holds their values, values unchanged', () => {
    const n = 1000;
    const label = Array.from({ length: n }, (_, i) => i % 10);
    const year = Array.from({ length: n }, (_, i) => 1990 + (i % 30));
    const index = Array.from({ length: n }, (_, i) => 40_000 + i);
    const x = Float32Array.from({ length: n }, (_, i) => i * 0.37 - 5);
    const table = new Table({ index: int32(index), x: makeVector(x), label: int32(label), year: int32(year) });
    const back = tableFromIPC(pointsStream(table));
    expect(back.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['index', 'Int32'],
      ['x', 'Float32'],
      ['label', 'Int8'],
      ['year', 'Int16'],
    ]);
    expect(Array.from(back.getChild('label')!.toArray() as Int8Array)).toEqual(label);
    expect(Array.from(back.getChild('year')!.toArray() as Int16Array)).toEqual(year);
    expect(Array.from(back.getChild('index')!.toArray() as Int32Array)).toEqual(index);
    expect(back.getChild('x')!.toArray()).toEqual(x);
  });

  it('serves only the columns asked for, in their order', () => {
    const table = new Table({ index: int32([0, 1, 2]), x: makeVector(Float32Array.of(1, 2, 3)), label: int32([3, -4, 5]) });
    const back = tableFromIPC(pointsStream(table, ['label', 'x']));
    expect(back.schema.fields.map((f) => f.name)).toEqual(['label', 'x']);
    expect(Array.from(back.getChild('label')!.toArray() as Int8Array)).toEqual([3, -4, 5]);
  });

  it('leaves columns with missing values, wide ranges and non-integers as they are', () => {
    const withNull = int32([5, 1, 2], true);
    expect(narrowInteger(withNull)).toBe(withNull);
    const wide = int32([0, 70_000]);
    expect(narrowInteger(wide)).toBe(wide);
    const floats = makeVector(Float32Array.of(1, 2));
    expect(narrowInteger(floats).type).toBeInstanceOf(Float32);
    const u16 = makeVector(Uint16Array.of(1, 300));
    expect(narrowInteger(u16)).toBe(u16); // 300 needs 16 bits: no narrower type
  });
});
