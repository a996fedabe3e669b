// The t-SNE optimizer: gradient descent with momentum and per-coordinate gains (Jacobs 1988, as in
// bhtsne/openTSNE), early exaggeration, step clipping and re-centering. One step() per iteration, so tests,
// the worker and the async runner drive it the same way.

import type { RepulsionFn, SparseMatrix } from '../types.js';
import type { OverlappingRepulsion } from './gradient-bh-parallel.js';

export interface OptimizerOptions {
  /** Step size (no factor 4 in the gradient, as bhtsne, FIt-SNE and openTSNE). */
  learningRate: number;
  /** Total iterations, exaggeration phase included. */
  iterations: number;
  /** Factor P is multiplied by during the first `exaggerationIterations`. */
  earlyExaggeration: number;
  exaggerationIterations: number;
  /** The repulsion method (exact, Barnes-Hut or FFT). */
  repulsion: RepulsionFn;
  /** Momentum during exaggeration. Default 0.5. */
  initialMomentum?: number;
  /** Momentum afterwards. Default 0.8. */
  finalMomentum?: number;
  /** Largest length of one point's step; longer steps are scaled down. Default 5 (openTSNE max_step_norm). */
  maxStepNorm?: number;
  /** Smallest gain. Default 0.01. */
  minGain?: number;
}

/** Step-by-step t-SNE optimization of a 2-D embedding against sparse affinities P (which sum to 1). */
export class TsneOptimizer {
  /** Current positions, n x 2 row-major. */
  readonly y: Float64Array;
  readonly n: number;
  /** Iterations done so far. */
  iteration = 0;
  /** KL divergence at the last step that computed it (NaN before). */
  lastKl = NaN;
  private readonly update: Float64Array;
  private readonly gains: Float64Array;
  private readonly rep: Float64Array;
  private readonly attr: Float64Array;
  private readonly pLogP: number;
  private readonly options: Required<OptimizerOptions>;

  constructor(
    readonly p: SparseMatrix,
    init: Float64Array,
    options: OptimizerOptions,
  ) {
    this.n = p.rows;
    if (init.length !== 2 * this.n) throw new RangeError(`init has ${init.length} values, expected ${2 * this.n}`);
    this.y = Float64Array.from(init);
    this.options = {
      initialMomentum: 0.5,
      finalMomentum: 0.8,
      maxStepNorm: 5,
      minGain: 0.01,
      ...options,
    };
    this.update = new Float64Array(2 * this.n);
    this.gains = new Float64Array(2 * this.n).fill(1);
    this.rep = new Float64Array(2 * this.n);
    this.attr = new Float64Array(2 * this.n);
    let s = 0;
    for (let e = 0; e < p.values.length; e++) {
      const v = p.values[e]!;
      if (v > 0) s += v * Math.log(v);
    }
    this.pLogP = s;
  }

  get done(): boolean {
    return this.iteration >= this.options.iterations;
  }

  /** One iteration. With computeKl, also returns KL(P || Q) of the un-exaggerated P (else NaN). */
  step(computeKl = false): number {
    const { y, n, update, gains, rep, attr } = this;
    const o = this.options;
    const exaggerating = this.iteration < o.exaggerationIterations;
    const exaggeration = exaggerating ? o.earlyExaggeration : 1;
    const momentum = exaggerating ? o.initialMomentum : o.finalMomentum;

    // attractive forces sum_j p_ij q_ij (y_i - y_j), and sum p_ij log q_ij for the KL; a repulsion with a
    // helper thread runs them here while the helper computes
    let pLogQ = 0;
    const attract = () => {
      pLogQ = this.attraction(computeKl);
    };
    const overlapping = o.repulsion as Partial<OverlappingRepulsion>;
    let z: number;
    if (overlapping.overlap) z = overlapping.overlap(y, n, rep, attract);
    else {
      z = o.repulsion(y, n, rep);
      attract();
    }
    const invZ = 1 / Math.max(z, Number.MIN_VALUE);
    const lr = o.learningRate;
    const maxStep2 = o.maxStepNorm * o.maxStepNorm;
    let mx = 0;
    let my = 0;
    for (let i = 0; i < n; i++) {
      let ux = 0;
      let uy = 0;
      for (let d = 0; d < 2; d++) {
        const t = 2 * i + d;
        const g = exaggeration * attr[t]! - rep[t]! * invZ;
        const u = update[t]!;
        let gain = gains[t]!;
        gain = (g > 0) !== (u > 0) ? gain + 0.2 : gain * 0.8;
        if (gain < o.minGain) gain = o.minGain;
        gains[t] = gain;
        const nu = momentum * u - lr * gain * g;
        if (d === 0) ux = nu;
        else uy = nu;
      }
      const norm2 = ux * ux + uy * uy;
      if (norm2 > maxStep2) {
        const s = o.maxStepNorm / Math.sqrt(norm2);
        ux *= s;
        uy *= s;
      }
      update[2 * i] = ux;
      update[2 * i + 1] = uy;
      const nx = y[2 * i]! + ux;
      const ny = y[2 * i + 1]! + uy;
      y[2 * i] = nx;
      y[2 * i + 1] = ny;
      mx += nx;
      my += ny;
    }
    mx /= n;
    my /= n;
    for (let i = 0; i < n; i++) {
      y[2 * i]! -= mx;
      y[2 * i + 1]! -= my;
    }
    this.iteration++;
    if (!computeKl) return NaN;
    // KL = sum p log p - sum p log q_ij + log Z  (P sums to 1), at the positions before this step
    this.lastKl = this.pLogP - pLogQ + Math.log(z);
    return this.lastKl;
  }

  /** Writes the attractive forces into attr; returns sum p_ij log q_ij when computeKl (else 0). */
  private attraction(computeKl: boolean): number {
    const { y, n, attr, p } = this;
    const { indptr, indices, values } = p;
    let pLogQ = 0;
    for (let i = 0; i < n; i++) {
      const xi = y[2 * i]!;
      const yi = y[2 * i + 1]!;
      let fx = 0;
      let fy = 0;
      const end = indptr[i + 1]!;
      for (let e = indptr[i]!; e < end; e++) {
        const j = indices[e]!;
        const dx = xi - y[2 * j]!;
        const dy = yi - y[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        const pq = values[e]! * q;
        fx += pq * dx;
        fy += pq * dy;
        if (computeKl) pLogQ += values[e]! * Math.log(q);
      }
      attr[2 * i] = fx;
      attr[2 * i + 1] = fy;
    }
    return pLogQ;
  }

  /** The embedding as float32, n x 2 row-major. */
  embedding(): Float32Array {
    return Float32Array.from(this.y);
  }
}
