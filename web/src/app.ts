// The viewer application: wires the run picker, one or two map panes (loaded by app/maps.ts), color-by,
// legend, search, selection, detail panel, run panel, new-run form and the map forming live together, and
// keeps the view in the URL hash. The parts that are pure (emphasis masks, shortcuts, URL state) live in
// their own modules.
import type { RunSummary } from '../../pipeline/types.js';
import { Api } from './api.js';
import { hiddenNames, syncCompare, type Pane, type Slot } from './app/pane.js';
import { Maps } from './app/maps.js';
import { DetailController } from './app/detail.js';
import { combineMasks, projectMask } from './app/emphasis.js';
import { bindControls, pressModeButton } from './app/controls.js';
import { ThumbnailCache } from './app/thumbnails.js';
import { chooseColorBy, featureNames, fillColorBy, isFeatureChoice, loadFeature, offerNewColumns } from './app/color-by.js';
import { SelectionController } from './app/selection.js';
import { fillRunPickers, restMapControls, setMapControlsEnabled, showNoRuns } from './app/chrome.js';
import { exportPng, exportSvg, highlighted, type Emphasis } from './app/export-image.js';
import { FilterController } from './app/filter-panel.js';
import { applyLayers, clustersOf, findClustersOf, findingClustersOf, newClusterReason, showFindingClusters, tickLayerBoxes, type MapLayer } from './app/map-layers.js';
import { LiveRun } from './app/live-run.js';
import { FormingPanels } from './app/forming-panels.js';
import { chooseRun, RunList } from './app/run-list.js';
import { encodeColumn } from './colors.js';
import type { InteractionMode } from './scatter/view.js';
import { fill } from './ui/dom.js';
import { NewRunDialog } from './ui/new-run.js';
import { renderRunPanel } from './ui/run-panel.js';
import { Tooltip } from './ui/tooltip.js';
import { emptyState, type ViewState } from './url-state.js';
import { HashSync } from './app/hash-sync.js';
import { SearchController } from './app/search.js';
import { showVisibility } from './app/visibility.js';
import { showSelectionCoverage } from './app/overview.js';
import { byId, viewerElements } from './app/elements.js';

/** The status line while the clusters are found. */
const FINDING_CLUSTERS = 'Finding clusters…';

export class App {
  readonly api = new Api({ token: () => sessionStorage.getItem('latentmap-token') });
  private state: ViewState = emptyState();
  /** The runs listed, refreshed periodically and on focus (app/run-list.ts). */
  private readonly runList = new RunList(() => this.api.runs(), () => this.runsChanged());
  /** A run the URL names that is not listed: the URL is left as given (not rewritten) until the user opens another. */
  private heldRun: string | null = null;
  /** The primary map and the compare map (app/maps.ts). */
  private readonly maps: Maps;
  private mode: InteractionMode = 'pan';
  private layers = new Set<MapLayer>();
  /** The hidden clusters the URL names while Color by cluster waits for the clusters (null: not waiting). */
  private hiddenClusters: readonly string[] | null = null;
  /** The map whose clusters are awaited (awaitClusters). */
  private awaiting: Pane | null = null;
  private filters: FilterController;
  private selection: SelectionController;
  private search: SearchController;
  private readonly hash = new HashSync();
  private tooltip: Tooltip;
  private inspect: DetailController;
  private newRun: NewRunDialog;
  /** The map of a run started here, shown forming in the main map when the user asks (the job badge). */
  readonly live: LiveRun;
  private thumbs = new ThumbnailCache((run, row) => this.api.imageUrl(run, row));
  private readonly els = viewerElements();
  /** What the panels say while a map forms in the main map. */
  private readonly forming = new FormingPanels({
    legend: this.els.legend,
    colorBy: this.els.colorBy,
    status: this.els.status,
    panels: [this.els.filters, this.els.selection, this.els.detail, this.els.run],
  });
  /** Resolves when the first run (if any) is on screen. */
  ready: Promise<void>;

  constructor() {
    this.tooltip = new Tooltip(this.els.maps);
    this.maps = new Maps({
      api: this.api,
      el: this.els.maps,
      thumbs: this.thumbs,
      callbacks: (slot) => ({
        onHover: (i, x, y) => {
          const pane = this.maps.pane(slot);
          if (pane) this.inspect.hover(pane, this.maps.pane(slot === 'primary' ? 'secondary' : 'primary'), i, x, y);
        },
        onClick: (i) => {
          const pane = this.maps.pane(slot);
          if (pane) this.inspect.click(pane, i);
        },
        // a click on a cluster's label selects the cluster (and explains it)
        onLabel: (cluster) => slot === 'primary' && this.selection.set({ kind: 'cluster', cluster }),
        onSelect: (kind, poly) => slot === 'primary' && this.select(kind, poly, true),
        onViewChange: () => slot === 'primary' && this.writeHash(),
      }),
      mode: () => this.mode,
      status: (text, isError) => this.setStatus(text, isError),
      rowsLeaving: () => this.writeHash(true),
      rowsArrived: () => this.applyState(this.state),
    });
    this.inspect = new DetailController({
      api: this.api,
      panel: this.els.detail,
      tooltip: this.tooltip,
      primary: () => this.primary,
      secondary: () => this.secondary,
      changed: () => this.writeHash(),
    });
    this.search = new SearchController(this.els.searchCount, this.api);
    this.selection = new SelectionController({
      api: this.api,
      panel: this.els.selection,
      primary: () => this.primary,
      awaitClusters: (p) => this.awaitClusters(p),
      filterRows: () => this.filters.rows,
      changed: (write) => {
        this.applyEmphasis();
        if (this.selection.current) showSelectionCoverage(this.els.selection, this.primary?.coverage ?? null);
        if (write) this.writeHash();
      },
    });
    this.filters = new FilterController({
      panel: this.els.filters,
      primary: () => this.primary,
      changed: (write) => {
        // a selection of the filtered rows follows the filters
        if (this.selection.current?.shape.kind === 'filter') this.selection.refresh();
        this.applyEmphasis();
        if (write) this.writeHash();
      },
      explain: () => this.selection.set({ kind: 'filter' }),
      loadFeature: (pane, column) => loadFeature(this.api, pane, column),
      awaitClusters: (pane) => this.awaitClusters(pane),
    });
    this.live = new LiveRun({
      api: this.api,
      maps: this.els.maps,
      tooltip: this.tooltip,
      covered: () => (this.primary ? this.primary.manifest.name || this.primary.id : null),
      shown: () => this.showLive(true),
      gone: () => this.showLive(false),
      drawn: (name, encoding) => this.forming.show(name, encoding),
    });
    this.newRun = new NewRunDialog(this.api, (id) => void this.afterNewRun(id), { started: (id, name) => this.live.watch(id, name), watchedElsewhere: () => this.live.showing(), watchMap: () => this.live.show() });
    this.bindControls();
    document.querySelector('.topbar .actions')?.prepend(this.newRun.badge);
    this.ready = this.start();
  }

  // ---- startup and URL --------------------------------------------------------------------------

  private async start(): Promise<void> {
    this.state = this.hash.read();
    try {
      await this.runList.refresh();
    } catch (err) {
      this.setStatus(`Cannot list runs: ${(err as Error).message}`, true);
      return;
    }
    this.fillPickers();
    this.hash.listen((s) => void this.applyState(s));
    this.runList.keepFresh();
    await this.applyState(this.state);
  }

  /** The runs listed, newest first. */
  private get runs(): readonly RunSummary[] {
    return this.runList.runs;
  }

  /**
   * The run list changed (a CLI run written, a run removed): the pickers follow; a run the URL named and the
   * list lacked opens once it is there, and a first run replaces the empty state. The map looked at stays.
   */
  private runsChanged(): void {
    this.fillPickers();
    if (this.live.showing()) return;
    const held = this.heldRun;
    if (held && this.runs.some((r) => r.id === held)) void this.applyState(this.hash.read());
    else if (!this.primary && this.runs.length) void this.applyState(this.state);
  }

  private async applyState(s: ViewState): Promise<void> {
    // a run the list lacks may have been written since it was listed: list again before saying it is not there
    if (s.run && !this.runs.some((r) => r.id === s.run)) await this.runList.refresh().catch(() => false);
    const { run: runId, missing } = chooseRun(s.run, this.runs, this.primary?.id ?? null);
    // the URL names a run that is not there: it stays as given (a reload or a later look finds the run)
    this.heldRun = missing;
    const notFound = missing
      ? `Run “${missing}” is not in this server’s runs (listed again just now)${runId ? `; showing “${this.runs.find((r) => r.id === runId)?.name ?? runId}” meanwhile` : ''}. The link is kept: the run opens once it is there.`
      : null;
    if (!runId) {
      this.showEmpty();
      if (notFound) this.setStatus(notFound, true);
      return;
    }
    this.state = { ...s, run: runId };
    if (!this.primary || this.primary.id !== runId) await this.loadPrimary(runId);
    const p = this.primary!;
    // color by
    const fallback = p.points.label ? 'label' : p.points.error ? 'error' : '';
    if (s.color && isFeatureChoice(s.color)) await loadFeature(this.api, p, s.color).catch(() => null);
    // the clusters are found in a worker: a color or selection by cluster waits for them (clustersFound)
    const clusterColor = s.color === 'cluster' && !clustersOf(p);
    if (s.color === 'cluster') this.awaitClusters(p);
    this.setLayers(new Set(s.layers as MapLayer[]), false);
    this.filters.parse(s.filter, s.charts, runId);
    // a color column this run lacks (e.g. kept from another run) falls back to the default
    const colName = s.color === null || (s.color !== '' && !p.points.columns.some((c) => c.name === s.color)) ? fallback : s.color;
    this.setColor(colName, false);
    // colored by cluster once they are found (its hidden clusters with it); the URL keeps asking for both meanwhile
    this.hiddenClusters = clusterColor ? s.hidden : null;
    if (clusterColor) {
      this.state.color = 'cluster';
      this.state.hidden = s.hidden;
    }
    // hidden categories by name
    if (!clusterColor) this.hideByName(s.hidden);
    // compare
    const compareId = s.compare && s.compare !== runId && this.runs.some((r) => r.id === s.compare) ? s.compare : null;
    if (compareId && this.secondary?.id !== compareId) await this.loadSecondary(compareId);
    if (!compareId && this.secondary) this.maps.closeSecondary();
    this.els.comparePicker.value = compareId ?? '';
    // search, selection, view, detail
    this.els.search.value = s.search;
    this.applySearch(s.search, false);
    this.filters.apply(false);
    if (s.selection) this.selection.set(s.selection, false);
    else this.selection.clear(false);
    if (s.view) p.view.setView(s.view);
    else p.view.resetView();
    if (s.point !== null) {
      const pos = p.positionOf(s.point);
      if (pos >= 0) this.inspect.open(pos, false);
      else this.inspect.close(false);
    } else this.inspect.close(false);
    this.writeHash(true);
    if (notFound) this.setStatus(notFound, true);
  }

  private writeHash(now = false): void {
    if (!this.primary || this.heldRun) return;
    const p = this.primary;
    this.state.run = p.id;
    this.state.compare = this.secondary?.id ?? null;
    // a view framing the drawn points is left out: a reload or a shared link frames them again, at its size
    this.state.view = p.view.isFitted() ? null : p.view.getView();
    this.state.hidden = this.hiddenClusters ? [...this.hiddenClusters] : hiddenNames(p);
    this.state.selection = this.selection.current?.shape ?? this.selection.pending;
    this.state.point = this.inspect.position >= 0 ? p.points.index[this.inspect.position] : null;
    this.state.search = this.els.search.value.trim();
    this.state.layers = [...this.layers].sort();
    this.state.filter = this.filters.format();
    this.state.charts = this.filters.addedCharts();
    this.hash.write(this.state, now);
  }

  // ---- loading ----------------------------------------------------------------------------------

  private fillPickers(): void {
    fillRunPickers(this.els.runPicker, this.els.comparePicker, this.runs, this.primary?.id ?? null, this.secondary?.id ?? null);
  }

  private async loadPrimary(id: string): Promise<void> {
    this.selection.reset();
    this.inspect.reset();
    const pane = await this.maps.openPrimary(id);
    // the finished run (or another one opened meanwhile) replaces a map forming in its place
    this.live.dismiss();
    this.els.runPicker.value = id;
    this.fillPickers();
    this.setControlsEnabled(true);
    fillColorBy(this.els.colorBy, pane.points.columns, featureNames(pane.manifest));
    renderRunPanel(this.els.run, pane.manifest, pane.history);
  }

  private async loadSecondary(id: string): Promise<void> {
    if (await this.maps.openSecondary(id)) this.syncSecondary();
  }

  private showEmpty(): void {
    showNoRuns(this.els.maps, () => this.newRun.open());
    fill(this.els.legend);
    fill(this.els.run);
    this.setControlsEnabled(false);
  }

  /**
   * While a map forms in place of the maps, their controls rest (disabled) and the panels describe the forming
   * map (app/forming-panels.ts); the run picker stays usable.
   */
  private showLive(on: boolean): void {
    if (!on) this.forming.hide();
    restMapControls(on, !!this.primary, []);
    this.els.runPicker.disabled = this.runs.length === 0;
  }

  private setControlsEnabled(on: boolean): void {
    setMapControlsEnabled(on, this.mapPanels());
  }

  /** The panels that speak of the map: legend, run, filters. */
  private mapPanels(): (HTMLElement | null)[] {
    return [this.els.legend.closest<HTMLElement>('.panel'), this.els.run, this.els.filters];
  }

  /** Opens a run started here (the user chose to): the map layers and Color by of the map looked at carry over. */
  private async afterNewRun(id: string): Promise<void> {
    await this.runList.refresh();
    this.fillPickers();
    await this.applyState({ ...emptyState(), run: id, color: this.state.color, layers: this.state.layers });
  }

  // ---- color, legend, visibility -----------------------------------------------------------------

  /** Hides the primary map's categories of these names (the URL's hidden classes). */
  private hideByName(hidden: readonly string[]): void {
    const p = this.primary;
    if (!p || p.encoding.kind !== 'category' || !hidden.length) return;
    const names = p.encoding.column.categories;
    p.hidden = new Set(hidden.map((n) => names.indexOf(n)).filter((c) => c >= 0));
    this.applyVisibility();
  }

  private setColor(name: string, write = true): void {
    const p = this.primary;
    if (!p) return;
    this.hiddenClusters = null;
    const col = p.points.columns.find((c) => c.name === name) ?? null;
    p.encoding = encodeColumn(col, p.points.n);
    p.hidden = new Set();
    this.els.colorBy.value = col ? col.name : '';
    this.state.color = col ? col.name : '';
    p.view.setColors(p.encoding.colors);
    this.applyVisibility();
    if (this.secondary) this.syncSecondary();
    if (write) this.writeHash();
  }

  /** Shows the primary map's classes as its hidden set says; the selection and the compare map follow. */
  private applyVisibility(): void {
    const followed = () => {
      this.selection.refresh();
      // the search's count says how many of its matches the hidden classes leave undrawn
      if (this.primary) this.search.recount(this.primary);
      if (this.secondary) this.syncSecondary();
    };
    showVisibility(this.primary!, this.els.legend, () => {
      followed();
      this.writeHash();
    });
    followed();
  }

  private syncSecondary(): void {
    if (!this.primary || !this.secondary) return;
    syncCompare(this.primary, this.secondary);
    this.applyEmphasis();
  }

  // ---- search and selection ---------------------------------------------------------------------

  private applySearch(text: string, write = true): void {
    const p = this.primary;
    if (!p) return;
    // a query naming an input feature fetches it first; the box's text goes to the URL at once
    if (write) this.writeHash();
    void this.search.apply(p, text, this.layers.has('clusters')).then(() => this.applyEmphasis());
  }

  select(kind: 'rect' | 'lasso', polygon: number[], write = true): void {
    this.selection.set({ kind, polygon }, write);
  }

  /** Selection and search dim everything else; in compare mode the same rows light up in the other map. */
  private applyEmphasis(): void {
    const p = this.primary;
    if (!p) return;
    const mask = combineMasks(this.selection.current?.mask, this.search.mask, this.filters.rows);
    p.view.setEmphasis(mask);
    const q = this.secondary;
    if (q) q.view.setEmphasis(mask ? projectMask(mask, p.points.index, q.positionOf, q.points.n) : null);
  }

  // ---- controls ---------------------------------------------------------------------------------

  private setMode(mode: InteractionMode): void {
    this.mode = mode;
    pressModeButton(mode);
    this.primary?.view.setMode(mode);
    // selections are made on the primary map; the compare map stays in pan mode
  }

  private bindControls(): void {
    bindControls({
      runPicker: this.els.runPicker,
      comparePicker: this.els.comparePicker,
      colorBy: this.els.colorBy,
      search: this.els.search,
      byId,
      openRun: (id) => void this.applyState({ ...emptyState(), run: id, color: this.state.color, layers: this.state.layers }),
      compareWith: (id) => {
        if (!id) {
          this.maps.closeSecondary();
          this.writeHash(true);
        } else void this.loadSecondary(id).then(() => this.writeHash(true));
      },
      colorByChosen: (value) => {
        const p = this.primary;
        if (p) chooseColorBy(this.api, p, value, (name) => this.primary === p && this.setColor(name), (m, e) => this.setStatus(m, e));
      },
      searchFor: (text) => this.applySearch(text),
      setMode: (mode) => this.setMode(mode),
      exportPng: (scale) => this.primary && exportPng(this.primary, scale, this.exportEmphasis()?.emphasis ?? null, (m, e) => this.setStatus(m, e)),
      exportSvg: () => {
        const shown = this.exportEmphasis();
        if (this.primary) exportSvg(this.primary, shown?.emphasis ?? null, shown?.mask ?? null, (m, e) => this.setStatus(m, e));
      },
      newRun: () => this.newRun.open(),
      layers: () => this.layers,
      setLayers: (next) => this.setLayers(next),
      resetView: () => this.primary?.view.resetView(),
      mapKey: (key) => this.primary?.view.overlay.dispatchEvent(new KeyboardEvent('keydown', { key, cancelable: true })),
      escape: () => {
        if (this.selection.current) this.selection.clear();
        else if (this.inspect.position >= 0) this.inspect.close();
      },
    });
  }

  /** Shows the map layers (contours, clusters) on the primary map and ticks their boxes. */
  /** What the primary map highlights, for an export's caption (null: nothing). */
  private exportEmphasis(): { emphasis: Emphasis; mask: Uint8Array } | null {
    const sel = this.selection.current;
    return this.primary && highlighted(this.primary, this.filters.rows ? this.filters.filters : [], this.search.mask ? this.els.search.value : '', sel && { shape: sel.shape, mask: sel.mask }, this.search.mask, this.filters.rows);
  }

  private setLayers(layers: Set<MapLayer>, write = true): void {
    this.layers = layers;
    tickLayerBoxes(layers);
    const p = this.primary;
    if (!p) return;
    applyLayers(p, layers);
    if (layers.has('clusters')) this.awaitClusters(p);
    showFindingClusters(findingClustersOf(p) && layers.has('clusters'));
    // how many clusters, and why (once per map)
    const reason = layers.has('clusters') ? newClusterReason(p) : null;
    if (reason) this.setStatus(`Clusters: ${reason}`);
    // clusters add a Color-by choice
    offerNewColumns(this.els.colorBy, p, this.state.color ?? '');
    // a search may name the clusters (cluster:C2): answered again as they come or go
    if (write && this.els.search.value.trim()) this.applySearch(this.els.search.value, false);
    if (write) this.writeHash();
  }

  /**
   * Has the primary map's clusters found (in the worker) unless they are, saying so meanwhile; when they come
   * and the map is still the one looked at, what waits for them follows (clustersFound).
   */
  private awaitClusters(p: Pane): void {
    if (clustersOf(p) || this.awaiting === p) return;
    this.awaiting = p;
    this.setStatus(FINDING_CLUSTERS);
    findClustersOf(p).then(
      (labels) => {
        if (this.awaiting === p) this.awaiting = null;
        if (labels && this.primary === p) this.clustersFound(p);
      },
      (err: Error) => {
        if (this.awaiting === p) this.awaiting = null;
        if (this.primary !== p) return;
        showFindingClusters(false);
        this.setStatus(`Cannot find the clusters: ${err.message}`, true);
      },
    );
  }

  /** The primary map's clusters came: their labels, reason and Color-by choice, a color or selection waiting for them. */
  private clustersFound(p: Pane): void {
    if (this.els.status.textContent === FINDING_CLUSTERS) this.setStatus('');
    this.setLayers(this.layers, false);
    // the filter panel charts the new cluster column too
    this.filters.apply(false);
    // a search naming them (cluster:C2), typed while they were found, is answered now
    if (this.els.search.value.trim()) this.applySearch(this.els.search.value, false);
    if (this.state.color === 'cluster' && (p.encoding.kind === 'none' || p.encoding.column.name !== 'cluster')) {
      const hidden = this.hiddenClusters ?? [];
      this.hiddenClusters = null;
      this.setColor('cluster', false);
      this.hideByName(hidden);
    }
    this.selection.clustersFound();
    this.writeHash();
  }

  private setStatus(text: string, isError = false): void {
    this.els.status.textContent = text;
    this.els.status.classList.toggle('error', isError);
  }

  // ---- hooks for tests and the benchmark --------------------------------------------------------

  /** The map looked at (null: none yet). */
  get primary(): Pane | null {
    return this.maps.primary;
  }

  /** The map it is compared with (null: none). */
  get secondary(): Pane | null {
    return this.maps.secondary;
  }

  /** CSS-pixel position (relative to the page) of a row in the primary map, or null. */
  screenOf(row: number, slot: Slot = 'primary'): [number, number] | null {
    return this.maps.screenOf(row, slot);
  }

  /** Positions of the detail point's neighbours (highlighted on the map). */
  neighborPositions(): number[] {
    return this.inspect.neighbors.slice();
  }

  /** Positions of the detail point's nearest rows in input space (drawn as lines). */
  inputNeighborPositions(): number[] {
    return this.inspect.inputNeighbors.slice();
  }

  /** Current selection count (or null). */
  selectionCount(): number | null {
    return this.selection.current?.count ?? null;
  }
}
