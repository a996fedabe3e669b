// Random-projection trees (Dasgupta and Freund 2008; as in annoy and pynndescent's forest): the rows in
// the leaf order of one tree (a renumbering that puts near rows at near numbers, cutting 0..n into
// blocks), and a small forest whose shared leaves give every row rough neighbour lists.

import type { Matrix } from '../../types.js';
import { createRandom, type Random } from '../../random.js';
import type { NeighborHeaps } from './heap.js';
import type { DistanceSpace } from './space.js';

/**
 * Offers every pair of rows that share a leaf, tree after tree, each pair once (a pair that shared a
 * leaf of an earlier tree is skipped), so full lists hold k distinct rows.
 */
export function forest(x: Matrix, space: DistanceSpace, trees: number, leafSize: number, random: Random, heaps: NeighborHeaps): void {
  const { rows: n, cols } = x;
  const { bound } = heaps;
  // read in place: a float32 value widens to the same double a Float64Array copy would hold
  const values = x.values;
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
 * A renumbering of the rows in the leaf order of one random-projection tree (perm[new] = old): rows
 * near each other get near numbers, so the rows and lists a search touches together share cache lines.
 */
export function localityOrder(x: Matrix, leafSize: number, seed: number): { perm: Int32Array; starts: Int32Array } {
  const n = x.rows;
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  const leaves: number[] = [];
  buildLeaves(x.values, x.cols, perm, 0, n, leafSize, createRandom(seed ^ 0x5eed), new Float64Array(n), new Float64Array(x.cols), (lo) => leaves.push(lo));
  // the leaves are visited in an arbitrary order: their starts, sorted, cut 0..n into blocks
  const starts = Int32Array.from([...leaves, n]).sort();
  return { perm, starts };
}

/** x's rows in the order perm (row i is x row perm[i]); in shared memory with shared, for a helper thread to read. */
export function permuteRows(x: Matrix, perm: Int32Array, shared = false): Matrix {
  const { rows: n, cols } = x;
  const values = shared ? new Float32Array(new SharedArrayBuffer(4 * n * cols)) : new Float32Array(n * cols);
  for (let i = 0; i < n; i++) values.set(x.values.subarray(perm[i]! * cols, (perm[i]! + 1) * cols), i * cols);
  return { rows: n, cols, values };
}

/** Recursively splits order[lo, hi) by a random hyperplane between two random points until leaves are small. */
export function buildLeaves(
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

