import { describe, expect, it } from 'vitest';
import type { Decoded } from '../../web/src/api.js';
import { explainSelection, explanationOf, mergeSeparations } from '../../web/src/app/explain.js';

describe('explain a selection', () => {
  it('ranks columns by standardized mean difference, with both means, and skips constant ones', () => {
    const n = 1000;
    const mask = Uint8Array.from({ length: n }, (_, i) => (i < 100 ? 1 : 0));
    const shifted = Float64Array.from({ length: n }, (_, i) => (i < 100 ? 3 : 0) + ((i * 7919) % 13) / 13);
    const lower = Float64Array.from({ length: n }, (_, i) => (i < 100 ? -0.5 : 0) + ((i * 104729) % 17) / 17);
    const flat = new Float64Array(n).fill(2);
    const r = explainSelection(
      [
        { name: 'lower', values: lower },
        { name: 'flat', values: flat },
        { name: 'shifted', values: shifted },
      ],
      mask,
    );
    expect(r.map((s) => s.name)).toEqual(['shifted', 'lower']);
    expect(r[0].d).toBeGreaterThan(5);
    expect(r[0].meanIn - r[0].meanOut).toBeCloseTo(3, 1);
    expect(r[1].d).toBeLessThan(-1);
  });

  it('floors the pooled spread at a 20th of the column\'s range, as the server does: a near-blank column ranks below a real difference', () => {
    const n = 4000;
    const mask = Uint8Array.from({ length: n }, (_, i) => (i < 200 ? 1 : 0));
    // 0 but for faint values in a tenth of the selection and one bright row in the rest (textbook d 0.33)
    const blank = Float64Array.from({ length: n }, (_, i) => (i < 200 ? (i % 10 === 0 ? 0.05 : 0) : i === 3000 ? 0.9 : 0));
    // a real shift of 0.08 on values spread over 0..1 (textbook d 0.28: below the blank column's, unfloored)
    const real = Float64Array.from({ length: n }, (_, i) => (i < 200 ? 0.08 : 0) + ((i * 7919) % 101) / 101);
    const r = explainSelection([{ name: 'blank', values: blank }, { name: 'real', values: real }], mask);
    expect(r.map((s) => s.name)).toEqual(['real', 'blank']);
    const b = r[1]!;
    expect(b.d).toBeCloseTo((b.meanIn - b.meanOut) / (0.05 * 0.9), 6);
    expect(b.d).toBeLessThan(0.15);
  });

  it('says nothing when the selection is everything or nothing', () => {
    const v = Float64Array.from([1, 2, 3, 4]);
    expect(explainSelection([{ name: 'v', values: v }], new Uint8Array(4).fill(1))).toEqual([]);
    expect(explainSelection([{ name: 'v', values: v }], new Uint8Array(4))).toEqual([]);
  });
});

describe('the explanation once the server compared the features and code units', () => {
  const own = [{ name: 'reconstruction error', d: 0.9, meanIn: 0.3, meanOut: 0.1 }];
  const decoded = (image: { width: number; height: number; channels: number } | null, featureD: (number | null)[] | null): Decoded =>
    ({
      image,
      separation: {
        features: [
          { name: 'pixel_5', d: -2.5, meanIn: 0.1, meanOut: 0.7 },
          { name: 'pixel_1', d: 0.4, meanIn: 0.5, meanOut: 0.4 },
        ],
        units: [{ name: 'unit 3', d: 1.7, meanIn: 2, meanOut: -1 }],
        featureD,
        note: null,
      },
    }) as unknown as Decoded;

  it('ranks the pane’s columns and the features together by |d|, and keeps the code units apart', () => {
    const e = explanationOf(own, decoded(null, null));
    expect(e.columns.map((c) => c.name)).toEqual(['pixel_5', 'reconstruction error', 'pixel_1']);
    expect(e.units).toEqual([{ name: 'unit 3', d: 1.7, meanIn: 2, meanOut: -1 }]);
    expect(e.heat).toBeNull();
  });

  it('gives image runs a heat map of every pixel’s d over the picture', () => {
    const d = [0, 0.4, 0, 0, 0, -2.5];
    const e = explanationOf(own, decoded({ width: 3, height: 2, channels: 1 }, d));
    expect(e.heat).toEqual({ d, image: { width: 3, height: 2, channels: 1 } });
  });

  it('keeps the pane’s own columns when the server sent no comparison', () => {
    expect(explanationOf(own, { separation: null } as unknown as Decoded)).toEqual({ columns: own });
  });

  it('merges at most the number of rows asked for, leaving out undefined differences', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({ name: `f${i}`, d: i % 5 === 0 ? null : i / 10 }));
    const merged = mergeSeparations(many, [], 5);
    expect(merged.map((m) => m.name)).toEqual(['f19', 'f18', 'f17', 'f16', 'f14']);
  });
});
