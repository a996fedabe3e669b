// k nearest neighbours (squared Euclidean) for t-SNE input affinities.
// Exact brute force where cheap; for larger n, exact search within the blocks of rows that a rough
// random-projection-forest graph links together (knnApprox). Distances come from a small WebAssembly
// SIMD kernel (knn-kernel.ts), with plain JavaScript as the fallback.

import type { Matrix, NeighborGraph } from '../types.js';
import { createRandom, type Random } from '../random.js';
import { createKernel, type DistanceKernel, type KernelPrecision } from './knn-kernel.js';

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
}

/**
 * Work of a brute-force search, n * n * (cols + 16) (the 16: the per-pair cost beside the distance
 * itself), above which 'auto' switches to the approximate method: about 4,800 rows at 50 columns. At
 * 10,000 x 50 the approximate search takes about half the exact one's time with recall@90 0.998
 * (npm run bench:knn).
 */
const EXACT_WORK_LIMIT = 1.5e9;

/** The k nearest neighbours of every row of x (excluding the row itself), nearest first. */
export function knn(x: Matrix, k: number, options: KnnOptions = {}): NeighborGraph {
  return useApprox(x, k, options) ? knnApprox(x, k, options) : knnExact(x, k);
}

/** Whether knn uses the approximate method for these inputs (throws on an impossible k). */
export function useApprox(x: Matrix, k: number, options: KnnOptions = {}): boolean {
  const n = x.rows;
  if (k < 1 || k > n - 1) throw new RangeError(`k must be in [1, ${n - 1}], got ${k}`);
  const method = options.method ?? 'auto';
  return !(method === 'exact' || (method === 'auto' && n * n * (x.cols + 16) <= EXACT_WORK_LIMIT));
}

/** Bounded max-heap of (distance, index) pairs kept in sorted-on-demand arrays. */
class TopK {
  readonly dist: Float64Array;
  readonly idx: Int32Array;
  size = 0;
  constructor(readonly k: number) {
    this.dist = new Float64Array(k);
    this.idx = new Int32Array(k);
  }
  reset(): void {
    this.size = 0;
  }
  /** Worst distance kept (Infinity until full). */
  bound(): number {
    return this.size < this.k ? Infinity : this.dist[0]!;
  }
  push(d: number, j: number): void {
    const { dist, idx, k } = this;
    if (this.size < k) {
      // sift up
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (dist[p]! >= d) break;
        dist[c] = dist[p]!;
        idx[c] = idx[p]!;
        c = p;
      }
      dist[c] = d;
      idx[c] = j;
      return;
    }
    if (d >= dist[0]!) return;
    // replace root, sift down
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const m = r < k && dist[r]! > dist[l]! ? r : l;
      if (dist[m]! <= d) break;
      dist[c] = dist[m]!;
      idx[c] = idx[m]!;
      c = m;
    }
    dist[c] = d;
    idx[c] = j;
  }
  /** Writes the kept pairs nearest first (ties by index) into the output row. */
  write(outIdx: Int32Array, outDist: Float32Array, offset: number): void {
    const order = Array.from({ length: this.size }, (_, t) => t);
    order.sort((a, b) => this.dist[a]! - this.dist[b]! || this.idx[a]! - this.idx[b]!);
    for (let t = 0; t < this.size; t++) {
      outIdx[offset + t] = this.idx[order[t]!]!;
      outDist[offset + t] = Math.max(0, this.dist[order[t]!]!);
    }
  }
}

function sqDist(v: Float32Array, a: number, b: number, cols: number): number {
  let s = 0;
  const oa = a * cols;
  const ob = b * cols;
  for (let c = 0; c < cols; c++) {
    const d = v[oa + c]! - v[ob + c]!;
    s += d * d;
  }
  return s;
}

/** Rows per tile of the exact search: a tile pair (2 x 128 rows x cols float32) stays in L1/L2. */
const TILE = 128;

/**
 * Exact brute force over tiles of rows: each unordered pair is measured once (by the SIMD kernel, a
 * TILE x TILE block at a time, in float64) and offered to both rows' bounded heaps. The heaps order by
 * (distance, original index), so the kept set is the k smallest by that order whatever the visiting
 * order. The rows are visited renumbered in the leaf order of a random-projection tree, and the diagonal
 * tiles (near rows) come first, so the heaps' bounds are tight early and few offers reach a heap.
 */
export function knnExact(x: Matrix, k: number): NeighborGraph {
  const n = x.rows;
  const { perm } = localityOrder(x, Math.max(TILE, 2 * k), 0);
  const xp = permuteRows(x, perm);
  const loaded = loadRows(xp, 'f64', n + 4);
  if (!loaded) return knnExactJs(x, k);
  const { k: kern, rows, list } = loaded;
  const out = align16(list + 4 * (n + 4));
  ensureMemory(kern, out + 8 * TILE * TILE);
  const { hd, hi, size, bound, push } = exactHeaps(n, k);
  // push(i, d, j): j is an original index; i a renumbered row
  const tile = (i0: number, j0: number): void => {
    const na = Math.min(n, i0 + TILE) - i0;
    const nb = Math.min(n, j0 + TILE) - j0;
    const tri = j0 === i0 ? 1 : 0;
    kern.block(rows, list + 4 * i0, na, list + 4 * j0, nb, out, tri);
    const d = new Float64Array(kern.memory.buffer, out, na * nb);
    for (let a = 0; a < na; a++) {
      const i = i0 + a;
      const pi = perm[i]!;
      const row = a * nb;
      let bi = bound[i]!;
      for (let b = tri ? a + 1 : 0; b < nb; b++) {
        const s = d[row + b]!;
        if (s <= bi) {
          push(i, s, perm[j0 + b]!);
          bi = bound[i]!;
        }
        if (s <= bound[j0 + b]!) push(j0 + b, s, pi);
      }
    }
  };
  for (let i0 = 0; i0 < n; i0 += TILE) tile(i0, i0);
  for (let i0 = 0; i0 < n; i0 += TILE) for (let j0 = i0 + TILE; j0 < n; j0 += TILE) tile(i0, j0);
  return sortRows(n, k, hd, hi, size, perm, null, true);
}

/**
 * Bounded max-heaps of the k nearest (float64 distance, index) pairs of n rows, ordered by (distance, index)
 * so the kept set does not depend on the visiting order. bound[i] is row i's worst kept distance once its
 * heap is full (Infinity before): offers beyond it can be skipped.
 */
function exactHeaps(n: number, k: number) {
  const hd = new Float64Array(n * k);
  const hi = new Int32Array(n * k);
  const size = new Int32Array(n);
  const bound = new Float64Array(n).fill(Infinity);
  const push = (i: number, d: number, j: number): void => {
    const o = i * k;
    const s = size[i]!;
    if (s < k) {
      let c = s;
      size[i] = s + 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const pd = hd[o + p]!;
        if (pd > d || (pd === d && hi[o + p]! > j)) break;
        hd[o + c] = pd;
        hi[o + c] = hi[o + p]!;
        c = p;
      }
      hd[o + c] = d;
      hi[o + c] = j;
      if (s + 1 === k) bound[i] = hd[o]!;
      return;
    }
    const rd = hd[o]!;
    if (d > rd || (d === rd && j > hi[o]!)) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      let m = l;
      if (r < k) {
        const dl = hd[o + l]!;
        const dr = hd[o + r]!;
        if (dr > dl || (dr === dl && hi[o + r]! > hi[o + l]!)) m = r;
      }
      const md = hd[o + m]!;
      if (md < d || (md === d && hi[o + m]! < j)) break;
      hd[o + c] = md;
      hi[o + c] = hi[o + m]!;
      c = m;
    }
    hd[o + c] = d;
    hi[o + c] = j;
    bound[i] = hd[o]!;
  };
  return { hd, hi, size, bound, push };
}

/** knnExact in plain JavaScript, where WebAssembly SIMD is unavailable. */
export function knnExactJs(x: Matrix, k: number): NeighborGraph {
  const { rows: n, cols, values: v } = x;
  const { hd, hi, bound, push } = exactHeaps(n, k);
  const offer = (i: number, d: number, j: number): void => {
    if (d <= bound[i]!) push(i, d, j);
    if (d <= bound[j]!) push(j, d, i);
  };
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE);
    for (let j0 = i0; j0 < n; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      let a = i0;
      for (; a + 4 <= i1; a += 4) {
        const oa = a * cols;
        const ob = oa + cols;
        const oc = ob + cols;
        const od = oc + cols;
        // in the diagonal tile only pairs j > row are measured
        for (let j = j0 === i0 ? a + 1 : j0; j < j1; j++) {
          const oj = j * cols;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let c = 0; c < cols; c++) {
            const w = v[oj + c]!;
            const d0 = v[oa + c]! - w;
            const d1 = v[ob + c]! - w;
            const d2 = v[oc + c]! - w;
            const d3 = v[od + c]! - w;
            s0 += d0 * d0;
            s1 += d1 * d1;
            s2 += d2 * d2;
            s3 += d3 * d3;
          }
          offer(a, s0, j);
          if (j > a + 1) offer(a + 1, s1, j);
          if (j > a + 2) offer(a + 2, s2, j);
          if (j > a + 3) offer(a + 3, s3, j);
        }
      }
      for (; a < i1; a++) {
        for (let j = j0 === i0 ? a + 1 : j0; j < j1; j++) offer(a, sqDist(v, a, j, cols), j);
      }
    }
  }
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const heap = new TopK(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    heap.reset();
    for (let t = 0; t < k; t++) heap.push(hd[o + t]!, hi[o + t]!);
    heap.write(indices, distances, o);
  }
  return { n, k, indices, distances };
}

interface LoadedRows {
  k: DistanceKernel;
  /** Byte offset of row 0. */
  rows: number;
  /** Byte offset of an identity list 0, 1, ..., listLength - 1 (entries past n name row 0). */
  list: number;
}

/** x's rows copied (zero-padded to the kernel's stride) into a new kernel's memory, then an identity list; null without WebAssembly SIMD. */
function loadRows(x: Matrix, precision: KernelPrecision, listLength: number): LoadedRows | null {
  const { rows: n, cols, values } = x;
  const k = createKernel(precision, cols, 1);
  if (!k) return null;
  const list = n * k.stride;
  ensureMemory(k, list + 4 * listLength);
  const elem = precision === 'f64' ? 8 : 4;
  const per = k.stride / elem;
  const dst = precision === 'f64' ? new Float64Array(k.memory.buffer, 0, n * per) : new Float32Array(k.memory.buffer, 0, n * per);
  for (let i = 0; i < n; i++) dst.set(values.subarray(i * cols, (i + 1) * cols), i * per);
  const ids = new Int32Array(k.memory.buffer, list, listLength);
  for (let i = 0; i < listLength; i++) ids[i] = i < n ? i : 0;
  return { k, rows: 0, list };
}

function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Grows the kernel's memory to at least `bytes` (views of the old buffer are detached). */
function ensureMemory(k: DistanceKernel, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Exact k nearest reference rows of each query row (for transform), through the float64 SIMD kernel. */
export function knnQuery(reference: Matrix, queries: Matrix, k: number): NeighborGraph {
  if (reference.cols !== queries.cols) {
    throw new RangeError(`queries have ${queries.cols} columns, the reference ${reference.cols}`);
  }
  const n = queries.rows;
  const m = reference.rows;
  const cols = reference.cols;
  // the reference rows, then the query rows, in one kernel memory
  const both: Matrix = { rows: m + n, cols, values: new Float32Array((m + n) * cols) };
  both.values.set(reference.values.subarray(0, m * cols));
  both.values.set(queries.values.subarray(0, n * cols), m * cols);
  const loaded = loadRows(both, 'f64', m + n + 4);
  if (!loaded) return knnQueryJs(reference, queries, k);
  const { k: kern, rows, list } = loaded;
  const out = align16(list + 4 * (m + n + 4));
  ensureMemory(kern, out + 8 * TILE * TILE);
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const heaps = Array.from({ length: Math.min(n, TILE) }, () => new TopK(k));
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const na = Math.min(n, i0 + TILE) - i0;
    for (let a = 0; a < na; a++) heaps[a]!.reset();
    for (let j0 = 0; j0 < m; j0 += TILE) {
      const nb = Math.min(m, j0 + TILE) - j0;
      kern.block(rows, list + 4 * (m + i0), na, list + 4 * j0, nb, out, 0);
      const d = new Float64Array(kern.memory.buffer, out, na * nb);
      for (let a = 0; a < na; a++) {
        const heap = heaps[a]!;
        const row = a * nb;
        for (let b = 0; b < nb; b++) {
          const s = d[row + b]!;
          if (s < heap.bound()) heap.push(s, j0 + b);
        }
      }
    }
    for (let a = 0; a < na; a++) heaps[a]!.write(indices, distances, (i0 + a) * k);
  }
  return { n, k, indices, distances };
}

/** knnQuery in plain JavaScript, where WebAssembly SIMD is unavailable. */
export function knnQueryJs(reference: Matrix, queries: Matrix, k: number): NeighborGraph {
  const n = queries.rows;
  const cols = reference.cols;
  const ref = reference.values;
  const q = queries.values;
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const heap = new TopK(k);
  for (let i = 0; i < n; i++) {
    heap.reset();
    const oi = i * cols;
    for (let j = 0; j < reference.rows; j++) {
      let s = 0;
      const oj = j * cols;
      for (let c = 0; c < cols; c++) {
        const d = q[oi + c]! - ref[oj + c]!;
        s += d * d;
      }
      if (s < heap.bound()) heap.push(s, j);
    }
    heap.write(indices, distances, i * k);
  }
  return { n, k, indices, distances };
}

/**
 * Per-row bounded max-heaps of (squared distance, index), flat, k per row, ordered by (distance, index)
 * so the kept set is the k smallest by that order whatever the order of the offers (two threads may
 * share the work). bound[i] is the worst kept distance once row i holds k entries (Infinity before), so
 * callers reject most offers with one comparison (d <= bound). There is no duplicate check: the block join
 * offers each pair once, and the forest's lists only count links between blocks, where a repeat does no
 * harm. The arrays may live in shared memory (the helper thread's heaps).
 */
export class Heaps {
  readonly dist: Float32Array;
  readonly idx: Int32Array;
  readonly size: Int32Array;
  readonly bound: Float32Array;
  constructor(
    readonly n: number,
    readonly k: number,
    bound: Float32Array,
    shared?: { dist: SharedArrayBuffer; idx: SharedArrayBuffer; size: SharedArrayBuffer },
  ) {
    this.dist = shared ? new Float32Array(shared.dist) : new Float32Array(n * k);
    this.idx = shared ? new Int32Array(shared.idx) : new Int32Array(n * k);
    this.size = shared ? new Int32Array(shared.size) : new Int32Array(n);
    this.bound = bound;
    this.bound.fill(Infinity);
  }
  /** Empty heaps whose rows accept only offers up to the given bounds until they are full. */
  restart(bounds: Float32Array): void {
    this.size.fill(0);
    this.bound.set(bounds);
  }
  push(i: number, d: number, j: number): void {
    const { dist, idx, size, k } = this;
    const o = i * k;
    const s = size[i]!;
    if (s < k) {
      let c = s;
      size[i] = s + 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const pd = dist[o + p]!;
        if (pd > d || (pd === d && idx[o + p]! > j)) break;
        dist[o + c] = pd;
        idx[o + c] = idx[o + p]!;
        c = p;
      }
      dist[o + c] = d;
      idx[o + c] = j;
      if (s + 1 === k) this.bound[i] = dist[o]!;
      return;
    }
    const rd = dist[o]!;
    if (d > rd || (d === rd && j > idx[o]!)) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      let m = l;
      if (r < k) {
        const dl = dist[o + l]!;
        const dr = dist[o + r]!;
        if (dr > dl || (dr === dl && idx[o + r]! > idx[o + l]!)) m = r;
      }
      const md = dist[o + m]!;
      if (md < d || (md === d && idx[o + m]! < j)) break;
      dist[o + c] = md;
      idx[o + c] = idx[o + m]!;
      c = m;
    }
    dist[o + c] = d;
    idx[o + c] = j;
    this.bound[i] = dist[o]!;
  }
}

/**
 * Approximate, in two steps. (1) The rows are renumbered in the leaf order of a random-projection tree,
 * so its leaves become blocks of contiguous rows; a small forest of further trees gives each row rough
 * neighbour lists (recall 0.4 to 0.6) from the rows sharing its leaves. (2) The true neighbours of a row
 * sit almost always in the blocks where its rough neighbours sit: every block is searched exactly against
 * itself and against each block its rows' lists point to at least minLinks times (in either direction),
 * most-linked pairs first, each row refusing from the start whatever lies beyond its forest list's k-th
 * distance. The searching is whole blocks of contiguous rows through the SIMD kernel in float32
 * (relative error ~1e-6), which is where the time goes. Deterministic for a seed; knnParallel
 * (knn-parallel.ts) gives the same graph with two threads.
 */
export function knnApprox(x: Matrix, k: number, options: KnnOptions = {}): NeighborGraph {
  const prepared = prepareApprox(x, k, options);
  let next = 0;
  blockJoin(prepared.space, prepared.heaps, prepared.starts, prepared.pairs, () => next++);
  return finishApprox(prepared);
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
  heaps: Heaps;
  /**
   * Per row, the k-th distance of the forest's list when it holds k distinct rows (else Infinity): the
   * k nearest are no farther, so the join need not offer anything beyond it, which spares most heap
   * updates. A row whose join finds fewer than k within it takes the forest's entries (seed*) back.
   */
  initialBound: Float32Array;
  seedDist: Float32Array;
  seedIdx: Int32Array;
  seedSize: Int32Array;
}

export function prepareApprox(x: Matrix, k: number, options: KnnOptions = {}): PreparedApprox {
  const n = x.rows;
  const seed = options.seed ?? 0;
  const trees = Math.max(1, options.trees ?? 2);
  const leafSize = approxLeafSize(k, options);
  const minLinks = Math.max(1, options.minLinks ?? 8);
  const { perm, starts } = localityOrder(x, leafSize, seed);
  const xp = permuteRows(x, perm);
  const space = distanceSpace(xp, leafSize);
  const heaps = new Heaps(n, k, space.bound);
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
  return sortRows(n, k, heaps.dist, heaps.idx, heaps.size, perm, perm, true);
}

export function approxLeafSize(k: number, options: KnnOptions): number {
  return Math.min(4096, Math.max(options.leafSize ?? defaultLeafSize(k), k + 1));
}

function defaultLeafSize(k: number): number {
  return Math.max(64, 2 * k);
}

/**
 * Offers every pair of rows that share a leaf, tree after tree, each pair once (a pair that shared a
 * leaf of an earlier tree is skipped), so full lists hold k distinct rows.
 */
function forest(x: Matrix, space: DistanceSpace, trees: number, leafSize: number, random: Random, heaps: Heaps): void {
  const { rows: n, cols } = x;
  const { bound } = heaps;
  const values = Float64Array.from(x.values);
  const order = new Int32Array(n);
  const proj = new Float64Array(n);
  const dir = new Float64Array(cols);
  const out = space.out;
  const leafOf: Int32Array[] = [];
  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < n; i++) order[i] = i;
    const earlier = leafOf.slice();
    const mine = new Int32Array(n);
    let leaves = 0;
    buildLeaves(values, cols, order, 0, n, leafSize, random, proj, dir, (lo, hi) => {
      const leaf = order.subarray(lo, hi);
      const size = hi - lo;
      for (let a = 0; a < size; a++) mine[leaf[a]!] = leaves;
      leaves++;
      space.measure(leaf, size, leaf, size, true);
      for (let a = 0; a < size; a++) {
        const i = leaf[a]!;
        const row = a * size;
        for (let b = a + 1; b < size; b++) {
          const d = out[row + b]!;
          const j = leaf[b]!;
          let seen = false;
          for (let e = 0; e < earlier.length; e++) if (earlier[e]![i] === earlier[e]![j]) seen = true;
          if (seen) continue;
          if (d <= bound[i]!) heaps.push(i, d, j);
          if (d <= bound[j]!) heaps.push(j, d, i);
        }
      }
    });
    leafOf.push(mine);
  }
}

/**
 * The block pairs to search, as (bi, bj) in consecutive entries: every block with itself, then the
 * pairs of distinct blocks (bi < bj) joined by at least minLinks list entries, most-linked first.
 */
function linkedBlocks(heaps: Heaps, starts: Int32Array, minLinks: number): Int32Array {
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
export function blockJoin(space: DistanceSpace, heaps: Heaps, starts: Int32Array, pairs: Int32Array, claim: () => number): void {
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

/**
 * Squared distances between listed rows: the SIMD kernel in float32 (relative error ~1e-6, plenty for
 * an approximate search), or plain JavaScript without WebAssembly SIMD. measure(a, na, b, nb, tri)
 * fills out[r * nb + c] for r < na, c < nb (only c > r when tri).
 */
export interface DistanceSpace {
  out: Float64Array;
  measure(a: Int32Array, na: number, b: Int32Array, nb: number, tri: boolean): void;
  /** Per-row bounds (the heaps' bound array lives here, where the kernel reads it). */
  bound: Float32Array;
  /**
   * For the contiguous rows a0 + r (r < na) and b0 + c (c < nb; only c > r when tri): the pairs whose
   * distance is at most the bound of either row, as records t: candD[2t] the distance, candCode[2t + 1]
   * r << 16 | c. Returns the number of records.
   */
  candidates(a0: number, na: number, b0: number, nb: number, tri: boolean): number;
  candD: Float32Array;
  candCode: Int32Array;
}

export function distanceSpace(x: Matrix, leafSize: number): DistanceSpace {
  const maxList = leafSize + 8;
  const maxOut = leafSize * leafSize;
  const { rows: n, cols } = x;
  const loaded = loadRows(x, 'f32', n + 4);
  if (!loaded) {
    const out = new Float64Array(maxOut + 4 * maxList);
    const candD = new Float32Array(2 * maxOut);
    const candCode = new Int32Array(2 * maxOut);
    const bound = new Float32Array(n).fill(Infinity);
    const v = x.values;
    return {
      out,
      bound,
      candD,
      candCode,
      measure(a, na, b, nb, tri) {
        for (let r = 0; r < na; r++) {
          for (let c = tri ? r + 1 : 0; c < nb; c++) out[r * nb + c] = sqDist(v, a[r]!, b[c]!, cols);
        }
      },
      candidates(a0, na, b0, nb, tri) {
        let count = 0;
        for (let r = 0; r < na; r++) {
          for (let c = tri ? r + 1 : 0; c < nb; c++) {
            const d = Math.fround(sqDist(v, a0 + r, b0 + c, cols));
            if (d <= bound[a0 + r]! || d <= bound[b0 + c]!) {
              candD[2 * count] = d;
              candCode[2 * count + 1] = (r << 16) | c;
              count++;
            }
          }
        }
        return count;
      },
    };
  }
  const { k: kern, rows, list } = loaded;
  const listA = align16(list + 4 * (n + 4));
  const listB = listA + 4 * (maxList + 8);
  const boundAt = align16(listB + 4 * (maxList + 8));
  const outAt = align16(boundAt + 4 * n);
  ensureMemory(kern, outAt + 8 * (maxOut + 4 * maxList));
  const la = new Int32Array(kern.memory.buffer, listA, maxList + 8);
  const lb = new Int32Array(kern.memory.buffer, listB, maxList + 8);
  const bound = new Float32Array(kern.memory.buffer, boundAt, n).fill(Infinity);
  const out = new Float64Array(kern.memory.buffer, outAt, maxOut + 4 * maxList);
  const candD = new Float32Array(kern.memory.buffer, outAt, 2 * (maxOut + 4 * maxList));
  const candCode = new Int32Array(kern.memory.buffer, outAt, 2 * (maxOut + 4 * maxList));
  return {
    out,
    bound,
    candD,
    candCode,
    measure(a, na, b, nb, tri) {
      la.set(a.subarray(0, na));
      // the kernel reads rows of A four at a time: pad with a valid row
      la[na] = la[na + 1] = la[na + 2] = a[0]!;
      if (a === b && tri) {
        kern.block(rows, listA, na, listA, nb, outAt, 1);
      } else {
        lb.set(b.subarray(0, nb));
        kern.block(rows, listA, na, listB, nb, outAt, tri ? 1 : 0);
      }
    },
    candidates(a0, na, b0, nb, tri) {
      // the identity list past row n - 1 names row 0, so the groups of four stay readable
      return kern.candidates(rows, list + 4 * a0, na, list + 4 * b0, nb, outAt, tri ? 1 : 0, boundAt);
    },
  };
}

/**
 * Full lists (flat, k per row; max-heaps by distance when heapOrdered, else sorted nearest first) as a
 * graph, nearest first and ties by index: row i
 * is written to output row rowPerm[i], its entries mapped through idxMap when given.
 */
function sortRows(
  n: number,
  k: number,
  dist: Float64Array | Float32Array,
  idx: Int32Array,
  size: Int32Array,
  rowPerm: Int32Array,
  idxMap: Int32Array | null,
  heapOrdered: boolean,
): NeighborGraph {
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const sd = new Float64Array(k);
  const si = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    if (size[i] !== k) throw new Error(`internal: row ${i} holds ${size[i]} of ${k} neighbours`);
    for (let t = 0; t < k; t++) {
      sd[t] = dist[o + t]!;
      si[t] = idxMap ? idxMap[idx[o + t]!]! : idx[o + t]!;
    }
    // heapsort of the max-heap: the largest goes to the end
    for (let end = heapOrdered ? k - 1 : 0; end > 0; end--) {
      const d = sd[end]!;
      const j = si[end]!;
      sd[end] = sd[0]!;
      si[end] = si[0]!;
      let c = 0;
      for (;;) {
        const l = 2 * c + 1;
        if (l >= end) break;
        const r = l + 1;
        const m = r < end && sd[r]! > sd[l]! ? r : l;
        if (sd[m]! <= d) break;
        sd[c] = sd[m]!;
        si[c] = si[m]!;
        c = m;
      }
      sd[c] = d;
      si[c] = j;
    }
    // equal distances by index (insertion sort moves only within runs of ties)
    for (let t = 1; t < k; t++) {
      const d = sd[t]!;
      const j = si[t]!;
      let u = t - 1;
      while (u >= 0 && sd[u] === d && si[u]! > j) {
        si[u + 1] = si[u]!;
        u--;
      }
      si[u + 1] = j;
    }
    const out = rowPerm[i]! * k;
    for (let t = 0; t < k; t++) {
      indices[out + t] = si[t]!;
      distances[out + t] = Math.max(0, sd[t]!);
    }
  }
  return { n, k, indices, distances };
}

/**
 * A renumbering of the rows in the leaf order of one random-projection tree (perm[new] = old): rows
 * near each other get near numbers, so the rows and lists a search touches together share cache lines.
 */
function localityOrder(x: Matrix, leafSize: number, seed: number): { perm: Int32Array; starts: Int32Array } {
  const n = x.rows;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const src = Float64Array.from(x.values);
  const leaves: number[] = [];
  buildLeaves(src, x.cols, perm, 0, n, leafSize, createRandom(seed ^ 0x5eed), new Float64Array(n), new Float64Array(x.cols), (lo) => leaves.push(lo));
  // the leaves are visited in an arbitrary order: their starts, sorted, cut 0..n into blocks
  const starts = Int32Array.from([...leaves, n]).sort();
  return { perm, starts };
}

function permuteRows(x: Matrix, perm: Int32Array): Matrix {
  const { rows: n, cols } = x;
  const values = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) values.set(x.values.subarray(perm[i]! * cols, (perm[i]! + 1) * cols), i * cols);
  return { rows: n, cols, values };
}

/** Recursively splits order[lo, hi) by a random hyperplane between two random points until leaves are small. */
function buildLeaves(
  values: Float64Array,
  cols: number,
  order: Int32Array,
  lo: number,
  hi: number,
  leafSize: number,
  random: Random,
  proj: Float64Array,
  dir: Float64Array,
  visit: (lo: number, hi: number) => void,
): void {
  const stack: number[] = [lo, hi];
  while (stack.length) {
    const h = stack.pop()!;
    const l = stack.pop()!;
    const count = h - l;
    if (count <= leafSize) {
      visit(l, h);
      continue;
    }
    // direction: difference of two random points (falls back to a random direction)
    const a = order[l + random.int(count)]!;
    let b = order[l + random.int(count)]!;
    for (let tries = 0; tries < 3 && b === a; tries++) b = order[l + random.int(count)]!;
    let norm = 0;
    for (let c = 0; c < cols; c++) {
      const d = values[a * cols + c]! - values[b * cols + c]!;
      dir[c] = d;
      norm += d * d;
    }
    if (norm === 0) for (let c = 0; c < cols; c++) dir[c] = random.normal();
    for (let t = l; t < h; t++) {
      const o = order[t]! * cols;
      let s = 0;
      for (let c = 0; c < cols; c++) s += values[o + c]! * dir[c]!;
      proj[t] = s;
    }
    // split at the median projection (quickselect on [l, h) of order/proj together)
    const mid = l + (count >> 1);
    select(order, proj, l, h - 1, mid);
    // identical projections (duplicates) still split at mid: each half keeps a valid leaf
    stack.push(l, mid, mid, h);
  }
}

function select(order: Int32Array, key: Float64Array, lo: number, hi: number, kth: number): void {
  while (hi > lo) {
    const pivot = key[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (key[i]! < pivot) i++;
      while (key[j]! > pivot) j--;
      if (i <= j) {
        const tk = key[i]!;
        key[i] = key[j]!;
        key[j] = tk;
        const to = order[i]!;
        order[i] = order[j]!;
        order[j] = to;
        i++;
        j--;
      }
    }
    if (kth <= j) hi = j;
    else if (kth >= i) lo = i;
    else return;
  }
}

