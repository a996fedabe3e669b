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

/** The label text and reason of one cluster (mask: its points). */
export function describeCluster(points: DecodedPoints, inCluster: (i: number) => boolean, size: number): { text: string; reason: string } {
  if (points.label) {
    const col = points.label;
    const counts = new Array<number>(col.categories.length).fill(0);
    for (let i = 0; i < points.n; i++) if (inCluster(i) && col.codes[i] >= 0) counts[col.codes[i]]++;
    let best = 0;
    for (let c = 1; c < counts.length; c++) if (counts[c] > counts[best]) best = c;
    const share = Math.round((100 * counts[best]) / Math.max(1, size));
    return { text: `${col.categories[best]} (${share} %)`, reason: `dominant label: ${share} % of its ${formatCount(size)} point${size === 1 ? '' : 's'} are ${col.categories[best]}` };
  }
  let bestText = '';
  let bestReason = '';
  let bestScore = 0;
  for (const col of points.columns) {
    if (col.name === 'cluster' || col.name === 'placement') continue;
    if (col.kind === 'category') {
      const c = categoryLift(col, inCluster, size);
      if (c && c.score > bestScore) {
        bestScore = c.score;
        bestText = `${col.name}: ${c.name}`;
        bestReason = `${Math.round(100 * c.share)} % of the cluster is ${col.name} ${c.name}, against ${Math.round(100 * c.overall)} % overall`;
      }
    } else {
      const s = smd(col, inCluster);
      if (s && Math.abs(s.d) > bestScore) {
        bestScore = Math.abs(s.d);
        bestText = `${col.name === 'error' ? 'error' : columnTitle(col.name)} ${s.d > 0 ? 'high' : 'low'}`;
        bestReason = `mean ${columnTitle(col.name)} ${fmt(s.mean)} against ${fmt(s.overall)} overall (${s.d > 0 ? '+' : ''}${s.d.toFixed(1)} sd)`;
      }
    }
  }
  return bestText ? { text: bestText, reason: bestReason } : { text: `${formatCount(size)} point${size === 1 ? '' : 's'}`, reason: 'no column sets it apart' };
}

function fmt(v: number): string {
  return formatNumber(v);
}

/** The category most over-represented in the cluster (lift × share), when it holds at least half of it. */
function categoryLift(col: CategoryColumn, inCluster: (i: number) => boolean, size: number): { name: string; share: number; overall: number; score: number } | null {
  const counts = new Array<number>(col.categories.length).fill(0);
  for (let i = 0; i < col.codes.length; i++) if (col.codes[i] >= 0 && inCluster(i)) counts[col.codes[i]]++;
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

/** Standardized mean difference of a numeric column between the cluster and all rows. */
export function smd(col: NumberColumn, inCluster: (i: number) => boolean): { d: number; mean: number; overall: number } | null {
  let n = 0;
  let s = 0;
  let s2 = 0;
  let m = 0;
  let t = 0;
  for (let i = 0; i < col.values.length; i++) {
    const v = col.values[i];
    if (!Number.isFinite(v)) continue;
    n++;
    s += v;
    s2 += v * v;
    if (inCluster(i)) {
      m++;
      t += v;
    }
  }
  if (n < 2 || m === 0) return null;
  const mean = s / n;
  const sd = Math.sqrt(Math.max(0, s2 / n - mean * mean));
  if (!(sd > 0)) return null;
  return { d: (t / m - mean) / sd, mean: t / m, overall: mean };
}

/** Labels for every cluster, and the `cluster` column (noise rows: missing). */
export function labelClusters(points: DecodedPoints, assignment: Int32Array, clusters: Cluster[]): { labels: ClusterLabel[]; column: CategoryColumn } {
  const labels = clusters.map((c, k) => {
    const { text, reason } = describeCluster(points, (i) => assignment[i] === k, c.size);
    return { id: k + 1, size: c.size, peak: c.peak, region: c.region, text: `C${k + 1} · ${text}`, reason };
  });
  const ids = new Float64Array(points.n);
  for (let i = 0; i < points.n; i++) ids[i] = assignment[i] >= 0 ? assignment[i] + 1 : NaN;
  const column = numericCategoryColumn('cluster', ids);
  column.categories = column.categories.map((c) => labels[Number(c) - 1]?.text ?? c);
  return { labels, column };
}
