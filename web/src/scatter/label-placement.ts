// Where the map's cluster labels go on screen, at any zoom: a label sits on its cluster's peak when that is in
// view; zoomed in so far that the peak is off screen, on the densest part of the cluster still in view; always
// whole inside the view (pinned to its edge rather than cut off), and never over another label: a label that
// would overlap one placed before it (a larger cluster's) tries the places just above, below and beside its
// anchor, and is left out only when none is free. A cluster with no part in view has no label, nor one whose
// cells only graze the view's edge (a quarter of a cell at least must show). Pure: no DOM
// (the text's width comes from `measure`).
import { LABEL_HALF_HEIGHT, type MapLabel } from './marks.js';

/** A label placed: its text, its box's center in CSS px and its width. */
export interface PlacedLabel {
  label: MapLabel;
  x: number;
  y: number;
  width: number;
}

/** The share of a cluster cell (or of the view, if smaller) that must lie in view for it to anchor a label. */
const GRAZE = 0.25;

/** Space kept between a label and the view's edge, CSS px. */
const EDGE = 2;

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

/** The screen position (CSS px) the label should sit at, or null when no part of its cluster is in view. */
export function labelAnchor(l: MapLabel, toScreen: (x: number, y: number) => [number, number], width: number, height: number): [number, number] | null {
  const [sx, sy] = toScreen(l.x, l.y);
  if (sx >= 0 && sx <= width && sy >= 0 && sy <= height) return [sx, sy];
  const r = l.region;
  if (!r) return null;
  // the densest cell of the region that reaches into the view (cells are listed densest first)
  const [ox, oy] = toScreen(0, 0);
  const [hx, hy] = toScreen(r.halfW, r.halfH);
  const dx = Math.abs(hx - ox);
  const dy = Math.abs(hy - oy);
  // a cell counts when at least a quarter of it (or of the view, when the cell is larger) lies in view: one
  // that only grazes the view's edge, zoomed into an empty gap beside the cluster, would pin the label to a
  // corner of a view that shows none of it
  const needX = GRAZE * Math.min(2 * dx, width);
  const needY = GRAZE * Math.min(2 * dy, height);
  for (let k = 0; k < r.centers.length; k += 2) {
    const [cx, cy] = toScreen(r.centers[k], r.centers[k + 1]);
    const inX = Math.min(width, cx + dx) - Math.max(0, cx - dx);
    const inY = Math.min(height, cy + dy) - Math.max(0, cy - dy);
    if (inX >= needX && inY >= needY && inX > 0 && inY > 0) return [Math.min(width, Math.max(0, cx)), Math.min(height, Math.max(0, cy))];
  }
  return null;
}

/**
 * Places the labels (most important first) in a view of width x height CSS px. `measure(text)`: the text's
 * width in px. Returns the labels placed, in the given order, each whole inside the view and overlapping none.
 */
export function placeLabels(
  labels: readonly MapLabel[],
  toScreen: (x: number, y: number) => [number, number],
  width: number,
  height: number,
  measure: (text: string) => number,
): PlacedLabel[] {
  const placed: Box[] = [];
  const out: PlacedLabel[] = [];
  const h = LABEL_HALF_HEIGHT;
  for (const l of labels) {
    const anchor = labelAnchor(l, toScreen, width, height);
    if (!anchor) continue;
    const w = measure(l.text) + 8;
    const step = 2 * h + 2;
    // the anchor, then just above, below, beside it
    const tries: [number, number][] = [
      [0, 0],
      [0, -step],
      [0, step],
      [w / 2 + 4, 0],
      [-w / 2 - 4, 0],
      [0, -2 * step],
      [0, 2 * step],
    ];
    for (const [ox, oy] of tries) {
      // pinned inside the view
      const x = Math.min(width - w / 2 - EDGE, Math.max(w / 2 + EDGE, anchor[0] + ox));
      const y = Math.min(height - h - EDGE, Math.max(h + EDGE, anchor[1] + oy));
      const box = { x0: x - w / 2, y0: y - h, x1: x + w / 2, y1: y + h };
      if (placed.some((b) => b.x0 < box.x1 && box.x0 < b.x1 && b.y0 < box.y1 && box.y0 < b.y1)) continue;
      placed.push(box);
      out.push({ label: l, x, y, width: w });
      break;
    }
  }
  return out;
}
