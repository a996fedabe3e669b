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
 */
export function symmetrize(graph: NeighborGraph, cond: ConditionalAffinities): SparseMatrix {
  const { n, k, indices } = graph;
  const count = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    count[i]! += k;
    for (let t = 0; t < k; t++) count[indices[i * k + t]!]!++;
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + count[i]!;
  const fill = start.slice(0, n);
  const cols = new Int32Array(start[n]!);
  const vals = new Float64Array(start[n]!);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < k; t++) {
      const j = indices[i * k + t]!;
      const p = cond.values[i * k + t]!;
      cols[fill[i]!] = j;
      vals[fill[i]!++] = p;
      cols[fill[j]!] = i;
      vals[fill[j]!++] = p;
    }
  }
  // merge duplicate columns within each row (pairs that are mutual neighbours)
  const slot = new Int32Array(n).fill(-1);
  const indptr = new Int32Array(n + 1);
  const outCols = new Int32Array(start[n]!);
  const outVals = new Float64Array(start[n]!);
  let w = 0;
  const scale = 1 / (2 * n);
  for (let i = 0; i < n; i++) {
    const rowStart = w;
    for (let e = start[i]!; e < start[i + 1]!; e++) {
      const j = cols[e]!;
      const s = slot[j]!;
      if (s >= rowStart) outVals[s]! += vals[e]! * scale;
      else {
        slot[j] = w;
        outCols[w] = j;
        outVals[w++] = vals[e]! * scale;
      }
    }
    indptr[i + 1] = w;
  }
  return { rows: n, cols: n, indptr, indices: outCols.slice(0, w), values: outVals.slice(0, w) };
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
