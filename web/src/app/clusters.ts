// Names for the map's clusters (found by scatter/mode-clusters.ts): the dominant class and its share when the
// run has labels; otherwise what most sets the cluster apart: a metadata category far more common in it
// than overall, or the numeric column whose cluster mean is furthest from the overall mean in standard
// deviations (standardized mean difference). The clusters also become a categorical column ("cluster")
// for Color by, the legend, search and the selection's CSV export. Pure: no DOM.
import { formatCount, formatNumber } from '../format.js';
import type { Cluster } from '../scatter/mode-clusters.js';
import { columnTitle } from './color-by.js';
import { numericCategoryColumn, type CategoryColumn, type DecodedPoints, type NumberColumn } from '../points.js';

export interface ClusterLabel {
  /** Cluster number shown to the user (1-based, largest first). */
  id: number;
  size: number;
  peak: [number, number];
  /** Its grid cells' centers (x, y pairs, densest first): where the label goes when the peak is off screen. */
  region: Float32Array;
  /** Short label drawn on the map, e.g. "C1 · 7 (94 %)". */
  text: string;
  /** Why the label says what it says. */
  reason: string;
}

/**
 * The label text and reason of each cluster (assignment: each point's cluster, 0..k-1, or -1; sizes: points
 * per cluster). One pass over the points per column for all clusters together (a pass per cluster and column
 * cost a million-point map hundreds of milliseconds), summing each cluster's rows in row order, so its figures
 * are those a pass over its own rows gives.
 */
export function describeClusters(points: DecodedPoints, assignment: Int32Array, sizes: readonly number[]): { text: string; reason: string }[] {
  const k = sizes.length;
  const plural = (size: number) => `${formatCount(size)} point${size === 1 ? '' : 's'}`;
  if (points.label) {
    const col = points.label;
    const counts = categoryCounts(col, assignment, k);
    const width = col.categories.length;
    return sizes.map((size, a) => {
      let best = 0;
      for (let c = 1; c < width; c++) if (counts[a * width + c] > counts[a * width + best]) best = c;
      const share = Math.round((100 * counts[a * width + best]) / Math.max(1, size));
      return { text: `${col.categories[best]} (${share} %)`, reason: `dominant label: ${share} % of its ${plural(size)} are ${col.categories[best]}` };
    });
  }
  const best = sizes.map(() => ({ text: '', reason: '', score: 0 }));
  for (const col of points.columns) {
    if (col.name === 'cluster' || col.name === 'placement') continue;
    if (col.kind === 'category') {
      const counts = categoryCounts(col, assignment, k);
      sizes.forEach((size, a) => {
        const c = categoryLift(col, counts.subarray(a * col.categories.length, (a + 1) * col.categories.length), size);
        if (c && c.score > best[a].score) {
          best[a] = {
            score: c.score,
            text: `${col.name}: ${c.name}`,
            reason: `${Math.round(100 * c.share)} % of the cluster is ${col.name} ${c.name}, against ${Math.round(100 * c.overall)} % overall`,
          };
        }
      });
    } else {
      const sums = numberSums(col, assignment, k);
      for (let a = 0; a < k; a++) {
        const s = smdOf(sums, a);
        if (s && Math.abs(s.d) > best[a].score) {
          best[a] = {
            score: Math.abs(s.d),
            text: `${col.name === 'error' ? 'error' : columnTitle(col.name)} ${s.d > 0 ? 'high' : 'low'}`,
            reason: `mean ${columnTitle(col.name)} ${fmt(s.mean)} against ${fmt(s.overall)} overall (${s.d > 0 ? '+' : ''}${s.d.toFixed(1)} sd)`,
          };
        }
      }
    }
  }
  return best.map((b, a) => (b.text ? { text: b.text, reason: b.reason } : { text: plural(sizes[a]), reason: 'no column sets it apart' }));
}

function fmt(v: number): string {
  return formatNumber(v);
}

/** Rows of each category per cluster: k x categories, row-major (rows of no cluster or a missing value left out). */
function categoryCounts(col: CategoryColumn, assignment: Int32Array, k: number): Int32Array {
  const width = col.categories.length;
  const counts = new Int32Array(k * width);
  const codes = col.codes;
  for (let i = 0; i < codes.length; i++) {
    const a = assignment[i];
    if (a >= 0 && codes[i] >= 0) counts[a * width + codes[i]]++;
  }
  return counts;
}

/** The category most over-represented in a cluster (lift × share; counts: its rows per category), when it holds at least half of it. */
function categoryLift(col: CategoryColumn, counts: Int32Array, size: number): { name: string; share: number; overall: number; score: number } | null {
  const total = col.counts.reduce((a, b) => a + b, 0) || 1;
  let best: { name: string; share: number; overall: number; score: number } | null = null;
  counts.forEach((k, c) => {
    const share = k / Math.max(1, size);
    const overall = col.counts[c] / total;
    if (share < 0.5 || overall <= 0) return;
    // comparable with a standardized mean difference: how far the share is from the overall share
    const score = (share - overall) / Math.sqrt(overall * (1 - overall) || 1e-9);
    if (!best || score > best.score) best = { name: col.categories[c], share, overall, score };
  });
  return best;
}

/** A numeric column's finite values summed over all rows (n, s, s2) and per cluster (m: count, t: sum), in row order. */
interface NumberSums {
  n: number;
  s: number;
  s2: number;
  m: Float64Array;
  t: Float64Array;
}

function numberSums(col: NumberColumn, assignment: Int32Array, k: number): NumberSums {
  let n = 0;
  let s = 0;
  let s2 = 0;
  const m = new Float64Array(k);
  const t = new Float64Array(k);
  const values = col.values;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    s += v;
    s2 += v * v;
    const a = assignment[i];
    if (a >= 0) {
      m[a]++;
      t[a] += v;
    }
  }
  return { n, s, s2, m, t };
}

/** Standardized mean difference of cluster `a` against all rows, from the column's sums. */
function smdOf(sums: NumberSums, a: number): { d: number; mean: number; overall: number } | null {
  const { n, s, s2 } = sums;
  const m = sums.m[a];
  const t = sums.t[a];
  if (n < 2 || m === 0) return null;
  const mean = s / n;
  const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
  if (!(sd > 0)) return null;
  return { d: (t / m - mean) / sd, mean: t / m, overall: mean };
}

/** Standardized mean difference of a numeric column between the rows in a group (`inCluster`) and all rows. */
export function smd(col: NumberColumn, inCluster: (i: number) => boolean): { d: number; mean: number; overall: number } | null {
  const group = Int32Array.from({ length: col.values.length }, (_, i) => (inCluster(i) ? 0 : -1));
  return smdOf(numberSums(col, group, 1), 0);
}

/** Labels for every cluster, and the `cluster` column (noise rows: missing). */
export function labelClusters(points: DecodedPoints, assignment: Int32Array, clusters: Cluster[]): { labels: ClusterLabel[]; column: CategoryColumn } {
  const described = describeClusters(points, assignment, clusters.map((c) => c.size));
  const labels = clusters.map((c, k) => {
    const { text, reason } = described[k];
    return { id: k + 1, size: c.size, peak: c.peak, region: c.region, text: `C${k + 1} · ${text}`, reason };
  });
  const ids = new Float64Array(points.n);
  for (let i = 0; i < points.n; i++) ids[i] = assignment[i] >= 0 ? assignment[i] + 1 : NaN;
  const column = numericCategoryColumn('cluster', ids);
  column.categories = column.categories.map((c) => labels[Number(c) - 1]?.text ?? c);
  return { labels, column };
}
