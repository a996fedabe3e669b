// The viewer application: run picker, one or two map panes (compare), color-by, legend, search,
// selection, detail panel, run panel, new-run form, and the view kept in the URL hash.
import type { History, RunManifest, RunSummary } from '../../pipeline/types.js';
import { Api } from './api.js';
import { encodeColumn, unpackHex, type ColorEncoding } from './colors.js';
import { searchPoints } from './export.js';
import { clickCategory, countVisible, toggleCategory, visibilityMask } from './legend-state.js';
import { indexLookup, type DecodedPoints, type PointColumn } from './points.js';
import { selectPolygon } from './scatter/hit-test.js';
import { ScatterView, type InteractionMode } from './scatter/view.js';
import { renderDetail } from './ui/detail-panel.js';
import { download, fill, formatNumber, h } from './ui/dom.js';
import { renderLegend } from './ui/legend.js';
import { NewRunDialog } from './ui/new-run.js';
import { renderRunPanel } from './ui/run-panel.js';
import { renderSelection } from './ui/selection-panel.js';
import { Tooltip } from './ui/tooltip.js';
import { emptyState, formatState, parseState, type ViewState } from './url-state.js';

/** One map: a run's data and its view. */
interface Pane {
  id: string;
  manifest: RunManifest;
  points: DecodedPoints;
  positionOf: (row: number) => number;
  encoding: ColorEncoding;
  hidden: Set<number>;
  visible: Uint8Array | null;
  view: ScatterView;
  el: HTMLElement;
  title: HTMLElement;
  history: History | null;
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from index.html`);
  return el as T;
}

export class App {
  readonly api = new Api({ token: () => sessionStorage.getItem('latentmap-token') });
  private state: ViewState = emptyState();
  private runs: RunSummary[] = [];
  primary: Pane | null = null;
  secondary: Pane | null = null;
  private mode: InteractionMode = 'pan';
  private selection: { kind: 'rect' | 'lasso'; polygon: number[]; mask: Uint8Array; count: number } | null = null;
  private searchMask: Uint8Array | null = null;
  private detail = -1; // position in primary
  private neighbors: number[] = [];
  private writtenHash = '';
  private hashTimer = 0;
  private tooltip: Tooltip;
  private newRun: NewRunDialog;
  private readonly els = {
    runPicker: byId<HTMLSelectElement>('run-picker'),
    comparePicker: byId<HTMLSelectElement>('compare-picker'),
    colorBy: byId<HTMLSelectElement>('color-by'),
    search: byId<HTMLInputElement>('search'),
    searchCount: byId<HTMLElement>('search-count'),
    maps: byId<HTMLElement>('maps'),
    legend: byId<HTMLElement>('legend'),
    selection: byId<HTMLElement>('selection-panel'),
    detail: byId<HTMLElement>('detail-panel'),
    run: byId<HTMLElement>('run-panel'),
    status: byId<HTMLElement>('status'),
  };
  /** Resolves when the first run (if any) is on screen. */
  ready: Promise<void>;

  constructor() {
    this.tooltip = new Tooltip(this.els.maps);
    this.newRun = new NewRunDialog(this.api, (id) => void this.afterNewRun(id));
    this.bindControls();
    this.ready = this.start();
  }

  // ---- startup and URL --------------------------------------------------------------------------

  private async start(): Promise<void> {
    this.state = parseState(location.hash);
    try {
      this.runs = await this.api.runs();
    } catch (err) {
      this.setStatus(`Cannot list runs: ${(err as Error).message}`, true);
      return;
    }
    this.fillPickers();
    window.addEventListener('hashchange', () => {
      if (location.hash.replace(/^#/, '') === this.writtenHash) return;
      void this.applyState(parseState(location.hash));
    });
    await this.applyState(this.state);
  }

  private async applyState(s: ViewState): Promise<void> {
    const runId = s.run && this.runs.some((r) => r.id === s.run) ? s.run : (this.runs[0]?.id ?? null);
    if (!runId) {
      this.showEmpty();
      return;
    }
    this.state = { ...s, run: runId };
    if (!this.primary || this.primary.id !== runId) await this.loadPrimary(runId);
    if (s.run && s.run !== runId) this.setStatus(`Run “${s.run}” was not found; showing the newest run.`, true);
    const p = this.primary!;
    // color by
    const fallback = p.points.label ? 'label' : p.points.error ? 'error' : '';
    // a color column this run lacks (e.g. kept from another run) falls back to the default
    const colName = s.color === null || (s.color !== '' && !p.points.columns.some((c) => c.name === s.color)) ? fallback : s.color;
    this.setColor(colName, false);
    // hidden categories by name
    if (p.encoding.kind === 'category' && s.hidden.length) {
      const names = p.encoding.column.categories;
      p.hidden = new Set(s.hidden.map((n) => names.indexOf(n)).filter((c) => c >= 0));
      this.applyVisibility();
    }
    // compare
    const compareId = s.compare && s.compare !== runId && this.runs.some((r) => r.id === s.compare) ? s.compare : null;
    if (compareId && this.secondary?.id !== compareId) await this.loadSecondary(compareId);
    if (!compareId && this.secondary) this.closeSecondary();
    this.els.comparePicker.value = compareId ?? '';
    // search, selection, view, detail
    this.els.search.value = s.search;
    this.applySearch(s.search, false);
    if (s.selection) this.select(s.selection.kind, s.selection.polygon, false);
    else this.clearSelection(false);
    if (s.view) p.view.setView(s.view);
    else p.view.resetView();
    if (s.point !== null) {
      const pos = p.positionOf(s.point);
      if (pos >= 0) this.openDetail(pos, false);
    } else this.closeDetail(false);
    this.writeHash(true);
  }

  private writeHash(now = false): void {
    if (!this.primary) return;
    const p = this.primary;
    this.state.run = p.id;
    this.state.compare = this.secondary?.id ?? null;
    this.state.view = p.view.getView();
    this.state.hidden = p.encoding.kind === 'category' ? [...p.hidden].sort((a, b) => a - b).map((c) => (p.encoding as { column: { categories: string[] } }).column.categories[c]) : [];
    this.state.selection = this.selection ? { kind: this.selection.kind, polygon: this.selection.polygon } : null;
    this.state.point = this.detail >= 0 ? p.points.index[this.detail] : null;
    this.state.search = this.els.search.value.trim();
    const write = () => {
      this.hashTimer = 0;
      const hash = formatState(this.state);
      if (hash === this.writtenHash) return;
      this.writtenHash = hash;
      history.replaceState(null, '', `${location.pathname}${location.search}#${hash}`);
    };
    clearTimeout(this.hashTimer);
    if (now) write();
    else this.hashTimer = window.setTimeout(write, 200);
  }

  // ---- loading ----------------------------------------------------------------------------------

  private fillPickers(): void {
    const opts = (withNone: boolean) => [
      ...(withNone ? [h('option', { value: '' }, '— none —')] : []),
      ...this.runs.map((r) => h('option', { value: r.id }, `${r.name} · ${r.dataset} · ${formatNumber(r.rows)} rows${r.base ? ' · transform' : ''} · ${r.id}`)),
    ];
    fill(this.els.runPicker, ...opts(false));
    fill(this.els.comparePicker, ...opts(true));
    if (this.primary) this.els.runPicker.value = this.primary.id;
  }

  private async loadPane(id: string, slot: 'primary' | 'secondary'): Promise<Pane> {
    const title = h('div', { className: 'pane-title' }, `Loading ${id}…`);
    const host = h('div', { className: 'map-host' });
    const el = h('section', { className: `pane ${slot}`, 'aria-label': `map of ${id}` }, title, host);
    if (slot === 'primary') this.els.maps.prepend(el);
    else this.els.maps.append(el);
    this.els.maps.classList.toggle('compare', slot === 'secondary' || !!this.secondary);
    const started = performance.now();
    const [manifest, points, history] = await Promise.all([
      this.api.manifest(id),
      this.api.points(id),
      this.api.history(id).catch(() => null),
    ]);
    const view = new ScatterView(
      host,
      {
        onHover: (i, x, y) => this.onHover(slot, i, x, y),
        onClick: (i) => this.onClick(slot, i),
        onSelect: (kind, poly) => slot === 'primary' && this.select(kind, poly, true),
        onViewChange: () => slot === 'primary' && this.writeHash(),
        thumbnail: manifest.dataset.image ? (i) => this.thumbnail(id, points.index[i], () => view.refresh()) : undefined,
      },
      { label: `Map of ${manifest.name || id}` },
    );
    view.setMode(this.mode);
    const pane: Pane = {
      id,
      manifest,
      points,
      positionOf: indexLookup(points.index),
      encoding: encodeColumn(null, points.n),
      hidden: new Set(),
      visible: null,
      view,
      el,
      title,
      history,
    };
    fill(
      title,
      h('strong', null, manifest.name || id),
      h('span', { className: 'muted' }, ` · ${manifest.dataset.name} · ${formatNumber(points.n)} points${points.isNew ? ` · ${countVisible(points.isNew, 0)} new (ringed)` : ''}`),
    );
    view.setPoints(points, pane.encoding.colors);
    this.setStatus(`Loaded ${formatNumber(points.n)} points in ${Math.round(performance.now() - started)} ms`);
    return pane;
  }

  private async loadPrimary(id: string): Promise<void> {
    this.primary?.view.destroy();
    this.primary?.el.remove();
    this.primary = null;
    this.selection = null;
    this.detail = -1;
    this.neighbors = [];
    try {
      this.primary = await this.loadPane(id, 'primary');
    } catch (err) {
      this.els.maps.querySelector('.pane.primary')?.remove();
      this.setStatus(`Cannot load run ${id}: ${(err as Error).message}`, true);
      throw err;
    }
    this.els.runPicker.value = id;
    this.fillColorBy();
    renderRunPanel(this.els.run, this.primary.manifest, this.primary.history);
  }

  private async loadSecondary(id: string): Promise<void> {
    this.closeSecondary();
    try {
      this.secondary = await this.loadPane(id, 'secondary');
    } catch (err) {
      this.els.maps.querySelector('.pane.secondary')?.remove();
      this.setStatus(`Cannot load run ${id}: ${(err as Error).message}`, true);
      return;
    }
    this.els.maps.classList.add('compare');
    this.syncSecondary();
  }

  private closeSecondary(): void {
    if (!this.secondary) return;
    this.secondary.view.destroy();
    this.secondary.el.remove();
    this.secondary = null;
    this.els.maps.classList.remove('compare');
  }

  private showEmpty(): void {
    fill(
      this.els.maps,
      h(
        'div',
        { className: 'empty' },
        h('h2', null, 'No runs yet'),
        h('p', null, 'Make one from the command line — ', h('code', null, 'npx latentmap run --dataset mnist'), ' — or start one here.'),
        h('button', { type: 'button', className: 'primary', onclick: (() => this.newRun.open()) as EventListener }, 'New run…'),
      ),
    );
    fill(this.els.legend);
  }

  private async afterNewRun(id: string): Promise<void> {
    this.runs = await this.api.runs();
    this.fillPickers();
    await this.applyState({ ...emptyState(), run: id });
  }

  private thumbs = new Map<string, HTMLImageElement>();

  /** The image of a row, loading it on first use (bounded cache; the server marks images immutable). */
  private thumbnail(runId: string, row: number, onLoad: () => void): HTMLImageElement | null {
    const key = `${runId}/${row}`;
    let img = this.thumbs.get(key);
    if (!img) {
      if (this.thumbs.size > 2000) this.thumbs.clear();
      img = new Image();
      img.onload = onLoad;
      img.src = this.api.imageUrl(runId, row);
      this.thumbs.set(key, img);
    }
    return img.complete && img.naturalWidth > 0 ? img : null;
  }

  // ---- color, legend, visibility -----------------------------------------------------------------

  private fillColorBy(): void {
    const p = this.primary!;
    const options = [h('option', { value: '' }, 'nothing (one color)')];
    for (const c of p.points.columns) options.push(h('option', { value: c.name }, columnLabel(c)));
    fill(this.els.colorBy, ...options);
  }

  private setColor(name: string, write = true): void {
    const p = this.primary;
    if (!p) return;
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

  private applyVisibility(): void {
    const p = this.primary!;
    p.visible = p.encoding.kind === 'category' ? visibilityMask(p.encoding.column.codes, p.hidden) : null;
    p.view.setVisible(p.visible);
    renderLegend(this.els.legend, p.encoding, p.hidden, {
      onCategory: (c, shift) => {
        const count = p.encoding.kind === 'category' ? p.encoding.column.categories.length : 0;
        p.hidden = shift ? toggleCategory(p.hidden, c) : clickCategory(p.hidden, c, count);
        this.applyVisibility();
        this.writeHash();
      },
      onShowAll: () => {
        p.hidden = new Set();
        this.applyVisibility();
        this.writeHash();
      },
    });
    if (this.selection) this.select(this.selection.kind, this.selection.polygon, false);
    if (this.secondary) this.syncSecondary();
  }

  /** The compare pane colors by the same column (by name) and hides the same categories (by name). */
  private syncSecondary(): void {
    const p = this.primary;
    const q = this.secondary;
    if (!p || !q) return;
    const name = p.encoding.kind === 'none' ? null : p.encoding.column.name;
    const col = q.points.columns.find((c) => c.name === name) ?? null;
    q.encoding = encodeColumn(col, q.points.n);
    q.view.setColors(q.encoding.colors);
    if (p.encoding.kind === 'category' && q.encoding.kind === 'category') {
      const names = new Set([...p.hidden].map((c) => (p.encoding as { column: { categories: string[] } }).column.categories[c]));
      q.hidden = new Set(q.encoding.column.categories.map((n, c) => (names.has(n) ? c : -1)).filter((c) => c >= 0));
      q.visible = visibilityMask(q.encoding.column.codes, q.hidden);
    } else {
      q.hidden = new Set();
      q.visible = null;
    }
    q.view.setVisible(q.visible);
    this.applyEmphasis();
  }

  // ---- search and selection ---------------------------------------------------------------------

  private applySearch(text: string, write = true): void {
    const p = this.primary;
    if (!p) return;
    this.searchMask = searchPoints(p.points, text);
    const n = this.searchMask ? countVisible(this.searchMask, 0) : 0;
    this.els.searchCount.textContent = this.searchMask ? `${formatNumber(n)} match${n === 1 ? '' : 'es'}` : '';
    this.applyEmphasis();
    if (write) this.writeHash();
  }

  select(kind: 'rect' | 'lasso', polygon: number[], write = true): void {
    const p = this.primary;
    if (!p) return;
    const { mask, count } = selectPolygon(p.points.x, p.points.y, polygon, p.visible);
    this.selection = { kind, polygon, mask, count };
    p.view.setSelectionShape(polygon);
    this.els.selection.hidden = false;
    renderSelection(this.els.selection, p.points, mask, count, p.encoding, p.id, () => this.clearSelection());
    this.applyEmphasis();
    if (write) this.writeHash();
  }

  clearSelection(write = true): void {
    this.selection = null;
    this.primary?.view.setSelectionShape(null);
    this.els.selection.hidden = true;
    this.els.selection.replaceChildren();
    this.applyEmphasis();
    if (write) this.writeHash();
  }

  /** Selection and search dim everything else; in compare mode the same rows light up in the other map. */
  private applyEmphasis(): void {
    const p = this.primary;
    if (!p) return;
    let mask: Uint8Array | null = null;
    if (this.selection && this.searchMask) {
      mask = new Uint8Array(p.points.n);
      for (let i = 0; i < mask.length; i++) mask[i] = this.selection.mask[i] & this.searchMask[i];
    } else mask = this.selection?.mask ?? this.searchMask;
    p.view.setEmphasis(mask);
    const q = this.secondary;
    if (q) {
      if (!mask) q.view.setEmphasis(null);
      else {
        const m2 = new Uint8Array(q.points.n);
        for (let i = 0; i < mask.length; i++) {
          if (!mask[i]) continue;
          const j = q.positionOf(p.points.index[i]);
          if (j >= 0) m2[j] = 1;
        }
        q.view.setEmphasis(m2);
      }
    }
  }

  // ---- hover, click, detail ---------------------------------------------------------------------

  private onHover(slot: 'primary' | 'secondary', i: number, x: number, y: number): void {
    const pane = slot === 'primary' ? this.primary : this.secondary;
    const other = slot === 'primary' ? this.secondary : this.primary;
    if (!pane) return;
    if (i < 0) {
      this.tooltip.hide();
      other?.view.setLinked(-1);
      return;
    }
    const pts = pane.points;
    const row = pts.index[i];
    other?.view.setLinked(other.positionOf(row));
    const rows: [string, unknown][] = [];
    for (const col of pts.raw.slice(0, 8)) rows.push([col.name, col.get(i)]);
    const lab = pts.label && pts.label.codes[i] >= 0 ? pts.label.categories[pts.label.codes[i]] : null;
    const image = pane.manifest.dataset.image ? this.api.imageUrl(pane.id, row) : null;
    this.tooltip.show(lab !== null ? `Row ${row} · ${lab}` : `Row ${row}`, rows, x, y, image, unpackHex(pane.encoding.colors[i]));
  }

  private onClick(slot: 'primary' | 'secondary', i: number): void {
    if (i < 0) {
      if (slot === 'primary' && this.detail >= 0) this.closeDetail();
      return;
    }
    const pane = slot === 'primary' ? this.primary! : this.secondary!;
    const pos = slot === 'primary' ? i : this.primary!.positionOf(pane.points.index[i]);
    if (pos >= 0) this.openDetail(pos);
  }

  openDetail(pos: number, write = true): void {
    const p = this.primary;
    if (!p) return;
    this.detail = pos;
    this.neighbors = [];
    p.view.setHighlights(pos, []);
    this.secondary?.view.setHighlights(this.secondary.positionOf(p.points.index[pos]), []);
    this.els.detail.hidden = false;
    renderDetail(this.els.detail, {
      api: this.api,
      runId: p.id,
      manifest: p.manifest,
      points: p.points,
      position: pos,
      positionOf: p.positionOf,
      onNeighbors: (positions) => {
        if (this.detail !== pos) return;
        this.neighbors = positions;
        p.view.setHighlights(pos, positions);
        const q = this.secondary;
        if (q) q.view.setHighlights(q.positionOf(p.points.index[pos]), positions.map((n) => q.positionOf(p.points.index[n])).filter((j) => j >= 0));
      },
      onSelectRow: (row) => {
        const j = p.positionOf(row);
        if (j >= 0) this.openDetail(j);
      },
      onZoom: () => {
        const v = p.view.getView();
        p.view.setView({ cx: p.points.x[pos], cy: p.points.y[pos], k: Math.max(v.k, 6) });
      },
      onClose: () => this.closeDetail(),
      colorOf: (j) => unpackHex(p.encoding.colors[j]),
    });
    if (write) this.writeHash();
  }

  closeDetail(write = true): void {
    this.detail = -1;
    this.neighbors = [];
    this.primary?.view.setHighlights(-1, []);
    this.secondary?.view.setHighlights(-1, []);
    this.els.detail.hidden = true;
    this.els.detail.replaceChildren();
    if (write) this.writeHash();
  }

  // ---- controls ---------------------------------------------------------------------------------

  private setMode(mode: InteractionMode): void {
    this.mode = mode;
    for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]')) b.setAttribute('aria-pressed', String(b.dataset.mode === mode));
    this.primary?.view.setMode(mode);
    // selections are made on the primary map; the compare map stays in pan mode
  }

  private bindControls(): void {
    this.els.runPicker.addEventListener('change', () => void this.applyState({ ...emptyState(), run: this.els.runPicker.value, color: this.state.color }));
    this.els.comparePicker.addEventListener('change', () => {
      const id = this.els.comparePicker.value;
      if (!id) {
        this.closeSecondary();
        this.writeHash(true);
      } else void this.loadSecondary(id).then(() => this.writeHash(true));
    });
    this.els.colorBy.addEventListener('change', () => this.setColor(this.els.colorBy.value));
    let searchTimer = 0;
    this.els.search.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => this.applySearch(this.els.search.value), 120);
    });
    for (const b of document.querySelectorAll<HTMLButtonElement>('[data-mode]')) {
      b.addEventListener('click', () => this.setMode(b.dataset.mode as InteractionMode));
    }
    byId('export-png').addEventListener('click', () => {
      const p = this.primary;
      if (!p) return;
      void p.view.toPng().then((blob) => download(blob, `${p.id}-map.png`));
    });
    byId('new-run').addEventListener('click', () => this.newRun.open());
    byId('reset-view').addEventListener('click', () => this.primary?.view.resetView());
    document.addEventListener('keydown', (e) => {
      const target = e.target as HTMLElement;
      if (target.closest('input, select, textarea, dialog')) return;
      if (e.key === 'Escape') {
        if (this.selection) this.clearSelection();
        else if (this.detail >= 0) this.closeDetail();
      } else if (e.key === '/' ) {
        e.preventDefault();
        this.els.search.focus();
      } else if (e.key === 'r' && !e.ctrlKey && !e.metaKey) this.setMode('rect');
      else if (e.key === 'l' && !e.ctrlKey && !e.metaKey) this.setMode('lasso');
      else if (e.key === 'p' && !e.ctrlKey && !e.metaKey) this.setMode('pan');
    });
  }

  private setStatus(text: string, isError = false): void {
    this.els.status.textContent = text;
    this.els.status.classList.toggle('error', isError);
  }

  // ---- hooks for tests and the benchmark --------------------------------------------------------

  /** CSS-pixel position (relative to the page) of a row in the primary map, or null. */
  screenOf(row: number, slot: 'primary' | 'secondary' = 'primary'): [number, number] | null {
    const pane = slot === 'primary' ? this.primary : this.secondary;
    if (!pane) return null;
    const i = pane.positionOf(row);
    if (i < 0) return null;
    const [sx, sy] = pane.view.toScreen(pane.points.x[i], pane.points.y[i]);
    const r = pane.view.overlay.getBoundingClientRect();
    return [r.left + sx, r.top + sy];
  }

  /** Positions of the detail point's neighbours (highlighted on the map). */
  neighborPositions(): number[] {
    return this.neighbors.slice();
  }

  /** Current selection count (or null). */
  selectionCount(): number | null {
    return this.selection?.count ?? null;
  }
}

function columnLabel(c: PointColumn): string {
  if (c.name === 'error') return 'reconstruction error';
  if (c.name === 'preservation') return 'neighbourhood preservation';
  return c.kind === 'category' ? `${c.name} (${c.categories.length} classes)` : `${c.name} (numeric)`;
}
