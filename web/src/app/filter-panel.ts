// The linked filter charts of the primary map: the filters (app/filters.ts, kept in the URL), the rows passing
// them (the map dims the rest), and the charts recounted on every change (ui/filter-charts.ts). Besides the
// points' own columns, the run's input features are charted: a table's first ones at once, any other added by
// name (image runs: pixels, none at once); each is fetched like Color by's (app/color-by.ts loadFeature).
import type { RunManifest } from '../../../pipeline/types.js';
import type { PointColumn } from '../points.js';
import { renderFilterCharts } from '../ui/filter-charts.js';
import { featureNames, FEATURE_PREFIX } from './color-by.js';
import { addableFeatures, autoFeatureCharts, chartColumns, chartedFeatures, countOnes, filterMask, parseFilters, formatFilters, type Filter } from './filters.js';
import type { Pane } from './pane.js';

/** Every feature of a run whose values can be fetched (the run keeps its data), images' pixels included. */
function fetchableFeatures(m: RunManifest): string[] {
  return m.artifacts?.data ? ((m.dataset as { features?: string[] }).features ?? []) : [];
}

/** The column the map's clusters add to its points when found (app/map-layers.ts). */
const CLUSTER_COLUMN = 'cluster';

export interface FilterHost {
  panel: HTMLElement;
  primary(): Pane | null;
  /** The filters changed (emphasis, a selection of the filtered rows; the URL when `write`). */
  changed(write: boolean): void;
  /** The panel's Explain: select the passing rows. */
  explain(): void;
  /** Fetches a feature column (`feature:NAME`) into the pane's points (app/color-by.ts loadFeature). */
  loadFeature(pane: Pane, column: string): Promise<void>;
  /** Has the map's clusters found (in a worker); the panel is applied again when they come. */
  awaitClusters(pane: Pane): void;
}

export class FilterController {
  filters: Filter[] = [];
  /** Rows passing every filter (1), per position of the primary map; null: no filter. */
  rows: Uint8Array | null = null;

  /** Features the user added as charts, for the run `addedFor`. */
  private added: string[] = [];
  private addedFor: string | null = null;
  /** Feature columns being fetched or that could not be, per run: not asked for again. */
  private asked = new Set<string>();
  /** Feature columns whose fetch failed, per run (`id\tcolumn`): not charted. */
  private failed = new Set<string>();

  constructor(private host: FilterHost) {}

  /** Adds a chart of the feature NAME (fetched first) to the panel; the URL keeps it. */
  addFeature(name: string): void {
    if (!this.added.includes(name)) this.added.push(name);
    this.apply();
  }

  /** Removes the added chart of the feature NAME, and the filter on it; the focus goes to the panel's Add list. */
  removeFeature(name: string): void {
    this.added = this.added.filter((n) => n !== name);
    this.filters = this.filters.filter((f) => f.column !== FEATURE_PREFIX + name);
    this.apply();
    this.host.panel.querySelector<HTMLElement>('#filter-add')?.focus();
  }

  /** The features added as charts (their names), for the URL. */
  addedCharts(): string[] {
    return [...this.added];
  }

  /**
   * Takes the filters of the URL form (app/filters.ts) and the charts added (feature names) for the run
   * `run`, without applying them.
   */
  parse(text: string, charts: readonly string[] = [], run: string | null = null): void {
    this.filters = parseFilters(text);
    this.added = [...charts];
    this.addedFor = run;
  }

  /** The URL form of the filters. */
  format(): string {
    return formatFilters(this.filters);
  }

  /** Applies the filters to the primary map: the passing rows, the charts recounted. */
  apply(write = true): void {
    const p = this.host.primary();
    if (!p) return;
    const points = p.points;
    if (this.addedFor !== p.id) {
      this.added = [];
      this.addedFor = p.id;
    }
    const known = fetchableFeatures(p.manifest);
    const knownSet = new Set(known);
    // a filter on a column this run lacks (kept from another run) is dropped; one on a feature waits for its
    // values, one on the clusters (a link) for them to be found
    const has = (name: string) => points.columns.some((c) => c.name === name);
    const waitsForClusters = this.filters.some((f) => f.column === CLUSTER_COLUMN) && !has(CLUSTER_COLUMN);
    if (waitsForClusters) this.host.awaitClusters(p);
    this.filters = this.filters.filter((f) => has(f.column) || (f.column === CLUSTER_COLUMN && waitsForClusters) || (f.column.startsWith(FEATURE_PREFIX) && knownSet.has(f.column.slice(FEATURE_PREFIX.length))));
    const auto = autoFeatureCharts(points.n);
    // charts added by name, and by a filter from a link, can be removed; the table's first features cannot
    this.added = this.added.filter((n) => knownSet.has(n));
    const features = chartedFeatures(featureNames(p.manifest), this.added, this.filters, known, auto).filter((name) => !this.failed.has(`${p.id}\t${name}`));
    const always = new Set(featureNames(p.manifest).slice(0, auto).map((n) => FEATURE_PREFIX + n));
    this.fetch(p, features);
    const loaded = features.map((name) => points.columns.find((c) => c.name === name)).filter((c): c is PointColumn => !!c);
    this.rows = filterMask(points, this.filters);
    const passing = this.rows ? countOnes(this.rows) : null;
    renderFilterCharts(
      this.host.panel,
      points,
      [...chartColumns(points), ...loaded],
      this.filters,
      (col) => filterMask(points, this.filters, col),
      {
        onFilter: (column, f) => {
          this.filters = [...this.filters.filter((g) => g.column !== column), ...(f ? [f] : [])];
          this.apply();
        },
        onExplain: () => this.host.explain(),
        addable: addableFeatures(known, features),
        onAdd: (name) => this.addFeature(name),
        removable: features.filter((c) => !always.has(c)),
        onRemove: (column) => this.removeFeature(column.slice(FEATURE_PREFIX.length)),
      },
      passing,
      features.length - loaded.length,
    );
    this.host.changed(write);
  }

  /** Fetches the charted features the points lack, then draws the charts again (once all are in). */
  private fetch(p: Pane, columns: readonly string[]): void {
    const missing = columns.filter((name) => !p.points.columns.some((c) => c.name === name) && !this.asked.has(`${p.id}\t${name}`));
    if (!missing.length) return;
    for (const name of missing) this.asked.add(`${p.id}\t${name}`);
    const load = (name: string) => this.host.loadFeature(p, name).catch(() => void this.failed.add(`${p.id}\t${name}`));
    void Promise.all(missing.map(load)).then(() => {
      if (this.host.primary() === p) this.apply(false);
    });
  }
}
