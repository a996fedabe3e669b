// The one bounded heap of the neighbour searches (exact, query, approximate, and server/nearest.ts and
// metrics.ts): per row a max-heap of the k nearest (distance, index) pairs, flat (k per row), ordered by
// (distance, index), so the kept set is the k smallest by that order whatever the order of the offers (two
// threads may share the work) and ties go to the lower index. bound[i] is row i's worst kept distance once
// it holds k entries (Infinity before), so callers reject most offers with one comparison (d <= bound[i]).
// There is no duplicate check: callers offer each pair once (the forest's lists only count links between
// blocks, where a repeat does no harm).

import type { NeighborGraph } from '../../types.js';

type Distances = Float32Array | Float64Array;

export interface HeapOptions {
  /** Distances kept as float32 ('f32', the approximate search) or float64 ('f64', default). */
  precision?: 'f32' | 'f64';
  /** The array of per-row bounds (n entries of the precision's type), e.g. inside a kernel's memory. */
  bound?: Distances;
  /** The heaps' arrays in shared memory (a helper thread's heaps). */
  shared?: { dist: SharedArrayBuffer; idx: SharedArrayBuffer; size: SharedArrayBuffer };
}

export class NeighborHeaps {
  /** n x k distances; row i's heap is dist[i * k .. i * k + size[i]). */
  readonly dist: Distances;
  /** n x k indices beside dist. */
  readonly idx: Int32Array;
  /** Entries held per row. */
  readonly size: Int32Array;
  /** Per row: the worst kept distance once full, Infinity before (or the bound set by restart()). */
  readonly bound: Distances;
  constructor(
    readonly n: number,
    readonly k: number,
    options: HeapOptions = {},
  ) {
    const f32 = options.precision === 'f32';
    const { shared } = options;
    this.dist = shared
      ? f32
        ? new Float32Array(shared.dist)
        : new Float64Array(shared.dist)
      : f32
        ? new Float32Array(n * k)
        : new Float64Array(n * k);
    this.idx = shared ? new Int32Array(shared.idx) : new Int32Array(n * k);
    this.size = shared ? new Int32Array(shared.size) : new Int32Array(n);
    this.bound = options.bound ?? (f32 ? new Float32Array(n) : new Float64Array(n));
    this.bound.fill(Infinity);
  }
  /** Empty heaps whose rows accept only offers up to the given bounds until they are full. */
  restart(bounds: Distances): void {
    this.size.fill(0);
    this.bound.set(bounds);
  }
  /** Empties row i (its bound back to Infinity). */
  clear(i: number): void {
    this.size[i] = 0;
    this.bound[i] = Infinity;
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
  /**
   * Row i's entries nearest first (ties by lower index) into idx/dist from offset (distances as kept,
   * squared for the searches here); returns their number. Leaves the heap as it was.
   */
  sortedRow(i: number, outIdx: Int32Array, outDist: Distances, offset = 0): number {
    const { k } = this;
    const s = this.size[i]!;
    const order = Array.from({ length: s }, (_, t) => i * k + t);
    order.sort((a, b) => this.dist[a]! - this.dist[b]! || this.idx[a]! - this.idx[b]!);
    for (let t = 0; t < s; t++) {
      outIdx[offset + t] = this.idx[order[t]!]!;
      outDist[offset + t] = this.dist[order[t]!]!;
    }
    return s;
  }
}

/**
 * Full lists (flat, k per row; max-heaps by distance when heapOrdered, else sorted nearest first) as a
 * graph, nearest first and ties by index: row i
 * is written to output row rowPerm[i] (i when null), its entries mapped through idxMap when given.
 */
export function heapsToGraph(
  n: number,
  k: number,
  dist: Float64Array | Float32Array,
  idx: Int32Array,
  size: Int32Array,
  rowPerm: Int32Array | null,
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
    const out = (rowPerm ? rowPerm[i]! : i) * k;
    for (let t = 0; t < k; t++) {
      indices[out + t] = si[t]!;
      distances[out + t] = Math.max(0, sd[t]!);
    }
  }
  return { n, k, indices, distances };
}

