import { describe, expect, it } from 'vitest';
import { findAbParams } from '../../../pipeline/umap/ab-params.js';

describe('findAbParams', () => {
  it("matches umap-learn's published a, b for the default min_dist 0.1 and spread 1", () => {
    const { a, b } = findAbParams(1, 0.1);
    // umap-learn 0.5.3 find_ab_params(1.0, 0.1) = (1.5769434601962196, 0.8950608779914887)
    expect(a).toBeCloseTo(1.577, 3);
    expect(b).toBeCloseTo(0.895, 3);
    expect(Math.abs(a - 1.5769434601962196)).toBeLessThan(1e-5);
    expect(Math.abs(b - 0.8950608779914887)).toBeLessThan(1e-5);
  });

  it('matches umap-learn for other min_dist and spread', () => {
    // find_ab_params(spread, min_dist) from umap-learn 0.5.3
    const cases: [number, number, number, number][] = [
      [1, 0.001, 1.9290733952004866, 0.7915045329560677],
      [1, 0.5, 0.583030020479462, 1.3341669929263487],
      [2, 0.1, 0.5446605403757238, 0.8420554264219823],
    ];
    for (const [spread, minDist, a, b] of cases) {
      const fit = findAbParams(spread, minDist);
      expect(fit.a, `a for ${spread}, ${minDist}`).toBeCloseTo(a, 4);
      expect(fit.b, `b for ${spread}, ${minDist}`).toBeCloseTo(b, 4);
    }
  });

  it('refuses a min_dist above the spread', () => {
    expect(() => findAbParams(1, 1.5)).toThrow(/minDist must be between 0 and spread/);
    expect(() => findAbParams(0, 0)).toThrow(/spread must be positive/);
  });
});
