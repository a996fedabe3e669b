import { describe, expect, it } from 'vitest';
import { primeDrawing } from '../../web/src/scatter/prime.js';
import { DIM_KEEP, diskSprite, drawOrder, pointStyle, renderPoints, type DrawPlan, type RenderInput } from '../../web/src/scatter/render.js';

const BG = 0xffffffff;
const RED = 0xff0000ff; // rgba(255,0,0,1) packed little-endian
const BLUE = 0xffff0000;

function render(opts: { visible?: Uint8Array; emphasis?: Uint8Array; alpha?: number; radius?: number; x?: number[]; y?: number[]; colors?: number[] } = {}) {
  const w = 20;
  const h = 10;
  const buf = new Uint32Array(w * h);
  const x = Float32Array.from(opts.x ?? [0, 1]);
  const y = Float32Array.from(opts.y ?? [0, 0]);
  const drawn = renderPoints(
    buf,
    { n: x.length, x, y, colors: Uint32Array.from(opts.colors ?? [RED, BLUE]), visible: opts.visible ?? null, emphasis: opts.emphasis ?? null },
    { ax: 10, bx: 5, ay: 1, by: 5 }, // data x 0 → pixel 5, x 1 → pixel 15; y 0 → row 5
    { width: w, height: h, radius: opts.radius ?? 1, alpha: opts.alpha ?? 1, background: BG },
  );
  return { buf, drawn, at: (px: number, py: number) => buf[py * w + px] >>> 0 };
}

describe('renderPoints', () => {
  it('draws opaque points at their pixel positions and leaves the background elsewhere', () => {
    const { at, drawn } = render();
    expect(drawn).toBe(2);
    expect(at(5, 5)).toBe(RED);
    expect(at(15, 5)).toBe(BLUE);
    expect(at(10, 5)).toBe(BG);
    expect(at(0, 0)).toBe(BG);
  });

  it('skips hidden points', () => {
    const { at, drawn } = render({ visible: Uint8Array.from([0, 1]) });
    expect(drawn).toBe(1);
    expect(at(5, 5)).toBe(BG);
    expect(at(15, 5)).toBe(BLUE);
  });

  it('blends translucent points over the background', () => {
    const { at } = render({ alpha: 0.5 });
    const c = at(5, 5);
    expect(c & 255).toBe(255); // red stays 255
    expect((c >>> 8) & 255).toBeGreaterThan(120); // green halfway toward 0
    expect((c >>> 8) & 255).toBeLessThan(136);
  });

  it('dims points outside the emphasis and draws the emphasized ones opaque', () => {
    const { at } = render({ emphasis: Uint8Array.from([1, 0]) });
    expect(at(5, 5)).toBe(RED);
    const dim = at(15, 5);
    expect(dim).not.toBe(BLUE);
    expect(dim & 255).toBeGreaterThanOrEqual(Math.floor(255 * (1 - DIM_KEEP)) - 1); // mostly background
  });

  it('keeps the dimmed points a pale tint at every density, apart from the emphasized ones drawn on top', () => {
    // a dense pile of dimmed blue points (2,000 on one pixel) and one emphasized red point, both at the
    // 200k-point opacity: the pile saturated to full blue under the old per-point dimming (0.12 each)
    const m = 2001;
    const x = new Array<number>(m).fill(1);
    const y = new Array<number>(m).fill(0);
    x[0] = 0;
    const colors = new Array<number>(m).fill(BLUE);
    colors[0] = RED;
    const emphasis = new Uint8Array(m);
    emphasis[0] = 1;
    const { at } = render({ x, y, colors, emphasis, alpha: 0.7, radius: 1.7 });
    const pile = at(15, 5);
    // blue (ABGR: red channel in the low byte) keeps at most 28 % of its distance from white: red >= 255 - 0.28 * 255
    expect(pile & 255).toBeGreaterThanOrEqual(Math.floor(255 * (1 - DIM_KEEP)) - 1);
    expect((pile >>> 16) & 255).toBe(255);
    // the emphasized point: its own colour, nearly opaque
    const hit = at(5, 5);
    expect(hit & 255).toBeGreaterThan(235);
    expect((hit >>> 8) & 255).toBeLessThan(30);
    // a lone dimmed point still shows (a tint, not the background)
    const lone = render({ x: [0, 1], y: [0, 0], colors: [RED, BLUE], emphasis: Uint8Array.from([1, 0]), alpha: 0.7, radius: 1.7 }).at(15, 5);
    expect(lone).not.toBe(BG);
    expect(lone & 255).toBeGreaterThan(200);
  });

  it('draws the dimmed points smaller than the emphasized ones', () => {
    const lit = render({ x: [1], y: [0], colors: [BLUE], emphasis: Uint8Array.from([1]), radius: 3 });
    const dim = render({ x: [1], y: [0], colors: [BLUE], emphasis: Uint8Array.from([0]), radius: 3 });
    const covered = (buf: Uint32Array) => buf.reduce((k, v) => k + (v !== BG ? 1 : 0), 0);
    expect(covered(dim.buf)).toBeLessThan(covered(lit.buf) / 2);
  });

  it('clips points partly outside the buffer and ignores NaN coordinates', () => {
    const { at, drawn } = render({ x: [-0.5, NaN, 1.45], y: [0, 0, 0], colors: [RED, RED, BLUE], radius: 2 });
    expect(drawn).toBe(2); // the NaN point is not drawn (nothing at pixel 5)
    expect(at(5, 5)).toBe(BG);
    expect(at(19, 5)).toBe(BLUE);
  });
});

describe('clipping and boosted stretches', () => {
  // 200 points spread past every edge of a 60 x 40 buffer, fractional coordinates and transform
  const n = 200;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const colors = new Uint32Array(n);
  let s = 5;
  const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    x[i] = rnd() * 1.3 - 0.15;
    y[i] = rnd() * 1.3 - 0.15;
    colors[i] = (0xff000000 | Math.floor(rnd() * 0xffffff)) >>> 0;
  }
  const input: RenderInput = { n, x, y, colors, order: null, visible: null, emphasis: null, marked: null };
  const t = { ax: 57.3, bx: 1.4, ay: -38.6, by: 39.2 };
  const opts = { width: 60, height: 40, radius: 2.6, alpha: 0.7, background: 0xffffffff };

  it('draws inside a clip exactly what the whole frame has there, sprites across its edge included, and nothing outside it', () => {
    const whole = new Uint32Array(60 * 40);
    renderPoints(whole, input, t, opts);
    const clip = { x0: 13, y0: 7, x1: 41, y1: 29 };
    const part = new Uint32Array(60 * 40).fill(0xff123456);
    renderPoints(part, input, t, { ...opts, clip });
    let inside = 0;
    for (let py = 0; py < 40; py++) {
      for (let px = 0; px < 60; px++) {
        const p = py * 60 + px;
        if (px >= clip.x0 && px < clip.x1 && py >= clip.y0 && py < clip.y1) {
          expect(part[p]).toBe(whole[p]);
          if (whole[p] !== 0xffffffff) inside++;
        } else expect(part[p]).toBe(0xff123456);
      }
    }
    expect(inside).toBeGreaterThan(100);
  });

  it('draws a stretch standing for many points opaque where its sprite covers a pixel fully, blended elsewhere', () => {
    const one: RenderInput = { ...input, n: 1, x: Float32Array.of(0.5), y: Float32Array.of(0.5), colors: Uint32Array.of(RED) };
    const plan = (boost: number): DrawPlan => ({ from: Uint32Array.of(0), to: Uint32Array.of(1), boost: Float32Array.of(boost), count: 1, sampled: false });
    const dense = new Uint32Array(60 * 40);
    renderPoints(dense, one, t, opts, plan(12));
    const single = new Uint32Array(60 * 40);
    renderPoints(single, one, t, opts, plan(1));
    const centre = 19 * 60 + 30; // the point lands at pixel (30.05, 19.9)
    expect(dense[centre]).toBe(RED); // 1 - 0.3^12 of opacity rounds to 256/256
    expect(single[centre]).not.toBe(RED);
    expect(single[centre] & 255).toBe(255);
  });

  it('draws the same after primeDrawing (it shares the sprites, their weights and the scratch arrays)', () => {
    const before = new Uint32Array(60 * 40);
    renderPoints(before, input, t, opts);
    primeDrawing();
    const after = new Uint32Array(60 * 40);
    renderPoints(after, input, t, opts);
    expect(Array.from(after)).toEqual(Array.from(before));
  });
});

describe('sprites, order and style', () => {
  it('lays each sprite pixel in exactly one of its horizontal runs, in the same order', () => {
    for (const r of [0.5, 1, 1.75, 2.6, 9]) {
      const sp = diskSprite(r);
      const pixels: string[] = [];
      for (let j = 0; j < sp.runX.length; j++) {
        for (let q = 0; q < sp.runLen[j]; q++) {
          const s2 = sp.runAt[j] + q;
          expect(sp.dx[s2]).toBe(sp.runX[j] + q);
          expect(sp.dy[s2]).toBe(sp.runY[j]);
          pixels.push(`${sp.dx[s2]},${sp.dy[s2]}`);
        }
      }
      expect(pixels.length).toBe(sp.dx.length);
      expect(new Set(pixels).size).toBe(sp.dx.length);
    }
  });

  it('makes round sprites whose coverage grows with the radius', () => {
    const small = diskSprite(1);
    const big = diskSprite(3);
    expect(big.dx.length).toBeGreaterThan(small.dx.length);
    const area = Array.from(big.cover).reduce((a, b) => a + b, 0) / 256;
    expect(area).toBeGreaterThan(Math.PI * 9 * 0.9);
    expect(area).toBeLessThan(Math.PI * 9 * 1.1);
  });

  it('draws in a seeded permutation of all points', () => {
    const o = drawOrder(1000, 3);
    expect(Array.from(o).sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(drawOrder(1000, 3))).toEqual(Array.from(o));
    expect(Array.from(o.slice(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('shrinks points as their number grows and enlarges them when zoomed in', () => {
    expect(pointStyle(1000, 1).radius).toBeGreaterThan(pointStyle(1_000_000, 1).radius);
    expect(pointStyle(1000, 8).radius).toBeGreaterThan(pointStyle(1000, 1).radius);
  });
});
