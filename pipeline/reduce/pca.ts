// Principal component analysis: the baseline reducer (`--reducer pca`) and t-SNE's initialization.
// Subspace iteration on the covariance (built once, blocked) when there are at most 2,048 columns, else
// randomized subspace iteration on the centred data; a Rayleigh-Ritz step (Jacobi) gives the axes.

import type { Matrix, PcaModel } from '../types.js';
import { InputError } from '../errors.js';
import { createRandom, deriveSeed, permutation } from '../random.js';

/** Columns up to which the covariance matrix is formed explicitly. */
const COVARIANCE_MAX_COLS = 2048;
/**
 * Rows used to estimate the axes: a seeded sample when there are more (the leading axes of 70,000
 * images are estimated to within a fraction of a degree from 20,000, at a third of the cost).
 */
export const FIT_MAX_ROWS = 20000;
/** Extra subspace dimensions beyond k (improve convergence of the k-th axis). */
const OVERSAMPLE = 10;

/** Fits the top-k principal axes of x (rows are samples). Deterministic for a seed. */
export function fitPca(x: Matrix, k: number, seed: number, onProgress?: (fraction: number) => void): PcaModel {
  const { rows: n, cols: d, values } = x;
  if (!Number.isInteger(k) || k < 1) throw new InputError(`PCA needs a positive whole number of components, got ${k}`);
  if (k > Math.min(n, d)) {
    throw new InputError(`PCA cannot find ${k} components in ${n} rows x ${d} columns; use at most ${Math.min(n, d)}`);
  }
  const random = createRandom(deriveSeed(seed, 'start'));
  // the axes are estimated from a seeded sample of at most FIT_MAX_ROWS rows (the mean from all rows)
  const fitRows =
    n <= FIT_MAX_ROWS ? Int32Array.from({ length: n }, (_, i) => i) : permutation(n, createRandom(deriveSeed(seed, 'rows'))).slice(0, FIT_MAX_ROWS).sort();
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let c = 0; c < d; c++) mean[c]! += values[i * d + c]!;
  for (let c = 0; c < d; c++) mean[c]! /= n;

  const l = Math.min(d, k + OVERSAMPLE);
  let q: Float64Array = new Float64Array(d * l); // column-major-ish: basis vector b is q[b*d .. b*d+d)
  for (let t = 0; t < q.length; t++) q[t] = random.normal();
  orthonormalize(q, d, l);

  let apply: (v: Float64Array) => Float64Array; // v: l basis vectors of length d → C v
  let iterations: number;
  // progress: the covariance (its pass over the rows) is most of the work; otherwise each iteration is a pass
  let before = 0;
  if (d <= COVARIANCE_MAX_COLS) {
    const cov = covariance(x, mean, fitRows, onProgress && ((f) => onProgress(0.8 * f)));
    apply = (v) => multiplySymmetric(cov, d, v, l);
    iterations = 30;
    before = 0.8;
  } else {
    apply = (v) => gramApply(x, mean, v, l, fitRows);
    iterations = 6;
  }
  for (let it = 0; it < iterations; it++) {
    const next = apply(q);
    orthonormalize(next, d, l);
    q = next;
    onProgress?.(before + ((1 - before) * 0.95 * (it + 1)) / iterations);
  }
  // Rayleigh-Ritz: B = Q^T C Q (l x l), eigen-decompose, rotate
  const cq = apply(q);
  const b = new Float64Array(l * l);
  for (let r = 0; r < l; r++) {
    for (let c = r; c < l; c++) {
      let s = 0;
      for (let t = 0; t < d; t++) s += q[r * d + t]! * cq[c * d + t]!;
      b[r * l + c] = s;
      b[c * l + r] = s;
    }
  }
  const { eigenvalues, eigenvectors } = jacobiEigen(b, l);
  const order = Array.from({ length: l }, (_, t) => t).sort((a, c) => eigenvalues[c]! - eigenvalues[a]!);
  const components = new Float32Array(k * d);
  const explainedVariance = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    const e = order[a]!;
    const axis = new Float64Array(d);
    for (let r = 0; r < l; r++) {
      const w = eigenvectors[r * l + e]!;
      if (w === 0) continue;
      for (let t = 0; t < d; t++) axis[t]! += w * q[r * d + t]!;
    }
    // sign convention: the largest-magnitude entry is positive
    let big = 0;
    for (let t = 0; t < d; t++) if (Math.abs(axis[t]!) > Math.abs(axis[big]!)) big = t;
    const sign = axis[big]! < 0 ? -1 : 1;
    let norm = 0;
    for (let t = 0; t < d; t++) norm += axis[t]! * axis[t]!;
    norm = Math.sqrt(norm) || 1;
    for (let t = 0; t < d; t++) components[a * d + t] = (sign * axis[t]!) / norm;
    explainedVariance[a] = Math.max(0, eigenvalues[e]!) / Math.max(1, fitRows.length - 1);
  }
  return { mean: Float32Array.from(mean), components: { rows: k, cols: d, values: components }, explainedVariance };
}

/** Projects rows onto the principal axes: (x - mean) W^T, n x k. */
export function pcaTransform(m: PcaModel, x: Matrix): Matrix {
  const { rows: k, cols: d, values: w } = m.components;
  if (x.cols !== d) throw new InputError(`the PCA model expects ${d} columns, the input has ${x.cols}`);
  const out = new Float32Array(x.rows * k);
  const row = new Float64Array(d);
  for (let i = 0; i < x.rows; i++) {
    for (let c = 0; c < d; c++) row[c] = x.values[i * d + c]! - m.mean[c]!;
    for (let a = 0; a < k; a++) {
      let s = 0;
      for (let c = 0; c < d; c++) s += row[c]! * w[a * d + c]!;
      out[i * k + a] = s;
    }
  }
  return { rows: x.rows, cols: k, values: out };
}

/** Maps codes back to the input space: codes W + mean. */
export function pcaReconstruct(m: PcaModel, codes: Matrix): Matrix {
  const { rows: k, cols: d, values: w } = m.components;
  if (codes.cols !== k) throw new InputError(`the PCA model has ${k} components, the codes have ${codes.cols} columns`);
  const out = new Float32Array(codes.rows * d);
  const row = new Float64Array(d);
  for (let i = 0; i < codes.rows; i++) {
    for (let c = 0; c < d; c++) row[c] = m.mean[c]!;
    for (let a = 0; a < k; a++) {
      const v = codes.values[i * k + a]!;
      if (v === 0) continue;
      for (let c = 0; c < d; c++) row[c]! += v * w[a * d + c]!;
    }
    for (let c = 0; c < d; c++) out[i * d + c] = row[c]!;
  }
  return { rows: codes.rows, cols: d, values: out };
}

export interface PcaJSON {
  format: 'latentmap-pca';
  version: 1;
  components: number;
  columns: number;
  mean: number[];
  axes: number[];
  explainedVariance: number[];
}

export function pcaToJSON(m: PcaModel): PcaJSON {
  return {
    format: 'latentmap-pca',
    version: 1,
    components: m.components.rows,
    columns: m.components.cols,
    mean: Array.from(m.mean),
    axes: Array.from(m.components.values),
    explainedVariance: Array.from(m.explainedVariance),
  };
}

export function pcaFromJSON(o: unknown): PcaModel {
  const bad = (what: string): never => {
    throw new InputError(`not a latentmap PCA model: ${what}`);
  };
  if (typeof o !== 'object' || o === null) return bad('expected an object');
  const j = o as Partial<PcaJSON>;
  if (j.format !== 'latentmap-pca') bad('format is not "latentmap-pca"');
  const k = j.components;
  const d = j.columns;
  if (!Number.isInteger(k) || !Number.isInteger(d) || k! < 1 || d! < 1) return bad('components/columns must be positive integers');
  const nums = (a: unknown, len: number, name: string): number[] => {
    if (!Array.isArray(a) || a.length !== len || !a.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      return bad(`${name} must be ${len} finite numbers`);
    }
    return a as number[];
  };
  return {
    mean: Float32Array.from(nums(j.mean, d!, 'mean')),
    components: { rows: k!, cols: d!, values: Float32Array.from(nums(j.axes, k! * d!, 'axes')) },
    explainedVariance: Float64Array.from(nums(j.explainedVariance, k!, 'explainedVariance')),
  };
}

/**
 * Scatter matrix of the centred rows listed in `rows`: X^T X accumulated eight rows at a time over the raw
 * values (zero entries, common in image data, are skipped), minus m * mean mean^T.
 */
function covariance(x: Matrix, mean: Float64Array, rows: Int32Array, onProgress?: (fraction: number) => void): Float64Array {
  const { cols: d, values } = x;
  const n = rows.length;
  // about 50 reports over the pass
  const every = Math.max(8, Math.ceil(n / 50 / 8) * 8);
  const c = new Float64Array(d * d);
  const B = 8;
  const block = new Float64Array(B * d); // block[t * d + a]
  const active = new Int32Array(d);
  for (let i = 0; i < n; i += B) {
    if (onProgress && i > 0 && i % every === 0) onProgress(i / n);
    const m = Math.min(B, n - i);
    block.fill(0);
    for (let t = 0; t < m; t++) {
      const o = rows[i + t]! * d;
      for (let a = 0; a < d; a++) block[t * d + a] = values[o + a]!;
    }
    // columns where any row of the block is non-zero
    let na = 0;
    for (let a = 0; a < d; a++) {
      let nz = false;
      for (let t = 0; t < m; t++) if (block[t * d + a] !== 0) nz = true;
      if (nz) active[na++] = a;
    }
    for (let ia = 0; ia < na; ia++) {
      const a = active[ia]!;
      const a0 = block[a]!;
      const a1 = block[d + a]!;
      const a2 = block[2 * d + a]!;
      const a3 = block[3 * d + a]!;
      const a4 = block[4 * d + a]!;
      const a5 = block[5 * d + a]!;
      const a6 = block[6 * d + a]!;
      const a7 = block[7 * d + a]!;
      const o = a * d;
      for (let ib = ia; ib < na; ib++) {
        const b = active[ib]!;
        c[o + b]! +=
          a0 * block[b]! +
          a1 * block[d + b]! +
          a2 * block[2 * d + b]! +
          a3 * block[3 * d + b]! +
          a4 * block[4 * d + b]! +
          a5 * block[5 * d + b]! +
          a6 * block[6 * d + b]! +
          a7 * block[7 * d + b]!;
      }
    }
  }
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      const v = c[a * d + b]! - n * mean[a]! * mean[b]!;
      c[a * d + b] = v;
      c[b * d + a] = v;
    }
  }
  return c;
}

function multiplySymmetric(c: Float64Array, d: number, v: Float64Array, l: number): Float64Array {
  const out = new Float64Array(d * l);
  for (let b = 0; b < l; b++) {
    const vo = b * d;
    for (let r = 0; r < d; r++) {
      let s = 0;
      const co = r * d;
      for (let t = 0; t < d; t++) s += c[co + t]! * v[vo + t]!;
      out[vo + r] = s;
    }
  }
  return out;
}

/** X_c^T (X_c v) without forming the centred matrix. */
function gramApply(x: Matrix, mean: Float64Array, v: Float64Array, l: number, rows: Int32Array): Float64Array {
  const { cols: d, values } = x;
  const n = rows.length;
  const out = new Float64Array(d * l);
  const xv = new Float64Array(l);
  const meanV = new Float64Array(l);
  for (let b = 0; b < l; b++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += mean[t]! * v[b * d + t]!;
    meanV[b] = s;
  }
  for (let r = 0; r < n; r++) {
    const o = rows[r]! * d;
    for (let b = 0; b < l; b++) {
      let s = 0;
      const vo = b * d;
      for (let t = 0; t < d; t++) s += values[o + t]! * v[vo + t]!;
      xv[b] = s - meanV[b]!;
    }
    for (let b = 0; b < l; b++) {
      const w = xv[b]!;
      const vo = b * d;
      for (let t = 0; t < d; t++) out[vo + t]! += w * (values[o + t]! - mean[t]!);
    }
  }
  return out;
}

/** Modified Gram-Schmidt on l vectors of length d stored contiguously (twice, for stability). */
function orthonormalize(q: Float64Array, d: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let b = 0; b < l; b++) {
      const bo = b * d;
      for (let a = 0; a < b; a++) {
        const ao = a * d;
        let s = 0;
        for (let t = 0; t < d; t++) s += q[ao + t]! * q[bo + t]!;
        for (let t = 0; t < d; t++) q[bo + t]! -= s * q[ao + t]!;
      }
      let norm = 0;
      for (let t = 0; t < d; t++) norm += q[bo + t]! * q[bo + t]!;
      norm = Math.sqrt(norm);
      if (norm < 1e-300) {
        // degenerate (rank-deficient data): any unit vector orthogonal to the rest will do
        q.fill(0, bo, bo + d);
        q[bo + (b % d)] = 1;
        continue;
      }
      for (let t = 0; t < d; t++) q[bo + t]! /= norm;
    }
  }
}

/** Cyclic Jacobi eigen-decomposition of a small symmetric matrix; eigenvectors are columns. */
export function jacobiEigen(a0: Float64Array, l: number): { eigenvalues: Float64Array; eigenvectors: Float64Array } {
  const a = Float64Array.from(a0);
  const v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < l; p++) for (let q = p + 1; q < l; q++) off += a[p * l + q]! * a[p * l + q]!;
    if (off < 1e-30) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = a[p * l + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const app = a[p * l + p]!;
        const aqq = a[q * l + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < l; k++) {
          const akp = a[k * l + p]!;
          const akq = a[k * l + q]!;
          a[k * l + p] = c * akp - s * akq;
          a[k * l + q] = s * akp + c * akq;
        }
        for (let k = 0; k < l; k++) {
          const apk = a[p * l + k]!;
          const aqk = a[q * l + k]!;
          a[p * l + k] = c * apk - s * aqk;
          a[q * l + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p]!;
          const vkq = v[k * l + q]!;
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const eigenvalues = new Float64Array(l);
  for (let i = 0; i < l; i++) eigenvalues[i] = a[i * l + i]!;
  return { eigenvalues, eigenvectors: v };
}
