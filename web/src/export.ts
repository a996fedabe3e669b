// Selection export: CSV (RFC 4180 quoting) and JSON of the selected rows, and a per-label summary. Pure.
import type { DecodedPoints } from './points.js';

export type Row = Record<string, string | number | boolean | null>;

/** The rows whose mask is 1, in input order: index, x, y, then every other column. */
export function selectedRows(points: DecodedPoints, mask: Uint8Array): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < points.n; i++) {
    if (!mask[i]) continue;
    const row: Row = { index: points.index[i], x: points.x[i], y: points.y[i] };
    for (const col of points.raw) if (col.name !== 'new point') row[col.name] = col.get(i);
    if (points.isNew) row.isNew = points.isNew[i] === 1;
    rows.push(row);
  }
  return rows;
}

function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  const s = String(v);
  // quote when needed; also neutralize spreadsheet formulas (CSV injection)
  const guarded = /^[=+\-@\t\r]/.test(s) && typeof v === 'string' ? `'${s}` : s;
  return /[",\r\n]/.test(guarded) || guarded !== s ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** CSV with a header row; columns in the order of the first row's keys. */
export function toCsv(rows: Row[], columns?: string[]): string {
  const cols = columns ?? (rows.length ? Object.keys(rows[0]) : []);
  const lines = [cols.map((c) => csvField(c)).join(',')];
  for (const r of rows) lines.push(cols.map((c) => csvField(r[c])).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** Count of selected points per category of a column, largest first. */
export function summarize(codes: Int32Array, categories: string[], mask: Uint8Array): { name: string; code: number; count: number }[] {
  const counts = new Array<number>(categories.length + 1).fill(0);
  for (let i = 0; i < codes.length; i++) if (mask[i]) counts[codes[i] < 0 ? categories.length : codes[i]]++;
  const out = categories.map((name, code) => ({ name, code, count: counts[code] }));
  if (counts[categories.length]) out.push({ name: '(missing)', code: -1, count: counts[categories.length] });
  return out.filter((o) => o.count > 0).sort((a, b) => b.count - a.count || a.code - b.code);
}

/** A numeric condition on a column: `error>0.2`, `score<=10`, `petal_length:1..2` (inclusive range). */
export interface RangeQuery {
  column: string;
  lo: number;
  hi: number;
  loOpen: boolean;
  hiOpen: boolean;
}

/** Parses a numeric condition, or null when the text is not one. */
export function parseRange(q: string): RangeQuery | null {
  const num = '(-?(?:\\d+\\.?\\d*|\\.\\d+)(?:e[-+]?\\d+)?)';
  const cmp = new RegExp(`^([^<>=:]+?)\\s*(<=|>=|<|>|=)\\s*${num}$`, 'i').exec(q);
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
  const range = new RegExp(`^([^<>=:]+?)\\s*:\\s*${num}\\s*\\.\\.\\s*${num}$`, 'i').exec(q);
  if (range) {
    const a = Number(range[2]);
    const b = Number(range[3]);
    return { column: range[1].trim(), lo: Math.min(a, b), hi: Math.max(a, b), loOpen: false, hiOpen: false };
  }
  return null;
}

/**
 * Whether v satisfies the range. A value stored as float32 (error, coordinates) is compared with the
 * bounds rounded to float32 too, so `error>0.2` leaves out a stored 0.2.
 */
export function inRange(r: RangeQuery, v: number): boolean {
  if (!Number.isFinite(v)) return false;
  const f32 = v === Math.fround(v);
  const lo = f32 ? Math.fround(r.lo) : r.lo;
  const hi = f32 ? Math.fround(r.hi) : r.hi;
  return (r.loOpen ? v > lo : v >= lo) && (r.hiOpen ? v < hi : v <= hi);
}

/**
 * Search. `#123` or `index:123` finds a row index; `column>0.2`, `column<=3`, `column:1..2` match a
 * numeric column's range; `column:value` matches that column exactly (case-insensitive); plain text
 * matches any column's value exactly when some value equals it (so "5" finds label 5, not 15),
 * otherwise any text value containing it. Null for an empty query.
 */
export function searchPoints(points: DecodedPoints, query: string): Uint8Array | null {
  const q = query.trim().toLowerCase();
  if (!q) return null;
  const mask = new Uint8Array(points.n);
  const range = parseRange(q);
  if (range) {
    const col = points.raw.find((c) => c.name.toLowerCase() === range.column) ?? (range.column === 'error' ? points.raw.find((c) => c.name === 'error') : undefined);
    if (col && col.kind === 'number') {
      for (let i = 0; i < points.n; i++) {
        const v = col.get(i);
        if (typeof v === 'number' && inRange(range, v)) mask[i] = 1;
      }
      return mask;
    }
  }
  const idx = /^(?:#|index:)\s*(\d+)$/.exec(q);
  if (idx) {
    const r = Number(idx[1]);
    for (let i = 0; i < points.n; i++) if (points.index[i] === r) mask[i] = 1;
    return mask;
  }
  const text = (v: string | number | boolean | null) => (v === null ? null : String(v).toLowerCase());
  const colon = q.indexOf(':');
  if (colon > 0) {
    const name = q.slice(0, colon).trim();
    const want = q.slice(colon + 1).trim();
    const col = points.raw.find((c) => c.name.toLowerCase() === name);
    if (col) {
      for (let i = 0; i < points.n; i++) if (text(col.get(i)) === want) mask[i] = 1;
      return mask;
    }
  }
  let exact = 0;
  for (const col of points.raw) {
    if (col.name === 'error') continue;
    for (let i = 0; i < points.n; i++) if (!mask[i] && text(col.get(i)) === q) (mask[i] = 1), exact++;
  }
  if (exact > 0) return mask;
  for (const col of points.raw) {
    if (col.kind !== 'text') continue;
    for (let i = 0; i < points.n; i++) {
      if (mask[i]) continue;
      const v = text(col.get(i));
      if (v !== null && v.includes(q)) mask[i] = 1;
    }
  }
  return mask;
}
