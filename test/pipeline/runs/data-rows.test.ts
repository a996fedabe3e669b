import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { FixedSizeList, Field, Float32, Float64, Table, makeData, makeVector, tableToIPC } from 'apache-arrow';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeData } from '../../../pipeline/runs/artifacts.js';
import { DataLayoutError, readDataColumns, readDataLayout, readDataRow, visitDataRows } from '../../../pipeline/runs/data-rows.js';
import { seeded, tempRunsDir } from '../../server/fixtures.js';

let tmp: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => (tmp = await tempRunsDir()));
afterEach(async () => tmp.cleanup());

function listVector(rows: number, cols: number, values: Float32Array) {
  const child = makeData({ type: new Float32(), length: rows * cols, nullCount: 0, data: values });
  return makeVector(makeData({ type: new FixedSizeList(cols, new Field('item', new Float32(), false)), length: rows, nullCount: 0, child }));
}

describe('rows of a data file read by position', () => {
  it('give the same rows, columns and index as reading the whole file', async () => {
    const rows = 37;
    const cols = 5;
    const values = seeded(rows * cols, 3);
    const index = Int32Array.from({ length: rows }, (_, i) => 100 + i * 2);
    await writeData(tmp.dir, { rows, cols, values }, index);
    const { layout, index: read } = await readDataLayout(path.join(tmp.dir, 'data.arrow'));
    expect(layout.rows).toBe(rows);
    expect(layout.cols).toBe(cols);
    expect(Array.from(read)).toEqual(Array.from(index));
    for (const r of [0, 1, 17, rows - 1]) expect(Array.from(readDataRow(layout, r))).toEqual(Array.from(values.subarray(r * cols, r * cols + cols)));
    // blocks of 3 rows: the column is assembled across block boundaries
    const [col2, col4] = await readDataColumns(layout, [2, 4], 3 * cols * 4);
    expect(Array.from(col2!)).toEqual(Array.from({ length: rows }, (_, r) => values[r * cols + 2]!));
    expect(Array.from(col4!)).toEqual(Array.from({ length: rows }, (_, r) => values[r * cols + 4]!));
    expect(() => readDataRow(layout, rows)).toThrow(RangeError);
  });

  it('find each row in a file of several record batches', async () => {
    const cols = 3;
    const a = seeded(4 * cols, 1);
    const b = seeded(6 * cols, 2);
    const t1 = new Table({ index: makeVector(Int32Array.from([0, 1, 2, 3])), values: listVector(4, cols, a) });
    const t2 = new Table({ index: makeVector(Int32Array.from([4, 5, 6, 7, 8, 9])), values: listVector(6, cols, b) });
    const file = path.join(tmp.dir, 'two.arrow');
    await writeFile(file, tableToIPC(t1.concat(t2), 'file'));
    const { layout, index } = await readDataLayout(file);
    expect(layout.batches.map((x) => [x.start, x.rows])).toEqual([[0, 4], [4, 6]]);
    expect(Array.from(index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Array.from(readDataRow(layout, 3))).toEqual(Array.from(a.subarray(9, 12)));
    expect(Array.from(readDataRow(layout, 4))).toEqual(Array.from(b.subarray(0, 3)));
    expect(Array.from((await readDataColumns(layout, [1]))[0]!)).toEqual([...Array.from({ length: 4 }, (_, r) => a[r * cols + 1]!), ...Array.from({ length: 6 }, (_, r) => b[r * cols + 1]!)]);
  });

  it('visit only the chosen rows, reading spans of neighbouring ones together, across record batches', async () => {
    const cols = 3;
    const a = seeded(40 * cols, 11);
    const b = seeded(60 * cols, 12);
    const t1 = new Table({ index: makeVector(Int32Array.from({ length: 40 }, (_, i) => i)), values: listVector(40, cols, a) });
    const t2 = new Table({ index: makeVector(Int32Array.from({ length: 60 }, (_, i) => 40 + i)), values: listVector(60, cols, b) });
    const file = path.join(tmp.dir, 'two.arrow');
    await writeFile(file, tableToIPC(t1.concat(t2), 'file'));
    const { layout } = await readDataLayout(file);
    const all = new Float32Array([...a, ...b]);
    const rowBytes = cols * 4;
    const seen: [number, number[]][] = [];
    // blocks of 4 rows: 2 and 3 share a read; 39 and 40 lie in different batches; 41 is visited twice
    const positions = Int32Array.from([2, 3, 39, 40, 41, 41, 97]);
    const bytes = await visitDataRows(layout, positions, (block, at, pos) => seen.push([pos, Array.from(block.subarray(at, at + cols))]), 4 * rowBytes);
    expect(seen).toEqual(Array.from(positions, (p) => [p, Array.from(all.subarray(p * cols, p * cols + cols))]));
    // spans read: 2-3, 39, 40-41, 97: six rows of the hundred
    expect(bytes).toBe(6 * rowBytes);
    let visited = 0;
    expect(await visitDataRows(layout, null, () => visited++, 7 * rowBytes)).toBe(100 * rowBytes);
    expect(visited).toBe(100);
    await expect(visitDataRows(layout, Int32Array.from([5, 2]), () => {})).rejects.toThrow(/ascending/);
    await expect(visitDataRows(layout, Int32Array.from([100]), () => {})).rejects.toThrow(RangeError);
    // a file written again since its layout was read is not read by it
    await writeFile(file, tableToIPC(t2.concat(t1), 'file'));
    await expect(visitDataRows(layout, null, () => {})).rejects.toThrow(/changed since its layout was read/);
  });

  it('refuse a file that is cut short, not Arrow, or of another value type', async () => {
    const rows = 20;
    await writeData(tmp.dir, { rows, cols: 4, values: seeded(rows * 4, 5) }, Int32Array.from({ length: rows }, (_, i) => i));
    const full = await (await import('node:fs/promises')).readFile(path.join(tmp.dir, 'data.arrow'));
    const cut = path.join(tmp.dir, 'cut.arrow');
    await writeFile(cut, full.subarray(0, 200));
    await expect(readDataLayout(cut)).rejects.toThrow(DataLayoutError);
    const text = path.join(tmp.dir, 'text.arrow');
    await writeFile(text, 'index,values\n1,2\n'.repeat(10));
    await expect(readDataLayout(text)).rejects.toThrow(/not an Arrow IPC file/);
    const f64 = path.join(tmp.dir, 'f64.arrow');
    const child = makeData({ type: new Float64(), length: 8, nullCount: 0, data: new Float64Array(8) });
    const values = makeVector(makeData({ type: new FixedSizeList(2, new Field('item', new Float64(), false)), length: 4, nullCount: 0, child }));
    await writeFile(f64, tableToIPC(new Table({ index: makeVector(Int32Array.from([0, 1, 2, 3])), values }), 'file'));
    await expect(readDataLayout(f64)).rejects.toThrow(/not a fixed-size list of float32/);
  });
});
