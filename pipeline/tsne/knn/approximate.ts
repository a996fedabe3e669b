// Approximate k nearest neighbours: exact search within the blocks of rows that a rough
// random-projection-forest graph links together.

import type { Matrix, NeighborGraph } from '../../types.js';
import { createRandom } from '../../random.js';
import type { KnnOptions } from './options.js';
import { NeighborHeaps, heapsToGraph } from './heap.js';
import { sqDist } from './kernel.js';
import { forest, localityOrder, permuteRows } from './forest.js';
import { distanceSpace, type DistanceSpace } from './space.js';

/**
 * Approximate, in two steps. (1) The rows are renumbered in the leaf order of a random-projection tree,
 * so its leaves become blocks of contiguous rows; a small forest of further trees gives each row rough
 * neighbour lists (recall 0.4 to 0.6) from the rows sharing its leaves. (2) The true neighbours of a row
 * sit almost always in the blocks where its rough neighbours sit: every block is searched exactly against
 * itself and against each block its rows' lists point to at least minLinks times (in either direction),
 * most-linked pairs first, each row refusing from the start whatever lies beyond its forest list's k-th
 * distance. The searching is whole blocks of contiguous rows through the SIMD kernel in float32
 * (relative error ~1e-6), which is where the time goes. Deterministic for a seed; knnParallel
 * (parallel.ts) gives the same graph with two threads.
 */
export function knnApprox(x: Matrix, k: number, options: KnnOptions = {}): NeighborGraph {
  const prepared = prepareApprox(x, k, options);
  try {
    let next = 0;
    blockJoin(prepared.space, prepared.heaps, prepared.starts, prepared.pairs, () => next++);
    return finishApprox(prepared);
  } finally {
    prepared.space.restore?.();
  }
}

/** The approximate search up to the block join: renumbered rows, the kernel, the pairs of blocks to search. */
export interface PreparedApprox {
  n: number;
  k: number;
  /** Rows renumbered: xp row i is x row perm[i]. */
  xp: Matrix;
  perm: Int32Array;
  /** Block b is rows starts[b] .. starts[b + 1] - 1 of xp. */
  starts: Int32Array;
  pairs: Int32Array;
  space: DistanceSpace;
  /** Empty heaps for the block join, their bounds set to initialBound. */
  heaps: NeighborHeaps;
  /**
   * Per row, the k-th distance of the forest's list when it holds k distinct rows (else Infinity): the
   * k nearest are no farther, so the join need not offer anything beyond it, which spares most heap
   * updates. A row whose join finds fewer than k within it takes the forest's entries (seed*) back.
   */
  initialBound: Float32Array;
  seedDist: NeighborHeaps['dist'];
  seedIdx: Int32Array;
  seedSize: Int32Array;
}

/** With shared, the renumbered rows (xp) live in shared memory, for a helper thread. */
export function prepareApprox(x: Matrix, k: number, options: KnnOptions = {}, shared = false): PreparedApprox {
  const n = x.rows;
  const seed = options.seed ?? 0;
  const trees = Math.max(1, options.trees ?? 2);
  const leafSize = approxLeafSize(k, options);
  const minLinks = Math.max(1, options.minLinks ?? 8);
  const { perm, starts } = localityOrder(x, leafSize, seed);
  // a helper thread reads a renumbered copy in shared memory; alone, the rows go straight into the kernel's memory
  const shareable = shared ? permuteRows(x, perm, true) : null;
  const space = shareable ? distanceSpace(shareable, leafSize) : distanceSpace(x, leafSize, perm, options.inPlace ?? null);
  const xp = shareable ?? space.rows;
  const heaps = new NeighborHeaps(n, k, { precision: 'f32', bound: space.bound });
  forest(xp, space, trees, leafSize, createRandom(seed), heaps);
  const pairs = linkedBlocks(heaps, starts, minLinks);
  // (the forest offers each pair once, so a full list holds k distinct rows: the check is a safeguard)
  const initialBound = new Float32Array(n).fill(Infinity);
  const stamp = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    if (heaps.size[i]! < k) continue;
    let distinct = 0;
    for (let t = i * k; t < (i + 1) * k; t++) {
      const j = heaps.idx[t]!;
      if (stamp[j] !== i) {
        stamp[j] = i;
        distinct++;
      }
    }
    if (distinct === k) initialBound[i] = heaps.bound[i]!;
  }
  const seedDist = heaps.dist.slice();
  const seedIdx = heaps.idx.slice();
  const seedSize = heaps.size.slice();
  heaps.restart(initialBound);
  return { n, k, xp, perm, starts, pairs, space, heaps, initialBound, seedDist, seedIdx, seedSize };
}

/** The graph from the block join's heaps (rows short of k neighbours filled by brute force). */
export function finishApprox(p: PreparedApprox): NeighborGraph {
  const { n, k, xp, heaps, perm } = p;
  for (let i = 0; i < n; i++) {
    if (heaps.size[i]! === k) continue;
    const have = new Set(heaps.idx.subarray(i * k, i * k + heaps.size[i]!));
    // fewer than k found within the forest's bound: its entries (all within) complete the row
    for (let t = i * k; t < i * k + p.seedSize[i]!; t++) {
      const j = p.seedIdx[t]!;
      if (have.has(j)) continue;
      have.add(j);
      heaps.push(i, p.seedDist[t]!, j);
    }
    if (heaps.size[i]! === k) continue;
    // a row lacks neighbours only when its block is smaller than k + 1 and no linked block fills it
    for (let j = 0; j < n; j++) if (j !== i && !have.has(j)) heaps.push(i, sqDist(xp.values, i, j, xp.cols), j);
  }
  return heapsToGraph(n, k, heaps.dist, heaps.idx, heaps.size, perm, perm, true);
}

export function approxLeafSize(k: number, options: KnnOptions): number {
  return Math.min(4096, Math.max(options.leafSize ?? defaultLeafSize(k), k + 1));
}

function defaultLeafSize(k: number): number {
  return Math.max(64, 2 * k);
}

/**
 * The block pairs to search, as (bi, bj) in consecutive entries: every block with itself, then the
 * pairs of distinct blocks (bi < bj) joined by at least minLinks list entries, most-linked first.
 */
function linkedBlocks(heaps: NeighborHeaps, starts: Int32Array, minLinks: number): Int32Array {
  const { n, k, idx, size } = heaps;
  const nb = starts.length - 1;
  const blockOf = new Int32Array(n);
  for (let b = 0; b < nb; b++) blockOf.fill(b, starts[b]!, starts[b + 1]!);
  // keys bi * nb + bj are exact in a double for any n this search can hold in memory
  const counts = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const bi = blockOf[i]!;
    for (let t = i * k, e = i * k + size[i]!; t < e; t++) {
      const bj = blockOf[idx[t]!]!;
      if (bj === bi) continue;
      const key = bi < bj ? bi * nb + bj : bj * nb + bi;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const linked: [number, number][] = [];
  for (const [key, c] of counts) if (c >= minLinks) linked.push([key, c]);
  linked.sort((p, q) => q[1] - p[1] || p[0] - q[0]);
  const pairs = new Int32Array(2 * (nb + linked.length));
  for (let b = 0; b < nb; b++) pairs[2 * b] = pairs[2 * b + 1] = b;
  for (let p = 0; p < linked.length; p++) {
    const key = linked[p]![0];
    pairs[2 * (nb + p)] = Math.floor(key / nb);
    pairs[2 * (nb + p) + 1] = key % nb;
  }
  return pairs;
}

/** Blocks joined per claim of the shared work counter (knnParallel). */
export const PAIRS_PER_CHUNK = 16;

/**
 * Exact search of the block pairs listed in `pairs` ((bi, bj) in consecutive entries; bi === bj: a block
 * against itself), each pair of rows offered once, in chunks of PAIRS_PER_CHUNK taken from claim() until it
 * returns a chunk past the end.
 */
export function blockJoin(space: DistanceSpace, heaps: NeighborHeaps, starts: Int32Array, pairs: Int32Array, claim: () => number): void {
  const { bound } = heaps;
  const { candD, candCode } = space;
  const join = (bi: number, bj: number): void => {
    const a0 = starts[bi]!;
    const b0 = starts[bj]!;
    // the kernel passes on only the pairs within the bound of either row (bounds as they were when it
    // ran: they only tighten, so each is checked again here)
    const count = space.candidates(a0, starts[bi + 1]! - a0, b0, starts[bj + 1]! - b0, bi === bj);
    for (let t = 0; t < count; t++) {
      const d = candD[2 * t]!;
      const code = candCode[2 * t + 1]!;
      const i = a0 + (code >>> 16);
      const j = b0 + (code & 0xffff);
      if (d <= bound[i]!) heaps.push(i, d, j);
      if (d <= bound[j]!) heaps.push(j, d, i);
    }
  };
  const count = pairs.length >> 1;
  const chunks = Math.ceil(count / PAIRS_PER_CHUNK);
  for (let c = claim(); c < chunks; c = claim()) {
    const end = Math.min(count, (c + 1) * PAIRS_PER_CHUNK);
    for (let p = c * PAIRS_PER_CHUNK; p < end; p++) join(pairs[2 * p]!, pairs[2 * p + 1]!);
  }
}

