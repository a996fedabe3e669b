// FFT-accelerated repulsive forces (Linderman et al. 2019, FIt-SNE; openTSNE's "fft" method): charges are
// spread onto a regular grid by Lagrange interpolation, convolved with the kernel 1 / (1 + r^2)^2 by FFT,
// and interpolated back. Four charges (1, y1, y2, |y|^2) give both the forces and the normalization Z.

import type { RepulsionFn } from '../types.js';

export interface FftOptions {
  /** Interpolation nodes per box and dimension. Default 3 (as FIt-SNE and openTSNE). */
  nodesPerBox?: number;
  /** Smallest number of boxes per dimension. Default 50. */
  minBoxes?: number;
  /** Boxes per unit of embedding extent. Default 1. */
  boxesPerUnit?: number;
}

/** Columns transformed together by the column FFT (m * STRIP * 16 bytes stay in cache). */
const STRIP = 32;

/** FFT sizes we support: 2^a and 3 * 2^a. */
function fftSize(min: number): number {
  let best = Infinity;
  for (let p = 8; p < 1 << 20; p *= 2) {
    if (p >= min) best = Math.min(best, p);
    if (3 * p >= min) best = Math.min(best, 3 * p);
    if (p > min) break;
  }
  return best;
}

/**
 * Complex FFT of length m = 2^a or 3 * 2^a on an m x m row-major grid: rowTransform() transforms one
 * contiguous row; columnTransform() transforms every column at once, treating whole rows as the vector
 * elements of the butterflies (sequential memory access, no transposes).
 */
class Fft {
  readonly m: number;
  private readonly radix3: boolean;
  private readonly l: number; // power-of-two part
  private readonly cos: Float64Array; // e^{-2 pi i t / l}
  private readonly sin: Float64Array;
  private readonly rev: Int32Array;
  private readonly cosM: Float64Array; // e^{-2 pi i t / m}
  private readonly sinM: Float64Array;
  private readonly tr: Float64Array;
  private readonly ti: Float64Array;
  private gridRe: Float64Array | null = null;
  private gridIm: Float64Array | null = null;

  constructor(m: number) {
    this.m = m;
    this.radix3 = (m & (m - 1)) !== 0;
    this.l = this.radix3 ? m / 3 : m;
    const l = this.l;
    this.cos = new Float64Array(Math.max(1, l / 2));
    this.sin = new Float64Array(Math.max(1, l / 2));
    for (let t = 0; t < l / 2; t++) {
      this.cos[t] = Math.cos((-2 * Math.PI * t) / l);
      this.sin[t] = Math.sin((-2 * Math.PI * t) / l);
    }
    this.rev = new Int32Array(l);
    const bits = Math.round(Math.log2(l));
    for (let t = 0; t < l; t++) {
      let r = 0;
      for (let b = 0; b < bits; b++) if (t & (1 << b)) r |= 1 << (bits - 1 - b);
      this.rev[t] = r;
    }
    this.cosM = new Float64Array(m);
    this.sinM = new Float64Array(m);
    for (let t = 0; t < m; t++) {
      this.cosM[t] = Math.cos((-2 * Math.PI * t) / m);
      this.sinM[t] = Math.sin((-2 * Math.PI * t) / m);
    }
    this.tr = new Float64Array(m);
    this.ti = new Float64Array(m);
  }

  /** Power-of-two FFT of re/im[off .. off + l) in place (sign 1 forward, -1 unscaled inverse). */
  private pow2(re: Float64Array, im: Float64Array, off: number, sign: number): void {
    const l = this.l;
    const rev = this.rev;
    for (let t = 0; t < l; t++) {
      const r = rev[t]!;
      if (r > t) {
        const a = re[off + t]!;
        re[off + t] = re[off + r]!;
        re[off + r] = a;
        const b = im[off + t]!;
        im[off + t] = im[off + r]!;
        im[off + r] = b;
      }
    }
    // first stage: twiddle 1
    for (let a = off; a < off + l; a += 2) {
      const xr = re[a + 1]!;
      const xi = im[a + 1]!;
      re[a + 1] = re[a]! - xr;
      im[a + 1] = im[a]! - xi;
      re[a]! += xr;
      im[a]! += xi;
    }
    const cos = this.cos;
    const sin = this.sin;
    for (let size = 4; size <= l; size <<= 1) {
      const half = size >> 1;
      const step = l / size;
      for (let t = 0; t < half; t++) {
        const wr = cos[t * step]!;
        const wi = sign * sin[t * step]!;
        for (let a = off + t; a < off + l; a += size) {
          const b = a + half;
          const br = re[b]!;
          const bi = im[b]!;
          const xr = br * wr - bi * wi;
          const xi = br * wi + bi * wr;
          re[b] = re[a]! - xr;
          im[b] = im[a]! - xi;
          re[a]! += xr;
          im[a]! += xi;
        }
      }
    }
  }

  /** FFT of the contiguous row re/im[off .. off + m). */
  rowTransform(re: Float64Array, im: Float64Array, off: number, sign: number): void {
    if (!this.radix3) {
      this.pow2(re, im, off, sign);
      return;
    }
    const { m, l, tr, ti, cosM, sinM } = this;
    for (let r = 0; r < 3; r++) {
      for (let t = 0; t < l; t++) {
        tr[r * l + t] = re[off + 3 * t + r]!;
        ti[r * l + t] = im[off + 3 * t + r]!;
      }
      this.pow2(tr, ti, r * l, sign);
    }
    for (let t = 0; t < m; t++) {
      const u = t < l ? t : t < 2 * l ? t - l : t - 2 * l;
      const w2 = 2 * t < m ? 2 * t : 2 * t - m;
      const c1 = cosM[t]!;
      const s1 = sign * sinM[t]!;
      const c2 = cosM[w2]!;
      const s2 = sign * sinM[w2]!;
      const br = tr[l + u]!;
      const bi = ti[l + u]!;
      const cr = tr[2 * l + u]!;
      const ci = ti[2 * l + u]!;
      re[off + t] = tr[u]! + br * c1 - bi * s1 + cr * c2 - ci * s2;
      im[off + t] = ti[u]! + br * s1 + bi * c1 + cr * s2 + ci * c2;
    }
  }

  /** Power-of-two FFT along the row index of rows [r0, r0 + l) of the grid (stride `rowStride` rows). */
  private pow2Columns(
    re: Float64Array,
    im: Float64Array,
    r0: number,
    rowStride: number,
    sign: number,
    c0: number,
    c1: number,
  ): void {
    const { l, m, rev, cos, sin } = this;
    const rowOff = (t: number) => (r0 + t * rowStride) * m;
    for (let t = 0; t < l; t++) {
      const r = rev[t]!;
      if (r > t) {
        const a = rowOff(t);
        const b = rowOff(r);
        for (let c = c0; c < c1; c++) {
          const x = re[a + c]!;
          re[a + c] = re[b + c]!;
          re[b + c] = x;
          const y = im[a + c]!;
          im[a + c] = im[b + c]!;
          im[b + c] = y;
        }
      }
    }
    for (let size = 2; size <= l; size <<= 1) {
      const half = size >> 1;
      const step = l / size;
      for (let s = 0; s < l; s += size) {
        for (let t = 0; t < half; t++) {
          const wr = t === 0 ? 1 : cos[t * step]!;
          const wi = t === 0 ? 0 : sign * sin[t * step]!;
          const a = rowOff(s + t);
          const b = rowOff(s + t + half);
          if (t === 0) {
            for (let c = c0; c < c1; c++) {
              const xr = re[b + c]!;
              const xi = im[b + c]!;
              re[b + c] = re[a + c]! - xr;
              im[b + c] = im[a + c]! - xi;
              re[a + c]! += xr;
              im[a + c]! += xi;
            }
          } else {
            for (let c = c0; c < c1; c++) {
              const br = re[b + c]!;
              const bi = im[b + c]!;
              const xr = br * wr - bi * wi;
              const xi = br * wi + bi * wr;
              re[b + c] = re[a + c]! - xr;
              im[b + c] = im[a + c]! - xi;
              re[a + c]! += xr;
              im[a + c]! += xi;
            }
          }
        }
      }
    }
  }

  /** FFT of every column of the m x m grid at once (whole rows as vector elements). */
  columnTransform(re: Float64Array, im: Float64Array, sign: number): void {
    const { m, l } = this;
    // strips of STRIP columns keep a transform's working set in cache
    for (let c0 = 0; c0 < m; c0 += STRIP) {
      const c1 = Math.min(m, c0 + STRIP);
      if (!this.radix3) this.pow2Columns(re, im, 0, 1, sign, c0, c1);
      // decimation by 3: rows 3t + r form sub-sequence r; transform each in place (stride 3 rows)
      else for (let r = 0; r < 3; r++) this.pow2Columns(re, im, r, 3, sign, c0, c1);
    }
    if (!this.radix3) return;
    // radix-3 combine
    if (!this.gridRe || this.gridRe.length !== m * m) {
      this.gridRe = new Float64Array(m * m);
      this.gridIm = new Float64Array(m * m);
    }
    const outRe = this.gridRe;
    const outIm = this.gridIm!;
    const { cosM, sinM } = this;
    for (let t = 0; t < m; t++) {
      const u = t < l ? t : t < 2 * l ? t - l : t - 2 * l;
      const w2 = 2 * t < m ? 2 * t : 2 * t - m;
      const c1 = cosM[t]!;
      const s1 = sign * sinM[t]!;
      const c2 = cosM[w2]!;
      const s2 = sign * sinM[w2]!;
      const a = (3 * u) * m;
      const b = (3 * u + 1) * m;
      const d = (3 * u + 2) * m;
      const o = t * m;
      for (let c = 0; c < m; c++) {
        const br = re[b + c]!;
        const bi = im[b + c]!;
        const cr = re[d + c]!;
        const ci = im[d + c]!;
        outRe[o + c] = re[a + c]! + br * c1 - bi * s1 + cr * c2 - ci * s2;
        outIm[o + c] = im[a + c]! + br * s1 + bi * c1 + cr * s2 + ci * c2;
      }
    }
    re.set(outRe);
    im.set(outIm);
  }
}

/** Lagrange weights of the p equispaced nodes (j + 0.5) / p at u in [0, 1]. */
function lagrange(u: number, p: number, nodes: Float64Array, denom: Float64Array, out: Float64Array, o: number): void {
  for (let j = 0; j < p; j++) {
    let w = 1;
    for (let m = 0; m < p; m++) if (m !== j) w *= u - nodes[m]!;
    out[o + j] = w / denom[j]!;
  }
}

/** The smallest coordinate of the first n points of y (either axis) and the extent above it (at least 1e-6). */
export function mapRange(y: Float64Array, n: number): { lo: number; extent: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (let t = 0; t < 2 * n; t++) {
    const v = y[t]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return { lo, extent: Math.max(hi - lo, 1e-6) };
}

/**
 * The grid for a map of this extent: boxes are 1 / boxesPerUnit wide once the map spans minBoxes of them
 * (wideMap; then the kernel's transform depends on the FFT length only and is reused), and a smaller map is
 * cut into at least minBoxes boxes. m is the FFT length (at least twice the grid's nodes per dimension).
 */
function gridPlan(extent: number, p: number, minBoxes: number, perUnit: number): { wideMap: boolean; m: number } {
  const wideMap = extent * perUnit >= minBoxes;
  const wantBoxes = wideMap ? Math.ceil(extent * perUnit) + 1 : minBoxes;
  return { wideMap, m: fftSize(2 * wantBoxes * p) };
}

/** The FFT length the FFT method uses for a map of this extent (largest minus smallest coordinate). */
export function fftLength(extent: number, options: FftOptions = {}): number {
  return gridPlan(extent, options.nodesPerBox ?? 3, options.minBoxes ?? 50, options.boxesPerUnit ?? 1).m;
}

/**
 * Compact maps (narrower than minBoxes boxes) stretch their boxes to the map; the box width is rounded up
 * to a power of this factor, so the grid (and the kernel's transform) changes only when the map has grown
 * by this much, not every iteration.
 */
const WIDTH_STEP = 1.05;

/**
 * The state of the FFT method for one thread: the grid laid over the current positions, each point's
 * interpolation weights, one complex work grid and the kernel's transform. The four charges are
 * convolved as two complex pairs, A = (1, y1) and B = (y2, |y|^2), so two threads can take one pair each
 * and combine() gives the same numbers as one thread doing both.
 */
export class FftState {
  private readonly p: number;
  private readonly minBoxes: number;
  private readonly perUnit: number;
  private readonly nodes: Float64Array;
  private readonly denom: Float64Array;
  private fft: Fft | null = null;
  private re = new Float64Array(0);
  private im = new Float64Array(0);
  private kernel = new Float64Array(0);
  private wx = new Float64Array(0);
  private wy = new Float64Array(0);
  private cell = new Int32Array(0);
  private kernelM = 0;
  private kernelSpacing = 0;
  private m = 0;
  private g = 0;

  constructor(options: FftOptions = {}) {
    const p = (this.p = options.nodesPerBox ?? 3);
    this.minBoxes = options.minBoxes ?? 50;
    this.perUnit = options.boxesPerUnit ?? 1;
    this.nodes = new Float64Array(p);
    this.denom = new Float64Array(p);
    for (let j = 0; j < p; j++) this.nodes[j] = (j + 0.5) / p;
    for (let j = 0; j < p; j++) {
      let d = 1;
      for (let k = 0; k < p; k++) if (k !== j) d *= this.nodes[j]! - this.nodes[k]!;
      this.denom[j] = d;
    }
  }

  /** Lays the grid over the first n points of y and computes their interpolation weights. */
  prepare(y: Float64Array, n: number): void {
    const { p, minBoxes, perUnit } = this;
    const { lo, extent } = mapRange(y, n);
    const { wideMap, m } = gridPlan(extent, p, minBoxes, perUnit);
    // use every node the chosen length affords
    const boxes = Math.floor(m / 2 / p);
    const g = boxes * p; // grid nodes per dimension
    const boxWidth = wideMap ? 1 / perUnit : Math.pow(WIDTH_STEP, Math.ceil(Math.log(extent / boxes) / Math.log(WIDTH_STEP)));
    const spacing = boxWidth / p;
    this.m = m;
    this.g = g;
    if (!this.fft || this.fft.m !== m) {
      this.fft = new Fft(m);
      this.re = new Float64Array(m * m);
      this.im = new Float64Array(m * m);
      this.kernel = new Float64Array(m * m);
      this.kernelM = 0;
    }
    if (this.kernelM !== m || this.kernelSpacing !== spacing) {
      this.kernelM = m;
      this.kernelSpacing = spacing;
      this.kernelTransform(spacing);
    }
    if (this.wx.length < n * p) {
      this.wx = new Float64Array(n * p);
      this.wy = new Float64Array(n * p);
      this.cell = new Int32Array(2 * n);
    }
    const { wx, wy, cell, nodes, denom } = this;
    for (let i = 0; i < n; i++) {
      let sx = (y[2 * i]! - lo) / boxWidth;
      let sy = (y[2 * i + 1]! - lo) / boxWidth;
      let bx = Math.floor(sx);
      let by = Math.floor(sy);
      if (bx >= boxes) bx = boxes - 1;
      if (by >= boxes) by = boxes - 1;
      sx -= bx;
      sy -= by;
      cell[2 * i] = bx * p;
      cell[2 * i + 1] = by * p;
      lagrange(sx, p, nodes, denom, wx, i * p);
      lagrange(sy, p, nodes, denom, wy, i * p);
    }
  }

  /** The kernel 1 / (1 + r^2)^2 on the grid offsets, circularly embedded, transformed (real: it is even). */
  private kernelTransform(spacing: number): void {
    const { m, g, re, im } = this;
    re.fill(0);
    im.fill(0);
    for (let a = 0; a < m; a++) {
      const da = a < g ? a : a > m - g ? a - m : NaN;
      if (Number.isNaN(da)) continue;
      for (let b = 0; b < m; b++) {
        const db = b < g ? b : b > m - g ? b - m : NaN;
        if (Number.isNaN(db)) continue;
        const r2 = (da * da + db * db) * spacing * spacing;
        const q = 1 / (1 + r2);
        re[a * m + b] = q * q;
      }
    }
    fft2(this.fft!, re, im, m, m, 1, m);
    this.kernel.set(re);
  }

  /**
   * Convolves charge pair `pair` (0: 1 and y1; 1: y2 and |y|^2) with the kernel and interpolates the two
   * potentials back to the points: pot[2 * i], pot[2 * i + 1]. Call prepare() with the same y first.
   */
  potentials(y: Float64Array, n: number, pair: 0 | 1, pot: Float64Array): void {
    const { p, m, g, re, im, wx, wy, cell, kernel } = this;
    const fft = this.fft!;
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < n; i++) {
      const x0 = y[2 * i]!;
      const x1 = y[2 * i + 1]!;
      const c0 = pair === 0 ? 1 : x1;
      const c1 = pair === 0 ? x0 : x0 * x0 + x1 * x1;
      const gx = cell[2 * i]!;
      const gy = cell[2 * i + 1]!;
      for (let u = 0; u < p; u++) {
        const row = (gx + u) * m + gy;
        const wu = wx[i * p + u]!;
        for (let v = 0; v < p; v++) {
          const w = wu * wy[i * p + v]!;
          re[row + v]! += w * c0;
          im[row + v]! += w * c1;
        }
      }
    }
    fft2(fft, re, im, m, g, 1, m);
    // the kernel's transform is real, so multiplying both parts keeps the packing
    for (let t = 0; t < m * m; t++) {
      const k = kernel[t]!;
      re[t]! *= k;
      im[t]! *= k;
    }
    fft2(fft, re, im, m, m, -1, g);
    const scale = 1 / (m * m);
    for (let i = 0; i < n; i++) {
      const gx = cell[2 * i]!;
      const gy = cell[2 * i + 1]!;
      let p0 = 0;
      let p1 = 0;
      for (let u = 0; u < p; u++) {
        const row = (gx + u) * m + gy;
        const wu = wx[i * p + u]!;
        for (let v = 0; v < p; v++) {
          const w = wu * wy[i * p + v]!;
          p0 += w * re[row + v]!;
          p1 += w * im[row + v]!;
        }
      }
      pot[2 * i] = p0 * scale;
      pot[2 * i + 1] = p1 * scale;
    }
  }
}

/**
 * Forces and Z from the potentials of pair A (potA) and pair B (potB): writes sum_j q^2 (y_i - y_j) into
 * out and returns Z = sum_{i != j} q.
 */
export function combinePotentials(y: Float64Array, n: number, potA: Float64Array, potB: Float64Array, out: Float64Array): number {
  let z = 0;
  for (let i = 0; i < n; i++) {
    const p0 = potA[2 * i]!;
    const p1 = potA[2 * i + 1]!;
    const p2 = potB[2 * i]!;
    const p3 = potB[2 * i + 1]!;
    const x0 = y[2 * i]!;
    const x1 = y[2 * i + 1]!;
    out[2 * i] = x0 * p0 - p1;
    out[2 * i + 1] = x1 * p0 - p2;
    z += (1 + x0 * x0 + x1 * x1) * p0 - 2 * (x0 * p1 + x1 * p2) + p3;
  }
  return z - n;
}

/** FFT-interpolated repulsion. Holds its grids between calls; not safe to share between threads. */
export function fftRepulsion(options: FftOptions = {}): RepulsionFn {
  const state = new FftState(options);
  let potA = new Float64Array(0);
  let potB = new Float64Array(0);
  return (y, n, out) => {
    if (potA.length < 2 * n) {
      potA = new Float64Array(2 * n);
      potB = new Float64Array(2 * n);
    }
    state.prepare(y, n);
    state.potentials(y, n, 0, potA);
    state.potentials(y, n, 1, potB);
    return combinePotentials(y, n, potA, potB, out);
  };
}

/**
 * 2-D FFT of an m x m row-major complex grid. Forward: only the first `rowsIn` rows are non-zero (row
 * transforms skip the rest). Inverse: only the first `rowsOut` rows are needed afterwards.
 */
function fft2(
  fft: Fft,
  re: Float64Array,
  im: Float64Array,
  m: number,
  rowsIn: number,
  sign: number,
  rowsOut: number,
): void {
  if (sign === 1) {
    for (let r = 0; r < rowsIn; r++) fft.rowTransform(re, im, r * m, sign);
    fft.columnTransform(re, im, sign);
  } else {
    fft.columnTransform(re, im, sign);
    for (let r = 0; r < rowsOut; r++) fft.rowTransform(re, im, r * m, sign);
  }
}
