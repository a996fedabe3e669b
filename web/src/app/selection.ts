// The selection of the primary map, whatever made it (a rectangle or lasso, a click on a cluster's label, the
// filter panel's Explain): its rows, its panel (count, per-label summary, export), what sets it apart
// (the pane's own columns here, app/explain.ts; every input feature, pixel and code unit on the server) and a
// typical member, the mean of its rows beside the run's model's decoding of their mean code (both from POST
// /api/runs/:id/decode; ui/decoded-panel.ts, ui/explain-panel.ts).
import type { Api } from '../api.js';
import type { SelectionShape } from '../url-state.js';
import { renderDecoded } from '../ui/decoded-panel.js';
import { renderExplanation } from '../ui/explain-panel.js';
import { renderSelection } from '../ui/selection-panel.js';
import { featureNames, loadFeature } from './color-by.js';
import { EXPLAIN_ROWS, explainColumns, explainSelection, explanationOf, ownColumns } from './explain.js';
import { clustersOf } from './map-layers.js';
import type { Pane } from './pane.js';
import { indexBitset, selectionMask } from './selection-mask.js';
import type { CategoryColumn } from '../points.js';


export interface SelectionHost {
  api: Api;
  panel: HTMLElement;
  primary(): Pane | null;
  /** Has the map's clusters found (in a worker): clustersFound() is called when they come. */
  awaitClusters(p: Pane): void;
  /** Rows passing the filter charts (null: no filter). */
  filterRows(): Uint8Array | null;
  /** The selection changed (emphasis; the URL when `write`). */
  changed(write: boolean): void;
}

export interface Selected {
  shape: SelectionShape;
  /** 1: selected, per position of the primary map. */
  mask: Uint8Array;
  count: number;
}

export class SelectionController {
  current: Selected | null = null;
  /** A cluster selected (by the URL) before the clusters were found: made when they come (clustersFound). */
  pending: SelectionShape | null = null;
  private decoding: AbortController | null = null;

  constructor(private host: SelectionHost) {}

  /** Selects by a shape, a cluster or the filters; one that cannot be made (no such cluster) clears. */
  set(shape: SelectionShape, write = true): void {
    const p = this.host.primary();
    if (!p) return;
    const clusters = shape.kind === 'cluster' ? clustersOf(p) : null;
    if (shape.kind === 'cluster' && !clusters) {
      this.clear(false);
      this.pending = shape;
      this.host.awaitClusters(p);
      return;
    }
    this.pending = null;
    const column = clusters ? (p.points.columns.find((c) => c.name === 'cluster') as CategoryColumn | undefined) : undefined;
    const made = selectionMask(p.points, shape, {
      visible: p.visible,
      filterRows: this.host.filterRows(),
      clusters: clusters && column ? { column, labels: clusters } : null,
    });
    if (!made) {
      this.clear(write);
      return;
    }
    const { mask, count } = made;
    const selected: Selected = { shape, mask, count };
    this.current = selected;
    p.view.marks.setSelection(shape.kind === 'rect' || shape.kind === 'lasso' ? shape.polygon : null);
    const panel = this.host.panel;
    panel.hidden = false;
    const what =
      shape.kind === 'cluster' ? `in cluster ${clusters!.find((c) => c.id === shape.cluster)!.text}` : shape.kind === 'filter' ? 'passing the filters' : 'selected';
    renderSelection(panel, p.points, mask, count, p.encoding, p.id, () => this.clear(), what);
    // the typical member first (pictures say most), then what sets the selection apart
    this.decode(p, selected);
    if (p.manifest.artifacts?.codes) {
      // the pane's own columns at once; the features and code units come with the decoded mean (decode())
      renderExplanation(panel, { columns: explainSelection(ownColumns(p), mask, EXPLAIN_ROWS), pending: count > 0 });
    } else {
      // nothing to decode: the features are fetched and compared here (tables; images list no pixels)
      void explainColumns(p, featureNames(p.manifest), (f) => loadFeature(this.host.api, p, f)).then((cols) => {
        if (this.current === selected) renderExplanation(panel, { columns: explainSelection(cols, mask, EXPLAIN_ROWS) });
      });
    }
    this.host.changed(write);
  }

  /** Asks the server for the mean and the decoded mean code of the selection (the previous request is dropped). */
  private decode(p: Pane, selected: Selected): void {
    this.decoding?.abort();
    this.decoding = null;
    const panel = this.host.panel;
    if (selected.count === 0) return;
    if (!p.manifest.artifacts?.codes) {
      renderDecoded(panel, { error: 'this run kept no codes (codes.arrow) to average' });
      return;
    }
    const ctrl = new AbortController();
    this.decoding = ctrl;
    renderDecoded(panel, { loading: true });
    const own = explainSelection(ownColumns(p), selected.mask, EXPLAIN_ROWS);
    this.host.api.decode(p.id, { mask: indexBitset(p.points.index, selected.mask) }, ctrl.signal).then(
      (decoded) => {
        if (this.current !== selected) return;
        renderDecoded(panel, { decoded });
        renderExplanation(panel, explanationOf(own, decoded), p.manifest.dataset.features ?? []);
      },
      (err: Error) => {
        if (this.current !== selected || ctrl.signal.aborted) return;
        renderDecoded(panel, { error: err.message });
        renderExplanation(panel, { columns: own, note: `the input features and code units were not compared: ${err.message}` });
      },
    );
  }

  /** The clusters were found: a cluster selected before is made now. */
  clustersFound(): void {
    if (this.pending) this.set(this.pending, false);
  }

  /** Makes the selection again (the hidden points or the filters changed). */
  refresh(): void {
    if (this.current) this.set(this.current.shape, false);
  }

  clear(write = true): void {
    this.pending = null;
    this.decoding?.abort();
    this.decoding = null;
    this.current = null;
    this.host.primary()?.view.marks.setSelection(null);
    this.host.panel.hidden = true;
    this.host.panel.replaceChildren();
    this.host.changed(write);
  }

  /** Forgets the selection without touching the panes (a new primary run was loaded). */
  reset(): void {
    this.decoding?.abort();
    this.decoding = null;
    this.current = null;
    this.pending = null;
  }
}
