import { describe, expect, it } from 'vitest';
import { decodeFrameRows, decodeLayoutFrame, encodeLayoutFrame, isLayoutFrame, MAX_FRAME_CLASSES } from '../../pipeline/layout-frame.js';
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

  it('names its rows with the map rows: their input rows when some were dropped, and their labels', () => {
    // 25,001 map rows, every third in a frame of at most 10,000; the map dropped input rows 0 and 1
    const n = 25_001;
    const layout = Float32Array.from({ length: 2 * n }, (_, i) => i);
    const index = Int32Array.from({ length: n }, (_, r) => r + 2);
    const labels = Array.from({ length: n }, (_, r) => (r % 7 === 0 ? null : ['cat', 'dog', 'emu'][r % 3]!));
    const about = { index, label: { name: 'animal', kind: 'string' as const, values: labels } };
    const frame = encodeLayoutFrame(layout, 50, 10_000, about);
    expect(isLayoutFrame(JSON.parse(JSON.stringify(frame)))).toBe(true);
    expect(frame.label!.classes.slice().sort()).toEqual(['cat', 'dog', 'emu']);
    const rows = decodeFrameRows(frame);
    expect(rows.index.length).toBe(8334);
    expect(rows.index[100]).toBe(302);
    for (const k of [0, 1, 2, 7, 100, 8333]) {
      const want = labels[3 * k];
      expect(rows.label!.codes[k] < 0 ? null : rows.label!.classes[rows.label!.codes[k]!]).toBe(want);
    }
    // the next frame of the same map reuses the encoded rows
    expect(encodeLayoutFrame(layout, 100, 10_000, about).label).toBe(frame.label);
  });

  it('gives numeric labels as their text, rows without an index as k * stride, and leaves out a label with too many classes', () => {
    const layout = new Float32Array(2 * 6);
    const digits = encodeLayoutFrame(layout, 1, 100, { index: null, label: { name: 'digit', kind: 'number', values: Float64Array.from([3, 1, NaN, 3, 0.5, 1]) } });
    const rows = decodeFrameRows(digits);
    expect(Array.from(rows.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(Array.from(rows.label!.codes, (c) => (c < 0 ? null : rows.label!.classes[c]))).toEqual(['3', '1', null, '3', '0.5', '1']);
    const many = MAX_FRAME_CLASSES + 1;
    const ids = encodeLayoutFrame(new Float32Array(2 * many), 1, many, { index: null, label: { name: 'id', kind: 'number', values: Float64Array.from({ length: many }, (_, i) => i) } });
    expect(ids.label).toBeUndefined();
    expect(decodeFrameRows(ids).label).toBeNull();
    // a malformed label is not a frame
    expect(isLayoutFrame({ ...digits, label: { name: 'digit', classes: [3], codes: '' } })).toBe(false);
  });
});
