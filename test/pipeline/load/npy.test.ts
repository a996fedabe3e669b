import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNpy } from '../../../pipeline/load/npy.js';
import { makeTempDir, writeNpy } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

describe('loadNpy', () => {
  it('reads float32 and float64 2-D arrays in C order', async () => {
    const f4 = await loadNpy(writeNpy(tmp.path('a.npy'), '<f4', [2, 3], Float32Array.of(1, 2, 3, 4, 5, NaN)));
    expect(f4.matrix).toMatchObject({ rows: 2, cols: 3 });
    expect(Array.from(f4.matrix.values)).toEqual([1, 2, 3, 4, 5, NaN]);
    expect(f4.columns).toEqual(['col_1', 'col_2', 'col_3']);
    const f8 = await loadNpy(writeNpy(tmp.path('b.npy'), '<f8', [3], Float64Array.of(0.25, -1, 1e10)));
    expect(f8.matrix).toMatchObject({ rows: 3, cols: 1 });
    expect(Array.from(f8.matrix.values)).toEqual([0.25, -1, 1e10]);
  });

  it('reads every integer width, big-endian data and Fortran order', async () => {
    const cases: [string, ArrayBufferView][] = [
      ['|i1', Int8Array.of(-1, 2, -3, 4)],
      ['|u1', Uint8Array.of(1, 2, 255, 0)],
      ['<i2', Int16Array.of(-300, 2, 3, 4)],
      ['<u2', Uint16Array.of(65535, 2, 3, 4)],
      ['<i4', Int32Array.of(-70000, 2, 3, 4)],
      ['<u4', Uint32Array.of(4000000000, 2, 3, 4)],
      ['<i8', BigInt64Array.of(-5n, 2n, 3n, 4n)],
      ['<u8', BigUint64Array.of(5n, 2n, 3n, 4n)],
    ];
    for (const [descr, data] of cases) {
      const d = await loadNpy(writeNpy(tmp.path(`i${descr.slice(1)}.npy`), descr, [2, 2], data));
      expect(Array.from(d.matrix.values), descr).toEqual(Array.from(data as unknown as ArrayLike<number | bigint>, Number));
    }
    const be = Buffer.alloc(8);
    be.writeFloatBE(1.5, 0);
    be.writeFloatBE(-2, 4);
    const d = await loadNpy(writeNpy(tmp.path('be.npy'), '>f4', [2], be));
    expect(Array.from(d.matrix.values)).toEqual([1.5, -2]);
    // Fortran order: columns stored one after another.
    const f = await loadNpy(writeNpy(tmp.path('f.npy'), '<f4', [2, 3], Float32Array.of(1, 4, 2, 5, 3, 6), true));
    expect(Array.from(f.matrix.values)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('treats n x h x w arrays as images and --limit reads only the first rows', async () => {
    const data = Float32Array.from({ length: 5 * 2 * 3 }, (_, i) => i);
    const d = await loadNpy(writeNpy(tmp.path('img.npy'), '<f4', [5, 2, 3], data), { limit: 2 });
    expect(d.image).toEqual({ width: 3, height: 2, channels: 1 });
    expect(d.matrix).toMatchObject({ rows: 2, cols: 6 });
    expect(d.columns[0]).toBe('pixel_0');
    expect(Array.from(d.matrix.values)).toEqual(Array.from(data.subarray(0, 12)));
  });

  it('rejects truncated files, bad headers, object and structured dtypes, infinities and label columns', async () => {
    const good = readFileSync(writeNpy(tmp.path('g.npy'), '<f4', [4, 2], new Float32Array(8)));
    writeFileSync(tmp.path('trunc.npy'), good.subarray(0, good.length - 5));
    await expect(loadNpy(tmp.path('trunc.npy'))).rejects.toThrow(/trunc\.npy: the \.npy file is truncated: shape \(4, 2\) of <f4 needs 32 bytes of data, the file holds 27/);
    writeFileSync(tmp.path('magic.npy'), 'hello world, not numpy');
    await expect(loadNpy(tmp.path('magic.npy'))).rejects.toThrow(/magic\.npy: not a NumPy \.npy file/);
    await expect(loadNpy(writeNpy(tmp.path('obj.npy'), '|O', [2], new Uint8Array(16)))).rejects.toThrow(/object arrays \(pickled Python objects\) are not supported/);
    await expect(loadNpy(writeNpy(tmp.path('str.npy'), '<U3', [2], new Uint8Array(24)))).rejects.toThrow(/dtype <U3 is not supported/);
    await expect(loadNpy(writeNpy(tmp.path('inf.npy'), '<f8', [2, 2], Float64Array.of(1, 2, 3, Infinity)))).rejects.toThrow(/inf\.npy: the value at \[1, 1\] \(0-based row, column\) is infinite/);
    await expect(loadNpy(writeNpy(tmp.path('big.npy'), '<f8', [1, 2], Float64Array.of(1, 1e300)))).rejects.toThrow(/too large for a 32-bit float/);
    await expect(loadNpy(writeNpy(tmp.path('zero.npy'), '<f4', [0, 3], new Float32Array(0)))).rejects.toThrow(/zero\.npy: the \.npy array has shape \(0, 3\): no rows/);
    await expect(loadNpy(tmp.path('g.npy'), { labelColumn: 'y' })).rejects.toThrow(/has no label column/);
  });
});
