// The map of a run started from the browser, in the main map while its t-SNE runs: each layout frame of the
// run's event stream (pipeline/layout-frame.ts, every few dozen iterations, at most 4 a second) drawn by a
// ScatterView of its own in place of the map being looked at, fitted to the frame, with a Stop that ends
// t-SNE and keeps the layout on screen as the run's result. When the run completes (or is stopped) the app
// opens the finished run in its place (the new-run dialog asks `showing()` to decide); when it fails or is
// cancelled, or the user goes back to the map it covered (its Back button) or opens another run meanwhile,
// the live map goes and the map it covered comes back, and the finished run is then offered, not swapped in.
import { decodeLayoutFrame, isLayoutFrame, type LayoutFrame } from '../../../pipeline/layout-frame.js';
import type { Api, RunEvent } from '../api.js';
import { encodeColumn } from '../colors.js';
import { fitExtent, type PointData } from '../points.js';
import { ScatterView } from '../scatter/view.js';
import { fill, formatNumber, h } from '../ui/dom.js';

/** A frame as the points of a map: every `stride`-th row of the run, in the run's row order. */
export function framePoints(frame: LayoutFrame): PointData {
  const xy = decodeLayoutFrame(frame);
  const n = xy.length >> 1;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const index = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    x[k] = xy[2 * k];
    y[k] = xy[2 * k + 1];
    index[k] = k * frame.stride;
  }
  return { n, index, x, y, error: null, isNew: null, label: null, columns: [], extent: fitExtent(x, y) };
}

export interface LiveRunHooks {
  api: Api;
  /** The maps area: the live map goes first in it. */
  maps: HTMLElement;
  /** The name of the map the live map covers (null: none, the empty state): a button goes back to it. */
  covered: () => string | null;
  /** The live map has appeared, covering the maps: their controls rest. */
  shown: () => void;
  /** The live map has gone (the run failed or was cancelled, or another run was opened) and the maps show again. */
  gone: () => void;
}

interface LivePane {
  el: HTMLElement;
  view: ScatterView;
  caption: HTMLElement;
  stop: HTMLButtonElement;
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
  /** The user opened another map meanwhile: this run's frames stay out of the main map. */
  private dismissed = false;

  constructor(private readonly hooks: LiveRunHooks) {}

  /** Whether the main map shows the watched run forming (so its result should replace it when done). */
  showing(): boolean {
    return this.pane !== null;
  }

  /** Follows a run just started: its layout frames appear in the main map. */
  watch(id: string, name: string): void {
    this.stopWatching();
    this.id = id;
    this.frames = 0;
    this.lastFrame = null;
    this.dismissed = false;
    this.close = this.hooks.api.events(id, (e) => this.onEvent(e, name));
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
    }
  }

  private draw(frame: LayoutFrame, name: string): void {
    const pane = this.pane ?? this.openPane(name);
    const points = framePoints(frame);
    pane.view.setPoints(points, encodeColumn(null, points.n).colors);
    this.frames++;
    pane.caption.textContent = `t-SNE iteration ${formatNumber(frame.iteration)} · ${frame.stride > 1 ? `every ${frame.stride}th of ${formatNumber(frame.rows)} rows` : `${formatNumber(frame.rows)} rows`}`;
  }

  private openPane(name: string): LivePane {
    const id = this.id!;
    const caption = h('span', { className: 'muted live-caption' });
    const stop = h('button', { type: 'button', className: 'secondary finish-run', title: 'End t-SNE now and keep the map as it is as the run’s result' }, 'Stop and keep this map');
    stop.addEventListener('click', () => {
      stop.disabled = true;
      stop.textContent = 'Finishing…';
      this.hooks.api.finishRun(id).catch((err: Error) => {
        stop.disabled = false;
        stop.textContent = 'Stop and keep this map';
        caption.textContent = err.message;
      });
    });
    // the map it covers is one click away (and then the finished run is offered, not swapped in)
    const coveredName = this.hooks.covered();
    const back = coveredName
      ? h('button', { type: 'button', className: 'link back-to-map', title: 'Look at that map meanwhile; the run goes on and is offered when it is done' }, `Back to ${coveredName}`)
      : null;
    back?.addEventListener('click', () => this.dismiss());
    const title = h('div', { className: 'pane-title live-title' });
    fill(title, h('strong', null, `Forming: ${name}`), ' ', caption, ' ', stop, back ? ' ' : null, back);
    const host = h('div', { className: 'map-host' });
    const el = h('section', { className: 'pane live', 'aria-label': `map of ${name}, forming` }, title, host);
    // it covers the maps (and the empty state) until it goes
    for (const other of this.hooks.maps.children) if (other !== el) (other as HTMLElement).hidden = true;
    this.hooks.maps.classList.add('forming');
    this.hooks.maps.prepend(el);
    const view = new ScatterView(host, {}, { label: `Map of ${name} as it forms` });
    this.pane = { el, view, caption, stop };
    this.hooks.shown();
    return this.pane;
  }

  private removePane(): void {
    if (!this.pane) return;
    this.pane.view.destroy();
    this.pane.el.remove();
    this.pane = null;
    for (const other of this.hooks.maps.children) (other as HTMLElement).hidden = false;
    this.hooks.maps.classList.remove('forming');
    this.hooks.gone();
  }

  private stopWatching(): void {
    this.close?.();
    this.close = null;
  }
}
