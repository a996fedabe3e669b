import { describe, expect, it } from 'vitest';
import { diskSprite, drawOrder, pointStyle, renderPoints } from '../../web/src/scatter/render.js';

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
    expect(dim & 255).toBeGreaterThan(200); // mostly background
  });

  it('clips points partly outside the buffer and ignores NaN coordinates', () => {
    const { at, drawn } = render({ x: [-0.5, NaN, 1.45], y: [0, 0, 0], colors: [RED, RED, BLUE], radius: 2 });
    expect(drawn).toBe(2); // the NaN point is not drawn (nothing at pixel 5)
    expect(at(5, 5)).toBe(BG);
    expect(at(19, 5)).toBe(BLUE);
  });
});

describe('sprites, order and style', () => {
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
