// The map's explanatory layers, toggled from the maps bar and kept in the URL: density contours, and
// clusters found as the modes of the map's density with a label on each (scatter/density.ts,
// scatter/map-clusters.ts, app/clusters.ts). The clusters are found in a Web Worker (app/cluster-finder.ts):
// the map stays interactive meanwhile, the Clusters box says they are being found, and they show when they
// come. Clusters also become the "cluster" column: a Color-by choice, a legend, a search term and a column of
// the selection's CSV export.
import { DENSITY_SIDE, densityBlur, densityContours, densityGrid, type DensityGrid } from '../scatter/density.js';
import type { CategoryColumn } from '../points.js';
import type { SearchColumn } from '../search.js';
import { ClusterFinder } from './cluster-finder.js';
import { labelClusters, type ClusterLabel } from './clusters.js';
import type { Pane } from './pane.js';

export type MapLayer = 'contours' | 'clusters';

interface PaneLayers {
  /** The contours' grid (DENSITY_SIDE cells a side), made when the contours are first shown. */
  grid?: DensityGrid;
  contours?: ReturnType<typeof densityContours>;
  clusters?: ClusterLabel[];
  /** Half a cell of the clusters' grid, data units (a label's region is a list of such cells). */
  halfCell?: [number, number];
  /** The clusters being found (null when cancelled). */
  finding?: Promise<ClusterLabel[] | null>;
  /** How many clusters were found and why. */
  reason?: string;
  /** Whether the reason was shown. */
  told?: boolean;
}

const cache = new WeakMap<Pane, PaneLayers>();
const finder = new ClusterFinder();
/** The map whose clusters the finder is finding. */
let findingFor: Pane | null = null;

function layersOf(pane: Pane): PaneLayers {
  let l = cache.get(pane);
  if (!l) {
    l = {};
    cache.set(pane, l);
  }
  return l;
}

/** The pane's clusters when found (the `cluster` column then added to its points), else null. */
export function clustersOf(pane: Pane): ClusterLabel[] | null {
  return cache.get(pane)?.clusters ?? null;
}

/** Whether the pane's clusters are being found. */
export function findingClustersOf(pane: Pane): boolean {
  const l = cache.get(pane);
  return !!l?.finding && !l.clusters;
}

/**
 * Finds the pane's clusters (once; in the worker) and labels them: resolves with the labels once the
 * `cluster` column is on its points, null when cancelled (another map's clusters were asked for, or
 * stopFindingClustersBut). Rejects when they could not be found.
 */
export function findClustersOf(pane: Pane): Promise<ClusterLabel[] | null> {
  const l = layersOf(pane);
  if (l.clusters) return Promise.resolve(l.clusters);
  if (l.finding) return l.finding;
  findingFor = pane;
  const { x, y, extent } = pane.points;
  const finding = finder.find(x, y, extent).then(
    (found) => {
      if (findingFor === pane) findingFor = null;
      if (l.finding === finding) l.finding = undefined;
      if (!found) return null;
      const { labels, column } = labelClusters(pane.points, found.assignment, found.clusters);
      l.reason = found.reason;
      l.clusters = labels;
      l.halfCell = [found.cellW / 2, found.cellH / 2];
      if (!pane.points.columns.some((c) => c.name === 'cluster')) {
        pane.points.columns.push(column);
        pane.points.raw.push(clusterSearchColumn(column));
      }
      return labels;
    },
    (err: Error) => {
      if (findingFor === pane) findingFor = null;
      if (l.finding === finding) l.finding = undefined;
      throw err;
    },
  );
  l.finding = finding;
  return finding;
}

/** Stops finding the clusters of any map but `pane` (the map looked at changed). */
export function stopFindingClustersBut(pane: Pane | null): void {
  if (findingFor && findingFor !== pane) finder.cancel();
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

/**
 * Shows or hides the layers on a pane's map. Clusters not found yet are not drawn: the caller asks for them
 * (findClustersOf) and applies the layers again when they come. Work on another map's clusters stops.
 */
export function applyLayers(pane: Pane, layers: ReadonlySet<MapLayer>): void {
  stopFindingClustersBut(pane);
  if (layers.has('contours')) {
    const l = layersOf(pane);
    l.grid ??= densityGrid(pane.points.x, pane.points.y, pane.points.extent, DENSITY_SIDE, densityBlur(pane.points.n));
    l.contours ??= densityContours(l.grid);
    pane.view.marks.setContours(l.contours);
  } else pane.view.marks.setContours(null);
  const l = cache.get(pane);
  if (layers.has('clusters') && l?.clusters && l.halfCell) {
    const [halfW, halfH] = l.halfCell;
    pane.view.marks.setLabels(l.clusters.map((c) => ({ x: c.peak[0], y: c.peak[1], text: c.text, id: c.id, region: { centers: c.region, halfW, halfH } })));
  } else pane.view.marks.setLabels(null);
}

/** Marks the Clusters box while the clusters are being found ("finding clusters…" beside it). */
export function showFindingClusters(on: boolean): void {
  for (const box of document.querySelectorAll<HTMLInputElement>('[data-layer="clusters"]')) {
    const label = box.closest('label');
    label?.classList.toggle('finding', on);
    label?.setAttribute('aria-busy', String(on));
  }
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
