// Filters from the linked charts: a range on a numeric column (a histogram brush) or a set of
// categories (bars clicked). Rows passing every filter stand out on the map; each chart counts the
// rows passing the other filters (cross-filtering). Kept in the URL as `filter=error:0.1..0.3;label:3|5`.
// Pure: no DOM.
import type { DecodedPoints, PointColumn } from '../points.js';

export type Filter = { column: string; kind: 'range'; lo: number; hi: number } | { column: string; kind: 'set'; values: string[] };

function passes(col: PointColumn, f: Filter, i: number): boolean {
  if (f.kind === 'range') {
    if (col.kind !== 'number') return true;
    const v = col.values[i];
    return v >= f.lo && v <= f.hi;
  }
  if (col.kind !== 'category') return true;
  const c = col.codes[i];
  return c >= 0 && f.values.includes(col.categories[c]);
}

/** Rows passing every filter (but the one on `except`), or null when no filter applies. */
export function filterMask(points: DecodedPoints, filters: readonly Filter[], except: string | null = null): Uint8Array | null {
  const active = filters
    .filter((f) => f.column !== except)
    .map((f) => ({ f, col: points.columns.find((c) => c.name === f.column) }))
    .filter((e): e is { f: Filter; col: PointColumn } => !!e.col);
  if (active.length === 0) return null;
  const mask = new Uint8Array(points.n);
  for (let i = 0; i < points.n; i++) {
    let ok = 1;
    for (const { f, col } of active) {
      if (!passes(col, f, i)) {
        ok = 0;
        break;
      }
    }
    mask[i] = ok;
  }
  return mask;
}

const num = (v: number) => String(Number(v.toPrecision(6)));

/** The URL form: `col:lo..hi` and `col:a|b`, joined by ';' (names and values URI-escaped). */
export function formatFilters(filters: readonly Filter[]): string {
  return filters
    .map((f) => `${encodeURIComponent(f.column)}:${f.kind === 'range' ? `${num(f.lo)}..${num(f.hi)}` : f.values.map(encodeURIComponent).join('|')}`)
    .join(';');
}

/** Parses the URL form; malformed parts are dropped, never thrown. */
export function parseFilters(text: string): Filter[] {
  const out: Filter[] = [];
  for (const part of text.split(';')) {
    const colon = part.indexOf(':');
    if (colon <= 0) continue;
    let column: string;
    try {
      column = decodeURIComponent(part.slice(0, colon));
    } catch {
      continue;
    }
    const rest = part.slice(colon + 1);
    const m = /^(-?[\d.e+-]+)\.\.(-?[\d.e+-]+)$/i.exec(rest);
    if (m && Number.isFinite(Number(m[1])) && Number.isFinite(Number(m[2]))) {
      out.push({ column, kind: 'range', lo: Math.min(Number(m[1]), Number(m[2])), hi: Math.max(Number(m[1]), Number(m[2])) });
    } else if (rest) {
      try {
        out.push({ column, kind: 'set', values: rest.split('|').map(decodeURIComponent) });
      } catch {
        // malformed escape: dropped
      }
    }
  }
  return out;
}

/**
 * The point columns offered as charts: label, reconstruction error, preservation, then metadata; at most `max`,
 * and the map's clusters (once found) always among them, after the label: a table with four metadata columns
 * (penguins) cut them off. Features are charted apart (chartedFeatures).
 */
export function chartColumns(points: DecodedPoints, max = 6): PointColumn[] {
  const all = points.columns.filter((c) => !c.name.startsWith(FEATURE) && c.name !== 'placement' && (c.kind === 'number' || c.categories.length <= 40));
  const cluster = all.find((c) => c.name === 'cluster');
  if (!cluster) return all.slice(0, max);
  const rest = all.filter((c) => c !== cluster);
  const at = rest.length > 0 && rest[0]!.name === 'label' ? 1 : 0;
  return [...rest.slice(0, at), cluster, ...rest.slice(at)].slice(0, max);
}

/** Prefix of a feature column's name among the points' columns (app/color-by.ts FEATURE_PREFIX). */
const FEATURE = 'feature:';
/** A table's first features charted without being asked for (wine's 13 all are). */
export const FEATURE_CHARTS = 16;
/** Feature values fetched for the charts shown at once, at most: fewer charts at once on big maps (1M rows: 2). */
export const FEATURE_CHART_VALUES = 2_000_000;

/** How many of a table's features are charted without being asked for, on a map of `rows` points. */
export function autoFeatureCharts(rows: number): number {
  return Math.max(0, Math.min(FEATURE_CHARTS, Math.floor(FEATURE_CHART_VALUES / Math.max(1, rows))));
}

/**
 * The input features charted, as column names (`feature:NAME`), in this order without repeats: the first
 * `auto` of `tableFeatures` (a table's features; none for images, whose features are pixels), those the user
 * added by name, and those a filter is on (a filter from the URL keeps its chart). Only names in `known`
 * (the run's features) count.
 */
export function chartedFeatures(tableFeatures: readonly string[], added: readonly string[], filters: readonly Filter[], known: readonly string[], auto = FEATURE_CHARTS): string[] {
  const have = new Set(known);
  const fromFilters = filters.filter((f) => f.column.startsWith(FEATURE)).map((f) => f.column.slice(FEATURE.length));
  const names = [...tableFeatures.slice(0, auto), ...added, ...fromFilters].filter((n) => have.has(n));
  return [...new Set(names)].map((n) => FEATURE + n);
}

/** The features that can still be added as charts (every known feature not charted), in the run's order. */
export function addableFeatures(known: readonly string[], charted: readonly string[]): string[] {
  const shown = new Set(charted);
  return known.filter((n) => !shown.has(FEATURE + n));
}

/** How many entries of a 0/1 mask are 1. */
export function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}
