import { describe, expect, it } from 'vitest';
import { FIT_PAD, fitExtent, renderTransform, toData, toScreen, viewOf, viewOfBox, viewOfExtent, visibleBox, zoomFor } from '../../web/src/scatter/transform.js';
import { drawnExtent } from '../../web/src/points.js';

const extent = { xmin: -10, xmax: 30, ymin: 0, ymax: 20 };
const fit = fitExtent(extent, 856, 456);

describe('view transform', () => {
  it('fits the extent inside the canvas with the margin, keeping the aspect ratio', () => {
    // width 800 over 40 units, height 400 over 20 units: both 20 px per unit
    expect(fit.scale).toBe(20);
    expect(toScreen(fit, { k: 1, x: 0, y: 0 }, -10, 20)).toEqual([FIT_PAD, FIT_PAD]);
    expect(toScreen(fit, { k: 1, x: 0, y: 0 }, 30, 0)).toEqual([856 - FIT_PAD, 456 - FIT_PAD]);
  });

  it('inverts screen and data coordinates under any zoom', () => {
    const t = { k: 3.5, x: -120, y: 47 };
    const [px, py] = toScreen(fit, t, 7.25, 3.5);
    const [x, y] = toData(fit, t, px, py);
    expect(x).toBeCloseTo(7.25, 10);
    expect(y).toBeCloseTo(3.5, 10);
  });

  it('puts the requested center in the middle of the canvas at the requested zoom', () => {
    const t = zoomFor(fit, { cx: 5, cy: 12, k: 4 });
    expect(toScreen(fit, t, 5, 12)).toEqual([428, 228]);
    const v = viewOf(fit, t);
    expect(v.cx).toBeCloseTo(5, 10);
    expect(v.cy).toBeCloseTo(12, 10);
    expect(v.k).toBe(4);
    expect(zoomFor(fit, { cx: 0, cy: 0, k: 1e9 }).k).toBe(1000);
  });

  it('gives the rasterizer the same mapping in device pixels', () => {
    const t = { k: 2, x: 15, y: -9 };
    const r = renderTransform(fit, t, 2);
    const [sx, sy] = toScreen(fit, t, 3, 4);
    expect(3 * r.ax + r.bx).toBeCloseTo(2 * sx, 9);
    expect(4 * r.ay + r.by).toBeCloseTo(2 * sy, 9);
  });

  it('zooms to a box so the box fills most of the canvas, and reports the visible box', () => {
    const v = viewOfBox(fit, 0, 0, 4, 2);
    expect(v.cx).toBe(2);
    expect(v.cy).toBe(1);
    expect(v.k).toBeCloseTo(0.85 * 10, 9);
    const box = visibleBox(fit, zoomFor(fit, v));
    expect(box.xmin).toBeLessThan(0);
    expect(box.xmax).toBeGreaterThan(4);
    expect(box.ymin).toBeLessThan(0);
    expect(box.ymax).toBeGreaterThan(2);
  });

  it('frames the drawn points as the base fit frames the map: centred, with the margin (classes hidden)', () => {
    // the map's own extent is zoom 1 at its centre
    expect(viewOfExtent(fit, extent)).toEqual({ cx: 10, cy: 10, k: 1 });
    // the right half drawn: centred on it, twice the zoom, the margin on the limiting side
    const half = { xmin: 10, xmax: 30, ymin: 0, ymax: 20 };
    const v = viewOfExtent(fit, half);
    expect(v).toEqual({ cx: 20, cy: 10, k: 1 });
    const t = zoomFor(fit, v);
    const [x0] = toScreen(fit, t, 10, 0);
    const [x1] = toScreen(fit, t, 30, 0);
    expect(x0 + x1).toBeCloseTo(856, 6); // centred across
    const small = viewOfExtent(fit, { xmin: 20, xmax: 30, ymin: 5, ymax: 10 });
    expect(small.k).toBeCloseTo(4, 6);
    // the points a mask draws: a hidden island at one side leaves the others' extent
    const points = { x: Float32Array.from([-10, -9, 20, 30]), y: Float32Array.from([0, 1, 5, 10]), extent };
    expect(drawnExtent(points, Uint8Array.from([0, 0, 1, 1]))).toEqual({ xmin: 20, xmax: 30, ymin: 5, ymax: 10 });
    expect(drawnExtent(points, null)).toBe(extent);
    expect(drawnExtent(points, new Uint8Array(4))).toBe(extent);
  });
});
