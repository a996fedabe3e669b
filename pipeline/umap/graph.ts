// UMAP's fuzzy simplicial set: the weighted, symmetric k-nearest-neighbour graph the layout is fitted to
// (umap-learn's smooth_knn_dist, compute_membership_strengths and fuzzy_simplicial_set).
//
// For each point i, rho_i is the distance to its nearest neighbour (local connectivity 1) and sigma_i is
// found by bisection so that sum_j exp(-max(0, d_ij - rho_i) / sigma_i) = log2(k) over its neighbours; the
// directed weight is w_ij = exp(-max(0, d_ij - rho_i) / sigma_i). The union w_ij + w_ji - w_ij w_ji makes
// the graph symmetric. Distances are Euclidean (NeighborGraph holds squared ones).

import type { NeighborGraph, SparseMatrix } from '../types.js';

/** umap-learn's SMOOTH_K_TOLERANCE and MIN_K_DIST_SCALE. */
const TOLERANCE = 1e-5;
const MIN_DIST_SCALE = 1e-3;
const BISECTION_STEPS = 64;

export interface SmoothKnn {
  /** Per point: the bandwidth sigma_i. */
  sigmas: Float64Array;
  /** Per point: the local connectivity distance rho_i. */
  rhos: Float64Array;
}

/**
 * sigma_i and rho_i for every row of `dist` (n rows of `width` Euclidean distances, nearest first).
 * `k` is umap-learn's n_neighbors: it counts the point itself, which umap-learn keeps as column 0 at
 * distance 0 and our neighbour graphs leave out; `selfIncluded` says which kind `dist` is (transform's
 * distances to the base points have no self column). Bisection as umap-learn: 64 steps at most, target
 * log2(k) * bandwidth, sigma at least 1e-3 times the mean distance.
 */
export function smoothKnnDist(
  dist: Float32Array | Float64Array,
  n: number,
  width: number,
  k: number,
  localConnectivity = 1,
  selfIncluded = false,
  bandwidth = 1,
): SmoothKnn {
  const target = Math.log2(k) * bandwidth;
  const sigmas = new Float64Array(n);
  const rhos = new Float64Array(n);
  // umap-learn's rows hold the point itself first (distance 0): the means count it, the sum skips it
  const rowLen = selfIncluded ? width : width + 1;
  let total = 0;
  for (let t = 0; t < n * width; t++) total += dist[t]!;
  const meanAll = total / (n * rowLen);
  const index = Math.floor(localConnectivity);
  const interpolation = localConnectivity - index;
  for (let i = 0; i < n; i++) {
    const row = i * width;
    // rho: the local_connectivity-th non-zero distance (interpolated)
    let nonZero = 0;
    let rowSum = 0;
    let lastNonZero = 0;
    let rho = 0;
    let found = false;
    for (let t = 0; t < width; t++) {
      const d = dist[row + t]!;
      rowSum += d;
      if (d > 0) {
        nonZero++;
        lastNonZero = d;
        if (!found) {
          if (index > 0 && nonZero === index) {
            rho = d;
            if (interpolation > TOLERANCE) {
              // the next non-zero distance
              for (let u = t + 1; u < width; u++) {
                const e = dist[row + u]!;
                if (e > 0) {
                  rho += interpolation * (e - d);
                  break;
                }
              }
            }
            found = true;
          } else if (index === 0) {
            rho = interpolation * d;
            found = true;
          }
        }
      }
    }
    if (nonZero < localConnectivity) rho = nonZero > 0 ? lastNonZero : 0;
    rhos[i] = rho;
    // bisection on sigma
    const start = selfIncluded ? 1 : 0;
    let lo = 0;
    let hi = Infinity;
    let mid = 1;
    for (let step = 0; step < BISECTION_STEPS; step++) {
      let psum = 0;
      for (let t = start; t < width; t++) {
        const d = dist[row + t]! - rho;
        psum += d > 0 ? Math.exp(-(d / mid)) : 1;
      }
      if (Math.abs(psum - target) < TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2;
      }
    }
    const floor = MIN_DIST_SCALE * (rho > 0 ? rowSum / rowLen : meanAll);
    sigmas[i] = Math.max(mid, floor);
  }
  return { sigmas, rhos };
}

/** w = exp(-max(0, d - rho) / sigma), 1 when d <= rho or sigma is 0 (umap-learn's compute_membership_strengths). */
export function membershipStrength(d: number, rho: number, sigma: number): number {
  return d - rho <= 0 || sigma === 0 ? 1 : Math.exp(-((d - rho) / sigma));
}

/** Euclidean distances of a neighbour graph (it stores squared ones). */
export function euclidean(graph: NeighborGraph): Float64Array {
  const out = new Float64Array(graph.distances.length);
  for (let t = 0; t < out.length; t++) out[t] = Math.sqrt(Math.max(0, graph.distances[t]!));
  return out;
}

/**
 * The fuzzy simplicial set of a k-nearest-neighbour graph (self excluded, so umap-learn's n_neighbors is
 * graph.k + 1), as a symmetric CSR matrix with sorted columns and no zeros: for each pair the fuzzy union
 * mix * (w_ij + w_ji - w_ij w_ji) + (1 - mix) * w_ij w_ji.
 */
export function fuzzySimplicialSet(graph: NeighborGraph, localConnectivity = 1, setOpMixRatio = 1): SparseMatrix {
  const { n, k } = graph;
  const dist = euclidean(graph);
  const { sigmas, rhos } = smoothKnnDist(dist, n, k, k + 1, localConnectivity);
  const w = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    for (let t = i * k; t < (i + 1) * k; t++) w[t] = graph.indices[t] === i ? 0 : membershipStrength(dist[t]!, rhos[i]!, sigmas[i]!);
  }
  return symmetricUnion(graph, w, setOpMixRatio);
}

/** The fuzzy union of the directed weights w (laid out like graph.indices) with their transpose. */
export function symmetricUnion(graph: NeighborGraph, w: Float64Array, setOpMixRatio = 1): SparseMatrix {
  const { n, k, indices } = graph;
  // every directed entry (i, j, w) lands in row i as forward and in row j as backward
  const count = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    for (let t = i * k; t < (i + 1) * k; t++) {
      if (w[t]! === 0) continue;
      count[i + 1]!++;
      count[indices[t]! + 1]!++;
    }
  }
  for (let i = 0; i < n; i++) count[i + 1] += count[i]!;
  const fill = count.slice(0, n);
  const col = new Int32Array(count[n]!);
  const fwd = new Float64Array(count[n]!);
  const bwd = new Float64Array(count[n]!);
  for (let i = 0; i < n; i++) {
    for (let t = i * k; t < (i + 1) * k; t++) {
      const v = w[t]!;
      if (v === 0) continue;
      const j = indices[t]!;
      let p = fill[i]!++;
      col[p] = j;
      fwd[p] = v;
      p = fill[j]!++;
      col[p] = i;
      bwd[p] = v;
    }
  }
  // per row: sort by column (insertion sort: rows hold at most a few dozen entries), merge the forward
  // and backward entry of a pair
  for (let i = 0; i < n; i++) {
    const lo = count[i]!;
    for (let p = lo + 1; p < count[i + 1]!; p++) {
      const c = col[p]!;
      const f = fwd[p]!;
      const g = bwd[p]!;
      let q = p - 1;
      while (q >= lo && col[q]! > c) {
        col[q + 1] = col[q]!;
        fwd[q + 1] = fwd[q]!;
        bwd[q + 1] = bwd[q]!;
        q--;
      }
      col[q + 1] = c;
      fwd[q + 1] = f;
      bwd[q + 1] = g;
    }
  }
  const indptr = new Int32Array(n + 1);
  const outIdx = new Int32Array(count[n]!);
  const outVal = new Float64Array(count[n]!);
  let t = 0;
  for (let i = 0; i < n; i++) {
    let p = count[i]!;
    const end = count[i + 1]!;
    while (p < end) {
      const j = col[p]!;
      let f = 0;
      let g = 0;
      while (p < end && col[p] === j) {
        f += fwd[p]!;
        g += bwd[p]!;
        p++;
      }
      const prod = f * g;
      const v = setOpMixRatio * (f + g - prod) + (1 - setOpMixRatio) * prod;
      if (v !== 0) {
        outIdx[t] = j;
        outVal[t++] = v;
      }
    }
    indptr[i + 1] = t;
  }
  return { rows: n, cols: n, indptr, indices: outIdx.slice(0, t), values: outVal.slice(0, t) };
}
