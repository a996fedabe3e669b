// The seeded train/validation split: validation rows are the last fraction of a seeded shuffle.
import { createRandom, deriveSeed, permutation } from '../random.js';

export interface RowSplit {
  train: Int32Array;
  validation: Int32Array;
}

/**
 * Splits rows 0..rows-1: a shuffle seeded by `seed`, the last round(rows * fraction) rows held out
 * (at least 1 when fraction > 0, and never all of them).
 */
export function splitRows(rows: number, fraction: number, seed: number): RowSplit {
  const nVal = fraction > 0 ? Math.min(rows - 1, Math.max(1, Math.round(rows * fraction))) : 0;
  const order = permutation(rows, createRandom(deriveSeed(seed, 'split')));
  return { train: order.subarray(0, rows - nVal), validation: order.subarray(rows - nVal) };
}
