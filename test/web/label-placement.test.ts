import { describe, expect, it } from 'vitest';
import { labelAnchor, placeLabels } from '../../web/src/scatter/label-placement.js';
import { LABEL_HALF_HEIGHT, type MapLabel } from '../../web/src/scatter/marks.js';

// a view of 400 x 300 CSS px showing data [x0, x0 + 400/k] x [y0, y0 + 300/k] (y up)
const view = (k: number, x0: number, y0: number) => (x: number, y: number): [number, number] => [(x - x0) * k, 300 - (y - y0) * k];
const measure = (t: string) => 7 * t.length;

/** A cluster whose cells cover [cx - r, cx + r] around (cx, cy), densest (the center) first. */
function cluster(text: string, id: number, cx: number, cy: number, r: number): MapLabel {
  const cells: number[] = [];
  for (let dx = -r; dx <= r; dx++) for (let dy = -r; dy <= r; dy++) cells.push(cx + dx, cy + dy);
  const pairs = Array.from({ length: cells.length / 2 }, (_, i) => [cells[2 * i], cells[2 * i + 1]]);
  pairs.sort((a, b) => Math.hypot(a[0] - cx, a[1] - cy) - Math.hypot(b[0] - cx, b[1] - cy));
  return { x: cx, y: cy, text, id, region: { centers: Float32Array.from(pairs.flat()), halfW: 0.5, halfH: 0.5 } };
}

function overlaps(a: { x: number; y: number; width: number }, b: { x: number; y: number; width: number }): boolean {
  return Math.abs(a.x - b.x) < (a.width + b.width) / 2 && Math.abs(a.y - b.y) < 2 * LABEL_HALF_HEIGHT;
}

describe('cluster label placement', () => {
  const a = cluster('C1 · 7 (94 %)', 1, 10, 10, 4);
  const b = cluster('C2 · 1 (98 %)', 2, 30, 10, 4);

  it('puts a label on its cluster’s peak when the peak is in view', () => {
    const placed = placeLabels([a, b], view(10, 0, 0), 400, 300, measure);
    expect(placed.map((p) => p.label.id)).toEqual([1, 2]);
    expect(placed[0].x).toBeCloseTo(100);
    expect(placed[0].y).toBeCloseTo(200);
    expect(placed[1].x).toBeCloseTo(300);
  });

  it('zoomed in past the peak, labels the part of the cluster in view, whole inside the view', () => {
    // k = 100: the view shows data x 12.5..16.5, y 12.5..15.5: cluster 1's upper right corner, not its peak
    const toScreen = view(100, 12.5, 12.5);
    const [px, py] = toScreen(a.x, a.y);
    expect(px < 0 || py > 300).toBe(true);
    const placed = placeLabels([a, b], toScreen, 400, 300, measure);
    expect(placed).toHaveLength(1);
    const p = placed[0];
    expect(p.label.id).toBe(1);
    expect(p.x - p.width / 2).toBeGreaterThanOrEqual(0);
    expect(p.x + p.width / 2).toBeLessThanOrEqual(400);
    expect(p.y - LABEL_HALF_HEIGHT).toBeGreaterThanOrEqual(0);
    expect(p.y + LABEL_HALF_HEIGHT).toBeLessThanOrEqual(300);
    // on the densest cell in view: the one nearest the peak, at the view's lower left
    expect(p.x).toBeLessThan(120);
    expect(p.y).toBeGreaterThan(200);
  });

  it('zoomed into one cell, still labels the cluster that fills the view', () => {
    const placed = placeLabels([a], view(2000, 11.1, 11.1), 400, 300, measure);
    expect(placed).toHaveLength(1);
  });

  it('labels no cluster whose cells only graze the view, zoomed into the empty gap beside it', () => {
    // k = 100: the view shows data x 14.4..18.4, y 8..11; cluster 1's cells end at x = 14.5, 10 px into the view
    const toScreen = view(100, 14.4, 8);
    expect(labelAnchor(a, toScreen, 400, 300)).toBeNull();
    expect(placeLabels([a], toScreen, 400, 300, measure)).toEqual([]);
    // a quarter of a cell in view (x from 14.25) is enough: the cluster shows at the view's edge
    expect(labelAnchor(a, view(100, 14.25, 8), 400, 300)).not.toBeNull();
  });

  it('labels no cluster with no part in view', () => {
    expect(labelAnchor(a, view(100, 50, 50), 400, 300)).toBeNull();
    expect(placeLabels([a, b], view(100, 50, 50), 400, 300, measure)).toEqual([]);
  });

  it('moves a label that would overlap a larger cluster’s off it rather than dropping it', () => {
    // two peaks 1 unit apart at k = 10: their labels' boxes would overlap at the peaks
    const c = cluster('C3 · 4 (88 %)', 3, 11, 10, 2);
    const placed = placeLabels([a, c], view(10, 0, 0), 400, 300, measure);
    expect(placed.map((p) => p.label.id)).toEqual([1, 3]);
    expect(overlaps(placed[0], placed[1])).toBe(false);
    expect(Math.hypot(placed[1].x - 110, placed[1].y - 200)).toBeLessThan(3 * (2 * LABEL_HALF_HEIGHT + 2));
  });

  it('never overlaps labels however many crowd one spot', () => {
    const many = Array.from({ length: 30 }, (_, i) => cluster(`C${i + 1} · x`, i + 1, 20 + (i % 5) * 0.2, 15 + Math.floor(i / 5) * 0.2, 1));
    const placed = placeLabels(many, view(10, 0, 0), 400, 300, measure);
    expect(placed.length).toBeGreaterThanOrEqual(5);
    for (let i = 0; i < placed.length; i++) for (let j = i + 1; j < placed.length; j++) expect(overlaps(placed[i], placed[j])).toBe(false);
  });
});
