import { readFileSync, writeFileSync } from 'node:fs';
import { Field, FixedSizeList, Float32, makeVector, Table, tableFromArrays, vectorFromArray, Utf8, Int64, Float64, Bool } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArrow } from '../../../pipeline/load/arrow.js';
import { loadDataset } from '../../../pipeline/load/index.js';
import { makeTempDir, writeArrow } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

function sample(): Table {
  return new Table({
    a: vectorFromArray([1.5, null, 3], new Float64()),
    big: vectorFromArray([1n, 2n, 3n], new Int64()),
    flag: vectorFromArray([true, false, true], new Bool()),
    species: vectorFromArray(['x', 'y', null], new Utf8()),
    note: vectorFromArray(['p', 'q', 'r'], new Utf8()),
    emb: vectorFromArray(
      [
        [1, 2],
        [3, 4],
        [5, 6],
      ],
      new FixedSizeList(2, new Field('v', new Float32())),
    ),
  });
}

describe('loadArrow', () => {
  for (const format of ['file', 'stream'] as const) {
    it(`reads the IPC ${format} format: numbers (nulls → NaN), int64, booleans, fixed-size lists; text is metadata`, async () => {
      const p = writeArrow(tmp.path(`s.${format === 'file' ? 'arrow' : 'arrows'}`), sample(), format);
      const d = await loadArrow(p);
      expect(d.columns).toEqual(['a', 'big', 'flag', 'emb_0', 'emb_1']);
      expect(Array.from(d.matrix.values)).toEqual([1.5, 1, 1, 1, 2, NaN, 2, 0, 3, 4, 3, 3, 1, 5, 6]);
      expect(d.label).toEqual({ name: 'species', kind: 'string', values: ['x', 'y', null] });
      expect(d.metadata).toEqual([{ name: 'note', kind: 'string', values: ['p', 'q', 'r'] }]);
    });
  }

  it('--limit keeps the first rows across record batches', async () => {
    const batches = [0, 1, 2].map((b) => tableFromArrays({ v: Float32Array.from({ length: 100 }, (_, i) => b * 100 + i) }));
    const t = batches.reduce((acc, x) => acc.concat(x));
    const p = writeArrow(tmp.path('batches.arrow'), t, 'stream');
    const d = await loadArrow(p, { limit: 150 });
    expect(d.matrix.rows).toBe(150);
    expect(d.matrix.values[149]).toBe(149);
  });

  it('reads fixed-size lists of uint8 pixels across record batches and a limit that cuts a batch, nulls included', async () => {
    const { makeData, Uint8 } = await import('apache-arrow');
    const list = (from: number, rows: number, nullRow: number | null) => {
      const pixels = Uint8Array.from({ length: rows * 3 }, (_, i) => (from * 3 + i) % 251);
      const child = makeData({ type: new Uint8(), length: pixels.length, data: pixels });
      const nullBitmap = nullRow === null ? undefined : Uint8Array.from({ length: Math.ceil(rows / 8) }, (_, b) => (b === nullRow >> 3 ? 0xff & ~(1 << (nullRow & 7)) : 0xff));
      return makeVector(makeData({ type: new FixedSizeList(3, new Field('p', new Uint8())), length: rows, nullCount: nullRow === null ? 0 : 1, nullBitmap, child }));
    };
    const t = new Table({ px: list(0, 40, null) }).concat(new Table({ px: list(40, 40, 5) }));
    const p = writeArrow(tmp.path('pixels.arrow'), t, 'file');
    const all = await loadArrow(p);
    expect(all.columns).toEqual(['px_0', 'px_1', 'px_2']);
    const want = (r: number, j: number) => (r === 45 ? NaN : (r * 3 + j) % 251);
    expect(Array.from(all.matrix.values)).toEqual(Array.from({ length: 240 }, (_, i) => want(Math.floor(i / 3), i % 3)));
    const cut = await loadArrow(p, { limit: 50 });
    expect(Array.from(cut.matrix.values)).toEqual(Array.from({ length: 150 }, (_, i) => want(Math.floor(i / 3), i % 3)));
  });

  it('rejects infinite values naming the column and row', async () => {
    const p = writeArrow(tmp.path('inf.arrow'), tableFromArrays({ a: Float32Array.of(1, 2), b: Float64Array.of(0, -Infinity) }));
    await expect(loadArrow(p)).rejects.toThrow(/inf\.arrow, field "b, row 2": the value is infinite/);
  });

  it('rejects truncated, corrupt and non-Arrow files, and tables without rows or numbers', async () => {
    const good = readFileSync(writeArrow(tmp.path('good.arrow'), sample()));
    writeFileSync(tmp.path('trunc.arrow'), good.subarray(0, good.length - 40));
    await expect(loadArrow(tmp.path('trunc.arrow'))).rejects.toThrow(/trunc\.arrow: the Arrow data is truncated or corrupt/);
    writeFileSync(tmp.path('text.arrow'), 'a,b\n1,2\n');
    await expect(loadArrow(tmp.path('text.arrow'))).rejects.toThrow(/text\.arrow: not an Arrow IPC file or stream/);
    const empty = tableFromArrays({ a: new Float32Array(0) });
    await expect(loadArrow(writeArrow(tmp.path('norows.arrow'), empty))).rejects.toThrow(/norows\.arrow: the Arrow data has columns \(a\) but no rows/);
    const words = new Table({ w: vectorFromArray(['a', 'b'], new Utf8()) });
    // text columns may still become features, so the error comes from loadDataset (text-features.ts)
    await expect(loadDataset({ dataset: null, labelColumn: null, dataDir: null, limit: null, input: writeArrow(tmp.path('words.arrow'), words) })).rejects.toThrow(/words\.arrow: no numeric columns/);
    writeFileSync(tmp.path('empty.arrow'), '');
    await expect(loadArrow(tmp.path('empty.arrow'))).rejects.toThrow(/empty\.arrow: the file is empty/);
  });

  it('a missing label column is an InputError', async () => {
    const p = writeArrow(tmp.path('lab.arrow'), tableFromArrays({ a: Float32Array.of(1, 2) }));
    await expect(loadArrow(p, { labelColumn: 'kind' })).rejects.toThrow(/label column "kind" not found; the columns are: "a"/);
  });

  it('makeVector columns without nulls take the direct path', async () => {
    const t = new Table({ x: makeVector(Int32Array.of(5, 6, 7)), z: makeVector(Uint8Array.of(1, 2, 3)) });
    const d = await loadArrow(writeArrow(tmp.path('direct.arrow'), t));
    expect(Array.from(d.matrix.values)).toEqual([5, 1, 6, 2, 7, 3]);
  });
});
