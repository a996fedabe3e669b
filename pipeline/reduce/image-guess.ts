// Whether rows that came without an image shape (a CSV, Parquet or Arrow table of pixel columns, such as the
// common MNIST CSV: a label and 784 columns) are square images, for the autoencoder's shift augmentation
// (auto-augment.ts). Pure. The loader's shape, when it has one (IDX, NumPy n x h x w, the built-in image
// datasets), always wins; this is asked only without one.
//
// The rows read as side x side images, row-major, one channel, when the column count is a square of a side of at
// least minSide pixels (the shift's own least side, auto-augment.ts SHIFT_MIN_SIDE) and the columns behave as a
// grid of pixels: neighbours correlate both across and down, and a column correlates more with the one below it
// than with the one half a row away. In numbers, the mean Pearson correlation over the sampled rows (pairs where
// both columns vary) of horizontally adjacent columns (across) and of vertically adjacent ones (down) is at least
// ADJACENT_MIN each, and down exceeds that of columns half a row apart in the same row (apart) by ADJACENT_MIN:
// in a 1-D series laid out in rows (spectra, time series) the column `side` places further on is farther than
// the one side / 2 places on; in an image it is the nearest below. Measured on 2,000 rows (session 19): across / down /
// apart: MNIST 0.70 / 0.69 / 0.04, Fashion-MNIST 0.75 / 0.83 / 0.16, scikit-learn's 8x8 digits 0.29 / 0.48 / 0.06;
// smooth spectra of 784 bands 1.00 / 0.79 / 0.94 (the outside tester's, which passed the first two tests); sparse
// random counts 0.00 / 0.00; mlbench's satellite (3 x 3 pixels x 4 bands, 36 columns read as 6 x 6) 0.51 / -0.10.
import type { ImageShape, Matrix } from '../types.js';

/** Least mean correlation of adjacent columns, in each direction, and least margin of down over apart, for the rows to read as images. */
export const ADJACENT_MIN = 0.3;
/** Rows the correlations are measured on at most (evenly spaced). */
export const GUESS_SAMPLE = 2000;

export interface ImageGuess {
  image: ImageShape;
  /** Mean correlation of horizontally adjacent columns, of vertically adjacent ones, and of columns half a row apart. */
  figures: { across: number; down: number; apart: number };
  /** One clause saying why the rows read as images. */
  reason: string;
}

/** The rows of x as square images of at least minSide pixels a side, or null when they do not read as images (see the head of this file). */
export function guessImage(x: Matrix, minSide: number): ImageGuess | null {
  const side = Math.round(Math.sqrt(x.cols));
  if (side * side !== x.cols || side < minSide || x.rows < 3) return null;
  const take = Math.min(x.rows, GUESS_SAMPLE);
  const rows = Array.from({ length: take }, (_, i) => Math.floor((i * x.rows) / take));
  // per column over the sampled rows: mean and standard deviation (float64)
  const mean = new Float64Array(x.cols);
  const sd = new Float64Array(x.cols);
  for (const r of rows) for (let c = 0; c < x.cols; c++) mean[c]! += x.values[r * x.cols + c]!;
  for (let c = 0; c < x.cols; c++) mean[c]! /= take;
  for (const r of rows) {
    for (let c = 0; c < x.cols; c++) {
      const d = x.values[r * x.cols + c]! - mean[c]!;
      sd[c]! += d * d;
    }
  }
  for (let c = 0; c < x.cols; c++) sd[c] = Math.sqrt(sd[c]! / take);
  const meanCorrelation = (dx: number, dy: number): number => {
    let sum = 0;
    let pairs = 0;
    for (let y = 0; y + dy < side; y++) {
      for (let px = 0; px + dx < side; px++) {
        const a = y * side + px;
        const b = (y + dy) * side + px + dx;
        if (!(sd[a]! > 0) || !(sd[b]! > 0)) continue;
        let cov = 0;
        for (const r of rows) cov += (x.values[r * x.cols + a]! - mean[a]!) * (x.values[r * x.cols + b]! - mean[b]!);
        sum += cov / take / (sd[a]! * sd[b]!);
        pairs++;
      }
    }
    return pairs > 0 ? sum / pairs : NaN;
  };
  const across = meanCorrelation(1, 0);
  const down = meanCorrelation(0, 1);
  if (!(across >= ADJACENT_MIN && down >= ADJACENT_MIN)) return null;
  const apart = meanCorrelation(Math.floor(side / 2), 0);
  if (!(down - apart >= ADJACENT_MIN)) return null;
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    image: { width: side, height: side, channels: 1 },
    figures: { across: round(across), down: round(down), apart: round(apart) },
    reason:
      `the ${x.cols} columns read as ${side}x${side} images (no image shape came with the file): neighbouring columns correlate as pixels do, ` +
      `${round(across).toFixed(2)} across and ${round(down).toFixed(2)} down (at least ${ADJACENT_MIN} each), against ${round(apart).toFixed(2)} half a row apart`,
  };
}
