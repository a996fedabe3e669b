// Runs of large pictures (1,100 x 1,030 pixels: 1.1 million values a row): every picture the server draws is at
// most 1,024 pixels a side (reduced by area averaging, and the answer says so), and the JSON answers of decode
// and items stay small (the values of such rows are shown only as pictures).
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import type { ImageShape } from '../../pipeline/types.js';
import { pictureSize, rowToPng, shrinkImage } from '../../pipeline/image.js';
import { tempRunsDir, writeFixtureRun, type FixtureRun } from './fixtures.js';
import { listen, request } from './http.js';

const IMAGE: ImageShape = { width: 1100, height: 1030, channels: 1 };
let runsDir: { dir: string; cleanup: () => Promise<void> };
let big: FixtureRun;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  runsDir = await tempRunsDir();
  big = await writeFixtureRun(runsDir.dir, { id: 'big', rows: 3, codeSize: 2, image: IMAGE, seed: 5 });
  await writeFixtureRun(runsDir.dir, { id: 'small', rows: 3, codeSize: 2, image: { width: 28, height: 28, channels: 1 }, seed: 6 });
  const app = createApp({
    runsDir: runsDir.dir,
    log: () => {},
    reconstruct: async (_dir, _manifest, raw) => raw,
    decode: async (_dir, manifest, codes) => {
      const width = manifest.dataset.columns;
      return { rows: 1, cols: width, values: Float32Array.from({ length: width }, (_, f) => (f % 7) / 7 + codes.values[0]! / 1000) };
    },
  });
  ({ base, close } = await listen(app));
}, 120_000);

afterAll(async () => {
  await close();
  await runsDir.cleanup();
});

const pngSize = (bytes: Buffer): [number, number] => {
  const img = PNG.sync.read(bytes);
  return [img.width, img.height];
};

describe('pictures larger than 1,024 pixels a side', () => {
  it('reduces by the smallest whole factor that fits, averaging each block', () => {
    expect(pictureSize(IMAGE, 1, 1024)).toEqual({ width: 550, height: 515, scale: 1, shrink: 2 });
    expect(pictureSize({ width: 28, height: 28, channels: 1 }, 16, 1024)).toEqual({ width: 448, height: 448, scale: 16, shrink: 1 });
    expect(pictureSize({ width: 300, height: 100, channels: 1 }, 4, 1024)).toEqual({ width: 900, height: 300, scale: 3, shrink: 1 });
    // 3 x 3 reduced 2x: blocks of 4, 2, 2 and 1 pixels
    const { values, shape } = shrinkImage(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), { width: 3, height: 3, channels: 1 }, 2);
    expect(shape).toEqual({ width: 2, height: 2, channels: 1 });
    expect(Array.from(values)).toEqual([3, 4.5, 7.5, 9]);
    expect(pngSize(rowToPng(new Float32Array(3000 * 10), { width: 3000, height: 10, channels: 1 }, { scale: 4, maxSide: 1024 }))).toEqual([1000, 4]);
  });

  it('decode draws both pictures within 1,024 pixels, says so, and lists no 1.1 million values', async () => {
    const r = await request(base, '/api/runs/big/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [0, 1, 2] }) });
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.length).toBeLessThan(1_000_000);
    const a = r.json();
    for (const url of [a.meanImage, a.decodedImage]) expect(pngSize(Buffer.from(url.split(',')[1], 'base64'))).toEqual([550, 515]);
    expect(a.mean).toBeNull();
    expect(a.decoded).toBeNull();
    expect(a.features).toEqual([]);
    expect(a.note).toContain('1,133,000 values');
    expect(a.note).toContain('drawn at 550x515, reduced 2x');
    expect(a.count).toBe(3);
  });

  it('items answers the row without its values, pointing to its pictures, in a small answer', async () => {
    const r = await request(base, '/api/runs/big/items/1');
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    expect(r.body.length).toBeLessThan(100_000);
    const item = r.json();
    expect(item.values).toBeNull();
    expect(item.reconstruction).toBeNull();
    expect(item.features).toEqual([]);
    expect(item.imageUrl).toBe('/api/runs/big/items/1/image.png');
    expect(item.note).toContain('shown only as a picture');
    expect(big.features).toBe(1_133_000);
  });

  it('draws image.png and reconstruction.png at scale 1 reduced to fit, saying so in X-Image-Note; a larger scale is refused', async () => {
    for (const kind of ['image', 'reconstruction']) {
      const r = await request(base, `/api/runs/big/items/0/${kind}.png`);
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      expect(pngSize(r.body)).toEqual([550, 515]);
      expect(r.headers['x-image-note']).toContain('reduced 2x');
    }
    expect((await request(base, '/api/runs/big/items/0/image.png?scale=2')).status).toBe(400);
    // small pictures are untouched: scale 4 is 112 px, no note
    const s = await request(base, '/api/runs/small/items/0/image.png?scale=4');
    expect(pngSize(s.body)).toEqual([112, 112]);
    expect(s.headers['x-image-note']).toBeUndefined();
    const item = (await request(base, '/api/runs/small/items/0')).json();
    expect(item.values).toHaveLength(784);
    expect(item.note).toBeUndefined();
  });
});
