import { readFileSync, writeFileSync } from 'node:fs';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadParquet } from '../../../pipeline/load/parquet.js';
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

  it('rejects truncated, corrupt and non-Parquet files', async () => {
    const t = tableFromArrays({ v: Float64Array.from({ length: 1000 }, (_, i) => i) });
    const good = readFileSync(await writeParquetFile(tmp.path('good.parquet'), t));
    writeFileSync(tmp.path('trunc.parquet'), good.subarray(0, good.length - 100));
    await expect(loadParquet(tmp.path('trunc.parquet'))).rejects.toThrow(/trunc\.parquet: the Parquet file is truncated/);
    const bad = Buffer.from(good);
    bad.fill(0x5a, 8, Math.min(bad.length - 8, 600));
    writeFileSync(tmp.path('corrupt.parquet'), bad);
    await expect(loadParquet(tmp.path('corrupt.parquet'))).rejects.toThrow(/corrupt\.parquet: the Parquet data is corrupt or unsupported/);
    writeFileSync(tmp.path('csv.parquet'), 'a,b\n1,2\n');
    await expect(loadParquet(tmp.path('csv.parquet'))).rejects.toThrow(/csv\.parquet: not a Parquet file/);
  });
});
