// Color encodings: a categorical palette safe for color-blind readers (Okabe-Ito up to 8 classes, Paul
// Tol's qualitative schemes for 9 to 12, then a generated extension that is not color-blind safe), and a sequential viridis ramp for numeric columns and reconstruction error.
// Colors are packed as little-endian RGBA in a Uint32 (0xAABBGGRR), the layout of ImageData pixels.
import { interpolateViridis } from 'd3';
import type { CategoryColumn, NumberColumn, PointColumn } from './points.js';

/** Okabe & Ito (2008), "Color Universal Design": distinguishable under the common color-vision deficiencies. */
export const OKABE_ITO = ['#E69F00', '#56B4E9', '#009E73', '#F0E442', '#0072B2', '#D55E00', '#CC79A7', '#000000'];
/**
 * Paul Tol's qualitative schemes for 9 to 12 classes (P. Tol, "Colour Schemes", SRON technical note
 * SRON/EPS/TN/09-002, 2012): distinct for readers with the common color-vision deficiencies and in print.
 */
export const TOL_QUALITATIVE: Record<9 | 10 | 11 | 12, string[]> = {
  9: ['#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#CC6677', '#882255', '#AA4499'],
  10: ['#332288', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#661100', '#CC6677', '#882255', '#AA4499'],
  11: ['#332288', '#6699CC', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#661100', '#CC6677', '#882255', '#AA4499'],
  12: ['#332288', '#6699CC', '#88CCEE', '#44AA99', '#117733', '#999933', '#DDCC77', '#661100', '#CC6677', '#AA4466', '#882255', '#AA4499'],
};
/** Most categories the palette keeps color-blind safe; past it the legend says so. */
export const SAFE_CATEGORIES = 12;
/** Color of rows with a missing value. */
export const MISSING_COLOR = '#9a9a9a';

/** Packs a CSS hex color (#rgb or #rrggbb) into 0xAABBGGRR. */
export function packHex(hex: string, alpha = 255): number {
  let h = hex.replace('#', '');
  if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
  const v = parseInt(h, 16);
  if (h.length !== 6 || Number.isNaN(v)) throw new Error(`not a hex color: ${hex}`);
  return (((alpha & 255) << 24) | ((v & 255) << 16) | (v & 0xff00) | ((v >> 16) & 255)) >>> 0;
}

/** Packs r, g, b (0-255) into 0xAABBGGRR with alpha 255. */
export function packRgb(r: number, g: number, b: number): number {
  return ((255 << 24) | ((b & 255) << 16) | ((g & 255) << 8) | (r & 255)) >>> 0;
}

/** 0xAABBGGRR → #rrggbb. */
export function unpackHex(c: number): string {
  const r = c & 255;
  const g = (c >>> 8) & 255;
  const b = (c >>> 16) & 255;
  return '#' + ((1 << 24) | (r << 16) | (g << 8) | b).toString(16).slice(1);
}

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const f = (k: number) => {
    const t = (k + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(t - 3, 9 - t, 1));
    return Math.round(c * 255)
      .toString(16)
      .padStart(2, '0');
  };
  return `#${f(0)}${f(8)}${f(4)}`;
}

/**
 * The categorical palette for `count` categories: Okabe-Ito up to 8, Tol's scheme for exactly 9-12, and
 * past 12 Tol's 12 followed by golden-angle hues (not color-blind safe: the legend says so).
 */
export function categoricalPalette(count: number): string[] {
  if (count <= OKABE_ITO.length) return OKABE_ITO.slice(0, count);
  if (count <= SAFE_CATEGORIES) return TOL_QUALITATIVE[count as 9 | 10 | 11 | 12].slice();
  const out = TOL_QUALITATIVE[12].slice();
  for (let i = SAFE_CATEGORIES; i < count; i++) out.push(hslToHex((i * 137.508) % 360, 0.55 + 0.2 * ((i >> 1) % 2), 0.42 + 0.12 * (i % 3)));
  return out;
}

/** A 256-entry viridis lookup table, packed. */
export function viridisLut(): Uint32Array {
  const lut = new Uint32Array(256);
  for (let i = 0; i < 256; i++) lut[i] = packHex(toHex(interpolateViridis(i / 255)));
  return lut;
}

function toHex(css: string): string {
  if (css.startsWith('#')) return css;
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  if (!m) throw new Error(`unexpected color ${css}`);
  return '#' + [m[1], m[2], m[3]].map((v) => Number(v).toString(16).padStart(2, '0')).join('');
}

/** The q-quantile (0..1) of the finite values, by sorting a sample of at most 20,000 values. */
export function quantile(values: ArrayLike<number>, q: number): number {
  const step = Math.max(1, Math.floor(values.length / 20000));
  const sample: number[] = [];
  for (let i = 0; i < values.length; i += step) if (Number.isFinite(values[i])) sample.push(values[i]);
  if (sample.length === 0) return NaN;
  sample.sort((a, b) => a - b);
  const pos = Math.min(sample.length - 1, Math.max(0, q * (sample.length - 1)));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sample[lo] + (sample[hi] - sample[lo]) * (pos - lo);
}

/** How a column is colored: per-row packed colors plus what the legend needs to explain them. */
export type ColorEncoding =
  | { kind: 'category'; column: CategoryColumn; colors: Uint32Array; palette: string[] }
  | { kind: 'number'; column: NumberColumn; colors: Uint32Array; domain: [number, number]; log: boolean; interpolate: (t: number) => string }
  | { kind: 'none'; colors: Uint32Array };

/** Default point color when nothing is colored. */
export const DEFAULT_COLOR = '#3b6ea8';

/** Encodes a categorical column. */
export function encodeCategory(column: CategoryColumn): ColorEncoding & { kind: 'category' } {
  const palette = categoricalPalette(column.categories.length);
  // colours as int32 (an opaque one read as uint32 is no small integer to V8: a boxed number per row)
  const packed = Int32Array.from(palette, (c) => packHex(c) | 0);
  const missing = packHex(MISSING_COLOR) | 0;
  const colors = new Uint32Array(column.codes.length);
  const out = new Int32Array(colors.buffer);
  const codes = column.codes;
  for (let i = 0; i < out.length; i++) {
    const c = codes[i];
    out[i] = c < 0 ? missing : packed[c];
  }
  return { kind: 'category', column, colors, palette };
}

/**
 * Encodes a numeric column with viridis. The domain runs from the 1st to the 99th percentile so a few
 * outliers do not wash the map out; a strongly right-skewed positive column (like reconstruction error) uses a log scale.
 */
export function encodeNumber(column: NumberColumn): ColorEncoding & { kind: 'number' } {
  const lut = viridisLut();
  const v = column.values;
  let lo = quantile(v, 0.01);
  let hi = quantile(v, 0.99);
  if (!(lo < hi)) {
    lo = column.min;
    hi = column.max;
  }
  const median = quantile(v, 0.5);
  const log = lo > 0 && hi / lo > 20 && median - lo < (hi - lo) * 0.25;
  const f = log ? Math.log : (t: number) => t;
  const a = f(lo);
  const span = f(hi) - a || 1;
  const missing = packHex(MISSING_COLOR);
  const colors = new Uint32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isFinite(x)) {
      colors[i] = missing;
      continue;
    }
    let t = (f(x) - a) / span;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    colors[i] = lut[(t * 255 + 0.5) | 0];
  }
  return { kind: 'number', column, colors, domain: [lo, hi], log, interpolate: interpolateViridis };
}

/** Encodes any column (or none). */
export function encodeColumn(column: PointColumn | null, n: number): ColorEncoding {
  if (!column) return { kind: 'none', colors: new Uint32Array(n).fill(packHex(DEFAULT_COLOR)) };
  return column.kind === 'category' ? encodeCategory(column) : encodeNumber(column);
}
