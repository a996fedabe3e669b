// The maps being looked at: the primary pane (the run shown) and the secondary one (the run it is compared
// with), loaded, replaced and closed here; and, for a primary run past the overview threshold, the region
// loader (app/overview.ts) that swaps the rows the primary pane holds as the user zooms. The App decides
// which runs to show and what follows a load (pickers, panels, URL); this module owns how a pane gets there.
import type { Api } from '../api.js';
import { encodeColumn } from '../colors.js';
import { indexLookup, type DecodedPoints } from '../points.js';
import type { InteractionMode, ScatterCallbacks } from '../scatter/view.js';
import { formatNumber } from '../ui/dom.js';
import { RegionLoader, showCoverage, type Coverage } from './overview.js';
import { closePane, openPane, type Pane, type Slot } from './pane.js';
import type { ThumbnailCache } from './thumbnails.js';

export interface MapsHooks {
  api: Api;
  /** The maps area (`#maps`): the primary pane goes first in it, the secondary last. */
  el: HTMLElement;
  thumbs: ThumbnailCache;
  /** What a pane's map does on hover, click, label click, selection and view change (the region loader follows the primary's view by itself). */
  callbacks: (slot: Slot) => Omit<ScatterCallbacks, 'thumbnail'>;
  /** The interaction mode of the primary map (the compare map stays in pan mode: selections are made on the primary). */
  mode: () => InteractionMode;
  status: (text: string, isError?: boolean) => void;
  /** The primary pane's rows are about to be swapped for a region's or the overview's: keep the view state as it is now. */
  rowsLeaving: () => void;
  /** The primary pane holds other rows now (a new pane object, the same view): apply the view state to them. */
  rowsArrived: () => Promise<void>;
}

export class Maps {
  primary: Pane | null = null;
  secondary: Pane | null = null;
  /** Loads the region in view of a primary map past the overview threshold (app/overview.ts). */
  private regions: RegionLoader | null = null;

  constructor(private readonly hooks: MapsHooks) {}

  /**
   * Closes the primary map and loads run `id` in its place (and its overview's region loader when it is past
   * the threshold). On failure the pane's section goes, the status says why, and the error is rethrown.
   */
  async openPrimary(id: string): Promise<Pane> {
    // the empty state's card goes when a first run arrives (it stayed under the map otherwise)
    this.hooks.el.querySelector(':scope > .empty')?.remove();
    if (this.primary) closePane(this.primary);
    this.primary = null;
    this.regions?.stop();
    this.regions = null;
    let pane: Pane;
    try {
      pane = await this.load(id, 'primary');
    } catch (err) {
      this.hooks.el.querySelector('.pane.primary')?.remove();
      this.hooks.status(`Cannot load run ${id}: ${(err as Error).message}`, true);
      throw err;
    }
    this.primary = pane;
    const overview = pane.overview;
    if (overview) {
      const view = (): Pane['view'] | null => (this.primary?.id === id ? this.primary.view : null);
      this.regions = new RegionLoader(this.hooks.api, id, view, overview, pane.settings, (points, c) => void this.showRows(points, c), (m) => this.hooks.status(m, true));
    }
    return pane;
  }

  /** Loads run `id` as the compare map (closing the one there). Null when it cannot load (the status says why). */
  async openSecondary(id: string): Promise<Pane | null> {
    this.closeSecondary();
    try {
      this.secondary = await this.load(id, 'secondary');
    } catch (err) {
      this.hooks.el.querySelector('.pane.secondary')?.remove();
      this.hooks.status(`Cannot load run ${id}: ${(err as Error).message}`, true);
      return null;
    }
    this.hooks.el.classList.add('compare');
    return this.secondary;
  }

  closeSecondary(): void {
    if (!this.secondary) return;
    closePane(this.secondary);
    this.secondary = null;
    this.hooks.el.classList.remove('compare');
  }

  /** The pane in a slot. */
  pane(slot: Slot): Pane | null {
    return slot === 'primary' ? this.primary : this.secondary;
  }

  /** CSS-pixel position (relative to the page) of an input row in a map, or null when the map does not hold it. */
  screenOf(row: number, slot: Slot): [number, number] | null {
    const pane = this.pane(slot);
    if (!pane) return null;
    const i = pane.positionOf(row);
    if (i < 0) return null;
    const [sx, sy] = pane.view.toScreen(pane.points.x[i], pane.points.y[i]);
    const r = pane.view.overlay.getBoundingClientRect();
    return [r.left + sx, r.top + sy];
  }

  private async load(id: string, slot: Slot): Promise<Pane> {
    this.hooks.el.classList.toggle('compare', slot === 'secondary' || !!this.secondary);
    const started = performance.now();
    const callbacks = this.hooks.callbacks(slot);
    const pane = await openPane(
      this.hooks.api,
      this.hooks.el,
      id,
      slot,
      {
        ...callbacks,
        onViewChange: (v) => {
          callbacks.onViewChange?.(v);
          if (slot === 'primary') this.regions?.viewChanged();
        },
      },
      this.hooks.thumbs,
    );
    pane.view.setMode(slot === 'primary' ? this.hooks.mode() : 'pan');
    this.hooks.status(`Loaded ${formatNumber(pane.points.n)} points in ${Math.round(performance.now() - started)} ms`);
    return pane;
  }

  /**
   * Swaps the primary map's rows for those of the region in view or the overview (app/overview.ts): the same
   * view and color column; the App applies its view state (hidden classes, filters, search, selection) again.
   */
  private async showRows(points: DecodedPoints, coverage: Coverage): Promise<void> {
    const p = this.primary;
    if (!p) return;
    this.hooks.rowsLeaving();
    const name = p.encoding.kind === 'none' ? null : p.encoding.column.name;
    const encoding = encodeColumn(points.columns.find((c) => c.name === name) ?? null, points.n);
    // a new pane object: what is computed per pane (density grid, clusters) is computed again for these rows
    this.primary = { ...p, points, positionOf: indexLookup(points.index), encoding, hidden: new Set(), visible: null, coverage };
    this.primary.view.setPoints(points, encoding.colors);
    showCoverage(p.el, coverage);
    await this.hooks.rowsArrived();
  }
}
