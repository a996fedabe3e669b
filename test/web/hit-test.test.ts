import { describe, expect, it } from 'vitest';
import { createRandom } from '../../pipeline/random.js';
import { buildTree, nearestVisible, nearestVisibleScan, pointInPolygon, rectPolygon, selectPolygon, simplifyPolygon } from '../../web/src/scatter/hit-test.js';

function cloud(n: number, seed: number) {
  const rng = createRandom(seed);
  return { x: Float32Array.from({ length: n }, () => rng.normal() * 10), y: Float32Array.from({ length: n }, () => rng.normal() * 10), rng };
}

describe('nearestVisible', () => {
  it('agrees with a linear scan on random queries, with and without hidden points', () => {
    const { x, y, rng } = cloud(5000, 1);
    const tree = buildTree(x, y);
    const visible = Uint8Array.from({ length: x.length }, () => (rng() < 0.7 ? 1 : 0));
    for (let q = 0; q < 300; q++) {
      const px = rng.normal() * 12;
      const py = rng.normal() * 12;
      const r = rng() * 2;
      expect(nearestVisible(tree, x, y, px, py, r, null)).toBe(nearestVisibleScan(x, y, px, py, r, null));
      const hit = nearestVisible(tree, x, y, px, py, r, visible);
      expect(hit).toBe(nearestVisibleScan(x, y, px, py, r, visible));
      if (hit >= 0) expect(visible[hit]).toBe(1);
    }
  });

  it('returns -1 when nothing lies within the radius', () => {
    const tree = buildTree(Float32Array.of(0, 10), Float32Array.of(0, 0));
    expect(nearestVisible(tree, Float32Array.of(0, 10), Float32Array.of(0, 0), 5, 0, 1, null)).toBe(-1);
    expect(nearestVisible(tree, Float32Array.of(0, 10), Float32Array.of(0, 0), 9.5, 0, 1, null)).toBe(1);
  });

  it('leaves NaN positions out of the tree', () => {
    const x = Float32Array.of(NaN, 1);
    const y = Float32Array.of(0, 1);
    expect(buildTree(x, y).size()).toBe(1);
  });
});

describe('polygon selection', () => {
  it('tests points against convex and concave polygons', () => {
    const square = rectPolygon(2, 2, 0, 0);
    expect(square).toEqual([0, 0, 2, 0, 2, 2, 0, 2]);
    expect(pointInPolygon(square, 1, 1)).toBe(true);
    expect(pointInPolygon(square, 3, 1)).toBe(false);
    // a U shape: the notch (1.5, 2.5) is outside
    const u = [0, 0, 3, 0, 3, 3, 2, 3, 2, 1, 1, 1, 1, 3, 0, 3];
    expect(pointInPolygon(u, 0.5, 2.5)).toBe(true);
    expect(pointInPolygon(u, 1.5, 2.5)).toBe(false);
    expect(pointInPolygon(u, 1.5, 0.5)).toBe(true);
  });

  it('selects exactly the visible points inside, with their count', () => {
    const { x, y } = cloud(2000, 2);
    const poly = [-5, -5, 5, -5, 0, 8];
    const visible = Uint8Array.from({ length: x.length }, (_, i) => (i % 2 === 0 ? 1 : 0));
    const { mask, count } = selectPolygon(x, y, poly, visible);
    let expected = 0;
    for (let i = 0; i < x.length; i++) {
      const inside = visible[i] === 1 && pointInPolygon(poly, x[i], y[i]);
      expect(mask[i]).toBe(inside ? 1 : 0);
      if (inside) expected++;
    }
    expect(count).toBe(expected);
    expect(count).toBeGreaterThan(50);
  });

  it('selects nothing for a degenerate polygon', () => {
    expect(selectPolygon(Float32Array.of(0), Float32Array.of(0), [0, 0, 1, 1], null).count).toBe(0);
  });

  it('simplifies a dense lasso to a bounded number of vertices that still selects nearly the same points', () => {
    const poly: number[] = [];
    for (let k = 0; k < 1000; k++) poly.push(10 * Math.cos((2 * Math.PI * k) / 1000), 10 * Math.sin((2 * Math.PI * k) / 1000));
    const simple = simplifyPolygon(poly, 64);
    expect(simple.length / 2).toBeLessThanOrEqual(64);
    expect(simple.length / 2).toBeGreaterThan(16);
    const { x, y } = cloud(3000, 3);
    const a = selectPolygon(x, y, poly, null).count;
    const b = selectPolygon(x, y, simple, null).count;
    expect(Math.abs(a - b) / a).toBeLessThan(0.03);
  });
});
