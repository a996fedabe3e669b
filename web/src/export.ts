// Selection export: CSV (RFC 4180 quoting) and JSON of the selected rows, and a per-label summary. Pure.
import { float32Text } from './format.js';
import type { DecodedPoints } from './points.js';

export type Row = Record<string, string | number | boolean | null>;

/** A float32 value as the number whose decimal is the float32's shortest (0.20000000298023224 → 0.2). */
const short32 = (v: number): number => Number(float32Text(v));

/**
 * The rows whose mask is 1, in input order: index, x, y, then every other column. Float32 values (x, y, and
 * columns stored as float32: error, preservation) are given as their shortest decimal, not float32 noise.
 */
export function selectedRows(points: DecodedPoints, mask: Uint8Array): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < points.n; i++) {
    if (!mask[i]) continue;
    const row: Row = { index: points.index[i], x: short32(points.x[i]), y: short32(points.y[i]) };
    for (const col of points.raw) {
      if (col.name === 'new point') continue;
      const v = col.get(i);
      row[col.name] = col.float32 && typeof v === 'number' ? short32(v) : v;
    }
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
