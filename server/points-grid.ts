// A run's map on a grid, for the answers that stand in for all of its points when a browser cannot hold them
// (past about ten million): an overview sample of the whole map, and the rows of a region of it. Pure: no
// files, no threads (points-subset.ts runs it in the server's worker thread).
//
// The rows are counting-sorted by stratum: the grid cell they lie in (gridSide(n) cells a side, at most GRID_SIDE, over the
// finite extent; rows with a non-finite coordinate in one stratum of their own after the grid) and, when the run has
// a label with at most MAX_STRATA_CLASSES values, their class within the cell. One order serves both answers:
// a cell's rows are contiguous, so a region reads only the cells it overlaps.
//
// The sample is stratified with square-root allocation (Cochran, Sampling Techniques, 1977, ch. 5; Kish's
// compromise between proportional and equal allocation): a stratum of c rows keeps about lambda * sqrt(c) of
// them (at most c, and at least one while there are no more than budget/2 non-empty strata), lambda the
// largest that fits the budget, a uniform seeded sample within each stratum. A uniform sample keeps
// budget/n of every region and class: at 1M of 20M rows, a 100-row cluster keeps 5, a 10-row one most often
// none. Here a denser cell still keeps more rows than a sparser one (the picture's density order stays), but
// sparse regions and small classes keep a far larger share: every stratum keeps a row, so no region of the
// map and no class within a cell is lost. This is the density-biased sampling of scatter plots (Palmer &
// Faloutsos, "Density biased sampling", SIGMOD 2000, sample probability ~ density^-e; Bertini & Santucci,
// "By chance is not enough: preserving relative density through nonuniform sampling", 2004), with e = 1/2. datashader does not sample (it aggregates
// every row into pixels on the server) and Embedding Atlas draws every row it has in the browser (DuckDB-WASM
// beside a WebGPU/WebGL renderer): neither serves rows past what the browser holds, which is what this is for.
// The trade: the overview flattens density (a dense cell is under-represented, relative to a sparse one, by
// sqrt of their density ratio); the viewer says that it is an overview and loads the exact rows of a region
// when the user zooms in.
import { createRandom, type Random } from '../pipeline/random.js';

/** Most cells per side of the grid. */
export const GRID_SIDE = 256;

/**
 * Cells per side for n rows: about 64 rows a cell were they spread evenly (a sparse grid makes most strata
 * one row, and a sample of them a lottery), from 8 to GRID_SIDE.
 */
export function gridSide(n: number): number {
  return Math.min(GRID_SIDE, Math.max(8, Math.round(Math.sqrt(n / 64))));
}
/** A label with more distinct values than this is not stratified by (only the cells are). */
export const MAX_STRATA_CLASSES = 64;
/** Class values below this (whole, non-negative) are coded through an array. */
const SMALL_CLASS = 4096;

export interface PointsGrid {
  side: number;
  /** Classes per cell (1: no label strata). */
  classes: number;
  xmin: number;
  xmax: number;
  ymin: number;
  ymax: number;
  /** Row positions sorted by stratum (cell * classes + class), ascending within a stratum. */
  order: Int32Array;
  /** Where each stratum starts in `order`: (side * side + 1) * classes + 1 entries (the last stratum group: non-finite rows). */
  starts: Int32Array;
}

/** An axis-aligned region of the map, bounds included. */
export interface Region {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The rows a sample or region answer holds: positions ascending, and how many rows they stand for. */
export interface PickedRows {
  positions: Int32Array;
  /** Rows of the run (overview) or inside the region (region): the true count, sampled or not. */
  total: number;
}

/**
 * Sorts n rows (map coordinates x, y; class codes 0..classes-1 or null) onto the grid. Throws when a class
 * code is out of range.
 */
export function buildGrid(x: ArrayLike<number>, y: ArrayLike<number>, classOf: Int32Array | null, classes: number, side = gridSide(x.length)): PointsGrid {
  const n = x.length;
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < n; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (!Number.isFinite(a) || !Number.isFinite(b)) continue;
    if (a < xmin) xmin = a;
    if (a > xmax) xmax = a;
    if (b < ymin) ymin = b;
    if (b > ymax) ymax = b;
  }
  if (!(xmin <= xmax)) xmin = xmax = ymin = ymax = 0;
  const L = classOf ? classes : 1;
  const strata = (side * side + 1) * L;
  const stratum = new Int32Array(n);
  const counts = new Int32Array(strata + 1);
  const sx = xmax > xmin ? side / (xmax - xmin) : 0;
  const sy = ymax > ymin ? side / (ymax - ymin) : 0;
  for (let i = 0; i < n; i++) {
    const a = x[i]!;
    const b = y[i]!;
    let cell: number;
    if (!Number.isFinite(a) || !Number.isFinite(b)) cell = side * side;
    else {
      const cx = Math.min(side - 1, Math.floor((a - xmin) * sx));
      const cy = Math.min(side - 1, Math.floor((b - ymin) * sy));
      cell = cy * side + cx;
    }
    const c = classOf ? classOf[i]! : 0;
    if (c < 0 || c >= L) throw new Error(`class code ${c} of row ${i} is outside 0..${L - 1}`);
    const s = cell * L + c;
    stratum[i] = s;
    counts[s + 1]!++;
  }
  for (let s = 0; s < strata; s++) counts[s + 1]! += counts[s]!;
  const starts = counts.slice();
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[counts[stratum[i]!]!++] = i;
  return { side, classes: L, xmin, xmax, ymin, ymax, order, starts };
}

/**
 * Class codes 0..k-1 of a label column (ascending first appearance) when it has at most `max` distinct
 * values; null otherwise (or without a label). Missing values are one class of their own.
 */
export function classCodes(n: number, get: (row: number) => unknown, max = MAX_STRATA_CLASSES): { codes: Int32Array; classes: number } | null {
  const ids = new Map<unknown, number>();
  const codes = new Int32Array(n);
  // small non-negative integers (class numbers) are looked up in an array, not the Map
  const small = new Int32Array(SMALL_CLASS).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = get(i) ?? null;
    if (typeof v === 'number' && v >= 0 && v < SMALL_CLASS && (v | 0) === v && small[v]! >= 0) {
      codes[i] = small[v]!;
      continue;
    }
    let id = ids.get(v);
    if (id === undefined) {
      if (ids.size >= max) return null;
      id = ids.size;
      ids.set(v, id);
      if (typeof v === 'number' && v >= 0 && v < SMALL_CLASS && (v | 0) === v) small[v] = id;
    }
    codes[i] = id;
  }
  return { codes, classes: Math.max(1, ids.size) };
}

/**
 * How many rows each stratum of `sizes` keeps of a `budget` smaller than their sum (see the file's head):
 * t = min(size, max(floor, lambda * sqrt(size))), lambda the largest with sum(t) <= budget, floor 1 when
 * there are at most budget / 2 non-empty strata (every stratum keeps a row) else 0; each stratum keeps t
 * rounded down or, with probability its fraction, up (systematic sampling over the fractions from a seeded
 * start: a stratum whose share is 0.3 row keeps one 30% of the time, not never). The sum is exactly `budget`.
 */
export function allocate(sizes: Int32Array, budget: number, random: Random): Int32Array {
  const k = sizes.length;
  let nonEmpty = 0;
  for (let s = 0; s < k; s++) if (sizes[s]! > 0) nonEmpty++;
  const floor = nonEmpty <= budget / 2 ? 1 : 0;
  const share = (s: number, lambda: number): number => {
    const size = sizes[s]!;
    return size === 0 ? 0 : Math.min(size, Math.max(floor, lambda * Math.sqrt(size)));
  };
  const sum = (lambda: number): number => {
    let t = 0;
    for (let s = 0; s < k; s++) t += share(s, lambda);
    return t;
  };
  let lo = 0;
  let hi = 1;
  while (sum(hi) < budget) hi *= 2;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (sum(mid) <= budget) lo = mid;
    else hi = mid;
  }
  const out = new Int32Array(k);
  let left = budget;
  for (let s = 0; s < k; s++) left -= out[s] = Math.floor(share(s, lo));
  // systematic sampling over the fractions: thresholds u, u + 1, u + 2, ... along their running sum
  let next = random();
  let acc = 0;
  for (let s = 0; s < k && left > 0; s++) {
    acc += share(s, lo) - out[s]!;
    if (acc > next && out[s]! < sizes[s]!) {
      out[s]!++;
      left--;
      next += 1;
    }
  }
  // rounding error: the last rows to the first strata with room
  for (let s = 0; s < k && left > 0; s++) if (out[s]! < sizes[s]!) (out[s]!++, left--);
  return out;
}

/**
 * At most `budget` of the rows `positions`, grouped in strata (stratum s: positions[bounds[s]..bounds[s+1])),
 * each stratum keeping allocate()'s share of them, a uniform sample within it: the same seed gives the same
 * rows. All of them when they fit. Returns positions ascending.
 */
export function stratifiedSample(positions: Int32Array, bounds: Int32Array, budget: number, seed: number): Int32Array {
  const total = positions.length;
  if (total <= budget) return positions.slice().sort();
  // the non-empty strata (most cells of a grid over a map are empty)
  const ids: number[] = [];
  for (let s = 0; s + 1 < bounds.length; s++) if (bounds[s + 1]! > bounds[s]!) ids.push(s);
  const sizes = Int32Array.from(ids, (s) => bounds[s + 1]! - bounds[s]!);
  const random = createRandom(seed >>> 0);
  const takes = allocate(sizes, budget, random);
  const out = new Int32Array(budget);
  let m = 0;
  let scratch = new Int32Array(0);
  for (let j0 = 0; j0 < ids.length; j0++) {
    const from = bounds[ids[j0]!]!;
    const size = sizes[j0]!;
    const take = takes[j0]!;
    if (take === size) {
      out.set(positions.subarray(from, from + size), m);
      m += size;
      continue;
    }
    if (scratch.length < size) scratch = new Int32Array(size);
    scratch.set(positions.subarray(from, from + size));
    // partial Fisher-Yates: the first `take` entries become a uniform sample of the stratum
    for (let j = 0; j < take; j++) {
      const r = j + random.int(size - j);
      const t = scratch[j]!;
      scratch[j] = scratch[r]!;
      scratch[r] = t;
    }
    out.set(scratch.subarray(0, take), m);
    m += take;
  }
  return out.subarray(0, m).sort();
}

/** A stratified sample of at most `budget` rows of the whole map (every row when it fits). */
export function overviewRows(grid: PointsGrid, budget: number, seed: number): PickedRows {
  return { positions: stratifiedSample(grid.order, grid.starts, budget, seed), total: grid.order.length };
}

/**
 * The rows inside `region` (bounds included; rows with a non-finite coordinate are in no region): every one
 * of them, ascending, when they are at most `limit`; else a stratified sample of `limit` of them. `total`
 * is the true count either way.
 */
export function regionRows(grid: PointsGrid, x: ArrayLike<number>, y: ArrayLike<number>, region: Region, limit: number, seed: number): PickedRows {
  const { side, classes: L, order, starts } = grid;
  const cellX = (v: number): number => (grid.xmax > grid.xmin ? Math.floor(((v - grid.xmin) / (grid.xmax - grid.xmin)) * side) : 0);
  const cellY = (v: number): number => (grid.ymax > grid.ymin ? Math.floor(((v - grid.ymin) / (grid.ymax - grid.ymin)) * side) : 0);
  if (region.x1 < grid.xmin || region.x0 > grid.xmax || region.y1 < grid.ymin || region.y0 > grid.ymax || order.length === 0) {
    return { positions: new Int32Array(0), total: 0 };
  }
  const cx0 = Math.max(0, Math.min(side - 1, cellX(region.x0)));
  const cx1 = Math.max(0, Math.min(side - 1, cellX(region.x1)));
  const cy0 = Math.max(0, Math.min(side - 1, cellY(region.y0)));
  const cy1 = Math.max(0, Math.min(side - 1, cellY(region.y1)));
  let room = 0;
  for (let cy = cy0; cy <= cy1; cy++) room += starts[(cy * side + cx1 + 1) * L]! - starts[(cy * side + cx0) * L]!;
  const found = new Int32Array(room);
  const bounds: number[] = [0];
  let m = 0;
  for (let cy = cy0; cy <= cy1; cy++) {
    for (let cx = cx0; cx <= cx1; cx++) {
      const first = (cy * side + cx) * L;
      for (let s = first; s < first + L; s++) {
        const end = starts[s + 1]!;
        const before = m;
        for (let j = starts[s]!; j < end; j++) {
          const p = order[j]!;
          const a = x[p]!;
          const b = y[p]!;
          if (a >= region.x0 && a <= region.x1 && b >= region.y0 && b <= region.y1) found[m++] = p;
        }
        if (m > before) bounds.push(m);
      }
    }
  }
  const inside = found.subarray(0, m);
  if (m <= limit) return { positions: inside.slice().sort(), total: m };
  return { positions: stratifiedSample(inside, Int32Array.from(bounds), limit, seed), total: m };
}
