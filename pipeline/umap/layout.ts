// UMAP's layout optimization (umap-learn's optimize_layout_euclidean): stochastic gradient descent on the
// fuzzy cross-entropy. Each epoch, every edge whose turn has come (epochs_per_sample = n_epochs / (n_epochs
// * w / w_max) epochs apart) pulls its two ends together with the gradient of log(1 / (1 + a d^2b)), and
// its head is pushed from negativeSampleRate points drawn at random with the gradient of log(1 - 1 / (1 +
// a d^2b)); every gradient coordinate clipped to [-4, 4], the step alpha decaying linearly from the learning
// rate to 0 (stepSize).
//
// Deterministic on one or two threads: the edges are split in two blocks by head (about equal work), and
// within an epoch each block reads its own points' current positions but the other block's positions as
// they were when the epoch began, and the pulls it gives the other block's points are added at the epoch's
// end. umap-learn (parallel, numba prange) lets threads race on shared positions instead; this is the same
// update with the races replaced by a one-epoch delay on the reads across the blocks, so the same seed
// gives the same map whether the second block ran on a helper thread or not. The points are renumbered
// (block-order.ts) so that the blocks are two halves of the initial layout and few edges cross.

/** Everything an epoch of one block reads and writes; typed arrays that may live in shared memory. */
export interface LayoutState {
  n: number;
  /** Edge heads and tails, sorted by head (umap-learn's COO order). */
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochOfNextSample: Float64Array;
  epochOfNextNegativeSample: Float64Array;
  /** n x 2 positions each block updates for its own points. */
  live: Float32Array;
  /** n x 2 positions at the start of the epoch (what a block reads of the other block's points). */
  snapshot: Float32Array;
  /** n x 2 pulls given to the other block's points during the epoch. */
  delta: Float64Array;
  /** [block0 first edge, block1 first edge, end] and [block1 first point]. */
  edgeSplit: Int32Array;
  pointSplit: number;
  /** Per block: a 32-bit generator state (mulberry32). */
  rng: Uint32Array;
  a: number;
  b: number;
  gamma: number;
  negativeSampleRate: number;
  /**
   * Heads and tails are different point sets (transform: new points pulled to fixed base points, umap-learn's
   * move_other false): heads live in `live`, tails and negative samples (n of them) in `snapshot`, and the
   * tails never move.
   */
  bipartite: boolean;
}

import { powTable, tablePow } from './fast-pow.js';

const clip = (v: number): number => (v > 4 ? 4 : v < -4 ? -4 : v);

/**
 * The step of epoch e (0-based) of `epochs`: initial * (1 - (e - 1) / epochs), and `initial` for epoch 0
 * (which samples no edge). umap-learn's schedule: optimize_layout_euclidean lowers alpha after each
 * epoch, so epoch e runs with the value computed after epoch e - 1.
 */
export function stepSize(initial: number, e: number, epochs: number): number {
  return initial * (1 - Math.max(0, e - 1) / epochs);
}

/** The table of d^(b - 1) of the last b seen (one per thread; a run uses one b). */
let table: { b: number; tab: Float64Array } | null = null;
function tableFor(b: number): Float64Array {
  if (table?.b !== b) table = { b, tab: powTable(b - 1) };
  return table.tab;
}

/**
 * One epoch of one block's edges (the state's own arrays are updated in place). The powers d^(b - 1) and
 * d^b come from a table (fast-pow.ts) to about float32's precision.
 */
export function layoutBlockEpoch(s: LayoutState, block: 0 | 1, epoch: number, alpha: number): void {
  const { n, head, tail, epochsPerSample, epochOfNextSample, epochOfNextNegativeSample, live, snapshot, delta, a, b, gamma } = s;
  const lo = block === 0 ? 0 : s.pointSplit;
  const hi = block === 0 ? s.pointSplit : n;
  const e0 = s.edgeSplit[block]!;
  const e1 = s.edgeSplit[block + 1]!;
  const negRate = s.negativeSampleRate;
  const bipartite = s.bipartite;
  const bm1 = b - 1;
  const twoAb = 2 * a * b;
  const twoGb = 2 * gamma * b;
  const tab = tableFor(b);
  // a uniform 32-bit draw times n / 2^32: an index in [0, n) without a modulo
  const scaleN = n / 4294967296;
  let state = s.rng[block]!;
  for (let i = e0; i < e1; i++) {
    if (epochOfNextSample[i]! > epoch) continue;
    const j = head[i]!;
    const k = tail[i]!;
    let cx = live[2 * j]!;
    let cy = live[2 * j + 1]!;
    const own = !bipartite && k >= lo && k < hi;
    const src = own ? live : snapshot;
    let dx = cx - src[2 * k]!;
    let dy = cy - src[2 * k + 1]!;
    let d2 = dx * dx + dy * dy;
    if (d2 > 0) {
      const p = tablePow(tab, bm1, d2);
      const g = (-twoAb * p) / (a * p * d2 + 1);
      const gx = clip(g * dx) * alpha;
      const gy = clip(g * dy) * alpha;
      cx += gx;
      cy += gy;
      if (own) {
        live[2 * k] = live[2 * k]! - gx;
        live[2 * k + 1] = live[2 * k + 1]! - gy;
      } else if (!bipartite) {
        delta[2 * k] = delta[2 * k]! - gx;
        delta[2 * k + 1] = delta[2 * k + 1]! - gy;
      }
    }
    const eps = epochsPerSample[i]!;
    epochOfNextSample[i] = epochOfNextSample[i]! + eps;
    const epsNeg = eps / negRate;
    const next = epochOfNextNegativeSample[i]!;
    const count = Math.trunc((epoch - next) / epsNeg);
    for (let p = 0; p < count; p++) {
      // mulberry32
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      const m = (((t ^ (t >>> 14)) >>> 0) * scaleN) | 0;
      if (m === j && !bipartite) continue;
      const from = !bipartite && m >= lo && m < hi ? live : snapshot;
      dx = cx - from[2 * m]!;
      dy = cy - from[2 * m + 1]!;
      d2 = dx * dx + dy * dy;
      if (d2 > 0) {
        const g = twoGb / ((0.001 + d2) * (a * d2 * tablePow(tab, bm1, d2) + 1));
        cx += clip(g * dx) * alpha;
        cy += clip(g * dy) * alpha;
      } else {
        cx += 4 * alpha;
        cy += 4 * alpha;
      }
    }
    if (count > 0) epochOfNextNegativeSample[i] = next + count * epsNeg;
    live[2 * j] = cx;
    live[2 * j + 1] = cy;
  }
  s.rng[block] = state;
}

/** After both blocks ran an epoch: add the delayed pulls to the points of `block` and publish its positions. */
export function layoutBlockSettle(s: LayoutState, block: 0 | 1): void {
  const lo = block === 0 ? 0 : s.pointSplit;
  const hi = block === 0 ? s.pointSplit : s.n;
  const { live, snapshot, delta } = s;
  for (let t = 2 * lo; t < 2 * hi; t++) {
    if (delta[t] !== 0) {
      live[t] = live[t]! + delta[t]!;
      delta[t] = 0;
    }
    snapshot[t] = live[t]!;
  }
}
