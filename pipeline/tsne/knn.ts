// k nearest neighbours (squared Euclidean) for t-SNE input affinities.
// Exact brute force where cheap; for large n a random-projection forest gives candidates that a
// neighbour-of-neighbour pass refines (the approach of Annoy / NN-descent used by openTSNE and UMAP).

import type { Matrix, NeighborGraph } from '../types.js';
import { createRandom, type Random } from '../random.js';
import { createKernel, type DistanceKernel, type KernelPrecision } from './knn-kernel.js';

export interface KnnOptions {
  /** 'auto' (default): exact when n * n * cols is small (below 4e9), approximate otherwise. */
  method?: 'auto' | 'exact' | 'approx';
  /** Seed of the random projections (approximate method only). Default 0. */
  seed?: number;
  /** Number of random-projection trees (approximate). Default: 4 + (n > 50,000 ? 2 : 0). */
  trees?: number;
  /** Leaf size of the trees (approximate). Default max(64, 2k). */
  leafSize?: number;
  /** Most NN-descent refinement rounds (approximate); they stop early once a round changes little. Default 8. */
  refineRounds?: number;
  /** New and old candidates sampled per row in each NN-descent round (approximate). Default 24. */
  maxCandidates?: number;
}

/** Work of a brute-force search above which 'auto' switches to the approximate method. */
const EXACT_WORK_LIMIT = 4e9;

/** The k nearest neighbours of every row of x (excluding the row itself), nearest first. */
export function knn(x: Matrix, k: number, options: KnnOptions = {}): NeighborGraph {
  const n = x.rows;
  if (k < 1 || k > n - 1) throw new RangeError(`k must be in [1, ${n - 1}], got ${k}`);
  const method = options.method ?? 'auto';
  const exact = method === 'exact' || (method === 'auto' && n * n * x.cols <= EXACT_WORK_LIMIT);
  return exact ? knnExact(x, k) : knnApprox(x, k, options);
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
  const perm = localityOrder(x, Math.max(TILE, 2 * k), 0);
  const xp = permuteRows(x, perm);
  const loaded = loadRows(xp, 'f64', n + 4);
  if (!loaded) return knnExactJs(x, k);
  const { k: kern, rows, list } = loaded;
  const out = align16(list + 4 * (n + 4));
  ensureMemory(kern, out + 8 * TILE * TILE);
  const hd = new Float64Array(n * k);
  const hi = new Int32Array(n * k);
  const size = new Int32Array(n);
  // bound[i]: the worst kept distance once row i's heap is full (Infinity before)
  const bound = new Float64Array(n).fill(Infinity);
  // j is an original index; i a renumbered row
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
  return sortRows(n, k, hd, hi, size, perm, null);
}

/** knnExact in plain JavaScript, where WebAssembly SIMD is unavailable. */
function knnExactJs(x: Matrix, k: number): NeighborGraph {
  const { rows: n, cols, values: v } = x;
  const hd = new Float64Array(n * k);
  const hi = new Int32Array(n * k);
  const size = new Int32Array(n);
  // bound[i]: the worst kept distance once row i's heap is full (Infinity before)
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

/** Exact k nearest reference rows of each query row (for transform). */
export function knnQuery(reference: Matrix, queries: Matrix, k: number): NeighborGraph {
  if (reference.cols !== queries.cols) {
    throw new RangeError(`queries have ${queries.cols} columns, the reference ${reference.cols}`);
  }
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
 * Per-row bounded max-heaps of (squared distance, index) over flat arrays, with a "new" flag per entry
 * for NN-descent. bound[i] is the worst kept distance once row i holds k entries (Infinity before), so
 * callers reject most candidates with one comparison before calling push.
 */
class Heaps {
  readonly dist: Float32Array;
  readonly idx: Int32Array;
  readonly isNew: Uint8Array;
  readonly size: Int32Array;
  readonly bound: Float64Array;
  /** Per-row open-addressing set of the kept indices (stored as index + 1, 0 = empty, linear probing). */
  readonly table: Int32Array;
  readonly bits: number;
  constructor(
    readonly n: number,
    readonly k: number,
  ) {
    this.dist = new Float32Array(n * k);
    this.idx = new Int32Array(n * k);
    this.isNew = new Uint8Array(n * k);
    this.size = new Int32Array(n);
    this.bound = new Float64Array(n).fill(Infinity);
    // at least 1.4 k slots: load factor <= 0.71, a few probes per lookup
    let bits = 1;
    while (1 << bits < 1.4 * k) bits++;
    this.bits = bits;
    this.table = new Int32Array(n << bits);
  }
  has(i: number, j: number): boolean {
    const { table, bits } = this;
    const mask = (1 << bits) - 1;
    const base = i << bits;
    const key = j + 1;
    for (let h = Math.imul(j, 0x9e3779b1) >>> (32 - bits); ; h = (h + 1) & mask) {
      const e = table[base + h]!;
      if (e === key) return true;
      if (e === 0) return false;
    }
  }
  private insertKey(i: number, j: number): void {
    const { table, bits } = this;
    const mask = (1 << bits) - 1;
    const base = i << bits;
    let h = Math.imul(j, 0x9e3779b1) >>> (32 - bits);
    while (table[base + h] !== 0) h = (h + 1) & mask;
    table[base + h] = j + 1;
  }
  /** Removes j from row i's set (backward-shift deletion keeps probe chains intact). */
  private removeKey(i: number, j: number): void {
    const { table, bits } = this;
    const mask = (1 << bits) - 1;
    const base = i << bits;
    let h = Math.imul(j, 0x9e3779b1) >>> (32 - bits);
    while (table[base + h] !== j + 1) h = (h + 1) & mask;
    let hole = h;
    for (let t = (hole + 1) & mask; ; t = (t + 1) & mask) {
      const e = table[base + t]!;
      if (e === 0) break;
      const home = Math.imul(e - 1, 0x9e3779b1) >>> (32 - bits);
      // move e into the hole unless its home lies cyclically in (hole, t]
      if (((t - home) & mask) >= ((t - hole) & mask)) {
        table[base + hole] = e;
        hole = t;
      }
    }
    table[base + hole] = 0;
  }
  /** Offers j at distance d to row i; 1 if it entered the list, 0 if not better or already there. */
  push(i: number, d: number, j: number): number {
    const { dist, idx, isNew, size, k } = this;
    const o = i * k;
    const s = size[i]!;
    if (s === k && d >= dist[o]!) return 0;
    if (this.has(i, j)) return 0;
    this.insertKey(i, j);
    if (s < k) {
      let c = s;
      size[i] = s + 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (dist[o + p]! >= d) break;
        dist[o + c] = dist[o + p]!;
        idx[o + c] = idx[o + p]!;
        isNew[o + c] = isNew[o + p]!;
        c = p;
      }
      dist[o + c] = d;
      idx[o + c] = j;
      isNew[o + c] = 1;
      if (s + 1 === k) this.bound[i] = dist[o]!;
      return 1;
    }
    this.removeKey(i, idx[o]!);
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const m = r < k && dist[o + r]! > dist[o + l]! ? r : l;
      if (dist[o + m]! <= d) break;
      dist[o + c] = dist[o + m]!;
      idx[o + c] = idx[o + m]!;
      isNew[o + c] = isNew[o + m]!;
      c = m;
    }
    dist[o + c] = d;
    idx[o + c] = j;
    isNew[o + c] = 1;
    this.bound[i] = dist[o]!;
    return 1;
  }
}

/** Squared norms of the rows, accumulated in the same order as dot() so that d(i, i) is exactly 0. */
function rowNorms(v: Float64Array, n: number, cols: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = dot(v, i * cols, i * cols, cols);
  return out;
}

/** Dot product of two rows (offsets oa, ob), four partial sums for instruction-level parallelism. */
function dot(v: Float64Array, oa: number, ob: number, cols: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let c = 0;
  for (; c + 4 <= cols; c += 4) {
    s0 += v[oa + c]! * v[ob + c]!;
    s1 += v[oa + c + 1]! * v[ob + c + 1]!;
    s2 += v[oa + c + 2]! * v[ob + c + 2]!;
    s3 += v[oa + c + 3]! * v[ob + c + 3]!;
  }
  for (; c < cols; c++) s0 += v[oa + c]! * v[ob + c]!;
  return s0 + s1 + (s2 + s3);
}

/** A deterministic pseudo-random 31-bit priority of the pair (a, b) in round r (sampling in NN-descent). */
function priority(a: number, b: number, r: number): number {
  let h = Math.imul(a ^ 0x5bd1e995, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca6b) ^ Math.imul(r + 1, 0xc2b2ae35);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h & 0x7fffffff;
}

/**
 * Approximate: a random-projection forest seeds each row's list with the rows sharing its leaves, then
 * NN-descent (Dong et al. 2011, as in PyNNDescent) refines it: in each round, for every row, the pairs
 * among its sampled new neighbours and reverse neighbours (and new x old) are measured and offered to
 * both ends. Squared distances come from ||a||^2 + ||b||^2 - 2 a.b in float64.
 */
export function knnApprox(x: Matrix, k: number, options: KnnOptions = {}): NeighborGraph {
  const { rows: n, cols } = x;
  const random = createRandom(options.seed ?? 0);
  const trees = options.trees ?? defaultTrees(n);
  const leafSize = Math.max(options.leafSize ?? Math.max(64, 2 * k), k + 1);
  const rounds = options.refineRounds ?? 8;

  // Work on the rows renumbered in the leaf order of one random-projection tree: near rows get near
  // numbers, so the rows and lists touched together share cache lines (the search is memory-bound).
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  {
    const src = Float64Array.from(x.values);
    buildLeaves(src, cols, perm, 0, n, leafSize, random, new Float64Array(n), new Float64Array(cols), () => {});
  }
  const values = new Float64Array(n * cols);
  for (let i = 0; i < n; i++) {
    const o = perm[i]! * cols;
    for (let c = 0; c < cols; c++) values[i * cols + c] = x.values[o + c]!;
  }
  const norms = rowNorms(values, n, cols);
  const heaps = new Heaps(n, k);

  forest(values, norms, n, cols, trees, leafSize, random, heaps);
  nnDescent(values, norms, cols, heaps, rounds, options.maxCandidates ?? 24, options.seed ?? 0);
  // A row can only lack candidates when its tree leaves were tiny; fill by brute force then.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n && heaps.size[i]! < k; j++) {
      if (j !== i) heaps.push(i, Math.max(0, norms[i]! + norms[j]! - 2 * dot(values, i * cols, j * cols, cols)), j);
    }
  }
  return sortRows(n, k, heaps.dist, heaps.idx, heaps.size, perm, perm);
}

/**
 * Full heaps (max-heaps by distance, flat, k per row) as a graph, nearest first and ties by index: row i
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
    for (let end = k - 1; end > 0; end--) {
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
function localityOrder(x: Matrix, leafSize: number, seed: number): Int32Array {
  const n = x.rows;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const src = Float64Array.from(x.values);
  buildLeaves(src, x.cols, perm, 0, n, leafSize, createRandom(seed ^ 0x5eed), new Float64Array(n), new Float64Array(x.cols), () => {});
  return perm;
}

function permuteRows(x: Matrix, perm: Int32Array): Matrix {
  const { rows: n, cols } = x;
  const values = new Float32Array(n * cols);
  for (let i = 0; i < n; i++) values.set(x.values.subarray(perm[i]! * cols, (perm[i]! + 1) * cols), i * cols);
  return { rows: n, cols, values };
}

function defaultTrees(n: number): number {
  return n > 50000 ? 6 : 4;
}

/** Offers every pair of rows that share a leaf, tree after tree (pairs measured four rows at a time). */
function forest(
  values: Float64Array,
  norms: Float64Array,
  n: number,
  cols: number,
  trees: number,
  leafSize: number,
  random: Random,
  heaps: Heaps,
): void {
  const { bound } = heaps;
  const order = new Int32Array(n);
  const proj = new Float64Array(n);
  const dir = new Float64Array(cols);
  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < n; i++) order[i] = i;
    buildLeaves(values, cols, order, 0, n, leafSize, random, proj, dir, (lo, hi) => {
      let a = lo;
      for (; a + 4 <= hi; a += 4) {
        const i0 = order[a]!;
        const i1 = order[a + 1]!;
        const i2 = order[a + 2]!;
        const i3 = order[a + 3]!;
        const o0 = i0 * cols;
        const o1 = i1 * cols;
        const o2 = i2 * cols;
        const o3 = i3 * cols;
        // the pairs inside the group of four
        offerPair(heaps, i0, i1, norms[i0]! + norms[i1]! - 2 * dot(values, o0, o1, cols));
        offerPair(heaps, i0, i2, norms[i0]! + norms[i2]! - 2 * dot(values, o0, o2, cols));
        offerPair(heaps, i0, i3, norms[i0]! + norms[i3]! - 2 * dot(values, o0, o3, cols));
        offerPair(heaps, i1, i2, norms[i1]! + norms[i2]! - 2 * dot(values, o1, o2, cols));
        offerPair(heaps, i1, i3, norms[i1]! + norms[i3]! - 2 * dot(values, o1, o3, cols));
        offerPair(heaps, i2, i3, norms[i2]! + norms[i3]! - 2 * dot(values, o2, o3, cols));
        for (let b = a + 4; b < hi; b++) {
          const j = order[b]!;
          const oj = j * cols;
          let s0 = 0;
          let s1 = 0;
          let s2 = 0;
          let s3 = 0;
          for (let c = 0; c < cols; c++) {
            const w = values[oj + c]!;
            s0 += values[o0 + c]! * w;
            s1 += values[o1 + c]! * w;
            s2 += values[o2 + c]! * w;
            s3 += values[o3 + c]! * w;
          }
          const nj = norms[j]!;
          const bj = bound[j]!;
          let d = norms[i0]! + nj - 2 * s0;
          if (d < bound[i0]!) heaps.push(i0, d, j);
          if (d < bj) heaps.push(j, d, i0);
          d = norms[i1]! + nj - 2 * s1;
          if (d < bound[i1]!) heaps.push(i1, d, j);
          if (d < bj) heaps.push(j, d, i1);
          d = norms[i2]! + nj - 2 * s2;
          if (d < bound[i2]!) heaps.push(i2, d, j);
          if (d < bj) heaps.push(j, d, i2);
          d = norms[i3]! + nj - 2 * s3;
          if (d < bound[i3]!) heaps.push(i3, d, j);
          if (d < bj) heaps.push(j, d, i3);
        }
      }
      for (; a < hi; a++) {
        const i = order[a]!;
        for (let b = a + 1; b < hi; b++) {
          const j = order[b]!;
          offerPair(heaps, i, j, norms[i]! + norms[j]! - 2 * dot(values, i * cols, j * cols, cols));
        }
      }
    });
  }
}

function offerPair(heaps: Heaps, i: number, j: number, d: number): number {
  let u = 0;
  if (d < heaps.bound[i]!) u += heaps.push(i, d, j);
  if (d < heaps.bound[j]!) u += heaps.push(j, d, i);
  return u;
}

/**
 * NN-descent rounds. Each row's candidate lists hold at most maxCandidates new and old entries, sampled
 * by a seeded hash priority (so the result does not depend on visiting order); a sampled new entry turns
 * old. Stops after `rounds` rounds or when a round changes fewer than 0.1% of the n * k entries.
 */
function nnDescent(
  values: Float64Array,
  norms: Float64Array,
  cols: number,
  heaps: Heaps,
  rounds: number,
  maxCandidates: number,
  seed: number,
): void {
  const { n, k, idx, isNew, size, bound } = heaps;
  const m = maxCandidates;
  const newIdx = new Int32Array(n * m);
  const newPri = new Int32Array(n * m);
  const newSize = new Int32Array(n);
  const oldIdx = new Int32Array(n * m);
  const oldPri = new Int32Array(n * m);
  const oldSize = new Int32Array(n);
  // bounded max-heap by priority: keeps the m smallest priorities
  const add = (ci: Int32Array, cp: Int32Array, cs: Int32Array, i: number, j: number, p: number): void => {
    const o = i * m;
    const s = cs[i]!;
    for (let t = o, e = o + s; t < e; t++) if (ci[t] === j) return;
    if (s < m) {
      let c = s;
      cs[i] = s + 1;
      while (c > 0) {
        const q = (c - 1) >> 1;
        if (cp[o + q]! >= p) break;
        cp[o + c] = cp[o + q]!;
        ci[o + c] = ci[o + q]!;
        c = q;
      }
      cp[o + c] = p;
      ci[o + c] = j;
      return;
    }
    if (p >= cp[o]!) return;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= m) break;
      const r = l + 1;
      const q = r < m && cp[o + r]! > cp[o + l]! ? r : l;
      if (cp[o + q]! <= p) break;
      cp[o + c] = cp[o + q]!;
      ci[o + c] = ci[o + q]!;
      c = q;
    }
    cp[o + c] = p;
    ci[o + c] = j;
  };
  const mix = seed * 7919;
  for (let round = 0; round < rounds; round++) {
    newSize.fill(0);
    oldSize.fill(0);
    for (let i = 0; i < n; i++) {
      const o = i * k;
      for (let t = 0; t < size[i]!; t++) {
        const j = idx[o + t]!;
        const p = priority(Math.min(i, j), Math.max(i, j), round + mix);
        if (isNew[o + t]) {
          add(newIdx, newPri, newSize, i, j, p);
          add(newIdx, newPri, newSize, j, i, p);
        } else {
          add(oldIdx, oldPri, oldSize, i, j, p);
          add(oldIdx, oldPri, oldSize, j, i, p);
        }
      }
    }
    // entries sampled as new candidates of their own row are old from now on
    for (let i = 0; i < n; i++) {
      const o = i * k;
      const c = i * m;
      const cs = newSize[i]!;
      for (let t = 0; t < size[i]!; t++) {
        if (!isNew[o + t]) continue;
        const j = idx[o + t]!;
        for (let u = c; u < c + cs; u++) {
          if (newIdx[u] === j) {
            isNew[o + t] = 0;
            break;
          }
        }
      }
    }
    let updates = 0;
    for (let v = 0; v < n; v++) {
      const c = v * m;
      const ns = newSize[v]!;
      const os = oldSize[v]!;
      for (let a = 0; a < ns; a++) {
        const p = newIdx[c + a]!;
        const op = p * cols;
        const np = norms[p]!;
        for (let b = a + 1; b < ns; b++) {
          const q = newIdx[c + b]!;
          const d = np + norms[q]! - 2 * dot(values, op, q * cols, cols);
          if (d < bound[p]!) updates += heaps.push(p, d, q);
          if (d < bound[q]!) updates += heaps.push(q, d, p);
        }
        for (let b = 0; b < os; b++) {
          const q = oldIdx[c + b]!;
          if (q === p) continue;
          const d = np + norms[q]! - 2 * dot(values, op, q * cols, cols);
          if (d < bound[p]!) updates += heaps.push(p, d, q);
          if (d < bound[q]!) updates += heaps.push(q, d, p);
        }
      }
    }
    if (updates <= 0.001 * n * k) break;
  }
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

