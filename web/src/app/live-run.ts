// The map of a run started from the browser, in the main map while its t-SNE runs: each layout frame of the
// run's event stream (pipeline/layout-frame.ts, every few dozen iterations, at most 4 a second) drawn by a
// ScatterView of its own in place of the map being looked at, fitted to the frame, with a Stop that ends
// t-SNE and keeps the layout on screen as the run's result. It appears only when the user asks (`show()`, the
// job badge's "Watch the map"; at once when no map is looked at, the empty state): the map looked at never
// changes by itself. When the run completes (or is stopped) while it is on screen, the app opens the finished
// run in its place (the new-run dialog asks `showing()` to decide); when it fails or is cancelled, or the user
// goes back to the map it covered (its Back button) or opens another run meanwhile, the live map goes and the
// map it covered comes back, and the finished run is then offered, not swapped in. Once t-SNE has ended (the
// run measures its metrics) the Stop goes: the map is complete.
// When the run has labels, the frames carry them: the points are coloured as the finished map will be (the
// same classes in the same order, so the same palette), a key under the title names the classes, and hovering
// a point shows its input row and label.
import { decodeFrameRows, decodeLayoutFrame, isLayoutFrame, type LayoutFrame } from '../../../pipeline/layout-frame.js';
import type { Api, RunEvent } from '../api.js';
import { encodeColumn, unpackHex, type ColorEncoding } from '../colors.js';
import { compareCategories, fitExtent, type CategoryColumn, type PointData } from '../points.js';
import { ScatterView } from '../scatter/view.js';
import { fill, formatNumber, h } from '../ui/dom.js';
import type { Tooltip } from '../ui/tooltip.js';

/** Classes named in the forming map's key; the rest are counted. */
const KEY_CLASSES = 12;

/**
 * A frame as the points of a map: every `stride`-th row of the map, in its row order, named by their input row,
 * with the label column when the frame carries one (every class of the run, in the viewer's order).
 */
export function framePoints(frame: LayoutFrame): PointData {
  const xy = decodeLayoutFrame(frame);
  const n = xy.length >> 1;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    x[k] = xy[2 * k];
    y[k] = xy[2 * k + 1];
  }
  const rows = decodeFrameRows(frame);
  let label: CategoryColumn | null = null;
  if (rows.label) {
    const { name, classes, codes } = rows.label;
    const sorted = classes.map((c, id) => ({ c, id })).sort((a, b) => compareCategories(a.c, b.c));
    const remap = new Int32Array(classes.length);
    sorted.forEach((e, k) => (remap[e.id] = k));
    const out = new Int32Array(n);
    const counts = new Array<number>(classes.length).fill(0);
    let missing = 0;
    for (let k = 0; k < n; k++) {
      const c = codes[k] < classes.length ? codes[k] : -1;
      out[k] = c < 0 ? -1 : remap[c];
      if (c < 0) missing++;
      else counts[remap[c]]++;
    }
    label = { name, kind: 'category', codes: out, categories: sorted.map((e) => e.c), counts, missing };
  }
  return { n, index: rows.index, x, y, error: null, isNew: null, label, columns: label ? [label] : [], extent: fitExtent(x, y) };
}

/** The forming map's key: a swatch and name per class (the first KEY_CLASSES), empty without labels. */
function keyOf(encoding: ColorEncoding): HTMLElement[] {
  if (encoding.kind !== 'category') return [];
  const { categories } = encoding.column;
  const shown = categories.slice(0, KEY_CLASSES).map((name, c) => h('span', { className: 'live-key-item' }, h('span', { className: 'swatch', style: `background:${encoding.palette[c]}` }), name));
  return categories.length > KEY_CLASSES ? [...shown, h('span', { className: 'muted' }, `+${formatNumber(categories.length - KEY_CLASSES)} more`)] : shown;
}

export interface LiveRunHooks {
  api: Api;
  /** The maps area: the live map goes first in it. */
  maps: HTMLElement;
  /** The maps' hover tooltip. */
  tooltip: Tooltip;
  /** The name of the map the live map covers (null: none, the empty state): a button goes back to it. */
  covered: () => string | null;
  /** The live map has appeared, covering the maps: their controls rest. */
  shown: () => void;
  /** The live map has gone (the run failed or was cancelled, or another run was opened) and the maps show again. */
  gone: () => void;
  /** A frame of run `name` was drawn in the main map, coloured by `encoding` (its labels, when the frames carry them). */
  drawn?: (name: string, encoding: ColorEncoding) => void;
}

interface LivePane {
  el: HTMLElement;
  view: ScatterView;
  caption: HTMLElement;
  stop: HTMLButtonElement;
  /** The class key under the title (filled once, from the first frame with labels). */
  key: HTMLElement;
  /** The points and colours on screen (for hover). */
  points: PointData | null;
  encoding: ColorEncoding | null;
  /** t-SNE has ended: the map on screen is complete. */
  complete: boolean;
  /** The iteration of the frame on screen. */
  iteration: number;
}

export class LiveRun {
  /** The run being watched (null: none). */
  id: string | null = null;
  /** Frames drawn in the main map for the watched run (for tests). */
  frames = 0;
  /** The last frame received for the watched run, drawn or not, kept after it ends (for tests: Stop keeps this layout). */
  lastFrame: LayoutFrame | null = null;
  private pane: LivePane | null = null;
  private close: (() => void) | null = null;
  /** The frames stay out of the main map: a map is looked at and the user has not asked to watch (or went back to it). */
  private dismissed = false;
  /** The watched run's name. */
  private name = '';

  constructor(private readonly hooks: LiveRunHooks) {}

  /** Whether the main map shows the watched run forming (so its result should replace it when done). */
  showing(): boolean {
    return this.pane !== null;
  }

  /**
   * Follows a run just started. Its layout frames appear in the main map at once only when no map is looked at
   * (the empty state); otherwise they wait for `show()`.
   */
  watch(id: string, name: string): void {
    this.stopWatching();
    this.id = id;
    this.name = name;
    this.frames = 0;
    this.lastFrame = null;
    this.dismissed = this.hooks.covered() !== null;
    this.close = this.hooks.api.events(id, (e) => this.onEvent(e, name));
  }

  /** The user asked to watch the map form: the latest frame (if any) and the ones after it take the main map. */
  show(): void {
    if (this.id === null) return;
    this.dismissed = false;
    if (this.lastFrame && !this.pane) this.draw(this.lastFrame, this.name);
  }

  /** The user opened another map: the live map goes (the run goes on; the new-run badge follows it). */
  dismiss(): void {
    if (!this.pane) return;
    this.dismissed = true;
    this.removePane();
  }

  private onEvent(e: RunEvent, name: string): void {
    if (e.type === 'layout') {
      if (!isLayoutFrame(e)) return;
      this.lastFrame = e;
      if (!this.dismissed) this.draw(e, name);
      return;
    }
    if (e.type === 'done' || e.type === 'complete') {
      // the app opens the finished run in the live map's place (the new-run dialog's onDone)
      this.stopWatching();
      if (this.pane) {
        this.pane.stop.hidden = true;
        this.pane.caption.textContent = `${this.pane.caption.textContent ?? ''} · done, opening the run…`;
      }
      return;
    }
    if (e.type === 'failed' || e.type === 'error' || e.type === 'cancelled') {
      this.stopWatching();
      this.removePane();
      return;
    }
    // t-SNE has ended (the run measures its metrics, writes itself): the map on screen is complete. Only a progress
    // event says so: a state event's stage is the job's status ("running" again when the stream reconnects)
    if (e.type === 'progress' && e.stage && e.stage !== 'tsne' && this.pane && this.lastFrame) this.mapComplete(`t-SNE done at iteration ${formatNumber(this.lastFrame.iteration)} · the map is complete; the run is finishing its metrics…`);
  }

  /** The map on screen is the finished one: no Stop, and the caption says so. */
  private mapComplete(message: string): void {
    if (!this.pane) return;
    this.pane.stop.hidden = true;
    this.pane.caption.textContent = message;
    this.pane.complete = true;
  }

  private draw(frame: LayoutFrame, name: string): void {
    const pane = this.pane ?? this.openPane(name);
    const points = framePoints(frame);
    const encoding = encodeColumn(points.label, points.n);
    pane.points = points;
    pane.encoding = encoding;
    pane.view.setPoints(points, encoding.colors);
    if (!pane.key.hasChildNodes()) fill(pane.key, ...keyOf(encoding));
    this.hooks.drawn?.(name, encoding);
    this.frames++;
    // a new pass (perplexity auto runs one per candidate, each from iteration 0) forms again: Stop is back;
    // the last frame of a pass that ended may come after the stage that follows it, and keeps the caption
    if (pane.complete && frame.iteration < pane.iteration) {
      pane.complete = false;
      pane.stop.hidden = false;
    }
    pane.iteration = frame.iteration;
    if (pane.complete) return;
    pane.caption.textContent = `t-SNE iteration ${formatNumber(frame.iteration)} · ${frame.stride > 1 ? `every ${frame.stride}th of ${formatNumber(frame.rows)} rows` : `${formatNumber(frame.rows)} rows`}`;
  }

  private openPane(name: string): LivePane {
    const id = this.id!;
    const caption = h('span', { className: 'muted live-caption' });
    const stop = h('button', { type: 'button', className: 'secondary finish-run', title: 'End t-SNE now and keep the map as it is as the run’s result' }, 'Stop and keep this map');
    stop.addEventListener('click', () => {
      stop.disabled = true;
      stop.textContent = 'Finishing…';
      this.hooks.api.finishRun(id).then(
        // t-SNE had already ended: the map is complete, the run is finishing its metrics
        (complete) => complete && this.mapComplete(complete),
        (err: Error) => {
          stop.disabled = false;
          stop.textContent = 'Stop and keep this map';
          caption.textContent = err.message;
        },
      );
    });
    // the map it covers is one click away (and then the finished run is offered, not swapped in)
    const coveredName = this.hooks.covered();
    const back = coveredName
      ? h('button', { type: 'button', className: 'link back-to-map', title: 'Look at that map meanwhile; the run goes on and is offered when it is done' }, `Back to ${coveredName}`)
      : null;
    back?.addEventListener('click', () => this.dismiss());
    // the buttons go before the caption: it is rewritten with every frame (several a second) and grows long once
    // t-SNE ends, so after it they would move under the pointer (a click between two frames missed them) or be
    // pushed past the title's clipped end
    const title = h('div', { className: 'pane-title live-title' });
    fill(title, h('strong', null, `Forming: ${name}`), ' ', stop, back ? ' ' : null, back, ' ', caption);
    const key = h('div', { className: 'live-key small', 'aria-label': 'classes' });
    const host = h('div', { className: 'map-host' });
    const el = h('section', { className: 'pane live', 'aria-label': `map of ${name}, forming` }, title, key, host);
    // it covers the maps (and the empty state) until it goes; what was hidden before (the tooltip) stays so after
    this.hooks.tooltip.hide();
    // what it hides is marked, as pane.ts marks a map that opens while it covers them: shown again when it goes
    for (const other of this.hooks.maps.children) {
      if (!(other instanceof HTMLElement) || other === el || other.hidden) continue;
      other.hidden = true;
      other.dataset.coveredByForming = '';
    }
    this.hooks.maps.classList.add('forming');
    this.hooks.maps.prepend(el);
    const view = new ScatterView(host, { onHover: (i, cx, cy) => this.hover(i, cx, cy) }, { label: `Map of ${name} as it forms` });
    this.pane = { el, view, caption, stop, key, points: null, encoding: null, complete: false, iteration: -1 };
    this.hooks.shown();
    return this.pane;
  }

  /** CSS-pixel position (relative to the page) of point k of the frame on screen, or null (for tests). */
  screenOf(k: number): [number, number] | null {
    const p = this.pane;
    if (!p?.points || k < 0 || k >= p.points.n) return null;
    const [sx, sy] = p.view.toScreen(p.points.x[k], p.points.y[k]);
    const r = p.view.overlay.getBoundingClientRect();
    return [r.left + sx, r.top + sy];
  }

  /** The tooltip of point i of the frame on screen (-1: none): its input row and label. */
  private hover(i: number, clientX: number, clientY: number): void {
    const p = this.pane?.points;
    const enc = this.pane?.encoding;
    if (i < 0 || !p || !enc || i >= p.n) {
      this.hooks.tooltip.hide();
      return;
    }
    const lab = p.label && p.label.codes[i] >= 0 ? p.label.categories[p.label.codes[i]] : null;
    const rows: [string, unknown][] = p.label ? [[p.label.name, lab ?? '(none)']] : [];
    this.hooks.tooltip.show(lab !== null ? `Row ${p.index[i]} · ${lab}` : `Row ${p.index[i]}`, rows, clientX, clientY, null, unpackHex(enc.colors[i]));
  }

  private removePane(): void {
    if (!this.pane) return;
    this.hooks.tooltip.hide();
    this.pane.view.destroy();
    this.pane.el.remove();
    // what it covered, and what opened while it covered the maps (pane.ts: a run's map loaded meanwhile)
    for (const other of this.hooks.maps.querySelectorAll<HTMLElement>(':scope > [data-covered-by-forming]')) {
      other.hidden = false;
      delete other.dataset.coveredByForming;
    }
    this.pane = null;
    this.hooks.maps.classList.remove('forming');
    this.hooks.gone();
  }

  private stopWatching(): void {
    this.close?.();
    this.close = null;
  }
}
