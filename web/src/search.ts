// The search box's language, over every column a map can answer for: the points' own columns (label,
// reconstruction error, metadata) and the run's input features (fetched by the caller when a query names
// one: queryColumn). Pure: no DOM, no fetch.
//   #123, index:123        a row index
//   error>0.2, a<=3, a=2   a numeric comparison;  a:1..2  an inclusive range
//   species:adelie         a column's value, exactly (case-insensitive), or its key (cluster:C2 for "C2 · 3 (96 %)")
//   5, adelie              any column's value exactly when some value equals it (so "5" finds label 5, not 15),
//                          otherwise any text value containing it
// A query naming a column the map lacks is an error listing the closest names, never an empty answer.
import { formatCount, formatNumber, formatRange, formatRow } from './format.js';

/** A column searched: its name and its value at a position (null when missing). */
export interface SearchColumn {
  name: string;
  kind: 'number' | 'text';
  get(i: number): string | number | boolean | null;
  /**
   * A short name of the value at a position that a query also matches exactly, when the value is a longer
   * label: a cluster's id (C2) for its label "C2 · 3 (96 %)". Absent: only the value matches.
   */
  key?(i: number): string | null;
}

/** What search needs of the points: their count, row indexes and columns. */
export interface Searchable {
  n: number;
  index: Int32Array;
  raw: readonly SearchColumn[];
}

/**
 * A search's answer: the matching rows (1 per position), with `note` saying why a `#row` search found none,
 * or why the query cannot be answered.
 */
export type SearchAnswer = { mask: Uint8Array; note?: string } | { error: string };

/** What a run records of its input rows (its manifest's `prepare` report), to say why a row is not on the map. */
export interface InputRows {
  /** Rows the run read (before any were dropped). */
  rows: number;
  /** Rows dropped for missing values (--missing drop); their row indexes are absent from the points. */
  dropped: number;
  /** The points loaded are a sample of the run's (an overview past ten million points), not all of them. */
  sampled?: boolean;
}


/**
 * Why row `row` (an input row index, as `#row` searches) is not among the points: dropped for missing values,
 * past the end of the input, or not among the points loaded. `maxIndex`: the largest row index of the points.
 */
export function absentRowReason(row: number, input: InputRows | null, maxIndex: number): string {
  if (input && row >= input.rows && row > maxIndex) {
    return `no row ${formatRow(row)}: the run's input has ${formatCount(input.rows)} row${input.rows === 1 ? '' : 's'} (#0 to #${formatRow(input.rows - 1)})`;
  }
  if (input?.sampled) {
    return `row ${formatRow(row)} is not among the points loaded (a sample of the run's rows${input.dropped > 0 ? '; or it was dropped for missing values' : ''})`;
  }
  if (input && input.dropped > 0) {
    return `row ${formatRow(row)} was dropped: missing values (the run dropped ${formatCount(input.dropped)} of ${formatCount(input.rows)} rows that had one)`;
  }
  return `no row ${formatRow(row)} in this map`;
}

/** A numeric condition on a column: `error>0.2`, `score<=10`, `petal_length:1..2` (inclusive range). */
export interface RangeQuery {
  column: string;
  lo: number;
  hi: number;
  loOpen: boolean;
  hiOpen: boolean;
}

const NUM = '(-?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[-+]?\\d+)?)';

/** Parses a numeric condition, or null when the text is not one. */
export function parseRange(q: string): RangeQuery | null {
  const cmp = new RegExp(`^([^<>=:]+?)\\s*(<=|>=|<|>|=)\\s*${NUM}$`, 'i').exec(q);
  if (cmp) {
    const column = cmp[1].trim();
    const v = Number(cmp[3]);
    switch (cmp[2]) {
      case '>':
        return { column, lo: v, hi: Infinity, loOpen: true, hiOpen: false };
      case '>=':
        return { column, lo: v, hi: Infinity, loOpen: false, hiOpen: false };
      case '<':
        return { column, lo: -Infinity, hi: v, loOpen: false, hiOpen: true };
      case '<=':
        return { column, lo: -Infinity, hi: v, loOpen: false, hiOpen: false };
      default:
        return { column, lo: v, hi: v, loOpen: false, hiOpen: false };
    }
  }
  const range = new RegExp(`^([^<>=:]+?)\\s*:\\s*${NUM}\\s*\\.\\.\\s*${NUM}$`, 'i').exec(q);
  if (range) {
    const a = Number(range[2]);
    const b = Number(range[3]);
    return { column: range[1].trim(), lo: Math.min(a, b), hi: Math.max(a, b), loOpen: false, hiOpen: false };
  }
  return null;
}

/**
 * Whether v satisfies the range. A value stored as float32 (error, coordinates, features) is compared with
 * the bounds rounded to float32 too, so `error>0.2` leaves out a stored 0.2.
 */
export function inRange(r: RangeQuery, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  const f32 = v === Math.fround(v);
  const lo = f32 ? Math.fround(r.lo) : r.lo;
  const hi = f32 ? Math.fround(r.hi) : r.hi;
  return (r.loOpen ? v > lo : v >= lo) && (r.hiOpen ? v < hi : v <= hi);
}

/**
 * A condition whose bound is not a number (`error>abc`, `f0:1..x`, `error:..2`): the column named and the
 * text where a number should be, or null when the text is no such condition.
 */
export function malformedCondition(q: string): { column: string; bound: string } | null {
  const cmp = /^([^<>=:]+?)\s*(<=|>=|<|>)\s*(.*)$/.exec(q);
  if (cmp) return { column: cmp[1].trim(), bound: cmp[3].trim() };
  const range = /^([^<>=:]+?)\s*:\s*(.*\.\..*)$/.exec(q);
  return range ? { column: range[1].trim(), bound: range[2].trim() } : null;
}

const isIndexQuery = (q: string) => /^(?:#|index:)\s*(\d+)$/i.exec(q.trim());

/**
 * The column a query names (a comparison, a range or `name:value`), as typed, or null for a plain-text or
 * row-index query. The caller fetches a feature of that name before searching.
 */
export function queryColumn(query: string): string | null {
  const q = query.trim();
  if (!q || isIndexQuery(q)) return null;
  const range = parseRange(q);
  if (range) return range.column;
  const colon = q.indexOf(':');
  return colon > 0 ? q.slice(0, colon).trim() : null;
}

/** Levenshtein distance (insertions, deletions, substitutions), case-insensitive. */
function editDistance(a: string, b: string): number {
  a = a.toLowerCase();
  b = b.toLowerCase();
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}

/**
 * The names closest to `name`, best first, at most `max`: names containing it (or contained in it) first,
 * then those within a third of its length in edits (Levenshtein), keeping only those as close as the best.
 */
export function closeNames(name: string, names: readonly string[], max = 4): string[] {
  const n = name.toLowerCase();
  const scored = names
    .map((c) => {
      const l = c.toLowerCase();
      const contains = l.includes(n) || n.includes(l);
      return { c, score: contains ? 0 : editDistance(n, l) };
    })
    .filter((s) => s.score <= Math.max(2, Math.ceil(n.length / 3)))
    .sort((a, b) => a.score - b.score || a.c.localeCompare(b.c));
  // only the nearest: those as close as the best
  return scored.filter((s) => s.score === scored[0].score).slice(0, max).map((s) => s.c);
}

/**
 * The message for a column the map lacks: why, when `absent` says (a run without reconstruction error), else
 * the closest names, or what can be searched.
 */
export function unknownColumn(name: string, names: readonly string[], absent: Readonly<Record<string, string>> = {}): string {
  const why = absent[name.toLowerCase()];
  if (why) return why;
  const close = closeNames(name, names);
  if (close.length) return `No column “${name}”. Did you mean ${close.map((c) => `“${c}”`).join(', ')}?`;
  const shown = names.slice(0, 6).map((c) => `“${c}”`).join(', ');
  return `No column “${name}”. Columns: ${shown}${names.length > 6 ? ` and ${names.length - 6} more` : ''}.`;
}

const text = (v: string | number | boolean | null) => (v === null ? null : String(v).toLowerCase());

/**
 * Searches `points` (their columns and `more`, the run's fetched features) for `query`; null for an empty
 * query. `known`: every column name the map can answer for (features not yet fetched included), for the
 * message when a query names another; `absent`: why a column is missing, by lower-case name; `input`: the
 * run's input rows, to say why a `#row` search finds nothing.
 */
export function searchPoints(
  points: Searchable,
  query: string,
  more: readonly SearchColumn[] = [],
  known: readonly string[] = [],
  absent: Readonly<Record<string, string>> = {},
  input: InputRows | null = null,
): SearchAnswer | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const n = points.n;
  const mask = new Uint8Array(n);
  const idx = isIndexQuery(q);
  if (idx) {
    const r = Number(idx[1]);
    let found = false;
    let maxIndex = -1;
    for (let i = 0; i < n; i++) {
      const v = points.index[i];
      if (v === r) (mask[i] = 1), (found = true);
      if (v > maxIndex) maxIndex = v;
    }
    return found ? { mask } : { mask, note: absentRowReason(r, input, maxIndex) };
  }
  // the points' own columns first: a feature sharing a metadata column's name is found as the metadata;
  // plain text searches only the points' own columns (a label "5", not every feature equal to 5)
  const own = points.raw;
  const columns = [...own, ...more];
  const find = (name: string) => columns.find((c) => c.name.toLowerCase() === name) ?? (name === 'reconstruction error' ? columns.find((c) => c.name === 'error') : undefined);
  const names = [...new Set([...columns.map((c) => c.name), ...known])];
  const range = parseRange(q);
  if (range) {
    const col = find(range.column);
    if (!col) return { error: unknownColumn(range.column, names, absent) };
    if (col.kind !== 'number') return { error: `“${col.name}” holds text, not numbers: search it as ${col.name}:value.` };
    let found = false;
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = col.get(i);
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (inRange(range, v)) (mask[i] = 1), (found = true);
    }
    // nothing passes: say what the column holds, so "0 matches" is not left unexplained
    return found ? { mask } : { mask, note: outOfRange(col.name, lo, hi) };
  }
  // a condition on a column the map has, with a bound that is not a number: said, not "0 matches"
  const bad = malformedCondition(q);
  const badColumn = bad ? find(bad.column) : undefined;
  const badName = badColumn?.name ?? (bad ? names.find((c) => c.toLowerCase() === bad.column) : undefined);
  // a condition on a column the run lacks (error>abc under reducer none): why, as for a well-formed one
  if (bad && !badName && absent[bad.column]) return { error: absent[bad.column] };
  if (bad && badName) {
    if (badColumn && badColumn.kind !== 'number') return { error: `“${badName}” holds text, not numbers: search it as ${badName}:value.` };
    const what = bad.bound ? `“${bad.bound}” is not a number` : 'a number is missing';
    return { error: `${what}: write a condition as ${badName}>0.2, ${badName}<=3 or ${badName}:1..2 (both ends).` };
  }
  const colon = q.indexOf(':');
  if (colon > 0) {
    const name = q.slice(0, colon).trim();
    const want = q.slice(colon + 1).trim();
    const col = find(name);
    if (col) {
      const wanted = col.kind === 'number' && want !== '' && Number.isFinite(Number(want)) ? Number(want) : null;
      for (let i = 0; i < n; i++) {
        const v = col.get(i);
        if (wanted !== null ? v === wanted : text(v) === want || (col.key !== undefined && text(col.key(i)) === want)) mask[i] = 1;
      }
      return { mask };
    }
    // not a column: the whole text may still be a value ("http://...", "10:30"); if nothing has it, say so
    const plain = plainText(own, n, q);
    return plain.found ? { mask: plain.mask } : { error: unknownColumn(name, names, absent) };
  }
  return { mask: plainText(own, n, q).mask };
}

/**
 * Why a numeric condition matches no row: the range the column's values span ("the reconstruction error of
 * this map's rows runs from 0.004156 to 0.05098"), or that it has no value at all.
 */
export function outOfRange(name: string, lo: number, hi: number): string {
  const what = name === 'error' ? 'the reconstruction error' : `“${name}”`;
  if (!(lo <= hi)) return `${what} has no value on this map`;
  return lo === hi ? `${what} is ${formatNumber(lo)} for every row of this map` : `${what} runs from ${formatRange(lo, hi)} on this map`;
}

/** Rows whose value of some column equals q, or failing that, rows with a text value containing q. */
function plainText(columns: readonly SearchColumn[], n: number, q: string): { mask: Uint8Array; found: boolean } {
  const mask = new Uint8Array(n);
  let found = false;
  for (const col of columns) {
    if (col.name === 'error') continue;
    for (let i = 0; i < n; i++) if (!mask[i] && (text(col.get(i)) === q || (col.key !== undefined && text(col.key(i)) === q))) (mask[i] = 1), (found = true);
  }
  if (found) return { mask, found };
  for (const col of columns) {
    if (col.kind !== 'text') continue;
    for (let i = 0; i < n; i++) {
      if (mask[i]) continue;
      const v = text(col.get(i));
      if (v !== null && v.includes(q)) (mask[i] = 1), (found = true);
    }
  }
  return { mask, found };
}
