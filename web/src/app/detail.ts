// The inspected point: the detail panel of one row of the primary map, its focus ring, its code-space
// neighbours' rings and lines to its nearest rows in input space (in both maps when comparing; a long line is
// a neighbour the map tore away), and the hover tooltip with the linked-hover ring.
import type { Api, Neighbor } from '../api.js';
import { unpackHex } from '../colors.js';
import { cellText } from '../format.js';
import { renderDetail, renderInputLinks } from '../ui/detail-panel.js';
import type { Tooltip } from '../ui/tooltip.js';
import type { Segment } from '../ui/tooltip-place.js';
import type { Pane } from './pane.js';

/** Nearest rows in input space drawn as lines from the inspected point. */
const INPUT_NEIGHBORS = 10;

export interface DetailHost {
  api: Api;
  panel: HTMLElement;
  tooltip: Tooltip;
  primary(): Pane | null;
  secondary(): Pane | null;
  /** The inspected point changed (for the URL). */
  changed(): void;
}

/** The lines a pane draws from the inspected point to its input-space neighbours, client px (for the tooltip to keep off). */
function linkSegments(pane: Pane): Segment[] {
  const links = pane.view.marks.links;
  if (!links || links.from < 0 || links.to.length === 0) return [];
  const r = pane.view.overlay.getBoundingClientRect();
  const at = (j: number) => {
    const [sx, sy] = pane.view.toScreen(pane.points.x[j], pane.points.y[j]);
    return [r.left + sx, r.top + sy] as const;
  };
  const [fx, fy] = at(links.from);
  return links.to.map((j) => {
    const [tx, ty] = at(j);
    return [fx, fy, tx, ty] as const;
  });
}

export class DetailController {
  /** Position of the inspected point in the primary map (-1: none). */
  position = -1;
  /** Positions of its neighbours in the primary map. */
  neighbors: number[] = [];
  /** Positions of its nearest rows in input space in the primary map (drawn as lines). */
  inputNeighbors: number[] = [];
  /** Ends the shown point's requests (endRequests). */
  private requests: AbortController | null = null;

  constructor(private host: DetailHost) {}

  /** Tooltip and linked ring for the point hovered in one pane (-1: none). */
  hover(pane: Pane, other: Pane | null, i: number, clientX: number, clientY: number): void {
    if (i < 0) {
      this.host.tooltip.hide();
      other?.view.marks.setLinked(-1);
      return;
    }
    const pts = pane.points;
    const row = pts.index[i];
    other?.view.marks.setLinked(other.positionOf(row));
    const rows: [string, unknown][] = [];
    // numbers in their column's format, as the detail panel and the charts write them
    for (const col of pts.raw.slice(0, 8)) rows.push([col.name, cellText(pts.columns, col.name, col.get(i))]);
    const lab = pts.label && pts.label.codes[i] >= 0 ? pts.label.categories[pts.label.codes[i]] : null;
    const image = pane.manifest.dataset.image ? this.host.api.imageUrl(pane.id, row) : null;
    this.host.tooltip.show(lab !== null ? `Row ${row} · ${lab}` : `Row ${row}`, rows, clientX, clientY, image, unpackHex(pane.encoding.colors[i]), linkSegments(pane));
  }

  /** A click on point i of a pane (-1: on empty space, which closes the detail of the primary map). */
  click(pane: Pane, i: number): void {
    const p = this.host.primary();
    if (!p) return;
    if (i < 0) {
      if (pane === p && this.position >= 0) this.close();
      return;
    }
    const pos = pane === p ? i : p.positionOf(pane.points.index[i]);
    if (pos >= 0) this.open(pos);
  }

  open(pos: number, notify = true): void {
    const p = this.host.primary();
    if (!p) return;
    const q = this.host.secondary();
    this.position = pos;
    this.neighbors = [];
    this.inputNeighbors = [];
    p.view.marks.setHighlights(pos, []);
    p.view.marks.setLinks(null);
    q?.view.marks.setHighlights(q.positionOf(p.points.index[pos]), []);
    q?.view.marks.setLinks(null);
    this.host.panel.hidden = false;
    this.endRequests();
    this.requests = new AbortController();
    // the input-space neighbours are asked for first: the panel's other requests (the row, its pictures, the
    // code-space neighbours, their thumbnails) wait in the server's quick lane behind a model's first load, and
    // while they do they hold the browser's six connections to the server, so a request made after them waited
    // for one of those to end (seconds on a loaded machine) before it was even sent
    const inputNear = this.fetchLinks(p, pos);
    renderDetail(this.host.panel, {
      api: this.host.api,
      runId: p.id,
      manifest: p.manifest,
      points: p.points,
      position: pos,
      positionOf: p.positionOf,
      onNeighbors: (positions) => {
        if (this.position !== pos) return;
        this.neighbors = positions;
        p.view.marks.setHighlights(pos, positions);
        const q2 = this.host.secondary();
        if (q2) q2.view.marks.setHighlights(q2.positionOf(p.points.index[pos]), positions.map((n) => q2.positionOf(p.points.index[n])).filter((j) => j >= 0));
      },
      onSelectRow: (row) => {
        const j = p.positionOf(row);
        if (j >= 0) this.open(j);
      },
      onZoom: () => {
        const v = p.view.getView();
        p.view.setView({ cx: p.points.x[pos], cy: p.points.y[pos], k: Math.max(v.k, 6) });
      },
      onClose: () => this.close(),
      colorOf: (j) => unpackHex(p.encoding.colors[j]),
      signal: this.requests.signal,
    });
    this.links(p, pos, inputNear);
    if (notify) this.host.changed();
  }

  /** Asks for the point's nearest rows in input space (null: the run kept no input values to search). */
  private fetchLinks(p: Pane, pos: number): Promise<Neighbor[]> | null {
    if (!p.manifest.artifacts?.data || !p.manifest.artifacts?.preprocessing) return null;
    const asked = this.host.api.neighbors(p.id, p.points.index[pos], INPUT_NEIGHBORS, 'input', this.requests?.signal);
    asked.catch(() => undefined); // answered in links(), once the panel is drawn
    return asked;
  }

  /** Draws a line from the point to each of its nearest rows in input space, as they arrive (both maps when comparing). */
  private links(p: Pane, pos: number, asked: Promise<Neighbor[]> | null): void {
    const row = p.points.index[pos];
    const panel = this.host.panel;
    if (!asked) {
      renderInputLinks(panel, { error: 'this run kept no input values and scaling (data.arrow, preprocessing.json)' });
      return;
    }
    renderInputLinks(panel, { loading: true });
    asked.then(
      (list) => {
        if (this.position !== pos || this.host.primary() !== p) return;
        const to = list.map((n) => p.positionOf(n.index)).filter((j) => j >= 0);
        this.inputNeighbors = to;
        p.view.marks.setLinks({ from: pos, to });
        const q = this.host.secondary();
        if (q) {
          const from = q.positionOf(row);
          q.view.marks.setLinks(from >= 0 ? { from, to: to.map((j) => q.positionOf(p.points.index[j])).filter((j) => j >= 0) } : null);
        }
        const preservation = p.points.columns.find((c) => c.name === 'preservation');
        renderInputLinks(panel, { count: to.length, preservation: preservation?.kind === 'number' ? preservation.values[pos] : null });
      },
      (err: Error) => {
        // ended because another point was opened (or this one again): that one's answer is drawn
        if (this.position === pos && err.name !== 'AbortError') renderInputLinks(panel, { error: err.message });
      },
    );
  }

  /**
   * Ends the requests of the point shown (its row, neighbours and pictures) once another is opened or the panel
   * closes: still waiting, they held the browser's six connections to the server, and the next point's waited
   * for them (seconds on a loaded server, whose quick lane answers them one at a time).
   */
  private endRequests(): void {
    this.requests?.abort();
    this.requests = null;
    for (const img of this.host.panel.querySelectorAll('img')) img.removeAttribute('src');
  }

  close(notify = true): void {
    this.endRequests();
    this.position = -1;
    this.neighbors = [];
    this.inputNeighbors = [];
    this.host.primary()?.view.marks.setLinks(null);
    this.host.secondary()?.view.marks.setLinks(null);
    this.host.primary()?.view.marks.setHighlights(-1, []);
    this.host.secondary()?.view.marks.setHighlights(-1, []);
    this.host.panel.hidden = true;
    this.host.panel.replaceChildren();
    if (notify) this.host.changed();
  }

  /** Forgets the inspected point without touching the panes (a new primary run was loaded). */
  reset(): void {
    this.position = -1;
    this.neighbors = [];
    this.inputNeighbors = [];
  }
}
