import { describe, expect, it } from 'vitest';
import { explainSelection } from '../../web/src/app/explain.js';

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

  it('says nothing when the selection is everything or nothing', () => {
    const v = Float64Array.from([1, 2, 3, 4]);
    expect(explainSelection([{ name: 'v', values: v }], new Uint8Array(4).fill(1))).toEqual([]);
    expect(explainSelection([{ name: 'v', values: v }], new Uint8Array(4))).toEqual([]);
  });
});
