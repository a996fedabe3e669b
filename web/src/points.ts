// The points of a run, decoded once from the Arrow stream into flat typed arrays the renderer and
// hit-tester read directly. Pure: no DOM, no fetch (the API client hands in the Arrow table).
import { DataType, Precision, type Table, type Vector } from 'apache-arrow';

/** A numeric column, colored with a sequential scale. */
export interface NumberColumn {
  name: string;
  kind: 'number';
  values: Float64Array;
  /** Finite minimum and maximum (NaN when the column has no finite value). */
  min: number;
  max: number;
}

/** A categorical column: each row holds a code into `categories` (-1: missing). */
export interface CategoryColumn {
  name: string;
  kind: 'category';
  codes: Int32Array;
  /** Category names in display order (numbers ascending, then text ascending). */
  categories: string[];
  /** Rows per category, aligned with `categories`. */
  counts: number[];
  /** Rows with a missing value. */
  missing: number;
}

export type PointColumn = NumberColumn | CategoryColumn;

export interface PointData {
  /** Number of points. */
  n: number;
  /** The input row index of each point (the run's `index` column). */
  index: Int32Array;
  x: Float32Array;
  y: Float32Array;
  /** Per-row reconstruction error, when the run has one. */
  error: Float32Array | null;
  /** 1 for the new points of a transform run, else null. */
  isNew: Uint8Array | null;
  /** The label column (always categorical), when the run has one. */
  label: CategoryColumn | null;
  /** Every column usable for coloring, label first, then error, then metadata in file order. */
  columns: PointColumn[];
  /** The data extent the map is fitted to (see fitExtent: outliers may lie outside). */
  extent: { xmin: number; xmax: number; ymin: number; ymax: number };
}

/** Numeric columns with at most this many distinct integer values are treated as categories. */
export const MAX_INTEGER_CATEGORIES = 20;
/** Text columns with more distinct values than this are kept for search/tooltips but not offered for coloring. */
export const MAX_TEXT_CATEGORIES = 256;

const RESERVED = new Set(['index', 'x', 'y', 'isNew']);

/** Plain values of a column (numbers, strings, booleans or null), for metadata tooltips and export. */
export interface RawColumn {
  name: string;
  kind: 'number' | 'text';
  get(row: number): string | number | boolean | null;
  /** Stored as 32-bit (or 16-bit) floats: written out as the shortest decimal of the float32 (format.ts float32Text). */
  float32?: boolean;
}

export interface DecodedPoints extends PointData {
  /** Every non-coordinate column for tooltips, search and export (including high-cardinality text). */
  raw: RawColumn[];
}

function isNumeric(type: DataType): boolean {
  return DataType.isInt(type) || DataType.isFloat(type) || DataType.isDecimal(type);
}

function numericValues(vec: Vector, n: number): Float64Array {
  const arr = vec.toArray() as ArrayLike<number | bigint | null>;
  const hasNulls = vec.nullCount > 0;
  // fast paths: no nulls, already float (typed-array conversion, no per-row JS)
  if (!hasNulls && (arr instanceof Float64Array || arr instanceof Float32Array || arr instanceof Int32Array || arr instanceof Uint8Array || arr instanceof Int16Array || arr instanceof Uint16Array || arr instanceof Int8Array || arr instanceof Uint32Array)) {
    return new Float64Array(arr.subarray(0, n));
  }
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = arr[i];
    out[i] = hasNulls && !vec.isValid(i) ? NaN : v === null || v === undefined ? NaN : Number(v);
  }
  return out;
}

/**
 * A vector's values as an array of its own: Arrow concatenates a vector of several record batches into
 * a fresh array (kept as it is); a single batch's array is a view into the received bytes (copied, so
 * the bytes can be freed).
 */
function own<T extends Float32Array | Int32Array>(vec: Vector, arr: T, n: number): T {
  return vec.data.length > 1 && arr.length === n ? arr : (arr.slice(0, n) as T);
}

/** A coordinate column as Float32Array (nulls: NaN), without a Float64 detour when it already is float32. */
function float32Values(vec: Vector, n: number): Float32Array {
  if (DataType.isFloat(vec.type) && vec.nullCount === 0) {
    const arr = vec.toArray() as unknown;
    if (arr instanceof Float32Array) return own(vec, arr, n);
  }
  return new Float32Array(numericValues(vec, n));
}

/** A column of 32-bit or narrower integers without nulls, as Arrow's own array (no copy); else null. */
function integerValues(vec: Vector, n: number): Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array | null {
  if (!DataType.isInt(vec.type) || vec.nullCount > 0) return null;
  const arr = vec.toArray() as unknown;
  const ok = arr instanceof Int32Array || arr instanceof Int16Array || arr instanceof Int8Array || arr instanceof Uint32Array || arr instanceof Uint16Array || arr instanceof Uint8Array;
  return ok ? arr.subarray(0, n) : null;
}

function textValues(vec: Vector, n: number): (string | null)[] {
  const out: (string | null)[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const v: unknown = vec.get(i);
    out[i] = v === null || v === undefined ? null : String(v);
  }
  return out;
}

/** Display order for category names: numbers ascending first, then text ascending. */
export function compareCategories(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  const fa = a.trim() !== '' && Number.isFinite(na);
  const fb = b.trim() !== '' && Number.isFinite(nb);
  if (fa && fb) return na - nb;
  if (fa) return -1;
  if (fb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds a categorical column from per-row text (null: missing). */
export function categoryColumn(name: string, text: (string | null)[]): CategoryColumn {
  const ids = new Map<string, number>();
  const firstCodes = new Int32Array(text.length);
  const names: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const t = text[i];
    if (t === null) {
      firstCodes[i] = -1;
      continue;
    }
    let id = ids.get(t);
    if (id === undefined) {
      id = names.length;
      ids.set(t, id);
      names.push(t);
    }
    firstCodes[i] = id;
  }
  const sorted = names.slice().sort(compareCategories);
  const remap = new Int32Array(names.length);
  sorted.forEach((s, k) => (remap[ids.get(s)!] = k));
  const codes = new Int32Array(text.length);
  const counts = new Array<number>(sorted.length).fill(0);
  let missing = 0;
  for (let i = 0; i < text.length; i++) {
    const c = firstCodes[i];
    if (c < 0) {
      codes[i] = -1;
      missing++;
    } else {
      codes[i] = remap[c];
      counts[remap[c]]++;
    }
  }
  return { name, kind: 'category', codes, categories: sorted, counts, missing };
}

/**
 * Builds a categorical column from numbers (NaN: missing) without a string per row: the names are the
 * distinct values' text, in ascending numeric order. Same result as categoryColumn over String(v).
 */
export function numericCategoryColumn(name: string, values: ArrayLike<number>): CategoryColumn {
  const ids = new Map<number, number>();
  const n = values.length;
  const codes = new Int32Array(n);
  const distinct: number[] = [];
  // small non-negative integers (class labels) are looked up in an array, not a Map
  const SMALL = 4096;
  const small = new Int32Array(SMALL).fill(-1);
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (v !== v) {
      codes[i] = -1;
      continue;
    }
    if (v >= 0 && v < SMALL && (v | 0) === v) {
      let id = small[v];
      if (id < 0) {
        id = small[v] = distinct.length;
        distinct.push(v);
      }
      codes[i] = id;
      continue;
    }
    let id = ids.get(v);
    if (id === undefined) {
      id = distinct.length;
      ids.set(v, id);
      distinct.push(v);
    }
    codes[i] = id;
  }
  const sorted = distinct.map((v, id) => ({ v, id })).sort((a, b) => a.v - b.v);
  const remap = new Int32Array(distinct.length);
  sorted.forEach((e, k) => (remap[e.id] = k));
  const counts = new Array<number>(sorted.length).fill(0);
  let missing = 0;
  for (let i = 0; i < n; i++) {
    const c = codes[i];
    if (c < 0) missing++;
    else {
      codes[i] = remap[c];
      counts[remap[c]]++;
    }
  }
  return { name, kind: 'category', codes, categories: sorted.map((e) => String(e.v)), counts, missing };
}

/** Builds a numeric column, computing its finite range. */
export function numberColumn(name: string, values: Float64Array): NumberColumn {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) min = max = NaN;
  return { name, kind: 'number', values, min, max };
}

/** Integer-valued numeric columns with few distinct values become categories; others stay numeric. */
function numericOrCategory(name: string, values: Float64Array): PointColumn {
  const distinct = new Set<number>();
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    if (!Number.isInteger(v)) return numberColumn(name, values);
    distinct.add(v);
    if (distinct.size > MAX_INTEGER_CATEGORIES) return numberColumn(name, values);
  }
  if (distinct.size === 0) return numberColumn(name, values);
  return numericCategoryColumn(name, values);
}

/** A fetched feature as a color column: numeric, or categorical when it holds few integers. */
export function featureColumn(name: string, values: Float64Array): PointColumn {
  return numericOrCategory(name, values);
}

/**
 * The extent fitted to the points a visibility mask draws (1: drawn; the classes hidden in the legend left
 * out), as fitExtent fits all of them; the whole map's extent when the mask is null or draws none.
 */
export function drawnExtent(points: Pick<PointData, 'x' | 'y' | 'extent'>, visible: Uint8Array | null): PointData['extent'] {
  if (!visible) return points.extent;
  let n = 0;
  for (let i = 0; i < visible.length; i++) n += visible[i] ? 1 : 0;
  if (n === 0 || n === visible.length) return points.extent;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0, k = 0; i < visible.length; i++) {
    if (!visible[i]) continue;
    x[k] = points.x[i];
    y[k++] = points.y[i];
  }
  return fitExtent(x, y);
}

/**
 * The extent the map is fitted to: the full range, unless a few far outliers would squeeze the bulk of
 * the map into a corner (full range more than twice the 0.5-99.5 % range); then the robust range plus a
 * margin. Zooming out still shows the outliers.
 */
export function fitExtent(x: Float32Array, y: Float32Array): PointData['extent'] {
  const full = extentOf(x, y);
  if (x.length < 50) return full;
  // quantiles of a seeded random sample of 20,000 rows (a fixed stride would alias with rows in a
  // repeating order: every 50th row of rows labelled i % 10 is one class)
  const sample = sampleRows(x.length, 20000);
  const q = (v: Float32Array, p: number) => {
    const s: number[] = [];
    for (const i of sample) if (Number.isFinite(v[i])) s.push(v[i]);
    s.sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.max(0, Math.round(p * (s.length - 1))))];
  };
  const rx = [q(x, 0.005), q(x, 0.995)];
  const ry = [q(y, 0.005), q(y, 0.995)];
  const wide = full.xmax - full.xmin > 2 * (rx[1] - rx[0]) || full.ymax - full.ymin > 2 * (ry[1] - ry[0]);
  if (!wide) return full;
  const mx = (rx[1] - rx[0]) * 0.1;
  const my = (ry[1] - ry[0]) * 0.1;
  return {
    xmin: Math.max(full.xmin, rx[0] - mx),
    xmax: Math.min(full.xmax, rx[1] + mx),
    ymin: Math.max(full.ymin, ry[0] - my),
    ymax: Math.min(full.ymax, ry[1] + my),
  };
}

/** Up to m row positions of 0..n-1, drawn with a fixed seed (all of them when n <= m). */
function sampleRows(n: number, m: number): Uint32Array {
  if (n <= m) return Uint32Array.from({ length: n }, (_, i) => i);
  const out = new Uint32Array(m);
  let s = 0x9e3779b9;
  for (let k = 0; k < m; k++) {
    // xorshift32
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[k] = s % n;
  }
  return out;
}

function extentOf(x: Float32Array, y: Float32Array): PointData['extent'] {
  let xmin = Infinity;
  let xmax = -Infinity;
  let ymin = Infinity;
  let ymax = -Infinity;
  for (let i = 0; i < x.length; i++) {
    const a = x[i];
    const b = y[i];
    if (a < xmin) xmin = a;
    if (a > xmax) xmax = a;
    if (b < ymin) ymin = b;
    if (b > ymax) ymax = b;
  }
  if (!(xmin <= xmax)) xmin = xmax = 0;
  if (!(ymin <= ymax)) ymin = ymax = 0;
  return { xmin, xmax, ymin, ymax };
}

/** Where the points are: what a map needs before any of its columns. */
export type PointCoordinates = Pick<PointData, 'n' | 'index' | 'x' | 'y' | 'extent'>;

/**
 * The coordinates of a run's points table (`x`, `y`, optional `index`: absent means input order).
 * Throws an Error naming the missing column when x or y is absent.
 */
export function decodeCoordinates(table: Table): PointCoordinates {
  const n = table.numRows;
  const xv = table.getChild('x');
  const yv = table.getChild('y');
  if (!xv || !yv) throw new Error(`the points table has no ${!xv ? 'x' : 'y'} column (columns: ${table.schema.fields.map((f) => f.name).join(', ')})`);
  const x = float32Values(xv, n);
  const y = float32Values(yv, n);
  const index = new Int32Array(n);
  if (!readIndex(table, index)) for (let i = 0; i < n; i++) index[i] = i;
  return { n, index, x, y, extent: fitExtent(x, y) };
}

/**
 * Copies a points table's `index` column into `into` (same length); false, leaving `into` as it is, when
 * the table has no index column. Throws when the lengths differ.
 */
export function readIndex(table: Table, into: Int32Array): boolean {
  const iv = table.getChild('index');
  if (!iv) return false;
  if (table.numRows !== into.length) throw new Error(`the points' index holds ${table.numRows} rows, their coordinates ${into.length}`);
  const arr = iv.toArray() as unknown;
  if (iv.nullCount === 0 && arr instanceof Int32Array) into.set(arr.subarray(0, into.length));
  else into.set(numericValues(iv, into.length));
  return true;
}

/**
 * Decodes a run's points table (`index`, `x`, `y`, optional `error`, `label`, `isNew`, metadata).
 * Throws an Error naming the missing column when x or y is absent.
 */
export function decodePoints(table: Table): DecodedPoints {
  return decodeAttributes(decodeCoordinates(table), table);
}

/**
 * The points at `coords` with the columns of `table` (`error`, `label`, `isNew`, metadata; its `index`,
 * `x` and `y` are not read, and may be absent): the same rows in the same order. A viewer decodes the
 * coordinates and label first, draws, and decodes the other columns when they arrive. Throws when the
 * table's row count differs.
 */
export function decodeAttributes(coords: PointCoordinates, table: Table): DecodedPoints {
  const { n, index, x, y, extent } = coords;
  if (table.numRows !== n) throw new Error(`the points' columns hold ${table.numRows} rows, their coordinates ${n}`);
  const nv = table.getChild('isNew');
  let isNew: Uint8Array | null = null;
  if (nv) {
    isNew = new Uint8Array(n);
    let any = false;
    for (let i = 0; i < n; i++) if (nv.get(i)) (isNew[i] = 1), (any = true);
    if (!any) isNew = null;
  }
  let error: Float32Array | null = null;
  let label: CategoryColumn | null = null;
  const columns: PointColumn[] = [];
  const raw: RawColumn[] = [];
  for (const field of table.schema.fields) {
    if (RESERVED.has(field.name)) continue;
    const vec = table.getChild(field.name)!;
    const ints = field.name === 'label' ? integerValues(vec, n) : null;
    if (ints) {
      // integer labels without nulls (class numbers): coded straight from Arrow's array, no float copy
      const values = ints;
      raw.push({ name: field.name, kind: 'number', get: (r) => values[r] });
      label = numericCategoryColumn('label', values);
      columns.unshift(label);
    } else if (isNumeric(field.type)) {
      const values = numericValues(vec, n);
      raw.push({ name: field.name, kind: 'number', get: (r) => (Number.isNaN(values[r]) ? null : values[r]), float32: DataType.isFloat(field.type) && field.type.precision !== Precision.DOUBLE });
      if (field.name === 'error') {
        error = new Float32Array(values);
        columns.push(numberColumn('error', values));
      } else if (field.name === 'label') {
        label = numericCategoryColumn('label', values);
        columns.unshift(label);
      } else {
        columns.push(numericOrCategory(field.name, values));
      }
    } else {
      const text = textValues(vec, n);
      raw.push({ name: field.name, kind: 'text', get: (r) => text[r] });
      const col = categoryColumn(field.name, text);
      if (field.name === 'label') {
        label = col;
        columns.unshift(col);
      } else if (col.categories.length <= MAX_TEXT_CATEGORIES) {
        columns.push(col);
      }
    }
  }
  // transform runs: the new points can be colored and hidden like any class
  if (isNew) {
    const flag = isNew;
    columns.push(categoryColumn('placement', Array.from(flag, (v) => (v ? 'new (transform)' : 'base run'))));
    raw.unshift({ name: 'new point', kind: 'text', get: (r) => (flag[r] ? 'yes' : 'no') });
  }
  // label first, then error and preservation, then the rest in file order
  columns.sort((a, b) => rank(a.name) - rank(b.name));
  return { n, index, x, y, error, isNew, label, columns, extent, raw };
}

function rank(name: string): number {
  return name === 'label' ? 0 : name === 'error' ? 1 : name === 'preservation' ? 2 : 3;
}

/** Maps an input row index to its position in the points arrays (or -1). */
export function indexLookup(index: Int32Array): (rowIndex: number) => number {
  let identity = true;
  for (let i = 0; i < index.length; i++) if (index[i] !== i) (identity = false), (i = index.length);
  if (identity) return (r) => (r >= 0 && r < index.length ? r : -1);
  const map = new Map<number, number>();
  for (let i = 0; i < index.length; i++) map.set(index[i], i);
  return (r) => map.get(r) ?? -1;
}
