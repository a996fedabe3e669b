import { describe, expect, it } from 'vitest';
import { decodeLayoutFrame, encodeLayoutFrame, isLayoutFrame } from '../../pipeline/layout-frame.js';
import { createRandom } from '../../pipeline/random.js';

describe('layout frames', () => {
  it('round-trip a layout within the quantization step, with its bounding box', () => {
    const rng = createRandom(2);
    const layout = Float32Array.from({ length: 2000 }, () => rng.normal() * 30);
    const frame = encodeLayoutFrame(layout, 75);
    expect(frame).toMatchObject({ type: 'layout', iteration: 75, rows: 1000, stride: 1 });
    expect(isLayoutFrame(JSON.parse(JSON.stringify(frame)))).toBe(true);
    const back = decodeLayoutFrame(frame);
    expect(back.length).toBe(2000);
    const [x0, y0, x1, y1] = frame.box;
    for (let i = 0; i < 1000; i++) {
      expect(Math.abs(back[2 * i]! - layout[2 * i]!)).toBeLessThanOrEqual((x1 - x0) / 65535 + 1e-4);
      expect(Math.abs(back[2 * i + 1]! - layout[2 * i + 1]!)).toBeLessThanOrEqual((y1 - y0) / 65535 + 1e-4);
    }
  });

  it('keeps every stride-th row of a large layout, at most the cap', () => {
    const layout = Float32Array.from({ length: 2 * 25_001 }, (_, i) => (i % 2 ? -i : i));
    const frame = encodeLayoutFrame(layout, 1, 10_000);
    expect(frame.stride).toBe(3);
    const back = decodeLayoutFrame(frame);
    expect(back.length / 2).toBe(8334);
    // point k is row 3k
    expect(back[2 * 100]).toBeCloseTo(layout[2 * 300]!, 0);
  });

  it('draws a single point or a flat layout without dividing by zero', () => {
    const frame = encodeLayoutFrame(Float32Array.from([2, 2, 2, 2]), 0);
    expect(Array.from(decodeLayoutFrame(frame))).toEqual([2, 2, 2, 2]);
    expect(isLayoutFrame({ ...frame, stride: 0 })).toBe(false);
    expect(isLayoutFrame({ type: 'layout' })).toBe(false);
  });
});
