// The map's explanatory layers, toggled from the maps bar and kept in the URL: density contours, and
// clusters found as the modes of the map's density with a label on each (scatter/density.ts,
// scatter/mode-clusters.ts, app/clusters.ts). Clusters also
// become the "cluster" column: a Color-by choice, a legend, a search term and a column of the
// selection's CSV export.
import { DENSITY_SIDE, clusterResolution, densityBlur, densityContours, densityGrid, type DensityGrid } from '../scatter/density.js';
import { findClusters } from '../scatter/mode-clusters.js';
import type { CategoryColumn } from '../points.js';
import type { SearchColumn } from '../search.js';
import { labelClusters, type ClusterLabel } from './clusters.js';
import type { Pane } from './pane.js';

export type MapLayer = 'contours' | 'clusters';

interface PaneLayers {
  /** The contours' grid (DENSITY_SIDE cells a side). */
  grid: DensityGrid;
  /** The clusters' grid: the contours' up to 10,000 points, finer past that (clusterResolution). */
  clusterGrid?: DensityGrid;
  contours?: ReturnType<typeof densityContours>;
  clusters?: ClusterLabel[];
  /** How many clusters were found and why. */
  reason?: string;
  /** Whether the reason was shown. */
  told?: boolean;
}

const cache = new WeakMap<Pane, PaneLayers>();

function layersOf(pane: Pane): PaneLayers {
  let l = cache.get(pane);
  if (!l) {
    l = { grid: densityGrid(pane.points.x, pane.points.y, pane.points.extent, DENSITY_SIDE, densityBlur(pane.points.n)) };
    cache.set(pane, l);
  }
  return l;
}

/** The pane's clusters, computed once: labels, and the `cluster` column added to its points. */
export function clustersOf(pane: Pane): ClusterLabel[] {
  const l = layersOf(pane);
  if (!l.clusters) {
    const { side, blur } = clusterResolution(pane.points.n);
    l.clusterGrid ??= side === l.grid.w && blur === l.grid.blur ? l.grid : densityGrid(pane.points.x, pane.points.y, pane.points.extent, side, blur);
    const { assignment, clusters, reason } = findClusters(l.clusterGrid, pane.points.x, pane.points.y);
    const { labels, column } = labelClusters(pane.points, assignment, clusters);
    l.reason = reason;
    l.clusters = labels;
    if (!pane.points.columns.some((c) => c.name === 'cluster')) {
      pane.points.columns.push(column);
      pane.points.raw.push(clusterSearchColumn(column));
    }
  }
  return l.clusters;
}

/**
 * The `cluster` column as searched and shown in tooltips: each row's cluster label ("C2 · 3 (96 %)"; noise rows
 * missing), keyed by the cluster's id, so `cluster:C2` finds cluster C2 as `cluster:c2 · 3 (96 %)` does.
 */
export function clusterSearchColumn(column: CategoryColumn): SearchColumn {
  const keys = column.categories.map((c) => /^(C\d+)\b/.exec(c)?.[1] ?? c);
  return {
    name: 'cluster',
    kind: 'text',
    get: (r) => (column.codes[r] >= 0 ? column.categories[column.codes[r]] : null),
    key: (r) => (column.codes[r] >= 0 ? keys[column.codes[r]] : null),
  };
}

/** How the pane's clusters were found: once per pane (for the status line when they first show), else null. */
export function newClusterReason(pane: Pane): string | null {
  const l = cache.get(pane);
  if (!l?.reason || l.told) return null;
  l.told = true;
  return l.reason;
}

/** Shows or hides the layers on a pane's map. */
export function applyLayers(pane: Pane, layers: ReadonlySet<MapLayer>): void {
  if (layers.has('contours')) {
    const l = layersOf(pane);
    l.contours ??= densityContours(l.grid);
    pane.view.marks.setContours(l.contours);
  } else pane.view.marks.setContours(null);
  if (layers.has('clusters')) {
    const g = layersOf(pane).grid;
    const region = (c: ClusterLabel) => ({ centers: c.region, halfW: g.cellW / 2, halfH: g.cellH / 2 });
    pane.view.marks.setLabels(clustersOf(pane).map((c) => ({ x: c.peak[0], y: c.peak[1], text: c.text, id: c.id, region: region(c) })));
  }
  else pane.view.marks.setLabels(null);
}

/** Ticks the maps bar's layer boxes to match. */
export function tickLayerBoxes(layers: ReadonlySet<MapLayer>): void {
  for (const box of document.querySelectorAll<HTMLInputElement>('[data-layer]')) box.checked = layers.has(box.dataset.layer as MapLayer);
}

/** Listens to the layer boxes: each change gives the new set of layers. */
export function bindLayerBoxes(current: () => ReadonlySet<MapLayer>, change: (layers: Set<MapLayer>) => void): void {
  for (const box of document.querySelectorAll<HTMLInputElement>('[data-layer]')) {
    box.addEventListener('change', () => {
      const next = new Set(current());
      if (box.checked) next.add(box.dataset.layer as MapLayer);
      else next.delete(box.dataset.layer as MapLayer);
      change(next);
    });
  }
}
