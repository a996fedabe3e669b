// Barnes-Hut repulsive forces on a quadtree (van der Maaten 2014): a cell whose width over its distance
// to the point is below theta acts as one body at its centre of mass.
//
// The tree lives in flat typed arrays that are rebuilt in place every iteration (no allocation once they
// have grown to size). Forces are computed by a grouped walk (Barnes 1990): the points are cut into small
// groups of neighbouring points (subtrees of at most GROUP_SIZE points); one traversal per group, with
// the opening test taken against the group's bounding box, lists the cells and points that act on the
// whole group, and every point of the group then sums that list in a tight loop. Each cell accepted for
// a group satisfies theta for every point of the group, so the result is at least as accurate as the
// per-point walk with the same theta.

import type { RepulsionFn } from '../types.js';
import { BH_MAX_PAGES, createInteract4, type Interact4 } from './bh-kernel.js';

/** Points per leaf; a leaf's points are summed exactly (unless the whole leaf passes the theta test). */
const LEAF_CAPACITY = 4;
/** Cells stop splitting below this depth (duplicates would otherwise split forever). */
const MAX_DEPTH = 48;
/** Largest group of points that share one traversal and interaction list. */
const GROUP_SIZE = 64;
/** Groups per unit of work (a chunk claimed by one thread; Z is summed per chunk, then over chunks in order). */
export const GROUPS_PER_CHUNK = 4;

/** The arrays of a tree in shared memory, for n points and up to `capacity` nodes (sharedTreeBuffers()). */
export interface SharedTreeBuffers {
  n: number;
  capacity: number;
  order: SharedArrayBuffer;
  px: SharedArrayBuffer;
  py: SharedArrayBuffer;
  groupStart: SharedArrayBuffer;
  comX: SharedArrayBuffer;
  comY: SharedArrayBuffer;
  halfWidth: SharedArrayBuffer;
  count: SharedArrayBuffer;
  start: SharedArrayBuffer;
  child: SharedArrayBuffer;
}

/** Shared arrays for a tree over n points; 4n + 64 nodes hold any map without very deep chains of cells. */
export function sharedTreeBuffers(n: number): SharedTreeBuffers {
  const capacity = 4 * n + 64;
  const b = (bytes: number) => new SharedArrayBuffer(bytes);
  return {
    n,
    capacity,
    order: b(4 * n),
    px: b(8 * n),
    py: b(8 * n),
    groupStart: b(4 * (n + 1)),
    comX: b(8 * capacity),
    comY: b(8 * capacity),
    halfWidth: b(8 * capacity),
    count: b(4 * capacity),
    start: b(4 * capacity),
    child: b(4 * capacity),
  };
}

/** A tree in fixed (shared) storage needed more nodes than it has. */
export class TreeOverflowError extends Error {}

/** A quadtree over 2-D points held in flat typed arrays, built top-down by partitioning an index array. */
export class QuadTree {
  y: Float64Array;
  n = 0;
  /** Point ids, grouped by leaf: leaf `node` holds order[start[node] .. start[node] + count[node]). */
  order: Int32Array<ArrayBufferLike> = new Int32Array(0);
  /** Per node: centre-of-mass x and y, half width of the cell, number of points, first child (-1: leaf). */
  comX: Float64Array<ArrayBufferLike> = new Float64Array(0);
  comY: Float64Array<ArrayBufferLike> = new Float64Array(0);
  halfWidth: Float64Array<ArrayBufferLike> = new Float64Array(0);
  count: Int32Array<ArrayBufferLike> = new Int32Array(0);
  start: Int32Array<ArrayBufferLike> = new Int32Array(0);
  child: Int32Array<ArrayBufferLike> = new Int32Array(0);
  nodes = 0;
  /** Coordinates in tree order (px[t], py[t] of point order[t]): leaf sums read them contiguously. */
  px: Float64Array<ArrayBufferLike> = new Float64Array(0);
  py: Float64Array<ArrayBufferLike> = new Float64Array(0);
  /** Groups: group g holds tree positions [groupStart[g], groupStart[g + 1]). */
  groupStart: Int32Array<ArrayBufferLike> = new Int32Array(0);
  groups = 0;
  private readonly stack = new Int32Array(4 * MAX_DEPTH + 16);
  private readonly work = new Float64Array(6 * (4 * MAX_DEPTH + 16));
  /**
   * Interaction list of the group being evaluated (x, y and mass of each body), the group's points and the
   * kernel's sums, all in one WebAssembly memory that the interaction kernel (bh-kernel.ts) reads.
   */
  private readonly lists = new ListMemory(1024);
  private listX = this.lists.x;
  private listY = this.lists.y;
  private listM = this.lists.m;

  /** Set when the arrays are shared buffers of fixed size. */
  private readonly fixed: boolean;

  /**
   * Builds the tree over the first n points of y. With `shared`, the tree lives in those buffers (which
   * another thread may build into and this one attach() to); otherwise in arrays of its own.
   */
  constructor(y: Float64Array, n: number, shared?: SharedTreeBuffers) {
    this.y = y;
    this.fixed = !!shared;
    if (shared) {
      this.order = new Int32Array(shared.order);
      this.px = new Float64Array(shared.px);
      this.py = new Float64Array(shared.py);
      this.groupStart = new Int32Array(shared.groupStart);
      this.comX = new Float64Array(shared.comX);
      this.comY = new Float64Array(shared.comY);
      this.halfWidth = new Float64Array(shared.halfWidth);
      this.count = new Int32Array(shared.count);
      this.start = new Int32Array(shared.start);
      this.child = new Int32Array(shared.child);
      this.n = n;
      return; // built by rebuild() or attach()
    }
    this.rebuild(y, n);
  }

  /** Takes the tree another thread has built in the shared buffers (with `nodes` nodes and `groups` groups). */
  attach(y: Float64Array, n: number, nodes: number, groups: number): void {
    this.y = y;
    this.n = n;
    this.nodes = nodes;
    this.groups = groups;
  }

  /**
   * Rebuilds the tree in place over the first n points of y (reusing its arrays). In shared storage,
   * throws TreeOverflowError when it needs more nodes than the buffers hold.
   */
  rebuild(y: Float64Array, n: number): void {
    this.y = y;
    this.n = n;
    if (this.fixed && this.order.length < n) throw new TreeOverflowError(`shared tree buffers hold ${this.order.length} points, not ${n}`);
    if (this.order.length < n) {
      this.order = new Int32Array(n);
      this.px = new Float64Array(n);
      this.py = new Float64Array(n);
      this.groupStart = new Int32Array(n + 1);
    }
    const cap = Math.max(16, Math.ceil(n / 2));
    if (this.comX.length < cap) this.allocNodes(cap);
    this.build();
    this.findGroups();
  }

  private allocNodes(cap: number): void {
    if (this.fixed) throw new TreeOverflowError(`the tree needs more than ${this.comX.length} nodes`);
    const g64 = (a: Float64Array<ArrayBufferLike>) => {
      const b = new Float64Array(cap);
      b.set(a.subarray(0, Math.min(a.length, cap)));
      return b;
    };
    const g32 = (a: Int32Array<ArrayBufferLike>) => {
      const b = new Int32Array(cap);
      b.set(a.subarray(0, Math.min(a.length, cap)));
      return b;
    };
    this.comX = g64(this.comX);
    this.comY = g64(this.comY);
    this.halfWidth = g64(this.halfWidth);
    this.count = g32(this.count);
    this.start = g32(this.start);
    this.child = g32(this.child);
  }

  private build(): void {
    const { y, n, order, px, py, work } = this;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      const a = y[2 * i]!;
      const b = y[2 * i + 1]!;
      px[i] = a;
      py[i] = b;
      if (a < minX) minX = a;
      if (a > maxX) maxX = a;
      if (b < minY) minY = b;
      if (b > maxY) maxY = b;
    }
    const hw = Math.max(maxX - minX, maxY - minY) / 2 + 1e-9;
    // work stack of (node, lo, hi, cx, cy, depth)
    let sp = 0;
    this.nodes = 1;
    this.setNode(0, 0, n, hw);
    work[sp++] = 0;
    work[sp++] = 0;
    work[sp++] = n;
    work[sp++] = (minX + maxX) / 2;
    work[sp++] = (minY + maxY) / 2;
    work[sp++] = 0;
    while (sp > 0) {
      const depth = work[--sp]!;
      const cy = work[--sp]!;
      const cx = work[--sp]!;
      const hi = work[--sp]!;
      const lo = work[--sp]!;
      const node = work[--sp]!;
      if (hi - lo <= LEAF_CAPACITY || depth >= MAX_DEPTH) continue;
      // partition [lo, hi) into quadrants: by x, then each half by y
      const midX = this.partition(lo, hi, px, cx);
      const q1 = this.partition(lo, midX, py, cy);
      const q3 = this.partition(midX, hi, py, cy);
      if (this.nodes + 4 > this.comX.length) this.allocNodes(this.comX.length * 2);
      const first = this.nodes;
      this.nodes += 4;
      this.child[node] = first;
      const qh = this.halfWidth[node]! / 2;
      for (let c = 0; c < 4; c++) {
        const clo = c === 0 ? lo : c === 1 ? q1 : c === 2 ? midX : q3;
        const chi = c === 0 ? q1 : c === 1 ? midX : c === 2 ? q3 : hi;
        const id = first + c;
        this.setNode(id, clo, chi, qh);
        if (chi - clo > LEAF_CAPACITY) {
          work[sp++] = id;
          work[sp++] = clo;
          work[sp++] = chi;
          work[sp++] = cx + (c < 2 ? -qh : qh);
          work[sp++] = cy + (c % 2 === 0 ? -qh : qh);
          work[sp++] = depth + 1;
        }
      }
    }
  }

  private setNode(id: number, lo: number, hi: number, hw: number): void {
    const { px, py } = this;
    let sx = 0;
    let sy = 0;
    for (let t = lo; t < hi; t++) {
      sx += px[t]!;
      sy += py[t]!;
    }
    const c = hi - lo;
    this.comX[id] = c ? sx / c : 0;
    this.comY[id] = c ? sy / c : 0;
    this.count[id] = c;
    this.start[id] = lo;
    this.halfWidth[id] = hw;
    this.child[id] = -1;
  }

  /** Moves points with coordinate (`key`, px or py) below `split` to the front of [lo, hi); returns the boundary. */
  private partition(lo: number, hi: number, key: Float64Array, split: number): number {
    const { order, px, py } = this;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if (key[i]! < split) i++;
      else {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        const a = px[i]!;
        px[i] = px[j]!;
        px[j] = a;
        const b = py[i]!;
        py[i] = py[j]!;
        py[j] = b;
        j--;
      }
    }
    return i;
  }

  /** Cuts the tree order into groups: the largest subtrees of at most GROUP_SIZE points, in order. */
  private findGroups(): void {
    const { stack, count, child, start, groupStart } = this;
    let g = 0;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp]!;
      const c = count[node]!;
      if (c === 0) continue;
      const first = child[node]!;
      if (c <= GROUP_SIZE || first < 0) {
        groupStart[g++] = start[node]!;
        continue;
      }
      // children in reverse, so they pop (and the groups follow) in tree order
      stack[sp++] = first + 3;
      stack[sp++] = first + 2;
      stack[sp++] = first + 1;
      stack[sp++] = first;
    }
    groupStart[g] = this.n;
    this.groups = g;
  }

  /**
   * Repulsion on the points of group g from every point of the tree: writes sum_j q^2 (p - y_j) of each
   * of its points into out[2 * id], out[2 * id + 1] and returns the group's sum of q (self pairs excluded).
   */
  groupForce(g: number, theta: number, out: Float64Array): number {
    const { comX, comY, halfWidth, count, child, start, px, py, order, stack } = this;
    const s = this.groupStart[g]!;
    const e = this.groupStart[g + 1]!;
    let x0 = Infinity;
    let x1 = -Infinity;
    let y0 = Infinity;
    let y1 = -Infinity;
    for (let t = s; t < e; t++) {
      const a = px[t]!;
      const b = py[t]!;
      if (a < x0) x0 = a;
      if (a > x1) x1 = a;
      if (b < y0) y0 = b;
      if (b > y1) y1 = b;
    }
    const theta2 = theta * theta;
    let lx = this.listX;
    let ly = this.listY;
    let lm = this.listM;
    let len = 0;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp]!;
      const c = count[node]!;
      if (c === 0) continue;
      if (len + LEAF_CAPACITY > lx.length || (c > LEAF_CAPACITY && len + c > lx.length)) {
        this.growList(Math.max(2 * lx.length, len + c + LEAF_CAPACITY));
        lx = this.listX;
        ly = this.listY;
        lm = this.listM;
      }
      const cx = comX[node]!;
      const cy = comY[node]!;
      const dx = cx < x0 ? x0 - cx : cx > x1 ? cx - x1 : 0;
      const dy = cy < y0 ? y0 - cy : cy > y1 ? cy - y1 : 0;
      const w = 2 * halfWidth[node]!;
      if (w * w < theta2 * (dx * dx + dy * dy)) {
        lx[len] = cx;
        ly[len] = cy;
        lm[len] = c;
        len++;
        continue;
      }
      const first = child[node]!;
      if (first < 0) {
        const b = start[node]!;
        for (let t = b; t < b + c; t++) {
          lx[len] = px[t]!;
          ly[len] = py[t]!;
          lm[len] = 1;
          len++;
        }
        continue;
      }
      stack[sp++] = first;
      stack[sp++] = first + 1;
      stack[sp++] = first + 2;
      stack[sp++] = first + 3;
    }
    // four points at a time, in the float32 SIMD kernel: each body of the list is loaded once for all four
    // (the group is padded to a multiple of four with copies of its last point, whose sums are dropped)
    let z = 0;
    const lists = this.lists;
    const members = e - s;
    const quads = (members + 3) >> 2;
    const f = lists.f32;
    for (let u = 0; u < 4 * quads; u++) {
      const tt = s + Math.min(u, members - 1);
      f[lists.px + u] = px[tt]!;
      f[lists.py + u] = py[tt]!;
    }
    lists.interact(lists.px, lists.py, quads, lists.lx, lists.ly, lists.lm, len, lists.out);
    for (let u = 0; u < members; u++) {
      const o = lists.out + 12 * (u >> 2) + (u & 3);
      // each point is in its group's list once: q = 1, no force
      z += f[o]! - 1;
      const i = order[s + u]!;
      out[2 * i] = f[o + 4]!;
      out[2 * i + 1] = f[o + 8]!;
    }
    return z;
  }

  private growList(size: number): void {
    this.lists.grow(size);
    this.listX = this.lists.x;
    this.listY = this.lists.y;
    this.listM = this.lists.m;
  }

  /**
   * Repulsion on the point (px, py) from every point of the tree except `self` (-1: none): adds
   * sum_j q^2 (p - y_j) into out[o], out[o + 1] and returns sum_j q. (The per-point walk, for transform.)
   */
  force(px: number, py: number, self: number, theta: number, out: Float64Array, o: number): number {
    const { comX, comY, halfWidth, count, child, start, order, px: sx, py: sy } = this;
    const stack = this.stack;
    const theta2 = theta * theta;
    let sp = 0;
    stack[sp++] = 0;
    let z = 0;
    let fx = 0;
    let fy = 0;
    while (sp > 0) {
      const node = stack[--sp]!;
      const c = count[node]!;
      if (c === 0) continue;
      const first = child[node]!;
      if (first < 0) {
        const s = start[node]!;
        for (let t = s; t < s + c; t++) {
          if (order[t] === self) continue;
          const dx = px - sx[t]!;
          const dy = py - sy[t]!;
          const q = 1 / (1 + dx * dx + dy * dy);
          z += q;
          const q2 = q * q;
          fx += q2 * dx;
          fy += q2 * dy;
        }
        continue;
      }
      const dx = px - comX[node]!;
      const dy = py - comY[node]!;
      const d2 = dx * dx + dy * dy;
      const w = 2 * halfWidth[node]!;
      if (w * w < theta2 * d2) {
        const q = 1 / (1 + d2);
        const cq = c * q;
        z += cq;
        const cq2 = cq * q;
        fx += cq2 * dx;
        fy += cq2 * dy;
      } else {
        stack[sp++] = first;
        stack[sp++] = first + 1;
        stack[sp++] = first + 2;
        stack[sp++] = first + 3;
      }
    }
    out[o]! += fx;
    out[o + 1]! += fy;
    return z;
  }
}

/** Number of chunks (units of GROUPS_PER_CHUNK groups) of a built tree. */
export function bhChunks(tree: QuadTree): number {
  return Math.ceil(tree.groups / GROUPS_PER_CHUNK);
}

/**
 * Repulsion on the points of chunk c of `tree`: writes each point's force into out[2 * id],
 * out[2 * id + 1] (chunks hold disjoint points) and returns their sum of q, summed over the groups in order.
 */
export function bhChunk(tree: QuadTree, theta: number, c: number, out: Float64Array): number {
  const g1 = Math.min(tree.groups, (c + 1) * GROUPS_PER_CHUNK);
  let z = 0;
  for (let g = c * GROUPS_PER_CHUNK; g < g1; g++) z += tree.groupForce(g, theta, out);
  return z;
}

/**
 * Barnes-Hut repulsion with accuracy theta (0.5 is the usual default; 0 is exact). Keeps its tree between
 * calls; not safe to share between threads. Z is summed per chunk and then over the chunks in order, as
 * the two-thread version does, so both give the same numbers.
 */
export function bhRepulsion(theta = 0.5): RepulsionFn {
  let tree: QuadTree | null = null;
  return (y, n, out) => {
    if (tree) tree.rebuild(y, n);
    else tree = new QuadTree(y, n);
    const chunks = bhChunks(tree);
    let z = 0;
    for (let c = 0; c < chunks; c++) z += bhChunk(tree, theta, c, out);
    return z;
  };
}

/**
 * The memory the interaction kernel works in, offsets in floats: the group's px and py (GROUP_SIZE each),
 * the kernel's sums (3 GROUP_SIZE), then the list's x, y and mass (cap each), all float32. Grows keeping the list.
 */
class ListMemory {
  readonly memory: WebAssembly.Memory;
  readonly interact: Interact4;
  readonly px = 0;
  readonly py = GROUP_SIZE;
  readonly out = 2 * GROUP_SIZE;
  readonly lx = 5 * GROUP_SIZE;
  ly: number;
  lm: number;
  cap: number;
  f32!: Float32Array;
  x!: Float32Array;
  y!: Float32Array;
  m!: Float32Array;

  constructor(cap: number) {
    this.cap = cap;
    this.ly = this.lx + cap;
    this.lm = this.ly + cap;
    this.memory = new WebAssembly.Memory({ initial: ListMemory.pages(cap), maximum: BH_MAX_PAGES, shared: true });
    this.interact = createInteract4(this.memory);
    this.views();
  }

  private static pages(cap: number): number {
    return Math.ceil(((5 * GROUP_SIZE + 3 * cap) * 4) / 65536) + 1;
  }

  private views(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.x = this.f32.subarray(this.lx, this.lx + this.cap);
    this.y = this.f32.subarray(this.ly, this.ly + this.cap);
    this.m = this.f32.subarray(this.lm, this.lm + this.cap);
  }

  /** Room for `cap` bodies; the bodies listed so far move with their arrays. */
  grow(cap: number): void {
    const need = ListMemory.pages(cap);
    const have = this.memory.buffer.byteLength / 65536;
    if (need > have) this.memory.grow(need - have);
    const d = new Float32Array(this.memory.buffer);
    const ly = this.lx + cap;
    const lm = ly + cap;
    // the regions move right: the rightmost first
    d.copyWithin(lm, this.lm, this.lm + this.cap);
    d.copyWithin(ly, this.ly, this.ly + this.cap);
    this.cap = cap;
    this.ly = ly;
    this.lm = lm;
    this.views();
  }
}
