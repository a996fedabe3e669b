// The input-space neighbours of every row, for the per-row preservation of points.arrow (share of a row's k
// input neighbours among its k map neighbours). Two ways, chosen by size:
//
// - search: the approximate neighbour search (pipeline/tsne/knn) on the prepared input itself. Its cost grows
//   like n^1.5 x columns on this data (Fashion-MNIST, 784 columns, one thread: 10 s at 70,000 rows, 68 s at
//   250,000; about 550 s projected at 1,000,000), so it is used up to SEARCH_WORK_LIMIT = n x columns.
// - codes: beyond that, each row's CANDIDATES_PER_K x k nearest codes (the reducer's output: a search on c
//   columns instead of d, on two threads) are the candidates, and the k of them nearest in the input (exact
//   input distances) are its input neighbours. This is the reducer's promise turned into a search: the codes keep
//   the input's neighbourhoods, so the input's near rows are among a row's near codes; what the codes lost,
//   this misses. Measured on Fashion-MNIST at 70,000 rows with PCA-32 codes, against the input's own search:
//   the codes' 10 nearest are 0.42 of its neighbours, re-ranked 30 candidates 0.66 (8 CPU s), 60 candidates 0.72
//   (14 s), 90 candidates 0.73 (20 s): past 30 the codes' losses, not the candidates' number, limit it.

import type { Matrix, NeighborGraph } from './types.js';
import { knn, knnParallel } from './tsne/index.js';
import { NeighborHeaps } from './tsne/knn/heap.js';
import { align16, createKernel, ensureMemory, sqDist, type DistanceKernel } from './tsne/knn/kernel.js';

/** Largest n x columns of the prepared input searched itself (250,000 x 784 is 1.96e8). */
export const SEARCH_WORK_LIMIT = 2e8;
/** Candidates per wanted neighbour taken from the codes. */
export const CANDIDATES_PER_K = 3;

export type InputNeighbourMethod = 'search' | 'codes';

/** Which way the input neighbours of an n x cols input are found (codes: whether the run has codes of its own). */
export function inputNeighbourMethod(rows: number, cols: number, hasCodes: boolean): InputNeighbourMethod {
  return hasCodes && rows * cols > SEARCH_WORK_LIMIT ? 'codes' : 'search';
}

/** Why that way, for the manifest. */
export function inputNeighbourReason(method: InputNeighbourMethod, rows: number, cols: number, k: number): string {
  const work = `${rows} x ${cols} = ${(rows * cols).toExponential(2)}`;
  return method === 'search'
    ? `the approximate neighbour search on the prepared input (${work}, at most ${SEARCH_WORK_LIMIT.toExponential(0)})`
    : `the ${CANDIDATES_PER_K * k} nearest codes of each row, re-ranked by exact input distance (${work} is past ${SEARCH_WORK_LIMIT.toExponential(0)}: the input's own search would cost about n^1.5 x columns)`;
}

export interface InputNeighbourOptions {
  seed: number;
  /** The WebAssembly memory the input's values fill from byte 0 (KnnOptions.inPlace), or null. */
  inPlace: WebAssembly.Memory | null;
}

/**
 * The k input-space neighbours of every row of input (n x d), nearest first, by `method`; codes (n x c) are
 * needed for 'codes'. With inPlace the input's memory may grow: view its buffer again afterwards.
 */
export function inputNeighbours(input: Matrix, codes: Matrix | null, k: number, method: InputNeighbourMethod, opts: InputNeighbourOptions): NeighborGraph {
  if (method === 'search' || !codes) return opts.inPlace ? knn(input, k, { seed: opts.seed, inPlace: opts.inPlace }) : knn(input, k, { seed: opts.seed });
  const n = input.rows;
  const c = Math.min(n - 1, CANDIDATES_PER_K * k);
  const candidates = knnParallel(codes, c, { seed: opts.seed });
  return rerank(input, candidates, k, opts.inPlace);
}

/** Rows measured together by the kernel (its groups of four). */
const GROUP = 4;

/**
 * Of each row's candidate neighbours (graph), the k nearest by exact squared distance in `input` (ties: the lower
 * row number), nearest first. Through the float32 SIMD kernel over the input's own memory when it is given
 * (four rows against their candidates' union at a time), else in plain JavaScript.
 */
export function rerank(input: Matrix, graph: NeighborGraph, k: number, inPlace: WebAssembly.Memory | null): NeighborGraph {
  const { rows: n, cols } = input;
  const c = graph.k;
  if (k > c) throw new RangeError(`rerank: k ${k} of ${c} candidates`);
  const heaps = new NeighborHeaps(GROUP, k);
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const idx = new Int32Array(k);
  const dist = new Float64Array(k);
  const kernel = inPlace ? kernelOver(input, inPlace, GROUP * c) : null;
  const union = new Int32Array(GROUP * c);
  const stamp = new Int32Array(n).fill(-1);
  const position = new Int32Array(n);
  for (let i0 = 0; i0 < n; i0 += GROUP) {
    const na = Math.min(n, i0 + GROUP) - i0;
    for (let a = 0; a < na; a++) heaps.clear(a);
    if (kernel) {
      let nb = 0;
      for (let t = i0 * c; t < (i0 + na) * c; t++) {
        const j = graph.indices[t]!;
        if (stamp[j] !== i0) {
          stamp[j] = i0;
          position[j] = nb;
          union[nb++] = j;
        }
      }
      const d = kernel.measure(i0, na, union, nb);
      for (let a = 0; a < na; a++) {
        const i = i0 + a;
        for (let t = i * c; t < (i + 1) * c; t++) {
          const j = graph.indices[t]!;
          heaps.push(a, d[a * nb + position[j]!]!, j);
        }
      }
    } else {
      for (let a = 0; a < na; a++) {
        const i = i0 + a;
        for (let t = i * c; t < (i + 1) * c; t++) {
          const j = graph.indices[t]!;
          heaps.push(a, sqDist(input.values, i, j, cols), j);
        }
      }
    }
    for (let a = 0; a < na; a++) {
      const s = heaps.sortedRow(a, idx, dist);
      for (let t = 0; t < s; t++) {
        indices[(i0 + a) * k + t] = idx[t]!;
        distances[(i0 + a) * k + t] = dist[t]!;
      }
    }
  }
  return { n, k, indices, distances };
}

/** The float32 kernel over the input's own memory (rows from byte 0), with room for two lists and an output. */
function kernelOver(input: Matrix, memory: WebAssembly.Memory, most: number): { measure: (i0: number, na: number, union: Int32Array, nb: number) => Float64Array } | null {
  const { rows: n, cols } = input;
  if (cols % 4 !== 0 || input.values.buffer !== memory.buffer || input.values.byteOffset !== 0) return null;
  const kern: DistanceKernel | null = createKernel('f32', cols, 1, memory);
  if (!kern) return null;
  const listA = align16(n * kern.stride);
  const listB = listA + 4 * GROUP;
  const out = align16(listB + 4 * (most + GROUP));
  ensureMemory(kern, out + 8 * GROUP * (most + GROUP));
  return {
    measure(i0, na, union, nb) {
      const a = new Int32Array(kern.memory.buffer, listA, GROUP);
      for (let t = 0; t < GROUP; t++) a[t] = i0 + Math.min(t, na - 1);
      new Int32Array(kern.memory.buffer, listB, nb).set(union.subarray(0, nb));
      kern.block(0, listA, na, listB, nb, out, 0);
      return new Float64Array(kern.memory.buffer, out, na * nb);
    },
  };
}
