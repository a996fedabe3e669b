import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { shiftImages, type ShiftAugment } from '../../../pipeline/autoencoder/augment.js';
import { autoencoderOptions, loadAutoencoder, trainAutoencoder } from '../../../pipeline/autoencoder/index.js';
import { OPTIONS_FILE } from '../../../pipeline/autoencoder/io.js';
import { initBackend } from '../../../pipeline/backend.js';
import { isInputError } from '../../../pipeline/errors.js';
import { createRandom, type Random } from '../../../pipeline/random.js';
import { AUTO_SHIFT_PIXELS, edgeRows, resolveShift } from '../../../pipeline/reduce/auto-augment.js';
import type { Matrix } from '../../../pipeline/types.js';
import { testConfig } from './fixtures.js';

/** A Random whose int() returns the given values in turn (dx then dy per row, each offset by +pixels). */
function scripted(ints: number[]): Random {
  let i = 0;
  const r = (() => 0.5) as Random;
  r.normal = () => 0;
  r.int = () => ints[i++]!;
  return r;
}

describe('shiftImages', () => {
  const shape: ShiftAugment = { width: 5, height: 4, channels: 1, pixels: 1 };
  // one bright pixel at (x 2, y 1) on a background of 0.1
  const one = new Float32Array(20).fill(0.1);
  one[1 * 5 + 2] = 1;

  it('moves each image by its own (dx, dy) and repeats the edge into the space it leaves', () => {
    const out = new Float32Array(40);
    const two = Float32Array.from([...one, ...one]);
    // row 0: int 2 -> dx +1, int 0 -> dy -1; row 1: dx -1, dy +1
    shiftImages(two, out, 2, shape, scripted([2, 0, 0, 2]));
    const at = (row: number, x: number, y: number) => out[row * 20 + y * 5 + x];
    expect(at(0, 3, 0)).toBe(1);
    expect(at(1, 1, 2)).toBe(1);
    expect(out.filter((v) => v === 1).length).toBe(2);
    expect(out.filter((v) => Math.abs(v - 0.1) < 1e-7).length).toBe(38);
  });

  it('keeps the channels of a colour pixel together (channels last)', () => {
    const rgb: ShiftAugment = { width: 3, height: 3, channels: 3, pixels: 1 };
    const src = new Float32Array(27);
    src.set([0.2, 0.4, 0.6], (1 * 3 + 1) * 3); // centre pixel
    const out = new Float32Array(27);
    shiftImages(src, out, 1, rgb, scripted([2, 1])); // dx +1, dy 0
    expect(Array.from(out.subarray((1 * 3 + 2) * 3, (1 * 3 + 2) * 3 + 3))).toEqual([0.2, 0.4, 0.6].map(Math.fround));
    expect(out.reduce((s, v) => s + v, 0)).toBeCloseTo(1.2, 5);
  });

  it('draws every move in [-pixels, pixels] per axis and no other, each about equally often', () => {
    // 7 x 7 images with one bright pixel in the middle: a move of up to 2 never reaches the edge
    const k = 2;
    const rows = 5000;
    const src = new Float32Array(rows * 49);
    for (let r = 0; r < rows; r++) src[r * 49 + 3 * 7 + 3] = 1;
    const out = new Float32Array(src.length);
    shiftImages(src, out, rows, { width: 7, height: 7, channels: 1, pixels: k }, createRandom(7));
    const counts = new Map<string, number>();
    for (let r = 0; r < rows; r++) {
      const image = out.subarray(r * 49, (r + 1) * 49);
      expect(image.filter((v) => v === 1).length).toBe(1);
      const i = image.indexOf(1);
      const move = `${(i % 7) - 3},${Math.floor(i / 7) - 3}`;
      counts.set(move, (counts.get(move) ?? 0) + 1);
    }
    expect(counts.size).toBe((2 * k + 1) ** 2);
    for (const [move, n] of counts) {
      const [dx, dy] = move.split(',').map(Number) as [number, number];
      expect(Math.max(Math.abs(dx), Math.abs(dy))).toBeLessThanOrEqual(k);
      expect(n).toBeGreaterThan(rows / 25 / 1.5);
      expect(n).toBeLessThan((rows / 25) * 1.5);
    }
  });

  it('refuses buffers shorter than the rows', () => {
    expect(() => shiftImages(new Float32Array(10), new Float32Array(20), 1, shape, createRandom(1))).toThrow(RangeError);
  });
});

describe('resolveShift (config augmentShift)', () => {
  const mnist = { width: 28, height: 28, channels: 1 as const };

  it('auto moves images that sit inside their frame by one pixel, and says so', () => {
    const r = resolveShift('auto', { image: mnist, columns: 784, scaling: 'none', edgeRows: 0.014 });
    expect(r.shift).toEqual({ ...mnist, pixels: AUTO_SHIFT_PIXELS });
    expect(r.choice).toMatchObject({ value: 1, auto: true, figures: { edgeRows: 0.014 } });
    expect(r.choice.reason).toMatch(/28x28 images that sit inside their frame \(only 1\.4% of the rows reach its edge\)/);
  });

  it('auto does not move pictures that fill their frame (moving them would crop them)', () => {
    const r = resolveShift('auto', { image: mnist, columns: 784, scaling: 'none', edgeRows: 0.995 });
    expect(r.shift).toBeNull();
    expect(r.choice).toMatchObject({ value: 0, auto: true });
    expect(r.choice.reason).toMatch(/reach the frame's edge in 99\.5% of the rows/);
    expect(resolveShift('auto', { image: mnist, columns: 784, scaling: 'none' }).shift).toBeNull();
  });

  it('auto leaves other data as it is, with the reason', () => {
    expect(resolveShift('auto', { image: null, columns: 4, scaling: 'standardize' }).choice).toMatchObject({ value: 0, auto: true, reason: expect.stringMatching(/not images/) });
    expect(resolveShift('auto', { image: mnist, columns: 784, scaling: 'standardize' }).choice.reason).toMatch(/one column at a time \(standardize\)/);
    expect(resolveShift('auto', { image: mnist, columns: 700, scaling: 'none' }).choice.reason).toMatch(/700 prepared columns/);
    expect(resolveShift('auto', { image: { width: 6, height: 6, channels: 1 }, columns: 36, scaling: 'uniform', edgeRows: 0 }).shift).toBeNull();
  });

  it('edgeRows counts the rows whose outer ring of pixels leaves the background', () => {
    // 10 x 10 images on a background of 0.2: 30 with a centred square, 10 with a square against the left edge
    const rows = 40;
    const values = new Float32Array(rows * 100).fill(0.2);
    for (let r = 0; r < rows; r++) {
      const x0 = r < 30 ? 4 : 0;
      for (let y = 4; y < 6; y++) for (let x = x0; x < x0 + 2; x++) values[r * 100 + y * 10 + x] = 0.9;
    }
    // a faint speck (under a tenth of the range) on the ring of a centred row does not count
    values[3 * 100 + 9] = 0.25;
    expect(edgeRows({ rows, cols: 100, values }, { width: 10, height: 10, channels: 1 })).toBeCloseTo(10 / 40, 10);
    expect(edgeRows({ rows, cols: 99, values }, { width: 10, height: 10, channels: 1 })).toBe(0);
  });

  it('an explicit move is obeyed on images and refused, naming the field, where it cannot apply', () => {
    expect(resolveShift(2, { image: mnist, columns: 784, scaling: 'standardize' }).shift).toEqual({ ...mnist, pixels: 2 });
    expect(resolveShift(0, { image: mnist, columns: 784, scaling: 'none' }).shift).toBeNull();
    for (const [input, message] of [
      [{ image: null, columns: 4, scaling: 'none' as const }, /not images/],
      [{ image: { width: 4, height: 4, channels: 1 as const }, columns: 16, scaling: 'none' as const }, /shorter side/],
    ] as const) {
      let err: unknown;
      try {
        resolveShift(4, input);
      } catch (e) {
        err = e;
      }
      expect(isInputError(err)).toBe(true);
      expect((err as { field?: string }).field ?? (err as { location?: { field?: string } }).location?.field).toBe('augmentShift');
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe('training with shifted inputs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  // 12 x 12 images, each a bright 3 x 3 square at a random place on a dark background
  const side = 12;
  function squares(rows: number, seed: number): Matrix {
    const random = createRandom(seed);
    const values = new Float32Array(rows * side * side);
    for (let r = 0; r < rows; r++) {
      const x0 = 2 + random.int(side - 6);
      const y0 = 2 + random.int(side - 6);
      for (let y = y0; y < y0 + 3; y++) for (let x = x0; x < x0 + 3; x++) values[r * side * side + y * side + x] = 1;
    }
    return { rows, cols: side * side, values };
  }
  const data = squares(600, 3);
  const image = { width: side, height: side, channels: 1 as const };
  const train = async (pixels: number) => {
    const config = testConfig({ variant: 'residual', codeSize: 6, layers: [32], epochs: 20, learningRate: 0.005 });
    const options = autoencoderOptions(config, side * side, 'mse', { codeSize: 6, layers: [32], shift: pixels > 0 ? { ...image, pixels } : null });
    return trainAutoencoder(data, options);
  };

  it('brings the codes of an image and of the same image moved by a pixel closer, against typical distances', async () => {
    const moved: Matrix = { ...data, values: new Float32Array(data.values.length) };
    shiftImages(data.values, moved.values, data.rows, { ...image, pixels: 1 }, createRandom(11));
    const ratio = async (pixels: number) => {
      const ae = await train(pixels);
      expect(ae.options.shift).toEqual(pixels > 0 ? { ...image, pixels } : null);
      const a = ae.encode(data);
      const b = ae.encode(moved);
      ae.dispose();
      const dist = (u: Float32Array, i: number, v: Float32Array, j: number) => {
        let s = 0;
        for (let c = 0; c < a.cols; c++) s += (u[i * a.cols + c]! - v[j * a.cols + c]!) ** 2;
        return Math.sqrt(s);
      };
      let same = 0;
      let other = 0;
      for (let i = 0; i < data.rows; i++) {
        same += dist(a.values, i, b.values, i);
        other += dist(a.values, i, a.values, (i + 1) % data.rows);
      }
      return same / other;
    };
    const plain = await ratio(0);
    const shifted = await ratio(1);
    expect(shifted).toBeLessThan(plain * 0.9);
  });

  it('saves the shift with the model, and reads a model saved before it existed as none', async () => {
    const ae = await train(1);
    const dir = mkdtempSync(join(tmpdir(), 'latentmap-shift-'));
    try {
      await ae.save(dir);
      const codes = ae.encode(data);
      ae.dispose();
      const back = await loadAutoencoder(dir);
      expect(back.options.shift).toEqual({ ...image, pixels: 1 });
      expect(Array.from(back.encode(data).values)).toEqual(Array.from(codes.values));
      back.dispose();
      const file = join(dir, OPTIONS_FILE);
      const info = JSON.parse(readFileSync(file, 'utf8')) as { options: Record<string, unknown> };
      delete info.options.shift;
      writeFileSync(file, JSON.stringify(info));
      const old = await loadAutoencoder(dir);
      expect(old.options.shift).toBeNull();
      old.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
