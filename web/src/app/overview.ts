// Maps past what a browser holds (about ten million points): the viewer loads an overview sample of the run
// (GET /api/runs/:id/points/overview, stratified on a grid by the server so sparse regions and small classes
// keep rows) and draws it, says on the map that it is an overview of N of M points, and as the user zooms in
// fetches the rows of the region in view (GET .../points/region, with the overview's rows outside it), the
// request debounced and a stale one cancelled. When the region holds at most the limit, the picture in it is
// every point of the run there, exact. Hover, selection, search and filters work on the rows loaded; the note
// on the map and the selection panel say so.
//
// Settings come from the page's query string, so a test can set them low on a small run:
// ?overview-threshold=N (runs with more rows than N load an overview; default OVERVIEW_THRESHOLD),
// ?overview-rows=N (rows of the overview; default OVERVIEW_ROWS), ?region-limit=N (most rows of a region;
// default REGION_LIMIT).
import type { Table } from 'apache-arrow';
import type { RunManifest } from '../../../pipeline/types.js';
import type { Api } from '../api.js';
import { decodePoints, type DecodedPoints } from '../points.js';
import type { ScatterView } from '../scatter/view.js';
import { formatNumber, h } from '../ui/dom.js';

/** Runs with more rows than this load an overview and the regions the user zooms into. */
export const OVERVIEW_THRESHOLD = 10_000_000;
/** Rows of the overview sample. */
export const OVERVIEW_ROWS = 1_000_000;
/** Most rows of a region loaded as they are; past it, the server sends a sample of them. */
export const REGION_LIMIT = 2_000_000;
/** Quiet time after the last zoom or pan before the region in view is requested, ms. */
export const REGION_DEBOUNCE_MS = 300;
/** The overview's seed (the same picture on every visit). */
const SEED = 0;

export interface ScaleSettings {
  threshold: number;
  overviewRows: number;
  regionLimit: number;
}

function positive(params: URLSearchParams, name: string, def: number): number {
  const raw = params.get(name);
  if (raw === null) return def;
  const v = Number(raw);
  return /^[0-9]{1,9}$/.test(raw) && v >= 1 ? v : def;
}

/** The settings from a page query string (`location.search`); absent or invalid values take the defaults. */
export function scaleSettings(search: string): ScaleSettings {
  const params = new URLSearchParams(search);
  return {
    threshold: positive(params, 'overview-threshold', OVERVIEW_THRESHOLD),
    overviewRows: positive(params, 'overview-rows', OVERVIEW_ROWS),
    regionLimit: positive(params, 'region-limit', REGION_LIMIT),
  };
}

/** What the rows a pane holds stand for. */
export interface Coverage {
  /** overview: a sample of the whole map; region: the rows of `region` (and the overview's elsewhere). */
  kind: 'overview' | 'region';
  /** Rows of the run. */
  runRows: number;
  /** Rows loaded. */
  loaded: number;
  region: { x0: number; y0: number; x1: number; y1: number } | null;
  /** Rows inside the region: the true count. */
  regionRows: number;
  /** Rows of the region loaded (all of them when exact). */
  regionLoaded: number;
  /** Every row of the region is loaded. */
  exact: boolean;
}

/** Metadata of a subset answer (server/points-subset.ts SUBSET_KEYS). */
function subsetMeta(table: Table): { total: number; sampled: boolean; outside: number } {
  const m = table.schema.metadata;
  const total = Number(m.get('latentmap.total'));
  if (!Number.isFinite(total)) throw new Error('the server sent points without their count (latentmap.total)');
  return { total, sampled: m.get('latentmap.sampled') === 'true', outside: Number(m.get('latentmap.outside') ?? 0) };
}

/** Whether a run is past the threshold (its manifest's rows). */
export function needsOverview(manifest: RunManifest, settings: ScaleSettings): boolean {
  return manifest.dataset.rows > settings.threshold;
}

/** The run's overview sample, decoded, and what it covers. */
export async function loadOverview(api: Api, id: string, settings: ScaleSettings): Promise<{ points: DecodedPoints; coverage: Coverage }> {
  const table = await api.pointsSubset(id, 'overview', { rows: settings.overviewRows, seed: SEED });
  const meta = subsetMeta(table);
  const points = decodePoints(table);
  return {
    points,
    coverage: { kind: 'overview', runRows: meta.total, loaded: points.n, region: null, regionRows: meta.total, regionLoaded: points.n, exact: points.n === meta.total },
  };
}

/** The note on the map: what the rows drawn stand for. */
export function coverageText(c: Coverage): string {
  const of = `${formatNumber(c.runRows)}`;
  if (c.kind === 'overview') {
    return c.exact ? `All ${of} points` : `Overview: ${formatNumber(c.loaded)} of ${of} points (a sample that keeps sparse regions and small classes); zoom in to load every point of a region`;
  }
  const inView = c.exact
    ? `all ${formatNumber(c.regionRows)} points in this region (exact)`
    : `${formatNumber(c.regionLoaded)} of ${formatNumber(c.regionRows)} points in this region (a sample; zoom in further for every point)`;
  return `Showing ${inView}, the overview elsewhere: ${formatNumber(c.loaded)} of ${of} points loaded`;
}

/** Shows (or updates) the note on a pane's map. */
export function showCoverage(paneEl: HTMLElement, c: Coverage): void {
  let note = paneEl.querySelector<HTMLElement>(':scope .scale-note');
  if (!note) {
    note = h('div', { className: 'scale-note', role: 'status' });
    paneEl.querySelector('.map-host')?.append(note);
  }
  note.textContent = coverageText(c);
  note.dataset.kind = c.kind;
  note.dataset.loaded = String(c.loaded);
  note.dataset.exact = String(c.exact);
}

/** What the selection panel adds when the rows loaded are not all of the run's. */
export function selectionNote(c: Coverage): string {
  return `This selection covers the ${formatNumber(c.loaded)} points loaded, not all ${formatNumber(c.runRows)} of the run: ${c.kind === 'region' && c.exact ? 'every point of the region in view, the overview elsewhere' : 'an overview sample'}.`;
}

/** Heads the selection panel with selectionNote when the rows loaded are a part of the run's (null coverage: every row is loaded). */
export function showSelectionCoverage(panel: HTMLElement, c: Coverage | null): void {
  if (c && !(c.kind === 'overview' && c.exact)) panel.prepend(h('p', { className: 'muted scale-selection' }, selectionNote(c)));
}

/**
 * Loads the region in view of a pane that holds an overview, REGION_DEBOUNCE_MS after the last view change
 * (a request still running is cancelled by the next), and back to the overview when the whole map is in view.
 * `apply` swaps the pane's points (the same extent: the view does not move).
 */
export class RegionLoader {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inflight: AbortController | null = null;
  private shown: string;
  private stopped = false;

  constructor(
    private readonly api: Api,
    private readonly id: string,
    private readonly view: () => ScatterView | null,
    private readonly overview: { points: DecodedPoints; coverage: Coverage },
    private readonly settings: ScaleSettings,
    private readonly apply: (points: DecodedPoints, coverage: Coverage) => void,
    private readonly failed: (message: string) => void,
  ) {
    this.shown = 'overview';
  }

  /** Call on every view change of the pane. */
  viewChanged(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.load(), REGION_DEBOUNCE_MS);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.inflight?.abort();
  }

  private async load(): Promise<void> {
    const view = this.view();
    if (!view || this.stopped) return;
    const { width, height } = view.size();
    const [x0, y1] = view.toData(0, 0);
    const [x1, y0] = view.toData(width, height);
    const e = this.overview.points.extent;
    this.inflight?.abort();
    this.inflight = null;
    // the whole map in view: the overview is the picture
    if (x0 <= e.xmin && x1 >= e.xmax && y0 <= e.ymin && y1 >= e.ymax) {
      if (this.shown !== 'overview') {
        this.shown = 'overview';
        this.apply(this.overview.points, this.overview.coverage);
      }
      return;
    }
    const key = [x0, y0, x1, y1].join(',');
    if (key === this.shown) return;
    const ctrl = new AbortController();
    this.inflight = ctrl;
    const query = { x0, y0, x1, y1, limit: this.settings.regionLimit, around: this.settings.overviewRows, seed: SEED };
    try {
      const table = await this.api.pointsSubset(this.id, 'region', query, ctrl.signal);
      if (ctrl.signal.aborted || this.stopped) return;
      const meta = subsetMeta(table);
      const points = decodePoints(table);
      // the map keeps the overview's frame: the region's own extent would move the view
      points.extent = this.overview.points.extent;
      this.shown = key;
      const regionLoaded = points.n - meta.outside;
      this.apply(points, {
        kind: 'region',
        runRows: this.overview.coverage.runRows,
        loaded: points.n,
        region: { x0, y0, x1, y1 },
        regionRows: meta.total,
        regionLoaded,
        exact: !meta.sampled,
      });
    } catch (err) {
      if (ctrl.signal.aborted || this.stopped) return;
      this.failed(`Cannot load the points in view: ${(err as Error).message}`);
    } finally {
      if (this.inflight === ctrl) this.inflight = null;
    }
  }
}
