import { readFileSync, writeFileSync } from 'node:fs';
import { Float64, Table, tableFromArrays, vectorFromArray } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadParquet, parquetRowCount } from '../../../pipeline/load/parquet.js';
import { makeTempDir, writeParquetFile } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe('loadParquet', () => {
  it('reads numeric columns, keeps text columns and the label as metadata', async () => {
    const t = tableFromArrays({
      x: Float32Array.of(1, 2, 3, 4),
      n: Int32Array.of(10, 20, 30, 40),
      label: ['a', 'b', 'a', 'b'],
      city: ['p', 'q', 'r', 's'],
    });
    const p = await writeParquetFile(tmp.path('t.parquet'), t);
    const d = await loadParquet(p);
    expect(d.columns).toEqual(['x', 'n']);
    expect(Array.from(d.matrix.values)).toEqual([1, 10, 2, 20, 3, 30, 4, 40]);
    expect(d.label?.values).toEqual(['a', 'b', 'a', 'b']);
    expect(d.metadata.map((m) => m.name)).toEqual(['city']);
    expect(d.name).toBe('t');
  });

  it('--limit reads only the first rows', async () => {
    const t = tableFromArrays({ v: Float64Array.from({ length: 5000 }, (_, i) => i * 0.5) });
    const d = await loadParquet(await writeParquetFile(tmp.path('lim.parquet'), t), { limit: 12 });
    expect(d.matrix.rows).toBe(12);
    expect(d.matrix.values[11]).toBe(5.5);
  });

  it('reads files longer than one decoded slice, with nulls, and counts rows from the footer', async () => {
    const n = 70000;
    const v = Float64Array.from({ length: n }, (_, i) => i / 8);
    const t = tableFromArrays({ v, w: Int32Array.from({ length: n }, (_, i) => -i) });
    const p = await writeParquetFile(tmp.path('long.parquet'), t);
    expect(parquetRowCount(readFileSync(p))).toBe(n);
    const d = await loadParquet(p);
    expect(d.matrix.rows).toBe(n);
    expect(d.matrix.values[2 * 65536]).toBe(65536 / 8);
    expect(d.matrix.values[2 * (n - 1) + 1]).toBe(-(n - 1));
    const withNulls = new Table({ a: vectorFromArray([1, null, 3], new Float64()) });
    const dn = await loadParquet(await writeParquetFile(tmp.path('nulls.parquet'), withNulls));
    expect(Array.from(dn.matrix.values)).toEqual([1, NaN, 3]);
  });

  it('rejects truncated, corrupt and non-Parquet files', async () => {
    const t = tableFromArrays({ v: Float64Array.from({ length: 1000 }, (_, i) => i) });
    const good = readFileSync(await writeParquetFile(tmp.path('good.parquet'), t));
    writeFileSync(tmp.path('trunc.parquet'), good.subarray(0, good.length - 100));
    await expect(loadParquet(tmp.path('trunc.parquet'))).rejects.toThrow(/trunc\.parquet: the Parquet file is truncated/);
    const bad = Buffer.from(good);
    bad.fill(0x5a, 8, Math.min(bad.length - 8, 600));
    writeFileSync(tmp.path('corrupt.parquet'), bad);
    await expect(loadParquet(tmp.path('corrupt.parquet'))).rejects.toThrow(/corrupt\.parquet: the Parquet data is corrupt or unsupported/);
    const footer = Buffer.from(good);
    footer.fill(0xff, footer.length - 60, footer.length - 8);
    writeFileSync(tmp.path('footer.parquet'), footer);
    await expect(loadParquet(tmp.path('footer.parquet'))).rejects.toThrow(/footer\.parquet: the Parquet data is corrupt or unsupported/);
    writeFileSync(tmp.path('csv.parquet'), 'a,b\n1,2\n');
    await expect(loadParquet(tmp.path('csv.parquet'))).rejects.toThrow(/csv\.parquet: not a Parquet file/);
  });
});
