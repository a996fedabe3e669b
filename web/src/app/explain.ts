// What sets a selection apart: for every numeric column (metadata, reconstruction error, the run's input
// features), the standardized mean difference between the selected rows and the rest,
// d = (mean_in - mean_out) / pooled sd (Cohen 1988), the pooled sd floored at a 20th of the column's range as
// the server does (server/separation.ts), largest |d| first, with both means; and the server's figures for
// every input feature and code unit merged in. Pure.
import { standardizedDifference } from '../../../server/separation.js';
import type { Decoded } from '../api.js';
import type { ExplainState } from '../ui/explain-panel.js';

/** Rows of the "What sets it apart" table. */
export const EXPLAIN_ROWS = 12;

export interface Separation {
  name: string;
  /** Standardized mean difference (selection minus rest, in pooled standard deviations). */
  d: number;
  meanIn: number;
  meanOut: number;
}

/** Columns ranked by |d| (pooled sd floored at SPREAD_FLOOR of the column's range); columns without variance or rows on either side are left out. */
export function explainSelection(columns: readonly { name: string; values: ArrayLike<number> }[], mask: Uint8Array, top = 8): Separation[] {
  const out: Separation[] = [];
  for (const col of columns) {
    let n1 = 0;
    let s1 = 0;
    let q1 = 0;
    let n0 = 0;
    let s0 = 0;
    let q0 = 0;
    let min = Infinity;
    let max = -Infinity;
    const v = col.values;
    for (let i = 0; i < mask.length; i++) {
      const x = v[i];
      if (!Number.isFinite(x)) continue;
      if (x < min) min = x;
      if (x > max) max = x;
      if (mask[i]) {
        n1++;
        s1 += x;
        q1 += x * x;
      } else {
        n0++;
        s0 += x;
        q0 += x * x;
      }
    }
    if (n1 < 1 || n0 < 1 || n1 + n0 < 3) continue;
    const m1 = s1 / n1;
    const m0 = s0 / n0;
    const var1 = n1 > 1 ? Math.max(0, (q1 - n1 * m1 * m1) / (n1 - 1)) : 0;
    const var0 = n0 > 1 ? Math.max(0, (q0 - n0 * m0 * m0) / (n0 - 1)) : 0;
    const pooled = Math.sqrt(((n1 - 1) * var1 + (n0 - 1) * var0) / Math.max(1, n1 + n0 - 2));
    const d = standardizedDifference(m1, m0, pooled, max - min);
    if (d !== null) out.push({ name: col.name, d, meanIn: m1, meanOut: m0 });
  }
  return out.sort((a, b) => Math.abs(b.d) - Math.abs(a.d) || a.name.localeCompare(b.name)).slice(0, top);
}

type PaneColumns = { points: { columns: { name: string; kind: string; values?: Float64Array }[] } };

const named = (c: { name: string; values: Float64Array }) => ({ name: c.name.startsWith('feature:') ? c.name.slice(8) : c.name === 'error' ? 'reconstruction error' : c.name, values: c.values });
const numeric = (c: { name: string; kind: string; values?: Float64Array }): c is { name: string; kind: 'number'; values: Float64Array } => c.kind === 'number' && !!c.values;

/**
 * The pane's own numeric columns (metadata, reconstruction error), fetched features left out: the server
 * compares every input feature (POST /api/runs/:id/decode, its `separation`).
 */
export function ownColumns(pane: PaneColumns): { name: string; values: Float64Array }[] {
  return pane.points.columns.filter((c) => numeric(c) && !c.name.startsWith('feature:')).map((c) => named(c as { name: string; values: Float64Array }));
}

/**
 * For runs the server cannot compare (no codes to decode): the pane's numeric columns plus its input
 * features, fetched here (each once, a few at a time).
 */
export async function explainColumns(pane: PaneColumns, features: readonly string[], load: (choice: string) => Promise<void>): Promise<{ name: string; values: Float64Array }[]> {
  for (let k = 0; k < features.length; k += 8) await Promise.all(features.slice(k, k + 8).map((f) => load(`feature:${f}`).catch(() => undefined)));
  return pane.points.columns.filter(numeric).map(named);
}

/** Two ranked lists as one, largest |d| first, at most `top`; rows without d left out. */
export function mergeSeparations<T extends { name: string; d: number | null }>(a: readonly T[], b: readonly T[], top = 12): T[] {
  return [...a, ...b]
    .filter((s) => s.d !== null && Number.isFinite(s.d))
    .sort((x, y) => Math.abs(y.d!) - Math.abs(x.d!) || x.name.localeCompare(y.name))
    .slice(0, top);
}

/** The explanation once the server answered: the pane's columns and the features as one ranking, the code units, the pixels' heat map. */
export function explanationOf(own: ReturnType<typeof explainSelection>, decoded: Decoded): ExplainState {
  const sep = decoded.separation;
  if (!sep) return { columns: own };
  return {
    columns: mergeSeparations(own, sep.features, EXPLAIN_ROWS),
    units: sep.units,
    heat: sep.featureD && decoded.image ? { d: sep.featureD, image: decoded.image } : null,
    note: sep.note,
  };
}

