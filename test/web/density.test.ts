import { describe, expect, it } from 'vitest';
import { describeClusters, labelClusters, smd } from '../../web/src/app/clusters.js';
import { formatNumber } from '../../web/src/format.js';
import { categoryColumn, numberColumn, type DecodedPoints } from '../../web/src/points.js';
import { islandMap } from '../../bench/island-maps.js';
import { DENSITY_SIDE, GRID_MARGIN, MAX_CLUSTER_SIDE, clusterResolution, contourReach, densityBlur, densityContours, densityGrid } from '../../web/src/scatter/density.js';
import * as T from '../../web/src/scatter/transform.js';
import { clusterReason, densestFirst, findClusters } from '../../web/src/scatter/mode-clusters.js';
import { fitExtent } from '../../web/src/points.js';

/** A seeded uniform random number generator in [0, 1] (a linear congruential one). */
function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
}
/** The three group centers of the synthetic maps below. */
const CENTERS = [
  [0, 0],
  [20, 0],
  [10, 18],
];

function blobs(n: number, seed: number): { x: Float32Array; y: Float32Array; truth: Int32Array } {
  const r = lcg(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const centers = CENTERS;
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const truth = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    // sizes 3:2:1
    const c = i % 6 < 3 ? 0 : i % 6 < 5 ? 1 : 2;
    truth[i] = c;
    x[i] = centers[c][0] + g() * 1.5;
    y[i] = centers[c][1] + g() * 1.5;
  }
  return { x, y, truth };
}
const extentOf = (x: Float32Array, y: Float32Array) => ({ xmin: Math.min(...x), xmax: Math.max(...x), ymin: Math.min(...y), ymax: Math.max(...y) });

describe('density and clusters', () => {
  const { x, y, truth } = blobs(6000, 9);
  const grid = densityGrid(x, y, extentOf(x, y));

  it('bins every point into the smoothed grid (blur keeps the total)', () => {
    const total = grid.values.reduce((a, b) => a + b, 0);
    expect(total).toBeCloseTo(6000, -1);
  });

  it('draws contour rings around each blob, the innermost level only around blob cores', () => {
    const levels = densityContours(grid, 5);
    expect(levels).toHaveLength(5);
    const top = levels[levels.length - 1];
    expect(top.rings.length).toBeGreaterThanOrEqual(1);
    for (const ring of top.rings) {
      let cx = 0;
      let cy = 0;
      for (let k = 0; k < ring.length; k += 2) (cx += ring[k]), (cy += ring[k + 1]);
      cx /= ring.length / 2;
      cy /= ring.length / 2;
      const near = [
        [0, 0],
        [20, 0],
        [10, 18],
      ].some(([a, b]) => Math.hypot(cx - a, cy - b) < 3);
      expect(near).toBe(true);
    }
  });

  it('finds the three blobs as clusters, largest first, agreeing with the truth for almost every point', () => {
    const { assignment, clusters } = findClusters(grid, x, y);
    expect(clusters).toHaveLength(3);
    // sizes 3000 : 2000 : 1000, less the fringe left as noise
    expect(clusters[0].size).toBeGreaterThan(2700);
    expect(clusters[1].size).toBeGreaterThan(1800);
    expect(clusters[2].size).toBeGreaterThan(900);
    let agree = 0;
    for (let i = 0; i < x.length; i++) if (assignment[i] === truth[i]) agree++;
    expect(agree / x.length).toBeGreaterThan(0.9);
    expect(Math.hypot(clusters[1].peak[0] - 20, clusters[1].peak[1])).toBeLessThan(2);
  });

  it('names clusters by their dominant label, or by the column that sets them apart', () => {
    const { assignment, clusters } = findClusters(grid, x, y);
    const label = categoryColumn('label', Array.from(truth, (c) => ['cat', 'dog', 'owl'][c]));
    const score = numberColumn('score', Float64Array.from(truth, (c, i) => (c === 2 ? 10 : 0) + (i % 7) * 0.1));
    const base = { n: x.length, index: new Int32Array(x.length), x, y, error: null, isNew: null, extent: extentOf(x, y), raw: [] };
    const withLabel = { ...base, label, columns: [label, score] } as DecodedPoints;
    const named = labelClusters(withLabel, assignment, clusters).labels;
    expect(named.map((l) => l.text.replace(/ \(\d+ %\)/, ''))).toEqual(['C1 · cat', 'C2 · dog', 'C3 · owl']);
    const noLabel = { ...base, label: null, columns: [score] } as DecodedPoints;
    const byScore = labelClusters(noLabel, assignment, clusters);
    expect(byScore.labels[2].text).toBe('C3 · score high');
    expect(byScore.labels[2].reason).toMatch(/sd\)$/);
    expect(byScore.column.categories).toEqual(byScore.labels.map((l) => l.text));
    expect(smd(score, (i) => truth[i] === 2)!.d).toBeGreaterThan(1.5);
  });

  it('describes every cluster in one pass with the figures of a pass over its own rows (dominant share, standardized mean difference)', () => {
    const { assignment, clusters } = findClusters(grid, x, y);
    const label = categoryColumn('label', Array.from(truth, (c, i) => (i % 11 === 0 ? null : ['cat', 'dog', 'owl'][(c + (i % 5 === 0 ? 1 : 0)) % 3])));
    const score = numberColumn('score', Float64Array.from(truth, (c, i) => (i % 13 === 0 ? NaN : c * 0.7 + Math.sin(i))));
    const base = { n: x.length, index: new Int32Array(x.length), x, y, error: null, isNew: null, extent: extentOf(x, y), raw: [] };
    const sizes = clusters.map((c) => c.size);
    // with labels: each cluster's dominant label and its share, counted over the cluster's rows alone
    const named = describeClusters({ ...base, label, columns: [label] } as DecodedPoints, assignment, sizes);
    clusters.forEach((c, k) => {
      const counts = [0, 0, 0];
      for (let i = 0; i < x.length; i++) if (assignment[i] === k && label.codes[i] >= 0) counts[label.codes[i]]++;
      const best = counts.indexOf(Math.max(...counts));
      expect(named[k].text).toBe(`${label.categories[best]} (${Math.round((100 * counts[best]) / c.size)} %)`);
    });
    // without: the standardized mean difference of each cluster, to the last digit of a pass over its rows
    const byScore = describeClusters({ ...base, label: null, columns: [score] } as DecodedPoints, assignment, sizes);
    clusters.forEach((_, k) => {
      const d = smd(score, (i) => assignment[i] === k)!;
      expect(byScore[k].reason).toBe(`mean score ${formatNumber(d.mean)} against ${formatNumber(d.overall)} overall (${d.d > 0 ? '+' : ''}${d.d.toFixed(1)} sd)`);
    });
    let t = 0;
    let m = 0;
    for (let i = 0; i < x.length; i++) if (assignment[i] === 0 && Number.isFinite(score.values[i])) (t += score.values[i]), m++;
    expect(smd(score, (i) => assignment[i] === 0)!.mean).toBe(t / m);
  });

  it('splits two blobs that touch (a saddle well under their peaks) and says how many it found and why', () => {
    // two blobs 7 sd apart: the density between them is well above the sparse background, so a single
    // density level would join them; their modes stand out from the saddle
    let s = 5;
    const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const g = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    const n = 4000;
    const tx = new Float32Array(n);
    const ty = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      tx[i] = (i % 2 ? 7 : 0) + g() * 1.4;
      ty[i] = g() * 1.4;
    }
    const { assignment, clusters, reason } = findClusters(densityGrid(tx, ty, extentOf(tx, ty)), tx, ty);
    expect(clusters).toHaveLength(2);
    let agree = 0;
    const left = assignment[0];
    for (let i = 0; i < n; i++) if ((assignment[i] === left) === (i % 2 === 0)) agree++;
    expect(agree / n).toBeGreaterThan(0.95);
    expect(reason).toMatch(/^2 clusters: \d+ density peaks? in the map \(its density on 160 × 160 cells, smoothed over 2 cells\), \d+ standing out \(the density between each and a higher peak falls under 60 % of it\)/);
  });

  it('keeps one broad blob as one cluster, and leaves a tiny far island as noise', () => {
    let s = 11;
    const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const n = 3000;
    const tx = new Float32Array(n);
    const ty = new Float32Array(n);
    // a uniform disc (its density is flat, with sampling ripples) and 12 points far away
    for (let i = 0; i < n - 12; i++) {
      const a = 2 * Math.PI * r();
      const d = 5 * Math.sqrt(r());
      tx[i] = d * Math.cos(a);
      ty[i] = d * Math.sin(a);
    }
    for (let i = n - 12; i < n; i++) (tx[i] = 30 + r()), (ty[i] = 30 + r());
    const { assignment, clusters } = findClusters(densityGrid(tx, ty, extentOf(tx, ty)), tx, ty);
    expect(clusters).toHaveLength(1);
    expect(clusters[0].size).toBeGreaterThan(0.95 * (n - 12));
    for (let i = n - 12; i < n; i++) expect(assignment[i]).toBe(-1);
    // its region lists its cells densest first, starting at the peak
    expect([clusters[0].region[0], clusters[0].region[1]]).toEqual(clusters[0].peak);
  });

  it('finds the 10 islands of a 200,000-point map with gaps 2 point spacings wide (0.3 % of its extent)', () => {
    // a fixed grid of 160 cells a side blurs these gaps shut: 1 cluster (127 density peaks, 1 standing out)
    const n = 200_000;
    const { x, y, truth } = islandMap(n, { islands: 10, gap: 2, seed: 1 });
    const { side, blur } = clusterResolution(n);
    const { assignment, clusters, reason } = findClusters(densityGrid(x, y, fitExtent(x, y), side, blur), x, y);
    expect(clusters).toHaveLength(10);
    // each island is one cluster of its own, all but its frayed edge
    const dominant = new Set<number>();
    for (let island = 0; island < 10; island++) {
      const counts = new Map<number, number>();
      let size = 0;
      for (let i = 0; i < n; i++) if (truth[i] === island) (size++, counts.set(assignment[i], (counts.get(assignment[i]) ?? 0) + 1));
      const [top, m] = [...counts].sort((a, b) => b[1] - a[1])[0];
      expect(top).toBeGreaterThanOrEqual(0);
      expect(m / size).toBeGreaterThan(0.97);
      dominant.add(top);
    }
    expect(dominant.size).toBe(10);
    expect(reason).toMatch(/^10 clusters: [\d,]+ density peaks in the map \(its density on 924 × 924 cells, smoothed over 2.2 cells\)/);
  });

  it('chooses the clusters’ grid from the number of points: the contours’ up to 6,000, then finer as √n', () => {
    for (const n of [0, 150, 5_000, 6_000]) expect(clusterResolution(n)).toEqual({ side: DENSITY_SIDE, blur: densityBlur(n) });
    expect(clusterResolution(24_000).side).toBe(320);
    expect(clusterResolution(200_000).side).toBe(924);
    // about as many points a cell as 6,000 on 160 cells: the same smoothing until the cap
    expect(clusterResolution(24_000).blur).toBeCloseTo(densityBlur(6_000), 6);
    expect(clusterResolution(200_000).blur).toBeCloseTo(densityBlur(6_000), 2);
    // past the cap the cells fill up and the smoothing narrows by Scott's rule
    expect(clusterResolution(1_000_000).side).toBe(MAX_CLUSTER_SIDE);
    expect(clusterResolution(1_000_000).blur).toBeCloseTo(densityBlur(1_000_000 * (160 / 1024) ** 2), 6);
    expect(clusterResolution(1_000_000).blur).toBeLessThan(densityBlur(6_000));
    expect(clusterResolution(50_000_000).blur).toBe(1);
  });

  it('orders the cells densest first, ties by index, leaving out those under the floor', () => {
    let s = 3;
    const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    // values on a coarse lattice so many tie
    const v = Float64Array.from({ length: 5000 }, () => Math.floor(r() * 40) / 4);
    const expected = [...v.keys()].filter((c) => v[c] >= 1).sort((a, b) => v[b] - v[a] || a - b);
    expect([...densestFirst(v, 1)]).toEqual(expected);
    expect(densestFirst(new Float64Array(4), 1)).toHaveLength(0);
  });

  it('smooths a small map more than a big one (Scott’s rule, n^-1/6), within 1 to 5 cells', () => {
    expect(densityBlur(10_000)).toBeCloseTo(2, 6);
    expect(densityBlur(150)).toBeCloseTo(4.027, 3);
    expect(densityBlur(2_000)).toBeCloseTo(2.615, 3);
    expect(densityBlur(1_000_000)).toBe(1);
    expect(densityBlur(3)).toBe(5);
    expect(densityBlur(0)).toBe(5);
  });
});

describe('clusterReason', () => {
  const base = { clusters: 3, modes: 5, persistent: 4, mergeRatio: 0.6, absorbed: 0, dropped: 0, minSize: 2000, noise: 0 };

  it('never builds a sentence on an empty count: no noise, no merges, nothing said of them', () => {
    const r = clusterReason(base);
    expect(r).toBe('3 clusters: 5 density peaks in the map, 4 standing out (the density between each and a higher peak falls under 60 % of it)');
    expect(r).not.toMatch(/\bnone\b|\b0 /);
  });

  it('says which points belong to no cluster, in the singular and the plural, counts grouped', () => {
    expect(clusterReason({ ...base, noise: 1 })).toMatch(/; 1 point in a sparse area belongs to no cluster$/);
    expect(clusterReason({ ...base, noise: 12345 })).toMatch(/; 12,345 points in sparse areas belong to no cluster$/);
    expect(clusterReason({ ...base, noise: 12345 })).not.toMatch(/in none/);
  });

  it('words merged and dropped groups for one and for many', () => {
    expect(clusterReason({ ...base, absorbed: 1 })).toContain(', 1 smaller one (under 2,000 points) joined to its neighbour');
    expect(clusterReason({ ...base, absorbed: 3 })).toContain(', 3 smaller ones (under 2,000 points) joined to their neighbours');
    expect(clusterReason({ ...base, dropped: 1 })).toContain(', 1 isolated group under 2,000 points left out');
    expect(clusterReason({ ...base, dropped: 2 })).toContain(', 2 isolated groups under 2,000 points left out');
  });

  it('says "no clusters" and one of each in the singular', () => {
    expect(clusterReason({ ...base, clusters: 0, modes: 0, persistent: 0, noise: 40 })).toBe('no clusters: no density peaks in the map; 40 points in sparse areas belong to no cluster');
    expect(clusterReason({ ...base, clusters: 1, modes: 1, persistent: 1 })).toMatch(/^1 cluster: 1 density peak in the map, 1 standing out/);
  });
});

describe('the fit leaves room for the outer contours', () => {
  /** n points spread evenly over three discs of radius 3: islands that end sharply, as t-SNE's do. */
  function islands(n: number, seed: number): { x: Float32Array; y: Float32Array } {
    const r = lcg(seed);
    const x = new Float32Array(n);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const [cx, cy] = CENTERS[i % 3]!;
      const rad = 3 * Math.sqrt(r());
      const a = 2 * Math.PI * r();
      x[i] = cx! + rad * Math.cos(a);
      y[i] = cy! + rad * Math.sin(a);
    }
    return { x, y };
  }
  const W = 900;
  const H = 600;
  /** Screen positions of every contour ring point of islands(n) in a W x H map fitted with `grow`. */
  function ringsOnScreen(n: number, grow: number): { x: number; y: number }[] {
    const { x, y } = islands(n, 7);
    const extent = fitExtent(x, y);
    const levels = densityContours(densityGrid(x, y, extent, DENSITY_SIDE, densityBlur(n)));
    const f = T.fitExtent(extent, W, H, grow);
    const out: { x: number; y: number }[] = [];
    for (const level of levels) {
      for (const ring of level.rings) {
        for (let i = 0; i < ring.length; i += 2) {
          const [sx, sy] = T.toScreen(f, { k: 1, x: 0, y: 0 }, ring[i]!, ring[i + 1]!);
          out.push({ x: sx, y: sy });
        }
      }
    }
    return out;
  }
  const outside = (points: { x: number; y: number }[]) => points.filter((p) => p.x < 0 || p.x > W || p.y < 0 || p.y > H);

  it('keeps every contour inside the canvas at Fit, small maps and large (FIT_PAD alone cut them off)', () => {
    for (const n of [60, 150, 600, 3000, 30_000]) {
      const rings = ringsOnScreen(n, contourReach(n));
      expect(rings.length).toBeGreaterThan(100);
      expect(outside(rings), `n = ${n}`).toEqual([]);
    }
    // without the room, the outer rings of small maps leave the canvas (FIT_PAD's 28 px is enough from a few
    // thousand points on a canvas this size)
    for (const n of [60, 150]) expect(outside(ringsOnScreen(n, 0)).length, `n = ${n}`).toBeGreaterThan(0);
  });

  it('takes less room as the map grows (the smoothing narrows), never past the grid\'s margin', () => {
    expect(contourReach(40)).toBe(GRID_MARGIN);
    expect(contourReach(150)).toBeCloseTo(0.075, 2);
    expect(contourReach(30_000)).toBeCloseTo(0.035, 2);
    expect(contourReach(1_000_000)).toBeLessThan(contourReach(30_000));
    expect(contourReach(1_000_000)).toBeGreaterThan(0.02);
  });

  it('frames the whole map at zoom 1 when the drawn points are all of it (viewOfExtent keeps the same room)', () => {
    const { x, y } = islands(300, 3);
    const extent = fitExtent(x, y);
    const f = T.fitExtent(extent, W, H, contourReach(300));
    expect(T.viewOfExtent(f, extent).k).toBeCloseTo(1, 6);
  });
});
