// One map pane: a run's manifest, points and history, its color encoding and hidden categories, and
// the ScatterView that draws it. The primary pane is the one looked at; the secondary one is the run it
// is compared with, colored by the same column and hiding the same categories (by name).
import type { History, RunManifest } from '../../../pipeline/types.js';
import type { Api } from '../api.js';
import { encodeColumn, type ColorEncoding } from '../colors.js';
import { countVisible, visibilityMask } from '../legend-state.js';
import { indexLookup, type DecodedPoints } from '../points.js';
import { primeDrawing } from '../scatter/prime.js';
import { loadPoints } from './load-points.js';
import { loadOverview, needsOverview, scaleSettings, showCoverage, type Coverage, type ScaleSettings } from './overview.js';
import { ScatterView, type ScatterCallbacks } from '../scatter/view.js';
import { fill, formatNumber, h } from '../ui/dom.js';
import { mapSummary } from '../ui/run-panel.js';
import type { ThumbnailCache } from './thumbnails.js';

export type Slot = 'primary' | 'secondary';

export interface Pane {
  id: string;
  slot: Slot;
  manifest: RunManifest;
  points: DecodedPoints;
  /** Position of an input row index in `points` (-1: absent). */
  positionOf: (row: number) => number;
  encoding: ColorEncoding;
  /** Hidden category codes of the encoding's column. */
  hidden: Set<number>;
  /** 0: hidden point; null: all shown. */
  visible: Uint8Array | null;
  view: ScatterView;
  el: HTMLElement;
  title: HTMLElement;
  history: History | null;
  /** Load phases, ms: fetch (request to the first columns' last byte), decode (of those), index (draw order, hit grid). */
  timing: { fetchMs: number; decodeMs: number; indexMs: number };
  /** A run past the overview threshold (app/overview.ts): its overview, and what the rows held stand for; null: every row is held. */
  overview: { points: DecodedPoints; coverage: Coverage } | null;
  coverage: Coverage | null;
  /** The overview settings of the page (its query string). */
  settings: ScaleSettings;
}

/**
 * Adds a pane's section to `maps` (first for the primary, last for the secondary), loads the run and
 * draws it. Rejects with the API's error (the caller removes the section).
 */
export async function openPane(
  api: Api,
  maps: HTMLElement,
  id: string,
  slot: Slot,
  callbacks: Omit<ScatterCallbacks, 'thumbnail'>,
  thumbs: ThumbnailCache,
): Promise<Pane> {
  const title = h('div', { className: 'pane-title' }, `Loading ${id}…`);
  const host = h('div', { className: 'map-host' });
  const el = h('section', { className: `pane ${slot}`, 'aria-label': `map of ${id}` }, title, host);
  // a map forming covers the maps (live-run.ts): one that opens meanwhile stays covered until it goes
  if (maps.classList.contains('forming')) {
    el.hidden = true;
    el.dataset.coveredByForming = '';
  }
  if (slot === 'primary') maps.prepend(el);
  else maps.append(el);
  const historyLoad = api.history(id).catch(() => null);
  const manifestLoad = api.manifest(id);
  // the drawing path primed for V8 (scatter/prime.ts, 30-50 ms on a loaded 2-core machine) while the map's
  // requests are under way, not after its points have come (the points layer would prime it then)
  setTimeout(primeDrawing, 0);
  const manifest = await manifestLoad;
  // past what a browser holds: the overview first, the regions zoomed into later (app/overview.ts)
  const settings = scaleSettings(location.search);
  const overviewStart = performance.now();
  const overview = needsOverview(manifest, settings) ? await loadOverview(api, id, settings) : null;
  const loaded = overview
    ? { first: overview.points, complete: () => Promise.resolve(overview.points), timing: { fetchMs: performance.now() - overviewStart, decodeMs: 0 } }
    : await loadPoints(api, id, manifest);
  const first = loaded.first;
  const rowIndex = first.index;
  const view: ScatterView = new ScatterView(
    host,
    {
      ...callbacks,
      // the index array, not `first` (whose raw columns hold the first response's bytes), stays referenced;
      // the run's index is copied into it when the other columns arrive
      thumbnail: manifest.dataset.image ? (i) => thumbs.get(id, rowIndex[i], () => view.refresh()) : undefined,
    },
    { label: `Map of ${manifest.name || id}` },
  );
  // the first picture, colored by label (the default), is drawn while the other columns arrive
  const encoding = encodeColumn(first.label, first.n);
  const indexStart = performance.now();
  view.setPoints(first, encoding.colors);
  const indexMs = performance.now() - indexStart;
  // the other columns are requested once the first picture is on screen
  const [points, history] = await Promise.all([loaded.complete(view.firstPicture()), historyLoad]);
  const pane: Pane = {
    id,
    slot,
    manifest,
    points,
    positionOf: indexLookup(points.index),
    encoding,
    hidden: new Set(),
    visible: null,
    view,
    el,
    title,
    history,
    timing: { ...loaded.timing, indexMs },
    overview,
    coverage: overview?.coverage ?? null,
    settings,
  };
  const runRows = overview ? overview.coverage.runRows : points.n;
  fill(
    title,
    h('strong', null, manifest.name || id),
    h('span', { className: 'muted' }, ` · ${manifest.dataset.name} · ${formatNumber(runRows)} points${points.isNew ? ` · ${countVisible(points.isNew, 0)} new (ringed)` : ''} · ${mapSummary(manifest)}`),
  );
  if (overview) showCoverage(el, overview.coverage);
  return pane;
}

export function closePane(pane: Pane): void {
  pane.view.destroy();
  pane.el.remove();
}

/** Category names of a pane's hidden codes. */
export function hiddenNames(pane: Pane): string[] {
  if (pane.encoding.kind !== 'category') return [];
  const names = pane.encoding.column.categories;
  return [...pane.hidden].sort((a, b) => a - b).map((c) => names[c]);
}

/** The compare pane colors by the same column (by name) and hides the same categories (by name). */
export function syncCompare(p: Pane, q: Pane): void {
  const name = p.encoding.kind === 'none' ? null : p.encoding.column.name;
  const col = q.points.columns.find((c) => c.name === name) ?? null;
  q.encoding = encodeColumn(col, q.points.n);
  q.view.setColors(q.encoding.colors);
  if (q.encoding.kind === 'category' && p.encoding.kind === 'category') {
    const names = new Set(hiddenNames(p));
    q.hidden = new Set(q.encoding.column.categories.map((n, c) => (names.has(n) ? c : -1)).filter((c) => c >= 0));
    q.visible = visibilityMask(q.encoding.column.codes, q.hidden);
  } else {
    q.hidden = new Set();
    q.visible = null;
  }
  q.view.setVisible(q.visible);
}
