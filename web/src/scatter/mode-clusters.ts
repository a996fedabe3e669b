// Clusters of the map found as the modes of its density (persistence-based mode seeking on the smoothed
// 2-D histogram of scatter/density.ts; ToMATo: Chazal, Guibas, Oudot, Skraba 2013, "Persistence-based
// clustering in Riemannian manifolds", J. ACM 60(6)). Embedding Atlas finds its clusters the same way, on a
// density grid of the 2-D map (watershed from the local maxima, neighbours merged when the density between
// them stays high). Pure: no DOM.
//
// Which space: the map, not the codes. The clusters are then the islands the user sees and the labels sit
// on them; finding them costs one pass over the points and one over the grid's cells in the browser at any
// size (a million points on 1,024 x 1,024 cells in about half a second on a loaded machine; the grid's size:
// density.ts clusterResolution), where clustering the 32-dimensional codes would need neighbour queries over every row on
// the server and could disagree with the picture (t-SNE may split one code-space cluster or place two side
// by side).
//
// How many: not a number the user sets. Every local maximum of the density starts a cluster; walking the
// cells from the densest down, each cell joins its densest neighbour's cluster, and where two clusters meet
// the lower one is merged into the higher when the density at the meeting cell (the saddle) is at least
// MERGE_RATIO of its peak: a bump that does not stand out from the ridge joining it to a higher one is not
// a cluster of its own. Clusters then holding fewer than MIN_SHARE of the points (and at least MIN_POINTS)
// are merged into the neighbour they meet at the highest saddle, or become noise when they meet none.
// Cells under FLOOR_RATIO of the mean occupied density are background: their points are noise (-1).
import type { DensityGrid } from './density.js';

/** A cluster's lower peak is merged into a higher one when the saddle between them is at least this share of it. */
export const MERGE_RATIO = 0.6;
/** Cells under this share of the mean density of occupied cells belong to no cluster. */
export const FLOOR_RATIO = 0.05;
/** Clusters with fewer points than this share of all (or MIN_POINTS) are merged into a neighbour or dropped. */
export const MIN_SHARE = 0.01;
export const MIN_POINTS = 20;

export interface Cluster {
  /** Points in the cluster. */
  size: number;
  /** Data coordinates of its densest cell's center (where its label goes). */
  peak: [number, number];
  /**
   * Its region: the centers of its grid cells in data coordinates, x, y pairs, densest first (a label
   * whose peak is off screen goes to the densest cell still on screen).
   */
  region: Float32Array;
}

export interface ClusterResult {
  /** Each point's cluster (index into `clusters`; -1: noise), input order. */
  assignment: Int32Array;
  /** Largest first. */
  clusters: Cluster[];
  /** How many were found and why, in words (shown with the clusters). */
  reason: string;
}

export interface ClusterOptions {
  /** See MERGE_RATIO (default). */
  mergeRatio?: number;
  /** See FLOOR_RATIO (default). */
  floorRatio?: number;
  /** See MIN_SHARE (default). */
  minShare?: number;
}

/** The figures behind a clustering's reason (clusterReason). */
export interface ClusterCounts {
  /** Clusters kept. */
  clusters: number;
  /** Local maxima of the density. */
  modes: number;
  /** Peaks standing out from the ridge to a higher one (before small clusters were merged). */
  persistent: number;
  /** MERGE_RATIO as used (a share, 0-1). */
  mergeRatio: number;
  /** Small clusters merged into a neighbour. */
  absorbed: number;
  /** Small isolated groups left out (their points are noise). */
  dropped: number;
  /** The size under which a cluster is small (points). */
  minSize: number;
  /** Points in no cluster. */
  noise: number;
  /** The density grid's cells a side and smoothing radius in cells, as chosen for the map (said when given). */
  side?: number;
  blur?: number;
}

const count = (k: number) => k.toLocaleString('en-US');
/** "no clusters", "1 cluster", "1,234 clusters". */
const counted = (k: number, one: string, many: string) => (k === 0 ? `no ${many}` : `${count(k)} ${k === 1 ? one : many}`);

/**
 * How many clusters were found and why, in words, every count in the right number (none, one, many):
 * "3 clusters: 5 density peaks in the map (its density on 160 × 160 cells, smoothed over 2 cells), 4 standing out (...), 1 smaller one (under 2,000 points) joined to
 * its neighbour; 1,234 points in sparse areas belong to no cluster".
 */
export function clusterReason(c: ClusterCounts): string {
  const parts = [
    `${counted(c.clusters, 'cluster', 'clusters')}: ${counted(c.modes, 'density peak', 'density peaks')} in the map`,
    c.side ? ` (its density on ${count(c.side)} × ${count(c.side)} cells, smoothed over ${+(c.blur ?? 0).toFixed(1)} cells)` : '',
    c.modes === 0 ? '' : `, ${c.persistent === 0 ? 'none' : count(c.persistent)} standing out (the density between each and a higher peak falls under ${Math.round(c.mergeRatio * 100)} % of it)`,
    c.absorbed ? `, ${c.absorbed === 1 ? '1 smaller one' : `${count(c.absorbed)} smaller ones`} (under ${count(c.minSize)} points) joined to ${c.absorbed === 1 ? 'its neighbour' : 'their neighbours'}` : '',
    c.dropped ? `, ${counted(c.dropped, 'isolated group', 'isolated groups')} under ${count(c.minSize)} points left out` : '',
    c.noise ? `; ${c.noise === 1 ? '1 point in a sparse area belongs' : `${count(c.noise)} points in sparse areas belong`} to no cluster` : '',
  ];
  return parts.join('');
}

/**
 * The cells at or above `floor`, densest first, ties by index. Sorted as float64 keys (density to 2^-31 of
 * the densest cell, then the index) with the typed array's native sort: a million cells in tens of
 * milliseconds where a comparator sort takes about a second. At most 2^21 cells.
 */
export function densestFirst(v: Float64Array, floor: number): Int32Array {
  if (v.length > 2 ** 21) throw new RangeError(`densestFirst: ${v.length} cells, at most 2^21`);
  let max = 0;
  for (let c = 0; c < v.length; c++) if (v[c] > max) max = v[c];
  let above = 0;
  for (let c = 0; c < v.length; c++) if (v[c] >= floor) above++;
  const sorted = new Float64Array(above);
  const scale = max > 0 ? 2 ** 31 / max : 0;
  for (let c = 0, k = 0; c < v.length; c++) if (v[c] >= floor) sorted[k++] = Math.round(v[c] * scale) * 2 ** 21 + (2 ** 21 - 1 - c);
  sorted.sort();
  const order = new Int32Array(sorted.length);
  for (let k = 0; k < sorted.length; k++) order[k] = 2 ** 21 - 1 - (sorted[sorted.length - 1 - k] % 2 ** 21);
  return order;
}

/**
 * Clusters of the points (x, y: data coordinates, n each) on their density grid `g`. O(cells log cells + n).
 * Returns each point's cluster and the clusters, largest first.
 */
export function findClusters(g: DensityGrid, x: Float32Array, y: Float32Array, options: ClusterOptions = {}): ClusterResult {
  const mergeRatio = options.mergeRatio ?? MERGE_RATIO;
  const floorRatio = options.floorRatio ?? FLOOR_RATIO;
  const minShare = options.minShare ?? MIN_SHARE;
  const n = x.length;
  const v = g.values;
  const cells = g.w * g.h;
  let sum = 0;
  let occupied = 0;
  for (let c = 0; c < cells; c++) if (v[c] > 1e-9) (sum += v[c]), occupied++;
  const floor = Math.max(1e-9, (floorRatio * sum) / Math.max(1, occupied));
  const order = densestFirst(v, floor);

  // union-find over cells; a root is its cluster's peak cell, so the higher peak always stays the root
  const parent = new Int32Array(cells).fill(-1);
  const find = (c: number): number => {
    let r = c;
    while (parent[r] !== r) r = parent[r];
    while (parent[c] !== r) {
      const next = parent[c];
      parent[c] = r;
      c = next;
    }
    return r;
  };
  /** Highest saddle between two clusters that were not merged, keyed by the pair of roots at that time. */
  const saddles = new Map<number, number>();
  const key = (a: number, b: number) => (a < b ? a * cells + b : b * cells + a);
  let modes = 0;
  // the distinct clusters around a cell, densest peak first (a cell has at most 8 neighbours)
  const around = new Int32Array(8);
  for (let k = 0; k < order.length; k++) {
    const c = order[k];
    const cx = c % g.w;
    const cy = (c - cx) / g.w;
    let densest = -1;
    let nAround = 0;
    for (let dy = -1; dy <= 1; dy++) {
      if (cy + dy < 0 || cy + dy >= g.h) continue;
      for (let dx = -1; dx <= 1; dx++) {
        if ((dx === 0 && dy === 0) || cx + dx < 0 || cx + dx >= g.w) continue;
        const d = c + dy * g.w + dx;
        if (parent[d] < 0) continue;
        if (densest < 0 || v[d] > v[densest]) densest = d;
        const r = find(d);
        // insert r keeping around sorted by peak density, then index
        let j = 0;
        while (j < nAround && around[j] !== r) j++;
        if (j < nAround) continue;
        j = nAround++;
        while (j > 0 && (v[around[j - 1]] < v[r] || (v[around[j - 1]] === v[r] && around[j - 1] > r))) (around[j] = around[j - 1]), j--;
        around[j] = r;
      }
    }
    if (densest < 0) {
      parent[c] = c;
      modes++;
      continue;
    }
    parent[c] = find(densest);
    // where clusters meet at c: merge the lower into the higher unless it stands out from this saddle
    for (let m = 1; m < nAround; m++) {
      const hi = find(around[0]);
      const lo = find(around[m]);
      if (hi === lo) continue;
      const top = v[hi] >= v[lo] ? hi : lo;
      const low = top === hi ? lo : hi;
      if (v[c] >= mergeRatio * v[low]) parent[low] = top;
      else {
        const kk = key(top, low);
        saddles.set(kk, Math.max(saddles.get(kk) ?? 0, v[c]));
      }
    }
  }

  // the clusters left standing, their points and the saddles between them
  const alive = new Set<number>();
  for (const c of order) if (parent[c] === c) alive.add(c);
  const persistent = alive.size;
  // points per cell, then per cluster (typed arrays per point: a million points in a few milliseconds)
  const cellOfPoint = new Int32Array(n);
  const perCell = new Int32Array(cells);
  for (let i = 0; i < n; i++) {
    const c = Math.floor((x[i] - g.x0) / g.cellW);
    const r = Math.floor((y[i] - g.y0) / g.cellH);
    const cell = c >= 0 && c < g.w && r >= 0 && r < g.h ? r * g.w + c : -1;
    cellOfPoint[i] = cell;
    if (cell >= 0) perCell[cell]++;
  }
  const size = new Map<number, number>([...alive].map((r) => [r, 0]));
  for (const c of order) if (perCell[c] > 0) size.set(find(c), size.get(find(c))! + perCell[c]);
  const adjacent = new Map<number, Map<number, number>>([...alive].map((r) => [r, new Map<number, number>()]));
  for (const [kk, s] of saddles) {
    const a = find(Math.floor(kk / cells));
    const b = find(kk % cells);
    if (a === b) continue;
    adjacent.get(a)!.set(b, Math.max(adjacent.get(a)!.get(b) ?? 0, s));
    adjacent.get(b)!.set(a, Math.max(adjacent.get(b)!.get(a) ?? 0, s));
  }

  // small clusters, smallest first: into the neighbour met at the highest saddle; noise when alone
  const minSize = Math.max(MIN_POINTS, Math.ceil(minShare * n));
  const dead = new Set<number>();
  let absorbed = 0;
  for (;;) {
    let small = -1;
    for (const r of alive) {
      const s = size.get(r)!;
      if (s < minSize && (small < 0 || s < size.get(small)! || (s === size.get(small)! && r < small))) small = r;
    }
    if (small < 0) break;
    alive.delete(small);
    const edges = adjacent.get(small)!;
    let best = -1;
    for (const [other, s] of edges) if (best < 0 || s > edges.get(best)! || (s === edges.get(best)! && other < best)) best = other;
    if (best < 0) {
      // an island too small to be a cluster: its points are noise
      dead.add(small);
      continue;
    }
    // the merged cluster keeps the higher peak as its root
    const [top, low] = v[best] >= v[small] ? [best, small] : [small, best];
    parent[low] = top;
    size.set(top, size.get(best)! + size.get(small)!);
    const merged = new Map<number, number>();
    for (const r of [best, small]) {
      for (const [other, s] of adjacent.get(r)!) {
        if (other === best || other === small) continue;
        merged.set(other, Math.max(merged.get(other) ?? 0, s));
        const back = adjacent.get(other)!;
        back.delete(r);
        back.set(top, Math.max(back.get(top) ?? 0, s));
      }
    }
    adjacent.set(top, merged);
    alive.delete(best);
    alive.add(top);
    absorbed++;
  }
  // each cell's final cluster (its root; -1: none)
  const rootOf = new Int32Array(cells).fill(-1);
  for (const c of order) {
    const r = find(c);
    if (!dead.has(r)) rootOf[c] = r;
  }
  for (const r of dead) size.delete(r);
  for (const r of [...size.keys()]) if (!alive.has(r)) size.delete(r);
  const dropped = dead.size;

  // number the clusters largest first
  const roots = [...size.keys()].sort((a, b) => (size.get(b) ?? 0) - (size.get(a) ?? 0) || v[b] - v[a] || a - b);
  const number = new Map(roots.map((r, k) => [r, k]));
  const clusterOfCell = new Int32Array(cells).fill(-1);
  for (const c of order) if (rootOf[c] >= 0) clusterOfCell[c] = number.get(rootOf[c]) ?? -1;
  const assignment = new Int32Array(n);
  for (let i = 0; i < n; i++) assignment[i] = cellOfPoint[i] >= 0 ? clusterOfCell[cellOfPoint[i]] : -1;
  // regions as typed arrays sized by a first count (a million cells: no growing arrays)
  const cellsOf = new Int32Array(roots.length);
  for (const c of order) if (clusterOfCell[c] >= 0) cellsOf[clusterOfCell[c]]++;
  const regions = roots.map((_, k) => new Float32Array(2 * cellsOf[k]));
  const filled = new Int32Array(roots.length);
  for (const c of order) {
    const k = clusterOfCell[c];
    if (k < 0) continue;
    const cx = c % g.w;
    regions[k][filled[k]++] = g.x0 + (cx + 0.5) * g.cellW;
    regions[k][filled[k]++] = g.y0 + ((c - cx) / g.w + 0.5) * g.cellH;
  }
  const clusters = roots.map((root, k) => {
    const region = regions[k];
    return { size: size.get(root) ?? 0, peak: [region[0], region[1]] as [number, number], region };
  });
  let noise = 0;
  for (let i = 0; i < n; i++) if (assignment[i] < 0) noise++;
  const reason = clusterReason({ clusters: clusters.length, modes, persistent, mergeRatio, absorbed, dropped, minSize, noise, side: g.w, blur: g.blur });
  return { assignment, clusters, reason };
}
