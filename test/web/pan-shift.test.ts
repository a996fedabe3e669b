import { describe, expect, it } from 'vitest';
import { panShift, shiftPixels, uncoveredStrips } from '../../web/src/scatter/pan-shift.js';
import { renderPoints, type RenderInput, type RenderOptions } from '../../web/src/scatter/render.js';

const W = 97;
const H = 61;

function cloud(n: number): RenderInput {
  let s = 9;
  const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const colors = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = r() * 12 - 1;
    y[i] = r() * 8 - 1;
    colors[i] = i % 3 === 0 ? 0xff0000ff : i % 3 === 1 ? 0xff00ff00 : 0xffff0000;
  }
  return { n, x, y, colors, emphasis: Uint8Array.from({ length: n }, (_, i) => (i % 5 === 0 ? 1 : 0)) };
}
const opts: RenderOptions = { width: W, height: H, radius: 2.2, alpha: 0.6, background: 0xffffffff };

describe('pan by shifting the previous frame', () => {
  const input = cloud(3000);
  const t1 = { ax: 9.5, bx: 3.25, ay: -8, by: 58.5 };

  for (const [sx, sy] of [[7, 0], [-5, 0], [0, 4], [0, -9], [6, -3], [-11, 8]]) {
    it(`gives the same pixels as a full redraw for a shift of (${sx}, ${sy})`, () => {
      const t2 = { ...t1, bx: t1.bx + sx, by: t1.by + sy };
      const full = new Uint32Array(W * H);
      renderPoints(full, input, t2, opts);
      const buf = new Uint32Array(W * H);
      renderPoints(buf, input, t1, opts);
      shiftPixels(buf, W, H, sx, sy);
      const strips = uncoveredStrips(W, H, sx, sy);
      expect(strips.length).toBe((sx !== 0 ? 1 : 0) + (sy !== 0 ? 1 : 0));
      for (const clip of strips) renderPoints(buf, input, t2, { ...opts, clip });
      let differ = 0;
      for (let p = 0; p < buf.length; p++) if (buf[p] !== full[p]) differ++;
      expect(differ).toBe(0);
    });
  }

  it('reuses a frame only for a pan of less than half the view at the same scale and point size', () => {
    const shown = { transform: t1, width: W, height: H, radius: 2 };
    expect(panShift(shown, { ...shown, transform: { ...t1, bx: t1.bx + 3.4, by: t1.by - 2.6 } })).toEqual({ sx: 3, sy: -3 });
    expect(panShift(shown, { ...shown, transform: { ...t1, ax: t1.ax * 1.15 } })).toBeNull();
    expect(panShift(shown, { ...shown, radius: 2.5 })).toBeNull();
    expect(panShift(shown, { ...shown, transform: { ...t1, bx: t1.bx + 60 } })).toBeNull();
    expect(panShift(shown, { ...shown, width: W + 1 })).toBeNull();
  });

  it('draws only inside the clip, clearing it first', () => {
    const buf = new Uint32Array(W * H).fill(0xff123456);
    renderPoints(buf, input, t1, { ...opts, clip: { x0: 10, y0: 5, x1: 20, y1: 15 } });
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const inside = x >= 10 && x < 20 && y >= 5 && y < 15;
        if (!inside) expect(buf[y * W + x]).toBe(0xff123456);
        else expect(buf[y * W + x]).not.toBe(0xff123456);
      }
    }
  });
});
