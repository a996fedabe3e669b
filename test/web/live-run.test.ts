import { describe, expect, it } from 'vitest';
import { encodeLayoutFrame } from '../../pipeline/layout-frame.js';
import { framePoints } from '../../web/src/app/live-run.js';

describe('a layout frame as the points of the forming map', () => {
  it('keeps every row of a small map, in row order, within the stream’s 16-bit precision', () => {
    const n = 500;
    const layout = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) (layout[2 * i] = Math.cos(i) * 40), (layout[2 * i + 1] = Math.sin(i * 0.7) * 25 - 3);
    const p = framePoints(encodeLayoutFrame(layout, 150));
    expect(p.n).toBe(n);
    expect(Array.from(p.index.subarray(0, 4))).toEqual([0, 1, 2, 3]);
    for (let i = 0; i < n; i++) {
      expect(Math.abs(p.x[i] - layout[2 * i])).toBeLessThanOrEqual(80 / 65535);
      expect(Math.abs(p.y[i] - layout[2 * i + 1])).toBeLessThanOrEqual(50 / 65535);
    }
    expect(p.extent.xmin).toBeGreaterThanOrEqual(-40.01);
    expect(p.label).toBeNull();
  });

  it('names the rows of a strided frame of a big map by their row in the run', () => {
    const n = 45_000;
    const layout = new Float32Array(2 * n).map((_, k) => (k % 2 ? k / n : -k / n));
    const frame = encodeLayoutFrame(layout, 600);
    expect(frame.stride).toBe(3);
    const p = framePoints(frame);
    expect(p.n).toBe(15_000);
    expect(p.index[1]).toBe(3);
    expect(p.index[p.n - 1]).toBe(44_997);
    expect(p.y[p.n - 1]).toBeCloseTo(layout[2 * 44_997 + 1], 3);
  });

  it('carries the run\'s labels as a category column in the viewer\'s order of classes, and the input rows when the map dropped some', () => {
    const layout = Float32Array.from({ length: 2 * 6 }, (_, i) => i);
    const frame = encodeLayoutFrame(layout, 50, 100, {
      index: Int32Array.from([0, 2, 3, 5, 6, 9]),
      label: { name: 'species', kind: 'string', values: ['virginica', 'setosa', null, 'versicolor', 'setosa', 'virginica'] },
    });
    const p = framePoints(JSON.parse(JSON.stringify(frame)));
    expect(Array.from(p.index)).toEqual([0, 2, 3, 5, 6, 9]);
    expect(p.label!.name).toBe('species');
    // ordered as the finished map's label column (so the same palette colours)
    expect(p.label!.categories).toEqual(['setosa', 'versicolor', 'virginica']);
    expect(Array.from(p.label!.codes)).toEqual([2, 0, -1, 1, 0, 2]);
    expect(p.label!.counts).toEqual([2, 1, 2]);
    expect(p.label!.missing).toBe(1);
    expect(p.columns).toEqual([p.label]);
  });
});
