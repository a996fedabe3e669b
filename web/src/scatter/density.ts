// Where the map is dense: a smoothed 2-D histogram of the points (binned in O(n), then d3.blur2), its
// contour lines (d3.contours, marching squares) in data coordinates, and clusters found as the
// connected regions of the map above a density level (level-set clustering, as in DBSCAN on a grid:
// Hartigan 1975, "Clustering Algorithms", ch. 11). Pure: no DOM.
//
// Clusters are found in the map, not in the codes: they then are the islands the user sees, labels sit
// on them, and finding them costs one pass over the points in the browser at any size; clustering the
// 32-dimensional codes would need neighbour queries over every row on the server and could disagree
// with the picture (t-SNE may split one code-space cluster or place two side by side).
import { blur2, contours } from 'd3';

export interface DensityGrid {
  /** Cells across and down. */
  w: number;
  h: number;
  /** Data coordinates of the grid's corner and cell size. */
  x0: number;
  y0: number;
  cellW: number;
  cellH: number;
  /** Smoothed point count per cell, row-major from (x0, y0) (row 0 at the bottom of the map). */
  values: Float64Array;
}

/** Cells a side of the density grid. */
export const DENSITY_SIDE = 160;

/**
 * Bins the points into a side x side grid over the extent (with a margin of 8 %) and blurs it with a
 * radius of `blur` cells. Points outside the grid are left out.
 */
export function densityGrid(
  x: Float32Array,
  y: Float32Array,
  extent: { xmin: number; xmax: number; ymin: number; ymax: number },
  side = DENSITY_SIDE,
  blur = 2,
  visible: Uint8Array | null = null,
): DensityGrid {
  const mx = (extent.xmax - extent.xmin || 1) * 0.08;
  const my = (extent.ymax - extent.ymin || 1) * 0.08;
  const x0 = extent.xmin - mx;
  const y0 = extent.ymin - my;
  const cellW = (extent.xmax - extent.xmin + 2 * mx || 1) / side;
  const cellH = (extent.ymax - extent.ymin + 2 * my || 1) / side;
  const values = new Float64Array(side * side);
  for (let i = 0; i < x.length; i++) {
    if (visible !== null && visible[i] === 0) continue;
    const c = Math.floor((x[i] - x0) / cellW);
    const r = Math.floor((y[i] - y0) / cellH);
    if (c >= 0 && c < side && r >= 0 && r < side) values[r * side + c]++;
  }
  if (blur > 0) blur2({ data: values, width: side, height: side }, blur);
  return { w: side, h: side, x0, y0, cellW, cellH, values };
}

/** Contour rings in data coordinates: for each level, polygons as flat [x, y, ...] rings. */
export interface ContourLevel {
  value: number;
  rings: number[][];
}

/** `count` contour levels between the densest cell and a tenth of the mean occupied density. */
export function densityContours(g: DensityGrid, count = 7): ContourLevel[] {
  let max = 0;
  let sum = 0;
  let occupied = 0;
  for (const v of g.values) {
    if (v > max) max = v;
    if (v > 1e-9) {
      sum += v;
      occupied++;
    }
  }
  if (max <= 0) return [];
  const lo = Math.max(1e-9, (0.1 * sum) / Math.max(1, occupied));
  // levels spaced geometrically: dense cores and faint outskirts both get lines
  const thresholds = Array.from({ length: count }, (_, k) => lo * Math.pow(max / lo, (k + 0.5) / count));
  return contours()
    .size([g.w, g.h])
    .thresholds(thresholds)(Array.from(g.values))
    .map((mp) => ({
      value: mp.value,
      rings: mp.coordinates.flatMap((poly) =>
        poly.map((ring) => {
          const out: number[] = [];
          for (const [cx, cy] of ring) out.push(g.x0 + cx * g.cellW, g.y0 + cy * g.cellH);
          return out;
        }),
      ),
    }));
}

export interface Cluster {
  /** Points in the cluster. */
  size: number;
  /** Data coordinates of its densest cell's center (where its label goes). */
  peak: [number, number];
}

/**
 * Clusters: the 4-connected regions of cells whose density is at least `level` times the mean density
 * of occupied cells (default 0.5). A region is noise when it holds fewer than max(20, 1 % of the points)
 * or its peak is under 2.5 times the level (a ripple in a cluster's fringe, not a mode).
 * Returns each point's cluster (-1: noise), largest cluster first.
 */
export function findClusters(g: DensityGrid, x: Float32Array, y: Float32Array, level = 0.5): { assignment: Int32Array; clusters: Cluster[] } {
  const n = x.length;
  let sum = 0;
  let occupied = 0;
  for (const v of g.values) if (v > 1e-9) (sum += v), occupied++;
  const thr = (level * sum) / Math.max(1, occupied);
  const comp = new Int32Array(g.w * g.h).fill(-1);
  const peaks: number[] = [];
  let count = 0;
  const stack: number[] = [];
  for (let c0 = 0; c0 < comp.length; c0++) {
    if (comp[c0] >= 0 || g.values[c0] < thr) continue;
    let peak = c0;
    comp[c0] = count;
    stack.push(c0);
    while (stack.length) {
      const c = stack.pop()!;
      if (g.values[c] > g.values[peak]) peak = c;
      const cx = c % g.w;
      const cy = (c - cx) / g.w;
      const next = [cx > 0 ? c - 1 : -1, cx < g.w - 1 ? c + 1 : -1, cy > 0 ? c - g.w : -1, cy < g.h - 1 ? c + g.w : -1];
      for (const d of next) {
        if (d >= 0 && comp[d] < 0 && g.values[d] >= thr) {
          comp[d] = count;
          stack.push(d);
        }
      }
    }
    peaks.push(peak);
    count++;
  }
  const raw = new Int32Array(n);
  const sizes = new Array<number>(count).fill(0);
  for (let i = 0; i < n; i++) {
    const c = Math.floor((x[i] - g.x0) / g.cellW);
    const r = Math.floor((y[i] - g.y0) / g.cellH);
    const k = c >= 0 && c < g.w && r >= 0 && r < g.h ? comp[r * g.w + c] : -1;
    raw[i] = k;
    if (k >= 0) sizes[k]++;
  }
  const minSize = Math.max(20, Math.ceil(0.01 * n));
  const kept = sizes.map((s, k) => ({ s, k })).filter((e) => e.s >= minSize && g.values[peaks[e.k]] >= 2.5 * thr).sort((a, b) => b.s - a.s || a.k - b.k);
  const remap = new Int32Array(count).fill(-1);
  kept.forEach((e, j) => (remap[e.k] = j));
  const assignment = new Int32Array(n);
  for (let i = 0; i < n; i++) assignment[i] = raw[i] >= 0 ? remap[raw[i]] : -1;
  const clusters = kept.map((e) => {
    const p = peaks[e.k];
    const cx = p % g.w;
    const cy = (p - cx) / g.w;
    return { size: e.s, peak: [g.x0 + (cx + 0.5) * g.cellW, g.y0 + (cy + 0.5) * g.cellH] as [number, number] };
  });
  return { assignment, clusters };
}
