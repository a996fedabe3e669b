// What sets a selection apart from the rest of the rows, per column (input features, code units): the
// standardized mean difference d = (mean_in - mean_out) / pooled sd (Cohen 1988, "Statistical Power
// Analysis for the Behavioral Sciences", eq. 2.5.2), from the selection's moments and every row's (the
// rest's are their difference, so only the selected rows are read per request). For POST
// /api/runs/:id/decode. Pure.
import type { Moments } from './column-moments.js';

export interface Separation {
  /** The column's name (a feature) or "unit k" (a code unit, k from 0). */
  name: string;
  /** Selection minus rest, in pooled standard deviations; null when undefined (no variance, or no rows on a side). */
  d: number | null;
  meanIn: number | null;
  meanOut: number | null;
}

/**
 * Per column: d, the selection's mean and the rest's. `all`: the moments of every row; `selected`: of the
 * selected rows (a subset of them). A column without variance, or without values on either side, has d null.
 */
export function separations(all: Moments, selected: Moments, names: (c: number) => string): Separation[] {
  const out: Separation[] = [];
  for (let c = 0; c < all.count.length; c++) {
    const n1 = selected.count[c]!;
    const n0 = all.count[c]! - n1;
    const s1 = selected.sum[c]!;
    const s0 = all.sum[c]! - s1;
    const m1 = n1 > 0 ? s1 / n1 : null;
    const m0 = n0 > 0 ? s0 / n0 : null;
    let d: number | null = null;
    if (m1 !== null && m0 !== null && n1 + n0 >= 3) {
      // sums of squared deviations from each side's mean (clamped: the difference of large sums may round below 0)
      const ss1 = Math.max(0, selected.sumSq[c]! - n1 * m1 * m1);
      const ss0 = Math.max(0, all.sumSq[c]! - selected.sumSq[c]! - n0 * m0 * m0);
      const pooled = Math.sqrt((ss1 + ss0) / (n1 + n0 - 2));
      // a spread below float32's resolution of the values is rounding, not variance
      const scale = Math.max(Math.abs(m1), Math.abs(m0));
      if (pooled > scale * 1e-6) d = (m1 - m0) / pooled;
    }
    out.push({ name: names(c), d, meanIn: m1, meanOut: m0 });
  }
  return out;
}

/** The `top` columns of largest |d|, largest first (ties by name); columns with d null left out. */
export function largest(list: readonly Separation[], top: number): Separation[] {
  return list
    .filter((s) => s.d !== null)
    .sort((a, b) => Math.abs(b.d!) - Math.abs(a.d!) || a.name.localeCompare(b.name))
    .slice(0, top);
}
