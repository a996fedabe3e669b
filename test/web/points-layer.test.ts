// The points layer without a DOM: a big map's first picture before its grid exists, the grid built between
// tasks, and moving frames drawn from the level of detail's compact sample, each checked pixel for pixel
// against the same layer built at once or without the sample.
import { describe, expect, it } from 'vitest';
import { buildGrid } from '../../web/src/scatter/grid-index.js';
import { emptyLodPlan, interleavedPlan, lodPlan, planSize, strideSample } from '../../web/src/scatter/lod.js';
import { buildSample, sampleOf } from '../../web/src/scatter/lod-sample.js';
import { PointsLayer, type FrameGeometry } from '../../web/src/scatter/points-layer.js';
import { pointStyle, renderPoints } from '../../web/src/scatter/render.js';
import * as T from '../../web/src/scatter/transform.js';
import type { PointData } from '../../web/src/points.js';

const W = 320;
const H = 200;

/** n points in six Gaussian clusters with a sparse halo, labelled by cluster, seeded. */
function map(n: number, seed = 9): { points: PointData; colors: Uint32Array } {
  let s = seed;
  const r = () => ((s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff) / 0x7fffffff);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const colors = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 6;
    const spread = i % 13 === 0 ? 12 : 1.5;
    const a = r() * 6.283;
    const d = Math.sqrt(-2 * Math.log(r() + 1e-9)) * spread;
    x[i] = Math.cos(c) * 10 + d * Math.cos(a);
    y[i] = Math.sin(c) * 10 + d * Math.sin(a);
    colors[i] = (0xff000000 | (c * 40) | ((255 - c * 40) << 8)) >>> 0;
  }
  const extent = { xmin: -25, xmax: 25, ymin: -25, ymax: 25 };
  const points = { n, x, y, extent, isNew: null, index: new Int32Array(n), error: null, label: null, columns: [] } as PointData;
  return { points, colors };
}

function geometry(points: PointData, k: number): FrameGeometry {
  const fit = T.fitExtent(points.extent, W, H);
  const t = { k, x: (W / 2) * (1 - k), y: (H / 2) * (1 - k) };
  const { radius } = pointStyle(points.n, k);
  const b = T.visibleBox(fit, t);
  const m = (radius + 2) / (fit.scale * k);
  return { transform: T.renderTransform(fit, t, 1), box: { xmin: b.xmin - m, xmax: b.xmax + m, ymin: b.ymin - m, ymax: b.ymax + m }, k, dpr: 1, width: W, height: H };
}

/** Draws one frame; resolves with the pixels once shown (a chunked exact picture takes several tasks). */
function frame(layer: PointsLayer, g: FrameGeometry, moving: boolean): Promise<{ pixels: Uint32Array; exact: boolean }> {
  const pixels = new Uint32Array(W * H);
  return new Promise((resolve) => layer.draw(pixels, g, moving, false, (exact) => resolve({ pixels, exact })));
}

describe('level-of-detail sample', () => {
  it('keeps the first points of every cell, up to its cap, side by side', () => {
    const { points } = map(60_000);
    const g = buildGrid(points.x, points.y, points.extent, 40);
    const s = buildSample(g, 4);
    for (let c = 0; c < g.cols * g.rows; c++) {
      const count = g.start[c + 1] - g.start[c];
      expect(s.start[c + 1] - s.start[c]).toBe(Math.min(4, count));
      for (let j = s.start[c]; j < s.start[c + 1]; j++) expect(s.pick[j]).toBe(g.start[c] + (j - s.start[c]));
    }
    const ids = sampleOf(s, g.ids)!;
    expect(ids.length).toBe(s.pick.length);
    expect(ids[5]).toBe(g.ids[s.pick[5]]);
  });

  it('plans the same points with the same opacities from the sample as from the whole arrays', () => {
    const { points } = map(60_000);
    const g = buildGrid(points.x, points.y, points.extent, 40);
    const s = buildSample(g, 8);
    const box = { xmin: -25, xmax: 25, ymin: -25, ymax: 25 };
    const whole = lodPlan(g, box, 1_500, emptyLodPlan());
    const sampled = lodPlan(g, box, 1_500, emptyLodPlan(), s);
    expect(whole.sampled).toBe(false);
    expect(sampled.sampled).toBe(true);
    const drawn = (plan: typeof whole, id: (k: number) => number) => {
      const out: string[] = [];
      for (let r = 0; r < plan.count; r++) for (let k = plan.from[r]; k < plan.to[r]; k++) out.push(`${id(k)}:${plan.boost![r].toFixed(4)}`);
      return out;
    };
    const a = drawn(whole, (k) => g.ids[k]);
    expect(a.length).toBe(planSize(whole));
    expect(a.length).toBeGreaterThan(1_000);
    expect(drawn(sampled, (k) => g.ids[s.pick[k]])).toEqual(a);
    // a budget whose water level exceeds the cap reads the whole arrays
    expect(lodPlan(g, box, 50_000, emptyLodPlan(), s).sampled).toBe(false);
  });
});

describe('input-order plans (before the grid exists)', () => {
  it('interleaves every point exactly once', () => {
    for (const n of [1, 255, 70_001]) {
      const plan = interleavedPlan(n);
      const seen = new Uint8Array(n);
      for (let r = 0; r < plan.count; r++) for (let k = plan.from[r]; k < plan.to[r]; k++) seen[k]++;
      expect(seen.every((v) => v === 1)).toBe(true);
    }
    // sections are visited in turn: the second stretch starts in the second section
    expect(interleavedPlan(70_001).from[1]).toBe(Math.ceil(70_001 / 64));
  });

  it('samples every m-th block within the budget, each point standing for m', () => {
    const plan = strideSample(1_000_000, 100_000);
    expect(planSize(plan)).toBeLessThanOrEqual(100_000);
    expect(planSize(plan)).toBeGreaterThan(90_000);
    expect(plan.boost![0]).toBe(10);
  });
});

describe('a map past GRID_SYNC_POINTS', () => {
  it('draws the complete picture before its grid, builds the grid between tasks, then draws it as a map built at once', async () => {
    const { points, colors } = map(150_000);
    const g = geometry(points, 1);
    const later = new PointsLayer(0xffffffff);
    later.gridSyncPoints = 50_000;
    const built = new Promise<void>((resolve) => (later.onReady = resolve));
    later.setPoints(points, colors);
    expect(later.grid).toBeNull();
    const first = await frame(later, g, false);
    expect(first.exact).toBe(true);
    expect(later.lastDrawn).toEqual({ points: 150_000, exact: true, sampled: false });
    expect(later.ready).toBe(false);
    await built;
    expect(later.grid).not.toBeNull();
    // ready once redrawn in the grid's order and warmed up (the viewer's canvas calls warmUp after that picture)
    expect(later.ready).toBe(false);
    const after = await frame(later, g, false);
    later.warmUp(g);
    while (!later.ready) await new Promise((r) => setTimeout(r, 5));
    const atOnce = new PointsLayer(0xffffffff);
    atOnce.setPoints(points, colors);
    expect(atOnce.grid).not.toBeNull();
    const reference = await frame(atOnce, g, false);
    expect(after.pixels).toEqual(reference.pixels);
    // the first picture is every point, exactly placed, blended in interleaved input order
    const { radius, alpha } = pointStyle(points.n, 1);
    const inputOrder = new Uint32Array(W * H);
    renderPoints(inputOrder, { n: points.n, x: points.x, y: points.y, colors }, g.transform, { width: W, height: H, radius, alpha, background: 0xffffffff }, interleavedPlan(points.n));
    expect(first.pixels).toEqual(inputOrder);
    // the same pixels are inked as in the grid's order (only where points overlap do colours differ)
    const inked = (a: Uint32Array) => a.reduce((s, v) => s + (v !== 0xffffffff ? 1 : 0), 0);
    expect(inked(first.pixels)).toBe(inked(reference.pixels));
  });

  it('colours set while the grid is built are drawn in the grid order', async () => {
    const { points, colors } = map(120_000);
    const g = geometry(points, 1);
    const later = new PointsLayer(0xffffffff);
    later.gridSyncPoints = 50_000;
    const built = new Promise<void>((resolve) => (later.onReady = resolve));
    later.setPoints(points, colors);
    await frame(later, g, false);
    const grey = new Uint32Array(points.n).fill(0xff808080);
    later.setColors(grey);
    await built;
    const atOnce = new PointsLayer(0xffffffff);
    atOnce.setPoints(points, grey);
    expect((await frame(later, g, false)).pixels).toEqual((await frame(atOnce, g, false)).pixels);
  });
});

describe('moving frames from the compact sample', () => {
  it('are pixel for pixel the frames drawn from the whole arrays, zoomed out and in, with hidden and emphasized points', async () => {
    const { points, colors } = map(200_000);
    const withSample = new PointsLayer(0xffffffff);
    withSample.sampleMinPoints = 0;
    const without = new PointsLayer(0xffffffff);
    without.sampleMinPoints = Infinity;
    for (const layer of [withSample, without]) {
      layer.frameBudget.targetMs = 1e-6; // both at the budget's floor of 20,000 points, whatever their measured speed
      layer.setPoints(points, colors);
      const visible = new Uint8Array(points.n).fill(1);
      for (let i = 0; i < points.n; i += 7) visible[i] = 0;
      layer.setVisible(visible);
    }
    let sampledFrames = 0;
    for (const k of [1, 1.6, 3]) {
      const g = geometry(points, k);
      const a = await frame(withSample, g, true);
      const b = await frame(without, g, true);
      expect(a.exact).toBe(false);
      expect(withSample.lastDrawn.points).toBe(without.lastDrawn.points);
      expect(a.pixels).toEqual(b.pixels);
      expect(without.lastDrawn.sampled).toBe(false);
      if (withSample.lastDrawn.sampled) sampledFrames++;
    }
    expect(sampledFrames).toBeGreaterThan(0);
    const emphasis = new Uint8Array(points.n);
    for (let i = 0; i < points.n; i += 3) emphasis[i] = 1;
    withSample.setEmphasis(emphasis);
    without.setEmphasis(emphasis);
    const g = geometry(points, 1.3);
    expect((await frame(withSample, g, true)).pixels).toEqual((await frame(without, g, true)).pixels);
  });
});
