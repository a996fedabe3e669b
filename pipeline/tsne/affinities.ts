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
  const { n, k, indices } = graph;
  // transpose: for each row j, the positions e = i * k + t (increasing, so by row i) with indices[e] === j
  const inStart = new Int32Array(n + 1);
  for (let e = 0; e < n * k; e++) inStart[indices[e]! + 1]!++;
  for (let j = 0; j < n; j++) inStart[j + 1]! += inStart[j]!;
  const inPos = new Int32Array(n * k);
  const fill = inStart.slice(0, n);
  for (let e = 0; e < n * k; e++) inPos[fill[indices[e]!]!++] = e;

  // pass 1: distinct columns per row; pass 2: columns and values
  const slot = new Int32Array(n).fill(-1);
  const indptr = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    let count = 0;
    const mark = (j: number): void => {
      if (slot[j] !== i) {
        slot[j] = i;
        count++;
      }
    };
    const mid = splitAt(inPos, inStart[i]!, inStart[i + 1]!, i * k);
    for (let e = inStart[i]!; e < mid; e++) mark(Math.floor(inPos[e]! / k));
    for (let t = 0; t < k; t++) mark(indices[i * k + t]!);
    for (let e = mid; e < inStart[i + 1]!; e++) mark(Math.floor(inPos[e]! / k));
    indptr[i + 1] = indptr[i]! + count;
  }
  const outCols = new Int32Array(indptr[n]!);
  const outVals = new Float64Array(indptr[n]!);
  slot.fill(-1);
  const scale = 1 / (2 * n);
  let w = 0;
  for (let i = 0; i < n; i++) {
    const rowStart = w;
    const add = (j: number, p: number): void => {
      const s = slot[j]!;
      if (s >= rowStart) outVals[s]! += p * scale;
      else {
        slot[j] = w;
        outCols[w] = j;
        outVals[w++] = p * scale;
      }
    };
    const mid = splitAt(inPos, inStart[i]!, inStart[i + 1]!, i * k);
    for (let e = inStart[i]!; e < mid; e++) add(Math.floor(inPos[e]! / k), cond.values[inPos[e]!]!);
    for (let t = 0; t < k; t++) add(indices[i * k + t]!, cond.values[i * k + t]!);
    for (let e = mid; e < inStart[i + 1]!; e++) add(Math.floor(inPos[e]! / k), cond.values[inPos[e]!]!);
  }
  return { rows: n, cols: n, indptr, indices: outCols, values: outVals };
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
