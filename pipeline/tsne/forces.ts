// The t-SNE force contract: what every gradient method (exact, Barnes-Hut, FFT, and auto, which picks
// between the last two each iteration) gives the optimizer. The optimizer knows nothing else about a
// method; implementations never import each other for this contract.
//
// The gradient of KL(P || Q) for point i is 4 (sum_j p_ij q_ij (y_i - y_j) - sum_j q_ij^2 (y_i - y_j) / Z)
// with q_ij = 1 / (1 + |y_i - y_j|^2) unnormalized and Z = sum_{i != j} q_ij (van der Maaten 2014,
// "Accelerating t-SNE using tree-based algorithms"; the factor 4 is folded into the learning rate as in
// bhtsne, FIt-SNE and openTSNE). The attractive part is the same sparse sum for every method; methods
// differ in how they approximate the repulsive part and Z.

import type { RepulsionFn, SparseMatrix } from '../types.js';

export type { RepulsionFn };

/** Names of the force methods. */
export type ForceMethod = 'exact' | 'bh' | 'fft' | 'auto';

/** What one evaluation of the forces returns besides the force arrays. */
export interface ForceTotals {
  /** Z = sum over ordered pairs i != j of q_ij (the repulsion's normalization). */
  z: number;
  /** sum_ij p_ij log q_ij when computeKl was set (for KL = sum p log p - sum p log q + log Z), else 0. */
  pLogQ: number;
}

/**
 * One way of computing t-SNE's forces on a 2-D map. Implementations may keep helper threads between
 * calls; whatever the sharing, the numbers are those of the method in one thread (sums are taken per
 * fixed chunk, then in chunk order), so the same seed gives the same map.
 */
export interface Forces {
  readonly method: ForceMethod;
  /**
   * Repulsion alone: writes sum_j q_ij^2 (y_i - y_j) (not yet divided by Z) for each of the n points of y
   * (n x 2, row-major) into out[0 .. 2n) and returns Z.
   */
  repulsion(y: Float64Array, n: number, out: Float64Array): number;
  /**
   * Repulsion into rep (as repulsion()) and the attractive forces sum_j p_ij q_ij (y_i - y_j) into attr.
   * p: n x n sparse affinities (the same object on every call of one optimization: implementations may
   * hand it to a helper thread once). pLogQ is summed per ATTRACTION_ROWS rows, then over those chunks in
   * order, so it does not depend on which thread took which rows.
   */
  evaluate(y: Float64Array, n: number, p: SparseMatrix, rep: Float64Array, attr: Float64Array, computeKl: boolean): ForceTotals;
  /** Gets helper threads for n points going ahead of the first evaluation (no-op for methods without). */
  prestart(n: number): void;
  /** Stops helper threads; later calls still answer, in this thread, with the same numbers. */
  dispose(): void;
  /** For 'auto': evaluations done with each method so far; null for the others. */
  readonly usage: { bh: number; fft: number } | null;
}

/** Rows per unit of attraction work (a chunk one thread claims; sum p log q is added per chunk, then in order). */
export const ATTRACTION_ROWS = 512;

/**
 * Attractive forces sum_j p_ij q_ij (y_i - y_j) of rows [r0, r1) of P into attr; returns those rows'
 * sum p_ij log q_ij when computeKl (else 0).
 */
export function attractRows(
  y: Float64Array,
  p: SparseMatrix,
  r0: number,
  r1: number,
  attr: Float64Array,
  computeKl: boolean,
): number {
  const { indptr, indices, values } = p;
  let pLogQ = 0;
  for (let i = r0; i < r1; i++) {
    const xi = y[2 * i]!;
    const yi = y[2 * i + 1]!;
    let fx = 0;
    let fy = 0;
    const end = indptr[i + 1]!;
    if (computeKl) {
      for (let e = indptr[i]!; e < end; e++) {
        const j = indices[e]!;
        const dx = xi - y[2 * j]!;
        const dy = yi - y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        const pq = values[e]! * q;
        fx += pq * dx;
        fy += pq * dy;
        pLogQ += values[e]! * Math.log(q);
      }
    } else {
      for (let e = indptr[i]!; e < end; e++) {
        const j = indices[e]!;
        const dx = xi - y[2 * j]!;
        const dy = yi - y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        const pq = values[e]! * q;
        fx += pq * dx;
        fy += pq * dy;
      }
    }
    attr[2 * i] = fx;
    attr[2 * i + 1] = fy;
  }
  return pLogQ;
}

/** All attractive forces in this thread, pLogQ summed per ATTRACTION_ROWS chunk as every Forces does. */
export function attraction(y: Float64Array, p: SparseMatrix, n: number, attr: Float64Array, computeKl: boolean): number {
  let pLogQ = 0;
  for (let r0 = 0; r0 < n; r0 += ATTRACTION_ROWS) pLogQ += attractRows(y, p, r0, Math.min(n, r0 + ATTRACTION_ROWS), attr, computeKl);
  return pLogQ;
}

/** A one-thread Forces from a repulsion function: the repulsion, then the attraction. */
export function serialForces(method: ForceMethod, repulsion: RepulsionFn): Forces {
  return {
    method,
    repulsion,
    evaluate(y, n, p, rep, attr, computeKl) {
      const z = repulsion(y, n, rep);
      return { z, pLogQ: attraction(y, p, n, attr, computeKl) };
    },
    prestart() {},
    dispose() {},
    usage: null,
  };
}
