import { describe, expect, it } from 'vitest';
import { buildGrid, nearestInGrid, pointsInGridBox } from '../../web/src/scatter/grid-index.js';
import { nearestVisibleScan } from '../../web/src/scatter/hit-test.js';
import { chunkPlan, emptyLodPlan, exactPlan, lodPlan, planSize, waterLevel } from '../../web/src/scatter/lod.js';

function cloud(n: number, seed: number): { x: Float32Array; y: Float32Array } {
  let s = seed;
  const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    // a dense core and a sparse halo
    const dense = i % 4 !== 0;
    x[i] = dense ? 5 + r() : r() * 20;
    y[i] = dense ? 5 + r() : r() * 20;
  }
  return { x, y };
}
const extent = { xmin: 0, xmax: 20, ymin: 0, ymax: 20 };

describe('grid index', () => {
  const { x, y } = cloud(20000, 3);
  x[7] = NaN;
  x[8] = 500; // a far outlier beyond the extent: clamped into an edge cell
  const g = buildGrid(x, y, extent, 32);

  it('holds every finite point exactly once, sorted by cell', () => {
    expect(g.ids.length).toBe(19999);
    const seen = new Uint8Array(x.length);
    for (const i of g.ids) seen[i]++;
    expect(seen[7]).toBe(0);
    expect(Array.from(seen).filter((v) => v === 1).length).toBe(19999);
    expect(g.start[g.start.length - 1]).toBe(19999);
  });

  it('finds the same nearest visible point as a linear scan, outliers and hidden points included', () => {
    const visible = new Uint8Array(x.length).fill(1);
    for (let i = 0; i < x.length; i += 3) visible[i] = 0;
    let s = 11;
    const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    for (let q = 0; q < 300; q++) {
      const px = r() * 22 - 1;
      const py = r() * 22 - 1;
      for (const radius of [0.05, 0.6, 3]) {
        for (const vis of [null, visible]) {
          expect(nearestInGrid(g, x, y, px, py, radius, vis)).toBe(nearestVisibleScan(x, y, px, py, radius, vis));
        }
      }
    }
    expect(nearestInGrid(g, x, y, 499, y[8], 2, null)).toBe(8);
  });

  it('lists the points inside a box, or null past the limit', () => {
    const box = { xmin: 1, xmax: 3, ymin: 1, ymax: 3 };
    const want: number[] = [];
    for (let i = 0; i < x.length; i++) if (x[i] >= 1 && x[i] <= 3 && y[i] >= 1 && y[i] <= 3) want.push(i);
    expect(pointsInGridBox(g, x, y, box, null, 1e6)).toEqual(want);
    expect(pointsInGridBox(g, x, y, box, null, want.length - 1)).toBeNull();
  });
});

describe('level of detail', () => {
  const { x, y } = cloud(200000, 5);
  const g = buildGrid(x, y, extent, 64);
  const all = { xmin: 0, xmax: 20, ymin: 0, ymax: 20 };

  it('draws every point at rest and when the view holds fewer than the budget', () => {
    expect(planSize(exactPlan(g, all))).toBe(200000);
    const small = { xmin: 15, xmax: 20, ymin: 15, ymax: 20 };
    expect(planSize(lodPlan(g, small, 100000, emptyLodPlan()))).toBe(planSize(exactPlan(g, small)));
  });

  it('thins only the dense core to meet the budget, keeping every sparse point, with the opacity of what it stands for', () => {
    const plan = lodPlan(g, all, 60000, emptyLodPlan());
    const size = planSize(plan);
    expect(size).toBeLessThanOrEqual(60000);
    expect(size).toBeGreaterThan(55000);
    const drawn = new Uint8Array(x.length);
    for (let r = 0; r < plan.count; r++) for (let k = plan.from[r]; k < plan.to[r]; k++) drawn[g.ids[k]] = 1;
    // every halo point outside the core square is kept
    let haloKept = 0;
    let halo = 0;
    let core = 0;
    let coreKept = 0;
    for (let i = 0; i < x.length; i++) {
      const inCore = x[i] >= 4.5 && x[i] <= 6.5 && y[i] >= 4.5 && y[i] <= 6.5;
      if (inCore) (core++, (coreKept += drawn[i]));
      else (halo++, (haloKept += drawn[i]));
    }
    expect(haloKept).toBe(halo);
    expect(coreKept / core).toBeLessThan(0.3);
    let boosted = 0;
    for (let r = 0; r < plan.count; r++) if (plan.boost![r] > 1) boosted++;
    expect(boosted).toBeGreaterThan(0);
  });

  it("fills the previous frame's arrays when they are large enough, with the stretches fresh arrays get", () => {
    const first = lodPlan(g, all, 60000, emptyLodPlan());
    const part = { xmin: 2, xmax: 12, ymin: 2, ymax: 12 };
    const reused = lodPlan(g, part, 30000, first);
    const fresh = lodPlan(g, part, 30000, emptyLodPlan());
    expect(reused.from).toBe(first.from); // no new arrays for a view with fewer cells
    expect(reused.count).toBe(fresh.count);
    expect(reused.count).toBeGreaterThan(0);
    for (let r = 0; r < fresh.count; r++) {
      expect([reused.from[r], reused.to[r], reused.boost![r]]).toEqual([fresh.from[r], fresh.to[r], fresh.boost![r]]);
    }
    expect(planSize(reused)).toBeLessThanOrEqual(30000);
  });

  it('finds the water level a brute-force search finds: the largest cap whose capped counts fit the budget', () => {
    const brute = (c0: number, c1: number, r0: number, r1: number, budget: number) => {
      let best = 1;
      for (let q = 1; q <= 200000; q++) {
        let sum = 0;
        for (let r = r0; r <= r1; r++) for (let c = c0; c <= c1; c++) sum += Math.min(g.start[r * g.cols + c + 1] - g.start[r * g.cols + c], q);
        if (sum > budget) break;
        best = q;
        if (sum === planSize(exactPlan(g, all))) break;
      }
      return best;
    };
    let max = 0;
    for (let c = 0; c < g.cols * g.rows; c++) max = Math.max(max, g.start[c + 1] - g.start[c]);
    for (const budget of [5000, 60000, 150000]) {
      const q = waterLevel(g, 0, 63, 0, 63, max, budget);
      expect(q).toBe(brute(0, 63, 0, 63, budget));
    }
    expect(waterLevel(g, 10, 30, 12, 40, max, 20000)).toBe(brute(10, 30, 12, 40, 20000));
    // fewer points allowed than non-empty cells: one point a cell
    expect(waterLevel(g, 0, 63, 0, 63, max, 10)).toBe(1);
  });

  it('splits the exact plan into chunks that together draw each point once', () => {
    const chunks = chunkPlan(exactPlan(g, all), 30000);
    expect(chunks.length).toBe(7);
    expect(chunks.reduce((s, c) => s + planSize(c), 0)).toBe(200000);
    expect(chunks.slice(0, 6).every((c) => planSize(c) === 30000)).toBe(true);
  });
});
