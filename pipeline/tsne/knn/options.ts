// Options of the neighbour search and the rule that picks exact or approximate search.

import type { Matrix } from '../../types.js';

export interface KnnOptions {
  /** 'auto' (default): exact when n * n * (cols + 16) is at most 1.5e9 (~4,800 rows at 50 columns), approximate otherwise. */
  method?: 'auto' | 'exact' | 'approx';
  /** Seed of the random projections (approximate method only). Default 0. */
  seed?: number;
  /** Number of random-projection trees seeding the lists (approximate). Default 2. */
  trees?: number;
  /** Leaf size of the trees, so also the block size (approximate). Default max(64, 2k). */
  leafSize?: number;
  /** Block pairs joined by fewer list entries than this are not searched (approximate). Default 8. */
  minLinks?: number;
  /**
   * The memory x's values fill from byte 0 (x.values = new Float32Array(inPlace.buffer, 0, rows * cols)): the
   * approximate search then renumbers the rows inside it instead of copying them into the kernel's own memory
   * (a large matrix held once, not twice) and puts them back in order before it returns. The memory grows,
   * which detaches views of it: take x's values from inPlace.buffer again afterwards. Where the kernel would
   * pad the rows (cols not a multiple of 4) or WebAssembly SIMD is missing, the rows are copied as usual.
   */
  inPlace?: WebAssembly.Memory;
}

/**
 * Work of a brute-force search, n * n * (cols + 16) (the 16: the per-pair cost beside the distance
 * itself), above which 'auto' switches to the approximate method: about 4,800 rows at 50 columns. At
 * 10,000 x 50 the approximate search takes about half the exact one's time with recall@90 0.998
 * (npm run bench:knn).
 */
const EXACT_WORK_LIMIT = 1.5e9;

/** Whether knn uses the approximate method for these inputs (throws on an impossible k). */
export function useApprox(x: Matrix, k: number, options: KnnOptions = {}): boolean {
  const n = x.rows;
  if (k < 1 || k > n - 1) throw new RangeError(`k must be in [1, ${n - 1}], got ${k}`);
  const method = options.method ?? 'auto';
  return !(method === 'exact' || (method === 'auto' && n * n * (x.cols + 16) <= EXACT_WORK_LIMIT));
}

