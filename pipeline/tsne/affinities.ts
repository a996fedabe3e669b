// t-SNE input affinities: Gaussian bandwidths by binary search to a target perplexity over each row's
// k nearest neighbours, then the symmetrized, normalized sparse P.

import type { NeighborGraph, SparseMatrix } from '../types.js';

export interface ConditionalAffinities {
  n: number;
  k: number;
  /** Same layout as the neighbour graph: p(j | i) for the neighbours of row i, each row sums to 1. */
  values: Float64Array;
  /** The precision 1 / (2 sigma_i^2) found for each row. */
  beta: Float64Array;
}

/** Largest absolute error in entropy (nats) the binary search accepts. Default tolerance of bhtsne. */
const ENTROPY_TOLERANCE = 1e-5;
const MAX_STEPS = 200;

/**
 * p(j | i) proportional to exp(-beta_i * d_ij) over row i's neighbours, beta_i chosen so that the
 * entropy is log(perplexity). Distances are squared Euclidean. Rows whose neighbours all sit at the same
 * distance (duplicates) get uniform weights.
 *
 * The search for beta takes Newton steps on the entropy H(beta), whose derivative is
 * -beta * Var_p(d), inside a bisection bracket (a step leaving the bracket, or going nowhere, bisects
 * instead); it converges in a handful of steps where plain bisection (bhtsne's) takes tens, each step
 * costing k exponentials.
 */
export function conditionalAffinities(graph: NeighborGraph, perplexity: number): ConditionalAffinities {
  const { n, k, distances } = graph;
  if (!(perplexity > 0)) throw new RangeError(`perplexity must be positive, got ${perplexity}`);
  const target = Math.log(Math.min(perplexity, k));
  const values = new Float64Array(n * k);
  const betas = new Float64Array(n);
  const d = new Float64Array(k);
  const w = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const dmin = distances[o]!; // nearest first
    // shifted distances; beta ~ 1 / mean shifted distance as the starting point
    let mean = 0;
    for (let t = 0; t < k; t++) {
      d[t] = distances[o + t]! - dmin;
      mean += d[t]!;
    }
    mean /= k;
    let beta = mean > 0 ? 1 / mean : 1;
    let lo = 0;
    let hi = Infinity;
    let current = false; // whether w holds the weights of the final beta
    for (let step = 0; step < MAX_STEPS; step++) {
      let sum = 0;
      let sumD = 0;
      let sumD2 = 0;
      for (let t = 0; t < k; t++) {
        const dt = d[t]!;
        const p = Math.exp(-beta * dt);
        w[t] = p;
        sum += p;
        sumD += dt * p;
        sumD2 += dt * dt * p;
      }
      const meanD = sumD / sum;
      const entropy = Math.log(sum) + beta * meanD;
      const diff = entropy - target;
      if (Math.abs(diff) < ENTROPY_TOLERANCE) {
        current = true;
        break;
      }
      if (diff > 0) lo = beta; // too flat: sharpen
      else hi = beta;
      // Newton: H' = -beta * Var(d), so the step is diff / (beta * Var(d))
      const variance = sumD2 / sum - meanD * meanD;
      let next = beta + diff / (beta * variance);
      if (!(next > lo && next < hi) || !Number.isFinite(next) || next === beta) {
        next = hi === Infinity ? beta * 2 : (lo + hi) / 2;
      }
      beta = next;
      if (!Number.isFinite(beta) || beta > 1e300) break;
    }
    let sum = 0;
    for (let t = 0; t < k; t++) {
      if (!current) w[t] = Math.exp(-beta * d[t]!);
      sum += w[t]!;
    }
    if (!(sum > 0) || !Number.isFinite(sum)) {
      for (let t = 0; t < k; t++) values[o + t] = 1 / k;
    } else {
      for (let t = 0; t < k; t++) values[o + t] = w[t]! / sum;
    }
    betas[i] = beta;
  }
  return { n, k, values, beta: betas };
}

/**
 * P = (P_cond + P_cond^T) / (2n) as CSR (column order within a row unspecified). Sums to 1.
 *
 * Row i's entries are its in-neighbours i' < i (rows whose lists hold i, in row order), its own k
 * neighbours, then its in-neighbours i' > i; a column met twice (mutual neighbours) adds to its first place.
 * The transpose is kept as positions into the graph (4 bytes per edge) and the output is sized exactly by a
 * first counting pass, so building P holds about 16 bytes per edge besides the graph, where a list of both
 * directions merged afterwards held about 64.
 */
export function symmetrize(graph: NeighborGraph, cond: ConditionalAffinities): SparseMatrix {
  return build(graph, cond, false).p;
}

/**
 * P as the optimizer holds it (TsneOptimizer, optimize.ts): the same entries as symmetrize(), renumbered in
 * the breadth-first order of P's own graph (localityOrder: input point i is point rank[i], row r of p is input
 * row i with rank[i] = r, its columns renumbered, its entries in symmetrize's order), in shared memory for the
 * forces' helper thread. Built straight into that order, so P exists once: building it in the input's order and
 * renumbering a copy held both (24 bytes per edge instead of 12).
 */
export function symmetrizeOrdered(graph: NeighborGraph, cond: ConditionalAffinities): OrderedAffinities {
  return build(graph, cond, true);
}

/** P renumbered for locality (symmetrizeOrdered, TsneOptimizer). */
export interface OrderedAffinities {
  /** P with rows and columns renumbered: input point i is point rank[i]. */
  p: SparseMatrix;
  rank: Int32Array;
  /** sum of p log p over P's entries, summed in the input's order (so the KL is the same either way). */
  pLogP: number;
}

/**
 * Breadth-first order of a graph from point 0 (then from each point not yet reached): returns rank, the
 * position of each point in that order. forEachNeighbour(u, visit) visits u's neighbours in order. Neighbours
 * get near positions, so the attractive forces read the positions of a row's neighbours from a few cache lines
 * instead of all over the array.
 */
export function breadthFirstOrder(n: number, forEachNeighbour: (u: number, visit: (v: number) => void) => void): Int32Array {
  const rank = new Int32Array(n).fill(-1);
  const queue = new Int32Array(n);
  let head = 0;
  let tail = 0;
  const visit = (v: number): void => {
    if (rank[v]! < 0) {
      rank[v] = tail;
      queue[tail++] = v;
    }
  };
  for (let s = 0; s < n; s++) {
    if (rank[s]! >= 0) continue;
    visit(s);
    while (head < tail) forEachNeighbour(queue[head++]!, visit);
  }
  return rank;
}

/** Sum of v log v over the positive values. */
export function sumPLogP(values: Float64Array): number {
  let s = 0;
  for (let e = 0; e < values.length; e++) {
    const v = values[e]!;
    if (v > 0) s += v * Math.log(v);
  }
  return s;
}

/** symmetrize() in the input's order (identity rank), or renumbered by locality into shared memory. */
function build(graph: NeighborGraph, cond: ConditionalAffinities, ordered: boolean): OrderedAffinities {
  const { n, k, indices } = graph;
  // transpose: for each row j, the positions e = i * k + t (increasing, so by row i) with indices[e] === j
  const inStart = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) inStart[indices[e]! + 1]!++;
  for (let j = 0; j < n; j++) inStart[j + 1]! += inStart[j]!;
  const inPos = new Int32Array(n * k);
  const fill = inStart.slice(0, n);
  for (let e = 0; e < n * k; e++) inPos[fill[indices[e]!]!++] = e;
  /** Row i's columns in P's order, repeats included (a mutual neighbour comes twice), with p(j|i) or p(i|j). */
  const eachEntry = (i: number, visit: (j: number, p: number) => void): void => {
    const mid = splitAt(inPos, inStart[i]!, inStart[i + 1]!, i * k);
    for (let e = inStart[i]!; e < mid; e++) visit(Math.floor(inPos[e]! / k), cond.values[inPos[e]!]!);
    for (let t = 0; t < k; t++) visit(indices[i * k + t]!, cond.values[i * k + t]!);
    for (let e = mid; e < inStart[i + 1]!; e++) visit(Math.floor(inPos[e]! / k), cond.values[inPos[e]!]!);
  };

  // pass 1: distinct columns per row (by input row)
  const slot = new Int32Array(n).fill(-1);
  const count = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let c = 0;
    eachEntry(i, (j) => {
      if (slot[j] !== i) {
        slot[j] = i;
        c++;
      }
    });
    count[i] = c;
  }
  // a repeated column is met again after its first place, so visiting repeats ranks points as P's rows do
  const rank = ordered ? breadthFirstOrder(n, (u, visit) => eachEntry(u, (j) => visit(j))) : Int32Array.from({ length: n }, (_, i) => i);
  const inv = new Int32Array(n);
  for (let i = 0; i < n; i++) inv[rank[i]!] = i;
  const edges = count.reduce((a, c) => a + c, 0);
  const memory = (bytes: number): ArrayBuffer | SharedArrayBuffer => (ordered ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const indptr = new Int32Array(memory(4 * (n + 1)));
  for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r]! + count[inv[r]!]!;
  const outCols = new Int32Array(memory(4 * edges));
  const outVals = new Float64Array(memory(8 * edges));

  // pass 2: columns and values, rows in the output's order (so a slot at or past the row's start is this row's)
  slot.fill(-1);
  const scale = 1 / (2 * n);
  let w = 0;
  for (let r = 0; r < n; r++) {
    const rowStart = w;
    eachEntry(inv[r]!, (j, p) => {
      const s = slot[j]!;
      if (s >= rowStart) outVals[s]! += p * scale;
      else {
        slot[j] = w;
        outCols[w] = rank[j]!;
        outVals[w++] = p * scale;
      }
    });
  }
  // sum p log p in the input's order of entries, as over symmetrize()'s P
  let pLogP = 0;
  for (let i = 0; i < n; i++) {
    const r = rank[i]!;
    for (let e = indptr[r]!; e < indptr[r + 1]!; e++) {
      const v = outVals[e]!;
      if (v > 0) pLogP += v * Math.log(v);
    }
  }
  return { p: { rows: n, cols: n, indptr, indices: outCols, values: outVals }, rank, pLogP };
}

/** The first e in [lo, hi) with sorted[e] >= value (binary search). */
function splitAt(sorted: Int32Array, lo: number, hi: number, value: number): number {
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (sorted[m]! < value) lo = m + 1;
    else hi = m;
  }
  return lo;
}

/** Perplexity of each row of conditional affinities (exp of its entropy); for tests and diagnostics. */
export function rowPerplexities(cond: ConditionalAffinities): Float64Array {
  const out = new Float64Array(cond.n);
  for (let i = 0; i < cond.n; i++) {
    let h = 0;
    for (let t = 0; t < cond.k; t++) {
      const p = cond.values[i * cond.k + t]!;
      if (p > 0) h -= p * Math.log(p);
    }
    out[i] = Math.exp(h);
  }
  return out;
}
