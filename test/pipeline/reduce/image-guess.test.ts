import { beforeAll, describe, expect, it } from 'vitest';
import { isInputError } from '../../../pipeline/errors.js';
import { loadDataset } from '../../../pipeline/load/index.js';
import { createRandom } from '../../../pipeline/random.js';
import { resolveShiftOf, SHIFT_MIN_SIDE } from '../../../pipeline/reduce/auto-augment.js';
import { ADJACENT_MIN, guessImage } from '../../../pipeline/reduce/image-guess.js';
import type { Matrix } from '../../../pipeline/types.js';

/** n rows of side x side smooth random fields that fill their frame (low-frequency waves, random phases). */
function fields(n: number, side: number, seed: number): Matrix {
  const r = createRandom(seed);
  const values = new Float32Array(n * side * side);
  for (let i = 0; i < n; i++) {
    const waves = Array.from({ length: 3 }, () => ({ fx: r() * 0.3, fy: r() * 0.3, phase: r() * 6.28 }));
    for (let y = 0; y < side; y++) for (let x = 0; x < side; x++) values[i * side * side + y * side + x] = 0.5 + waves.reduce((s, w) => s + Math.cos(w.fx * x + w.fy * y + w.phase) / 6, 0);
  }
  return { rows: n, cols: side * side, values };
}

/** n rows of sparse random counts (a bag of words, say): no column is near another in any sense. */
function sparseCounts(n: number, cols: number, seed: number): Matrix {
  const r = createRandom(seed);
  return { rows: n, cols, values: Float32Array.from({ length: n * cols }, () => (r() < 0.05 ? 1 + r.int(5) : 0)) };
}

describe('rows without an image shape read as square images (guessImage)', () => {
  let mnist: Matrix;
  beforeAll(async () => {
    // the built-in digits' pixel rows, as a CSV of 784 columns would give them (the loader's shape not passed on)
    mnist = (await loadDataset({ dataset: 'mnist', input: null, labelColumn: null, dataDir: null, limit: 1000 })).matrix;
  });

  it('reads MNIST\'s 784 pixel columns as 28x28 images, saying why, with the correlations across and down', () => {
    const g = guessImage(mnist, SHIFT_MIN_SIDE);
    expect(g?.image).toEqual({ width: 28, height: 28, channels: 1 });
    expect(g!.figures.across).toBeGreaterThan(0.6);
    expect(g!.figures.down).toBeGreaterThan(0.6);
    expect(g!.figures.apart).toBeLessThan(0.2);
    expect(g!.reason).toMatch(/^the 784 columns read as 28x28 images \(no image shape came with the file\): neighbouring columns correlate as pixels do, 0\.\d\d across and 0\.\d\d down \(at least 0\.3 each\), against 0\.\d\d half a row apart$/);
  });

  it('does not read sparse counts, a non-square width or images smaller than the least side as images', () => {
    expect(guessImage(sparseCounts(500, 784, 1), SHIFT_MIN_SIDE)).toBeNull();
    expect(guessImage({ rows: mnist.rows, cols: 783, values: mnist.values.subarray(0, mnist.rows * 783) }, SHIFT_MIN_SIDE)).toBeNull();
    expect(guessImage(fields(300, 6, 2), SHIFT_MIN_SIDE)).toBeNull();
  });

  it('does not read smooth 1-D series laid out in rows (spectra) as images: the column a row further on is not the nearest', () => {
    // each row: three broad peaks over 784 bands, intensities varying 20-fold, on a zero baseline
    const r = createRandom(8);
    const n = 400;
    const values = new Float32Array(n * 784);
    for (let i = 0; i < n; i++) {
      const scale = Math.exp(1.5 * r.normal());
      const peaks = Array.from({ length: 3 }, () => ({ at: r() * 784, width: 30 + 70 * r(), height: r() }));
      for (let c = 0; c < 784; c++) values[i * 784 + c] = scale * peaks.reduce((sum, p) => sum + p.height * Math.exp(-(((c - p.at) / p.width) ** 2)), 0);
    }
    expect(guessImage({ rows: n, cols: 784, values }, SHIFT_MIN_SIDE)).toBeNull();
  });

  it('needs the columns to correlate both across and down: columns shuffled within each image row do not read as images', () => {
    const side = 28;
    const r = createRandom(3);
    const order = Array.from({ length: side * side }, (_, c) => c).sort(() => r() - 0.5);
    const shuffled = { rows: mnist.rows, cols: mnist.cols, values: new Float32Array(mnist.values.length) };
    for (let i = 0; i < mnist.rows; i++) for (let c = 0; c < mnist.cols; c++) shuffled.values[i * mnist.cols + c] = mnist.values[i * mnist.cols + order[c]!]!;
    const g = guessImage(shuffled, SHIFT_MIN_SIDE);
    expect(g).toBeNull();
    expect(ADJACENT_MIN).toBe(0.3);
  });

  it('under augmentShift auto, MNIST rows without a shape are moved by a pixel; pictures that fill their frame and counts are not', () => {
    const digits = resolveShiftOf('auto', mnist, null, 'none');
    expect(digits.shift).toEqual({ width: 28, height: 28, channels: 1, pixels: 1 });
    expect(digits.choice.reason).toMatch(/^the 784 columns read as 28x28 images .*; 28x28 images that sit inside their frame/);
    expect(digits.choice.figures).toMatchObject({ adjacentCorrelation: { across: expect.any(Number), down: expect.any(Number) } });
    const filled = resolveShiftOf('auto', fields(300, 28, 4), null, 'none');
    expect(filled.shift).toBeNull();
    expect(filled.choice.reason).toMatch(/read as 28x28 images .*reach the frame's edge/);
    const counts = resolveShiftOf('auto', sparseCounts(300, 784, 5), null, 'none');
    expect(counts.shift).toBeNull();
    expect(counts.choice.reason).toBe('the rows are not images: nothing to move');
    // the loader's shape wins: no guess is made
    expect(resolveShiftOf('auto', mnist, { width: 28, height: 28, channels: 1 }, 'none').choice.reason).not.toMatch(/read as/);
  });

  it('an explicit move is taken on rows that read as images and refused, naming the field, on rows that do not', () => {
    expect(resolveShiftOf(2, mnist, null, 'none').shift).toEqual({ width: 28, height: 28, channels: 1, pixels: 2 });
    let caught: unknown;
    try {
      resolveShiftOf(1, sparseCounts(300, 784, 6), null, 'none');
    } catch (err) {
      caught = err;
    }
    expect(isInputError(caught)).toBe(true);
    expect((caught as { location?: { field?: string } }).location?.field).toBe('augmentShift');
    expect((caught as Error).message).toMatch(/these rows are not images .*a square number of columns whose neighbours correlate as pixels do/);
  });
});
