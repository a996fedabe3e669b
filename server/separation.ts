// What sets a selection apart from the rest of the rows, per column (input features, code units): the
// standardized mean difference d = (mean_in - mean_out) / pooled sd (Cohen 1988, "Statistical Power
// Analysis for the Behavioral Sciences", eq. 2.5.2), from the selection's moments and every row's (the
// rest's are their difference, so only the selected rows are read per request), with the pooled sd floored
// at a share of the column's range (SPREAD_FLOOR). For POST /api/runs/:id/decode. Pure.
import type { Moments } from './column-moments.js';

/**
 * The floor on a column's pooled standard deviation, as a share of the column's range over every row
 * (max - min): d = (mean_in - mean_out) / max(pooled sd, SPREAD_FLOOR * range).
 *
 * Why: a column whose rows almost all hold one value (a near-blank border pixel: 0 in all but a few digits)
 * has a tiny pooled sd, so a difference no one could see (selection mean 0.005 against 0.0002 on a 0..1
 * pixel) came out as d 1.26 and led the list. Why the column's own range and not the run's typical spread:
 * d must not depend on a column's units, and the stored values are the input's own (income beside age);
 * sd / range is unchanged by any scaling of the column, so the floor bites the same columns raw, min-max
 * scaled or standardized. Why 1/20: a column of ordinary spread keeps its textbook d, as its sd is well above a
 * 20th of its range: uniform 0.29, normal about 1 / (2 sqrt(2 ln n)), still 0.067 at n = 10^12 rows,
 * exponential 1 / ln n, 0.05 at n = 5 * 10^8, a binary column sqrt(p (1 - p)), above 0.05 while at least
 * 0.25 % of its rows hold the rarer value. Below it are the columns where nearly every row holds one value, or
 * a few rows lie far out (a column with one wild outlier is floored too: its range says more of the outlier
 * than of the bulk). With the floor |d| is at most 1 / SPREAD_FLOOR = 20, since |mean_in - mean_out| <= range.
 * Moments without a range (put together by hand) keep the unfloored d.
 */
export const SPREAD_FLOOR = 1 / 20;

/**
 * d from the two sides' means, their pooled standard deviation and the column's range over every row (0 when
 * not known): (meanIn - meanOut) / max(pooled, SPREAD_FLOOR * range). Null when that spread is below float32's
 * resolution of the means (rounding, not variance). The viewer's own columns use it too (web/src/app/explain.ts).
 */
export function standardizedDifference(meanIn: number, meanOut: number, pooled: number, range: number): number | null {
  const spread = Math.max(pooled, range > 0 ? SPREAD_FLOOR * range : 0);
  const scale = Math.max(Math.abs(meanIn), Math.abs(meanOut));
  return spread > scale * 1e-6 ? (meanIn - meanOut) / spread : null;
}

export interface Separation {
  /** The column's name (a feature) or "unit k" (a code unit, k from 0). */
  name: string;
  /** Selection minus rest, in pooled standard deviations; null when undefined (no variance, or no rows on a side). */
  d: number | null;
  meanIn: number | null;
  meanOut: number | null;
}

/**
 * Per column: d (pooled sd floored at SPREAD_FLOOR of the column's range in `all`), the selection's mean and
 * the rest's. `all`: the moments of every row; `selected`: of the selected rows (a subset of them). A column
 * without variance, or without values on either side, has d null. Arrays of length `all.count.length`.
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
      d = standardizedDifference(m1, m0, pooled, all.min && all.max ? all.max[c]! - all.min[c]! : 0);
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
