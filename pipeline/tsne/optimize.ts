// The t-SNE optimizer: gradient descent with momentum and per-coordinate gains (Jacobs 1988, as in
// bhtsne/openTSNE), early exaggeration, step clipping and re-centering. One step() per iteration, so tests,
// the worker and the async runner drive it the same way.

import type { SparseMatrix } from '../types.js';
import type { Forces } from './forces.js';
import { breadthFirstOrder, sumPLogP, type OrderedAffinities } from './affinities.js';

/** The smallest gain by default (bhtsne, openTSNE). */
export const MIN_GAIN = 0.01;

export interface OptimizerOptions {
  /** Step size after the early exaggeration phase (no factor 4 in the gradient, as bhtsne, FIt-SNE and openTSNE). */
  learningRate: number;
  /** Step size during the early exaggeration phase. Default: learningRate. */
  earlyLearningRate?: number;
  /** Total iterations, exaggeration phase included. */
  iterations: number;
  /** Factor P is multiplied by during the first `exaggerationIterations`. */
  earlyExaggeration: number;
  exaggerationIterations: number;
  /** Factor P is multiplied by after the early phase (openTSNE's `exaggeration`). Default 1. */
  exaggeration?: number;
  /** The gradient method (forces.ts: exact, Barnes-Hut, FFT or auto). The caller disposes it. */
  forces: Forces;
  /** Momentum during exaggeration. Default 0.5. */
  initialMomentum?: number;
  /** Momentum afterwards. Default 0.8. */
  finalMomentum?: number;
  /** Largest length of one point's step; longer steps are scaled down. Default 5 (openTSNE max_step_norm). */
  maxStepNorm?: number;
  /** Smallest gain. Default 0.01. */
  minGain?: number;
}

/**
 * Breadth-first order of the affinity graph from point 0 (then from each point not yet reached): returns
 * rank, the position of each point in that order (affinities.ts breadthFirstOrder over P's rows).
 */
export function localityOrder(p: SparseMatrix): Int32Array {
  const { indptr, indices } = p;
  return breadthFirstOrder(p.rows, (u, visit) => {
    const end = indptr[u + 1]!;
    for (let e = indptr[u]!; e < end; e++) visit(indices[e]!);
  });
}

/** P renumbered in localityOrder(P) into shared memory: a copy (symmetrizeOrdered builds it in that order at once). */
export function orderAffinities(p: SparseMatrix): OrderedAffinities {
  const n = p.rows;
  const rank = localityOrder(p);
  const inv = new Int32Array(n);
  for (let i = 0; i < n; i++) inv[rank[i]!] = i;
  return { p: permuteRowsAndColumns(p, inv, rank, true), rank, pLogP: sumPLogP(p.values) };
}

/**
 * The sparse matrix m with rows and columns renumbered: row r of the result is m's row `from[r]`, and each column
 * c becomes `to[c]` (to is from's inverse). In shared memory when `shared` (the gradient workers read it).
 */
function permuteRowsAndColumns(m: SparseMatrix, from: Int32Array, to: Int32Array, shared: boolean): SparseMatrix {
  const n = m.rows;
  const alloc = (bytes: number): ArrayBuffer | SharedArrayBuffer => (shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes));
  const indptr = new Int32Array(alloc(4 * (n + 1)));
  const indices = new Int32Array(alloc(4 * m.indices.length));
  const values = new Float64Array(alloc(8 * m.values.length));
  let k = 0;
  for (let r = 0; r < n; r++) {
    const i = from[r]!;
    indptr[r] = k;
    for (let e = m.indptr[i]!; e < m.indptr[i + 1]!; e++) {
      indices[k] = to[m.indices[e]!]!;
      values[k++] = m.values[e]!;
    }
  }
  indptr[n] = k;
  return { rows: n, cols: n, indptr, indices, values };
}

/**
 * Step-by-step t-SNE optimization of a 2-D embedding against sparse affinities P (which sum to 1).
 * Internally the points are renumbered in localityOrder(P) (the same P, the same order, so still
 * deterministic); `y` and embedding() are in the caller's order.
 */
export class TsneOptimizer {
  /** Current positions, n x 2 row-major, in the input's order (updated after every step). */
  readonly y: Float64Array;
  readonly n: number;
  /** Iterations done so far. */
  iteration = 0;
  /** KL divergence at the last step that computed it (NaN before). */
  lastKl = NaN;
  /** Positions in the internal order: point i of the input is internal point rank[i]. */
  private readonly yi: Float64Array;
  private readonly rank: Int32Array;
  /** P renumbered to the internal order. */
  private readonly q: SparseMatrix;
  private readonly update: Float64Array;
  private readonly gains: Float64Array;
  private readonly rep: Float64Array;
  private readonly attr: Float64Array;
  private readonly pLogP: number;
  private readonly options: Required<Omit<OptimizerOptions, 'earlyLearningRate'>> & { earlyLearningRate: number };

  /**
   * p: P (which sums to 1), read once into the internal order (the optimizer keeps that copy only: see the p
   * getter), or P already in that order (symmetrizeOrdered, which never holds P twice). init: n x 2 positions.
   */
  constructor(
    p: SparseMatrix | OrderedAffinities,
    init: Float64Array,
    options: OptimizerOptions,
  ) {
    const ordered = 'rank' in p ? p : orderAffinities(p);
    this.n = ordered.p.rows;
    if (init.length !== 2 * this.n) throw new RangeError(`init has ${init.length} values, expected ${2 * this.n}`);
    this.y = Float64Array.from(init);
    const n = this.n;
    this.rank = ordered.rank;
    this.q = ordered.p;
    this.pLogP = ordered.pLogP;
    this.yi = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) {
      const r = this.rank[i]!;
      this.yi[2 * r] = init[2 * i]!;
      this.yi[2 * r + 1] = init[2 * i + 1]!;
    }
    this.options = {
      initialMomentum: 0.5,
      finalMomentum: 0.8,
      maxStepNorm: 5,
      minGain: MIN_GAIN,
      exaggeration: 1,
      ...options,
      earlyLearningRate: options.earlyLearningRate ?? options.learningRate,
    };
    this.update = new Float64Array(2 * this.n);
    this.gains = new Float64Array(2 * this.n).fill(1);
    this.rep = new Float64Array(2 * this.n);
    this.attr = new Float64Array(2 * this.n);
  }

  /** P in the input's order, rebuilt from the internal copy (the same entries, in the same order, as given). */
  get p(): SparseMatrix {
    const { n, rank, q } = this;
    const inv = new Int32Array(n);
    for (let i = 0; i < n; i++) inv[rank[i]!] = i;
    return permuteRowsAndColumns(q, rank, inv, false);
  }

  get done(): boolean {
    return this.iteration >= this.options.iterations;
  }

  /** One iteration. With computeKl, also returns KL(P || Q) of the un-exaggerated P (else NaN). */
  step(computeKl = false): number {
    const { yi: y, n, update, gains, rep, attr } = this;
    const o = this.options;
    const exaggerating = this.iteration < o.exaggerationIterations;
    const exaggeration = exaggerating ? o.earlyExaggeration : o.exaggeration;
    const momentum = exaggerating ? o.initialMomentum : o.finalMomentum;
    const lr = exaggerating ? o.earlyLearningRate : o.learningRate;

    // repulsion and attraction (sum_j p_ij q_ij (y_i - y_j)), and sum p_ij log q_ij for the KL
    const { z, pLogQ } = o.forces.evaluate(y, n, this.q, rep, attr, computeKl);
    const invZ = 1 / Math.max(z, Number.MIN_VALUE);
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      const gx = exaggeration * attr[2 * i]! - rep[2 * i]! * invZ;
      const gy = exaggeration * attr[2 * i + 1]! - rep[2 * i + 1]! * invZ;
      stepPoint(i, gx, gy, update, gains, momentum, lr, o.minGain, o.maxStepNorm);
      const nx = y[2 * i]! + update[2 * i]!;
      const ny = y[2 * i + 1]! + update[2 * i + 1]!;
      y[2 * i] = nx;
      y[2 * i + 1] = ny;
      mx += nx;
      my += ny;
    }
    mx /= n;
    my /= n;
    const { y: out, rank } = this;
    for (let i = 0; i < n; i++) {
      y[2 * i]! -= mx;
      y[2 * i + 1]! -= my;
    }
    for (let i = 0; i < n; i++) {
      const r = rank[i]!;
      out[2 * i] = y[2 * r]!;
      out[2 * i + 1] = y[2 * r + 1]!;
    }
    this.iteration++;
    if (!computeKl) return NaN;
    // KL = sum p log p - sum p log q_ij + log Z  (P sums to 1), at the positions before this step
    this.lastKl = this.pLogP - pLogQ + Math.log(z);
    return this.lastKl;
  }

  /** KL(P || Q) of the un-exaggerated P at the current positions: one force evaluation, nothing moves. */
  kl(): number {
    const { z, pLogQ } = this.options.forces.evaluate(this.yi, this.n, this.q, this.rep, this.attr, true);
    return this.pLogP - pLogQ + Math.log(z);
  }

  /** The embedding as float32, n x 2 row-major. */
  embedding(): Float32Array {
    return Float32Array.from(this.y);
  }
}

/**
 * One point's update from its gradient (gx, gy), in place in update[2i..2i+1] and gains (Jacobs 1988, as in
 * bhtsne and openTSNE): each coordinate's gain grows by 0.2 where the gradient's sign differs from the last
 * update's and shrinks by a factor 0.8 otherwise, never below minGain; the update is momentum times the last
 * one minus learningRate x gain x gradient; an update longer than maxStepNorm is scaled down to it. The caller
 * moves the point by the new update.
 */
export function stepPoint(
  i: number,
  gx: number,
  gy: number,
  update: Float64Array,
  gains: Float64Array,
  momentum: number,
  learningRate: number,
  minGain: number,
  maxStepNorm: number,
): void {
  let ux = 0;
  let uy = 0;
  for (let d = 0; d < 2; d++) {
    const t = 2 * i + d;
    const g = d === 0 ? gx : gy;
    const u = update[t]!;
    let gain = gains[t]!;
    gain = (g > 0) !== (u > 0) ? gain + 0.2 : gain * 0.8;
    if (gain < minGain) gain = minGain;
    gains[t] = gain;
    const nu = momentum * u - learningRate * gain * g;
    if (d === 0) ux = nu;
    else uy = nu;
  }
  const norm2 = ux * ux + uy * uy;
  if (norm2 > maxStepNorm * maxStepNorm) {
    const s = maxStepNorm / Math.sqrt(norm2);
    ux *= s;
    uy *= s;
  }
  update[2 * i] = ux;
  update[2 * i + 1] = uy;
}
