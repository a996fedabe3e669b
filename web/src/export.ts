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
