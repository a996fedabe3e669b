// k nearest neighbours (squared Euclidean) for t-SNE input affinities.
// Exact brute force where cheap; for large n a random-projection forest gives candidates that a
// neighbour-of-neighbour pass refines (the approach of Annoy / NN-descent used by openTSNE and UMAP).

import type { Matrix, NeighborGraph } from '../types.js';
import { createRandom, type Random } from '../random.js';

export interface KnnOptions {
  /** 'auto' (default): exact when n * n * cols is small (below 4e9), approximate otherwise. */
  method?: 'auto' | 'exact' | 'approx';
  /** Seed of the random projections (approximate method only). Default 0. */
  seed?: number;
  /** Number of random-projection trees (approximate). Default: 4 + (n > 50,000 ? 2 : 0). */
  trees?: number;
  /** Leaf size of the trees (approximate). Default max(64, 2k). */
  leafSize?: number;
  /** Neighbour-of-neighbour refinement rounds (approximate). Default 2. */
  refineRounds?: number;
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
 * Exact brute force over tiles of rows: each unordered pair is measured once (four rows of a tile at a
 * time against one row of the other, so each loaded value is used four times) and offered to both rows'
 * bounded heaps. The heaps order by (distance, index), so the kept set is the k smallest by that order
 * whatever the visiting order.
 */
export function knnExact(x: Matrix, k: number): NeighborGraph {
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

/** Approximate: random-projection forest candidates, then neighbour-of-neighbour refinement. */
export function knnApprox(x: Matrix, k: number, options: KnnOptions = {}): NeighborGraph {
  const { rows: n, cols, values } = x;
  const random = createRandom(options.seed ?? 0);
  const trees = options.trees ?? 4 + (n > 50000 ? 2 : 0);
  const leafSize = Math.max(options.leafSize ?? Math.max(64, 2 * k), k + 1);
  const rounds = options.refineRounds ?? 2;

  // Current best lists, as a max-heap per row stored flat: dist[i*k..], idx[i*k..].
  const hd = new Float64Array(n * k).fill(Infinity);
  const hi = new Int32Array(n * k).fill(-1);
  const size = new Int32Array(n);
  // Marks of indices already in row i's heap are checked by a linear scan of k entries (k ~ 90) only
  // when the candidate beats the bound, which is rare after the first tree.
  const push = (i: number, d: number, j: number): boolean => {
    const o = i * k;
    const s = size[i]!;
    if (s === k && d >= hd[o]!) return false;
    for (let t = 0; t < s; t++) if (hi[o + t] === j) return false;
    if (s < k) {
      let c = s;
      size[i] = s + 1;
      while (c > 0) {
        const p = (c - 1) >> 1;
        if (hd[o + p]! >= d) break;
        hd[o + c] = hd[o + p]!;
        hi[o + c] = hi[o + p]!;
        c = p;
      }
      hd[o + c] = d;
      hi[o + c] = j;
      return true;
    }
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      if (l >= k) break;
      const r = l + 1;
      const m = r < k && hd[o + r]! > hd[o + l]! ? r : l;
      if (hd[o + m]! <= d) break;
      hd[o + c] = hd[o + m]!;
      hi[o + c] = hi[o + m]!;
      c = m;
    }
    hd[o + c] = d;
    hi[o + c] = j;
    return true;
  };

  const order = new Int32Array(n);
  const proj = new Float64Array(n);
  const dir = new Float64Array(cols);
  for (let t = 0; t < trees; t++) {
    for (let i = 0; i < n; i++) order[i] = i;
    buildLeaves(values, cols, order, 0, n, leafSize, random, proj, dir, (lo, hi2) => {
      for (let a = lo; a < hi2; a++) {
        const i = order[a]!;
        for (let b = a + 1; b < hi2; b++) {
          const j = order[b]!;
          const d = sqDist(values, i, j, cols);
          push(i, d, j);
          push(j, d, i);
        }
      }
    });
  }

  // Refinement: candidates are the neighbours of each row's neighbours (and reverse neighbours).
  // Only the nearest `fanout` entries of each list are expanded: neighbours of near neighbours are the
  // likely missing ones, and it keeps a round at n * fanout^2 distance evaluations.
  const fanout = Math.min(k, 16);
  const snapshot = new Int32Array(n * k);
  const sortD = new Float64Array(k);
  const seenBy = new Int32Array(n);
  for (let round = 0; round < rounds; round++) {
    // snapshot of each list sorted nearest first (insertion sort; lists are short)
    for (let i = 0; i < n; i++) {
      const o = i * k;
      const s = size[i]!;
      for (let t = 0; t < s; t++) {
        const d = hd[o + t]!;
        const j = hi[o + t]!;
        let u = t - 1;
        while (u >= 0 && sortD[u]! > d) {
          sortD[u + 1] = sortD[u]!;
          snapshot[o + u + 1] = snapshot[o + u]!;
          u--;
        }
        sortD[u + 1] = d;
        snapshot[o + u + 1] = j;
      }
    }
    let updates = 0;
    seenBy.fill(-1);
    for (let i = 0; i < n; i++) {
      const oi = i * k;
      const si = size[i]!;
      for (let a = 0; a < si && a < fanout; a++) {
        const j = snapshot[oi + a]!;
        const oj = j * k;
        const sj = size[j]!;
        for (let b = 0; b < sj && b < fanout; b++) {
          const m = snapshot[oj + b]!;
          // a candidate reached through several neighbours is measured once per row (the repeats
          // would be refused as duplicates anyway)
          if (m === i || seenBy[m] === i) continue;
          seenBy[m] = i;
          const d = sqDist(values, i, m, cols);
          if (push(i, d, m)) updates++;
          if (push(m, d, i)) updates++;
        }
      }
    }
    if (updates < 0.001 * n * k) break;
  }

  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const heap = new TopK(k);
  for (let i = 0; i < n; i++) {
    heap.reset();
    const o = i * k;
    for (let t = 0; t < size[i]!; t++) heap.push(hd[o + t]!, hi[o + t]!);
    // A row can only lack candidates when its tree leaves were tiny; fill by brute force then.
    if (heap.size < k) {
      for (let j = 0; j < n && heap.size < k; j++) {
        if (j === i) continue;
        let dup = false;
        for (let t = 0; t < heap.size; t++) if (heap.idx[t] === j) dup = true;
        if (!dup) heap.push(sqDist(values, i, j, cols), j);
      }
    }
    heap.write(indices, distances, o);
  }
  return { n, k, indices, distances };
}

/** Recursively splits order[lo, hi) by a random hyperplane between two random points until leaves are small. */
function buildLeaves(
  values: Float32Array,
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
