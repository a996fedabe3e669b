import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { findLabelsFile, loadIdx } from '../../../pipeline/load/idx.js';
import { makeTempDir, writeIdxU8 } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());

const pixels = Uint8Array.from({ length: 4 * 2 * 3 }, (_, i) => (i * 11) % 256);

describe('loadIdx', () => {
  for (const gzip of [false, true]) {
    it(`reads images${gzip ? ' (gzipped)' : ''} scaled to [0, 1] with the labels file beside them`, async () => {
      const dir = makeTempDir();
      const images = writeIdxU8(dir.path(`train-images-idx3-ubyte${gzip ? '.gz' : ''}`), [4, 2, 3], pixels, gzip);
      writeIdxU8(dir.path(`train-labels-idx1-ubyte${gzip ? '.gz' : ''}`), [4], Uint8Array.of(3, 1, 4, 1), gzip);
      const d = await loadIdx(images);
      expect(d.matrix).toMatchObject({ rows: 4, cols: 6 });
      expect(d.image).toEqual({ width: 3, height: 2, channels: 1 });
      expect(d.valueRange).toEqual([0, 1]);
      expect(d.matrix.values[5]).toBeCloseTo(55 / 255, 6);
      expect(d.label).toEqual({ name: 'label', kind: 'number', values: Float64Array.of(3, 1, 4, 1) });
      const lim = await loadIdx(images, { limit: 2 });
      expect(lim.matrix.rows).toBe(2);
      expect(lim.label?.values).toEqual(Float64Array.of(3, 1));
      dir.cleanup();
    });
  }

  it('finds the labels file for the usual names', async () => {
    writeIdxU8(tmp.path('t10k-images-idx3-ubyte'), [1, 1, 1], Uint8Array.of(0));
    writeIdxU8(tmp.path('t10k-labels-idx1-ubyte.gz'), [1], Uint8Array.of(0), true);
    expect(await findLabelsFile(tmp.path('t10k-images-idx3-ubyte'))).toBe(tmp.path('t10k-labels-idx1-ubyte.gz'));
    expect(await findLabelsFile(tmp.path('other-idx3-ubyte'))).toBeNull();
  });

  it('rejects truncated data, a bad magic number, a mismatched labels file and truncated gzip', async () => {
    const dir = makeTempDir();
    const good = readFileSync(writeIdxU8(dir.path('x-images-idx3-ubyte'), [4, 2, 3], pixels));
    writeFileSync(dir.path('short-idx3-ubyte'), good.subarray(0, good.length - 4));
    await expect(loadIdx(dir.path('short-idx3-ubyte'))).rejects.toThrow(/short-idx3-ubyte: the header says 4 items of 2x3 unsigned byte values \(40 bytes\), but the data holds 36 bytes: the file is truncated/);
    writeFileSync(dir.path('bad-idx3-ubyte'), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
    await expect(loadIdx(dir.path('bad-idx3-ubyte'))).rejects.toThrow(/bad-idx3-ubyte: not an IDX file: it starts with bytes 01 02 03 04/);
    writeIdxU8(dir.path('x-labels-idx1-ubyte'), [2], Uint8Array.of(1, 2));
    await expect(loadIdx(dir.path('x-images-idx3-ubyte'))).rejects.toThrow(/x-labels-idx1-ubyte: the labels file holds 2 labels but the images file 4 images/);
    const gz = readFileSync(writeIdxU8(dir.path('z-idx3-ubyte.gz'), [4, 2, 3], pixels, true));
    writeFileSync(dir.path('z-idx3-ubyte.gz'), gz.subarray(0, gz.length - 12));
    await expect(loadIdx(dir.path('z-idx3-ubyte.gz'))).rejects.toThrow(/z-idx3-ubyte\.gz: the gzip data is truncated/);
    writeFileSync(dir.path('tiny-idx3-ubyte'), Buffer.from([0, 0, 8, 3, 0, 0]));
    await expect(loadIdx(dir.path('tiny-idx3-ubyte'))).rejects.toThrow(/too short for an IDX header/);
    dir.cleanup();
  });
});
