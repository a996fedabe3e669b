// Barnes-Hut repulsive forces on a quadtree (van der Maaten 2014): a cell whose width over its distance
// to the point is below theta acts as one body at its centre of mass.

import type { RepulsionFn } from '../types.js';

/** Points per leaf; a leaf's points are summed exactly. */
const LEAF_CAPACITY = 4;
/** Cells stop splitting below this depth (duplicates would otherwise split forever). */
const MAX_DEPTH = 48;

/** A quadtree over 2-D points held in flat typed arrays, built top-down by partitioning an index array. */
export class QuadTree {
  /** Point ids, grouped by leaf: leaf `node` holds order[start[node] .. start[node] + count[node]). */
  order: Int32Array;
  /** Per node: centre-of-mass x and y, half width of the cell, number of points, first child (-1: leaf). */
  comX: Float64Array;
  comY: Float64Array;
  halfWidth: Float64Array;
  count: Int32Array;
  start: Int32Array;
  child: Int32Array;
  nodes = 0;
  /** Coordinates in tree order (px[t], py[t] of point order[t]): leaf sums read them contiguously. */
  px: Float64Array;
  py: Float64Array;
  private stack: Int32Array;

  constructor(
    readonly y: Float64Array,
    readonly n: number,
  ) {
    this.order = new Int32Array(n);
    const cap = Math.max(16, 2 * n);
    this.comX = new Float64Array(cap);
    this.comY = new Float64Array(cap);
    this.halfWidth = new Float64Array(cap);
    this.count = new Int32Array(cap);
    this.start = new Int32Array(cap);
    this.child = new Int32Array(cap);
    this.stack = new Int32Array(4 * MAX_DEPTH + 16);
    this.px = new Float64Array(n);
    this.py = new Float64Array(n);
    this.build();
    for (let t = 0; t < n; t++) {
      const p = this.order[t]!;
      this.px[t] = y[2 * p]!;
      this.py[t] = y[2 * p + 1]!;
    }
  }

  private grow(): void {
    const cap = this.comX.length * 2;
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
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
    const { y, n, order } = this;
    let minX = Infinity;
    let minY = Infinity;
    let maxX = -Infinity;
    let maxY = -Infinity;
    for (let i = 0; i < n; i++) {
      order[i] = i;
      const a = y[2 * i]!;
      const b = y[2 * i + 1]!;
      if (a < minX) minX = a;
      if (a > maxX) maxX = a;
      if (b < minY) minY = b;
      if (b > maxY) maxY = b;
    }
    const hw = Math.max(maxX - minX, maxY - minY) / 2 + 1e-9;
    // work list of (node, lo, hi, cx, cy, depth)
    const work: number[] = [];
    this.nodes = 1;
    this.setNode(0, 0, n, hw);
    work.push(0, 0, n, (minX + maxX) / 2, (minY + maxY) / 2, 0);
    while (work.length) {
      const depth = work.pop()!;
      const cy = work.pop()!;
      const cx = work.pop()!;
      const hi = work.pop()!;
      const lo = work.pop()!;
      const node = work.pop()!;
      const h = this.halfWidth[node]!;
      if (hi - lo <= LEAF_CAPACITY || depth >= MAX_DEPTH) {
        this.child[node] = -1;
        continue;
      }
      // partition [lo, hi) into quadrants: by x, then each half by y
      const midX = this.partition(lo, hi, 0, cx);
      const q1 = this.partition(lo, midX, 1, cy);
      const q3 = this.partition(midX, hi, 1, cy);
      const bounds = [lo, q1, midX, q3, hi];
      while (this.nodes + 4 > this.comX.length) this.grow();
      const first = this.nodes;
      this.nodes += 4;
      this.child[node] = first;
      const qh = h / 2;
      for (let c = 0; c < 4; c++) {
        const clo = bounds[c]!;
        const chi = bounds[c + 1]!;
        const id = first + c;
        this.setNode(id, clo, chi, qh);
        if (chi > clo) {
          const ccx = cx + (c < 2 ? -qh : qh);
          const ccy = cy + (c % 2 === 0 ? -qh : qh);
          work.push(id, clo, chi, ccx, ccy, depth + 1);
        } else {
          this.child[id] = -1;
        }
      }
    }
  }

  private setNode(id: number, lo: number, hi: number, hw: number): void {
    const { y, order } = this;
    let sx = 0;
    let sy = 0;
    for (let t = lo; t < hi; t++) {
      const p = order[t]!;
      sx += y[2 * p]!;
      sy += y[2 * p + 1]!;
    }
    const c = hi - lo;
    this.comX[id] = c ? sx / c : 0;
    this.comY[id] = c ? sy / c : 0;
    this.count[id] = c;
    this.start[id] = lo;
    this.halfWidth[id] = hw;
    this.child[id] = -1;
  }

  /** Moves points with coordinate `dim` below `split` to the front of [lo, hi); returns the boundary. */
  private partition(lo: number, hi: number, dim: number, split: number): number {
    const { y, order } = this;
    let i = lo;
    let j = hi - 1;
    while (i <= j) {
      if (y[2 * order[i]! + dim]! < split) i++;
      else {
        const t = order[i]!;
        order[i] = order[j]!;
        order[j] = t;
        j--;
      }
    }
    return i;
  }

  /**
   * Repulsion on the point (px, py) from every point of the tree except `self` (-1: none): adds
   * sum_j q^2 (p - y_j) into out[o], out[o + 1] and returns sum_j q.
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

/** Barnes-Hut repulsion with accuracy theta (0.5 is the usual default; 0 is exact). */
export function bhRepulsion(theta = 0.5): RepulsionFn {
  return (y, n, out) => {
    const tree = new QuadTree(y, n);
    out.fill(0, 0, 2 * n);
    let z = 0;
    // points in tree order: neighbours in space follow each other, so traversals share cached nodes
    const order = tree.order;
    for (let t = 0; t < n; t++) {
      const i = order[t]!;
      z += tree.force(tree.px[t]!, tree.py[t]!, i, theta, out, 2 * i);
    }
    return z;
  };
}

/**
 * Repulsion on the points at tree-order positions [t0, t1) of `tree`: writes each point's force into
 * out[2 * id], out[2 * id + 1] (callers split the positions into disjoint ranges) and returns their sum of q.
 */
export function bhRange(tree: QuadTree, theta: number, t0: number, t1: number, out: Float64Array): number {
  const order = tree.order;
  let z = 0;
  for (let t = t0; t < t1; t++) {
    const i = order[t]!;
    out[2 * i] = 0;
    out[2 * i + 1] = 0;
    z += tree.force(tree.px[t]!, tree.py[t]!, i, theta, out, 2 * i);
  }
  return z;
}
