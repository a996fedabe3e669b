// Where the map is dense: a smoothed 2-D histogram of the points (binned in O(n), then d3.blur2) and its
// contour lines (d3.contours, marching squares) in data coordinates. The clusters are found on such a grid
// too (mode-clusters.ts), finer on big maps (clusterResolution). Pure: no DOM.
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
  /** Smoothing radius used, in cells (d3.blur2's radius). */
  blur: number;
  /** Smoothed point count per cell, row-major from (x0, y0) (row 0 at the bottom of the map). */
  values: Float64Array;
}

/** Cells a side of the density grid. */
export const DENSITY_SIDE = 160;

/**
 * The smoothing radius in cells for n points: 2 cells at 10,000 points, scaled by n^(-1/6) as Scott's rule
 * scales a 2-D kernel density's bandwidth (Scott 1992, "Multivariate Density Estimation", 6.3), within 1..5:
 * a small map needs more smoothing for its density to have one peak per group rather than one per few
 * points (iris, 150 points: 4 cells), a big one less to keep its detail.
 */
export function densityBlur(n: number): number {
  return Math.min(5, Math.max(1, 2 * Math.pow(10_000 / Math.max(1, n), 1 / 6)));
}

/** The margin densityGrid keeps around the extent, a fraction of its width (height) on each side. */
export const GRID_MARGIN = 0.08;

/**
 * How far beyond the outermost points the density contours of n points reach, at most, as a fraction of the
 * extent's width (height): 2.3 standard deviations of the grid's smoothing (d3.blur2 of radius r is three box
 * blurs of 2r + 1 cells, variance r(r + 1) cells² in all), and never past the grid's own margin. Measured on
 * t-SNE maps, whose islands end sharply: the outer contour lay 6.3-7.0 % of the extent past the points at
 * 150-342 points (this gives 6.6-7.5 %), 2.6 % at 30,000 (3.5 %), and at the grid's margin (8 %) below 100.
 * The map's fit leaves that much room (transform.ts fitExtent), so Fit never cuts the outer contours off.
 */
export function contourReach(n: number): number {
  const r = densityBlur(n);
  return Math.min(GRID_MARGIN, (2.3 * Math.sqrt(r * (r + 1)) * (1 + 2 * GRID_MARGIN)) / DENSITY_SIDE);
}

/** The most cells a side of the clusters' density grid (about a million cells: 8 MB, under a second). */
export const MAX_CLUSTER_SIDE = 1024;
/** Points past which the clusters' grid gets finer than the contours' (4.3 cells a point, see clusterResolution). */
export const FINER_FROM = 6_000;

/**
 * The clusters' density grid for n points: cells a side and smoothing radius in cells. Up to FINER_FROM
 * points it is the contours' grid (DENSITY_SIDE cells a side, densityBlur(n)). Past that the grid gets
 * finer as the square root of n (to MAX_CLUSTER_SIDE), so there are about as many points per cell as
 * FINER_FROM points give on DENSITY_SIDE cells, and the smoothing is densityBlur of that effective count
 * (2.2 cells until the cap, less beyond): a t-SNE map gives each point about the same area, so its extent
 * grows as the square root of n while the gaps between its islands stay a few point spacings wide, and a
 * fixed grid blurs them shut on big maps (200,000 points in 10 islands: 1 cluster on 160 cells a side).
 * FINER_FROM was chosen by bench/clusters.ts: 10,000 left the gaps of islands 2 point spacings apart shut
 * at 20,000 to 100,000 points, 5,000 split Fashion-MNIST's 10,000 rows into 23 clusters.
 */
export function clusterResolution(n: number): { side: number; blur: number } {
  const side = Math.round(Math.min(MAX_CLUSTER_SIDE, Math.max(DENSITY_SIDE, DENSITY_SIDE * Math.sqrt(n / FINER_FROM))));
  return { side, blur: densityBlur(n * (DENSITY_SIDE / side) ** 2) };
}

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
  const mx = (extent.xmax - extent.xmin || 1) * GRID_MARGIN;
  const my = (extent.ymax - extent.ymin || 1) * GRID_MARGIN;
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
  return { w: side, h: side, x0, y0, cellW, cellH, blur, values };
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
