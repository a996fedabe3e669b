// Spectral initialization of a UMAP layout (umap-learn's spectral_layout): the eigenvectors of the
// normalized graph Laplacian L = I - D^-1/2 W D^-1/2 for its 2nd and 3rd smallest eigenvalues, i.e. of
// N = D^-1/2 W D^-1/2 for its largest ones after the trivial eigenvector sqrt(degree) (eigenvalue 1).
// umap-learn asks ARPACK (implicitly restarted Lanczos, tolerance 1e-4); here a Lanczos run with full
// reorthogonalization, started from a seeded random vector orthogonal to the trivial eigenvector, stops
// when both Ritz pairs have converged to that tolerance or after `maxSteps` steps (by default as many as
// 3e9 multiply-adds of reorthogonalization allow, 48 to 200: Fashion-MNIST at 70,000 rows converges in
// about 140; the Ritz vectors then, converged or not, are the start of the layout).
// A graph of several connected components is laid out as umap-learn's multi_component_layout does: each
// component by its own spectral embedding around its own centre, the centres ±unit vectors for up to 4
// components and, beyond, the first two principal components of the component centroids in input space
// (umap-learn: a spectral embedding of the centroids' exp(-d^2) affinities).

import type { Matrix, SparseMatrix } from '../types.js';
import { createRandom, type Random } from '../random.js';

export interface SpectralResult {
  /** n x 2, row-major. */
  embedding: Float64Array;
  /** What was done, for the run's notes. */
  notes: string[];
}

/** Symmetric tridiagonal eigen-decomposition (implicit QL, EISPACK tql2). d: diagonal, e: off-diagonal (e[0] unused). Returns eigenvalues in d and eigenvectors as columns of z (m x m row-major). */
export function tridiagonalEigen(d: Float64Array, e: Float64Array): Float64Array {
  const m = d.length;
  const z = new Float64Array(m * m);
  for (let i = 0; i < m; i++) z[i * m + i] = 1;
  const off = new Float64Array(m);
  for (let i = 1; i < m; i++) off[i - 1] = e[i]!;
  for (let l = 0; l < m; l++) {
    let iter = 0;
    for (;;) {
      let mm = l;
      for (; mm < m - 1; mm++) {
        const dd = Math.abs(d[mm]!) + Math.abs(d[mm + 1]!);
        if (Math.abs(off[mm]!) <= Number.EPSILON * dd) break;
      }
      if (mm === l) break;
      if (iter++ === 60) break;
      let g = (d[l + 1]! - d[l]!) / (2 * off[l]!);
      let r = Math.hypot(g, 1);
      g = d[mm]! - d[l]! + off[l]! / (g + (g >= 0 ? Math.abs(r) : -Math.abs(r)));
      let s = 1;
      let c = 1;
      let p = 0;
      let i = mm - 1;
      for (; i >= l; i--) {
        let f = s * off[i]!;
        const b = c * off[i]!;
        r = Math.hypot(f, g);
        off[i + 1] = r;
        if (r === 0) {
          d[i + 1]! -= p;
          off[mm] = 0;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - p;
        r = (d[i]! - g) * s + 2 * c * b;
        p = s * r;
        d[i + 1] = g + p;
        g = c * r - b;
        for (let k = 0; k < m; k++) {
          f = z[k * m + i + 1]!;
          z[k * m + i + 1] = s * z[k * m + i]! + c * f;
          z[k * m + i] = c * z[k * m + i]! - s * f;
        }
      }
      if (r === 0 && i >= l) continue;
      d[l]! -= p;
      off[l] = g;
      off[mm] = 0;
    }
  }
  return z;
}

/** y = D^-1/2 W D^-1/2 x for a symmetric CSR W, with invSqrtDeg = D^-1/2. */
function normalizedProduct(w: SparseMatrix, invSqrtDeg: Float64Array, x: Float64Array, y: Float64Array, scratch: Float64Array): void {
  const { indptr, indices, values } = w;
  for (let i = 0; i < w.rows; i++) scratch[i] = invSqrtDeg[i]! * x[i]!;
  for (let i = 0; i < w.rows; i++) {
    let s = 0;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) s += values[p]! * scratch[indices[p]!]!;
    y[i] = invSqrtDeg[i]! * s;
  }
}

export interface LanczosOptions {
  /**
   * Largest Krylov dimension. Default: sqrt(3e9 / n) clamped to [48, 200] (and below n): full
   * reorthogonalization costs steps^2 n. Stopped at 48, the vectors on Fashion-MNIST at 70,000 rows are
   * not yet converged and the map's shape differs from umap-learn's (its ARPACK runs to the tolerance);
   * converged there takes about 140 steps, a few seconds.
   */
  maxSteps?: number;
  /** Residual tolerance, relative to the eigenvalue. Default 1e-4 (umap-learn's). */
  tolerance?: number;
}

/**
 * The `count` leading non-trivial eigenvectors of N = D^-1/2 W D^-1/2 for a connected symmetric graph W
 * (n x n CSR, no zero degree), columns of an n x count row-major result, largest eigenvalue first.
 */
export function leadingEigenvectors(w: SparseMatrix, count: number, random: Random, options: LanczosOptions = {}): { vectors: Float64Array; converged: boolean; steps: number } {
  const n = w.rows;
  const deg = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let p = w.indptr[i]!; p < w.indptr[i + 1]!; p++) deg[i]! += w.values[p]!;
  const invSqrtDeg = deg.map((v) => 1 / Math.sqrt(v));
  // the trivial eigenvector, normalized
  const trivial = deg.map((v) => Math.sqrt(v));
  scale(trivial, 1 / norm(trivial));
  const maxSteps = Math.max(count + 1, Math.min(n - 1, options.maxSteps ?? defaultLanczosSteps(n)));
  const tol = options.tolerance ?? 1e-4;
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [0];
  let v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = random() - 0.5;
  orthogonalize(v, [trivial]);
  scale(v, 1 / norm(v));
  const wv = new Float64Array(n);
  const scratch = new Float64Array(n);
  let ritz: { values: Float64Array; z: Float64Array } | null = null;
  let converged = false;
  for (let j = 0; j < maxSteps; j++) {
    basis.push(v);
    normalizedProduct(w, invSqrtDeg, v, wv, scratch);
    const a = dot(wv, v);
    alpha.push(a);
    // full reorthogonalization (one modified Gram-Schmidt pass) against the basis and the trivial vector
    const r = Float64Array.from(wv);
    orthogonalize(r, [trivial, ...basis]);
    const b = norm(r);
    const last = j === maxSteps - 1 || b < 1e-10;
    if (j + 1 >= count && (j % 10 === 9 || last)) {
      const m = j + 1;
      const d = Float64Array.from(alpha);
      const e = new Float64Array(m);
      for (let t = 1; t < m; t++) e[t] = beta[t]!;
      const z = tridiagonalEigen(d, e);
      ritz = { values: d, z };
      // residual of Ritz pair t: |b * z[m-1, t]|
      const top = topIndices(d, count);
      converged = top.every((t) => Math.abs(b * z[(m - 1) * m + t]!) <= tol * Math.max(Math.abs(d[t]!), 1e-3));
      if (converged || last) break;
    }
    if (b < 1e-10) break;
    scale(r, 1 / b);
    beta.push(b);
    v = r;
  }
  const m = ritz!.values.length;
  const top = topIndices(ritz!.values, count);
  const vectors = new Float64Array(n * count);
  for (let c = 0; c < count; c++) {
    const t = top[c]!;
    for (let s = 0; s < m; s++) {
      const coef = ritz!.z[s * m + t]!;
      if (coef === 0) continue;
      const q = basis[s]!;
      for (let i = 0; i < n; i++) vectors[i * count + c]! += coef * q[i]!;
    }
  }
  return { vectors, converged, steps: m };
}

/** Reorthogonalization work (about steps^2 n multiply-adds) the default step limit allows. */
const LANCZOS_WORK = 3e9;

/** The default largest Krylov dimension for n vertices: sqrt(3e9 / n) within [48, 200]. */
export function defaultLanczosSteps(n: number): number {
  return Math.max(48, Math.min(200, Math.floor(Math.sqrt(LANCZOS_WORK / n))));
}

function topIndices(values: Float64Array, count: number): number[] {
  return Array.from(values.keys())
    .sort((p, q) => values[q]! - values[p]! || p - q)
    .slice(0, count);
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

function scale(a: Float64Array, f: number): void {
  for (let i = 0; i < a.length; i++) a[i]! *= f;
}

function orthogonalize(r: Float64Array, against: Float64Array[]): void {
  for (const q of against) {
    const c = dot(r, q);
    for (let i = 0; i < r.length; i++) r[i]! -= c * q[i]!;
  }
}

/** Connected components of a symmetric CSR graph: a component id per vertex (0 .. count-1, by first vertex). */
export function connectedComponents(w: SparseMatrix): { labels: Int32Array; count: number } {
  const n = w.rows;
  const labels = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  let count = 0;
  for (let s = 0; s < n; s++) {
    if (labels[s] !== -1) continue;
    let top = 0;
    stack[top++] = s;
    labels[s] = count;
    while (top > 0) {
      const i = stack[--top]!;
      for (let p = w.indptr[i]!; p < w.indptr[i + 1]!; p++) {
        const j = w.indices[p]!;
        if (labels[j] === -1) {
          labels[j] = count;
          stack[top++] = j;
        }
      }
    }
    count++;
  }
  return { labels, count };
}

/** The sub-graph of the vertices `members` (sorted), renumbered 0 .. members.length-1. */
function subgraph(w: SparseMatrix, members: Int32Array, labels: Int32Array, local: Int32Array): SparseMatrix {
  const m = members.length;
  const indptr = new Int32Array(m + 1);
  const idx: number[] = [];
  const val: number[] = [];
  const label = labels[members[0]!]!;
  for (let a = 0; a < m; a++) {
    const i = members[a]!;
    for (let p = w.indptr[i]!; p < w.indptr[i + 1]!; p++) {
      const j = w.indices[p]!;
      if (labels[j] !== label) continue;
      idx.push(local[j]!);
      val.push(w.values[p]!);
    }
    indptr[a + 1] = idx.length;
  }
  return { rows: m, cols: m, indptr, indices: Int32Array.from(idx), values: Float64Array.from(val) };
}

/** Centres of the components (±unit vectors up to 4, else the centroids' first two principal components, scaled to at most 1). */
function componentCentres(x: Matrix, labels: Int32Array, count: number): Float64Array {
  const centres = new Float64Array(2 * count);
  if (count <= 4) {
    const k = Math.ceil(count / 2);
    for (let c = 0; c < count; c++) {
      const axis = c % k;
      const sign = c < k ? 1 : -1;
      centres[2 * c + axis] = sign;
    }
    return centres;
  }
  const d = x.cols;
  const cent = new Float64Array(count * d);
  const size = new Float64Array(count);
  for (let i = 0; i < x.rows; i++) {
    const c = labels[i]!;
    size[c]!++;
    for (let t = 0; t < d; t++) cent[c * d + t]! += x.values[i * d + t]!;
  }
  const mean = new Float64Array(d);
  for (let c = 0; c < count; c++) for (let t = 0; t < d; t++) mean[t]! += (cent[c * d + t]! /= size[c]!) / count;
  for (let c = 0; c < count; c++) for (let t = 0; t < d; t++) cent[c * d + t]! -= mean[t]!;
  // power iteration with deflation on the d x d covariance of the centroids
  const cov = new Float64Array(d * d);
  for (let c = 0; c < count; c++) for (let s = 0; s < d; s++) for (let t = 0; t < d; t++) cov[s * d + t]! += cent[c * d + s]! * cent[c * d + t]!;
  const axes: Float64Array[] = [];
  for (let a = 0; a < 2; a++) {
    let v = new Float64Array(d).map((_, t) => 1 + t * 0.01 * (a + 1));
    for (let it = 0; it < 300; it++) {
      const u = new Float64Array(d);
      for (let s = 0; s < d; s++) for (let t = 0; t < d; t++) u[s]! += cov[s * d + t]! * v[t]!;
      orthogonalize(u, axes);
      const nu = norm(u);
      if (nu === 0) break;
      scale(u, 1 / nu);
      v = u;
    }
    axes.push(v);
  }
  let max = 0;
  for (let c = 0; c < count; c++) {
    for (let a = 0; a < 2; a++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += cent[c * d + t]! * axes[a]![t]!;
      centres[2 * c + a] = s;
      max = Math.max(max, Math.abs(s));
    }
  }
  if (max > 0) for (let t = 0; t < centres.length; t++) centres[t]! /= max;
  return centres;
}

/**
 * The spectral layout of graph w (n x n, symmetric) of the rows of x: n x 2, not yet scaled (the caller
 * scales to umap-learn's [0, 10] box). Seeded; falls back to a uniform random layout, with a note, only
 * where umap-learn does (components of fewer than 4 points) or when the eigen-solver cannot proceed.
 */
export function spectralLayout(w: SparseMatrix, x: Matrix, seed: number, options: LanczosOptions = {}): SpectralResult {
  const n = w.rows;
  const random = createRandom(seed);
  const notes: string[] = [];
  const { labels, count } = connectedComponents(w);
  const out = new Float64Array(2 * n);
  if (count === 1) {
    if (n <= 3) {
      for (let t = 0; t < 2 * n; t++) out[t] = random() * 20 - 10;
      notes.push(`random initialization: ${n} points are too few for a spectral layout`);
      return { embedding: out, notes };
    }
    const res = leadingEigenvectors(w, 2, random, options);
    out.set(res.vectors);
    notes.push(`spectral initialization: ${res.steps} Lanczos steps${res.converged ? '' : ' (stopped before the 1e-4 tolerance; the layout starts from the approximate eigenvectors)'}`);
    return { embedding: out, notes };
  }
  const centres = componentCentres(x, labels, count);
  const local = new Int32Array(n);
  const members: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < n; i++) {
    local[i] = members[labels[i]!]!.length;
    members[labels[i]!]!.push(i);
  }
  let randomComponents = 0;
  for (let c = 0; c < count; c++) {
    // half the distance to the nearest other centre
    let nearest = Infinity;
    for (let o = 0; o < count; o++) {
      if (o === c) continue;
      const dd = Math.hypot(centres[2 * c]! - centres[2 * o]!, centres[2 * c + 1]! - centres[2 * o + 1]!);
      if (dd > 0) nearest = Math.min(nearest, dd);
    }
    const range = Number.isFinite(nearest) ? nearest / 2 : 1;
    const mem = Int32Array.from(members[c]!);
    let emb: Float64Array | null = null;
    if (mem.length > 3) {
      const res = leadingEigenvectors(subgraph(w, mem, labels, local), 2, random, options);
      let max = 0;
      for (const v of res.vectors) max = Math.max(max, Math.abs(v));
      if (max > 0 && Number.isFinite(max)) emb = res.vectors.map((v) => (v * range) / max);
    }
    for (let a = 0; a < mem.length; a++) {
      const i = mem[a]!;
      for (let t = 0; t < 2; t++) {
        out[2 * i + t] = centres[2 * c + t]! + (emb ? emb[2 * a + t]! : random() * 2 * range - range);
      }
    }
    if (!emb) randomComponents++;
  }
  notes.push(
    `spectral initialization of a graph in ${count} connected components, each around its own centre (${count <= 4 ? '±unit vectors' : 'first two principal components of the component centroids'})` +
      (randomComponents ? `; ${randomComponents} components of at most 3 points start at random` : ''),
  );
  return { embedding: out, notes };
}
