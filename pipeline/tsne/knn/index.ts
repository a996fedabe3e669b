// k nearest neighbours (squared Euclidean) for t-SNE input affinities, the transform and the metrics.
// Exact brute force where cheap (exact.ts); for larger n, exact search within the blocks of rows that a
// rough random-projection-forest graph links together (approximate.ts, forest.ts), optionally on two
// threads (parallel.ts). Every search keeps its candidates in the one bounded heap of heap.ts; distances
// come from a small WebAssembly SIMD kernel (kernel.ts), with plain JavaScript as the fallback.

import type { Matrix, NeighborGraph } from '../../types.js';
import { useApprox, type KnnOptions } from './options.js';
import { knnApprox } from './approximate.js';
import { knnExact } from './exact.js';

/** The k nearest neighbours of every row of x (excluding the row itself), nearest first. */
export function knn(x: Matrix, k: number, options: KnnOptions = {}): NeighborGraph {
  return useApprox(x, k, options) ? knnApprox(x, k, options) : knnExact(x, k);
}

export { useApprox, type KnnOptions } from './options.js';
export { knnExact, knnExactJs } from './exact.js';
export { knnQuery, knnQueryJs } from './query.js';
export { knnApprox, prepareApprox, finishApprox, blockJoin, type PreparedApprox } from './approximate.js';
export { knnParallel, type ParallelOptions } from './parallel.js';
export { NeighborHeaps, heapsToGraph, type HeapOptions } from './heap.js';
export { createKernel, type DistanceKernel, type KernelPrecision } from './kernel.js';
