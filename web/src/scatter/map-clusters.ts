// The clusters of a whole map as the viewer finds them: the density grid chosen for its number of points
// (density.ts clusterResolution), then the modes of that density (mode-clusters.ts findClusters). One function
// the viewer's clusters worker (workers/clusters-worker.ts), its fallback on the page, the tests and
// bench/clusters.ts all call, so they agree to the point. Pure: no DOM.
import { clusterResolution, densityGrid } from './density.js';
import { findClusters, type ClusterResult } from './mode-clusters.js';

/** A map's clusters and the grid they were found on. */
export interface MapClusters extends ClusterResult {
  /** The grid's cells a side and smoothing radius in cells (clusterResolution). */
  side: number;
  blur: number;
  /** A grid cell's width and height in data coordinates (a cluster's region lists the centers of such cells). */
  cellW: number;
  cellH: number;
}

/**
 * Clusters of the n points (x, y: data coordinates, n each) on the density grid clusterResolution(n) chooses,
 * over `extent` (the map's fitted extent, PointData.extent). O(n + cells log cells).
 */
export function clusterMap(x: Float32Array, y: Float32Array, extent: { xmin: number; xmax: number; ymin: number; ymax: number }): MapClusters {
  const { side, blur } = clusterResolution(x.length);
  const grid = densityGrid(x, y, extent, side, blur);
  return { ...findClusters(grid, x, y), side, blur, cellW: grid.cellW, cellH: grid.cellH };
}
