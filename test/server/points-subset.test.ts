// The overview and region answers that stand in for a map's points past what a browser holds: the stratified
// sample (points-grid.ts), and both endpoints over real HTTP on a run whose map is known.
import { tableFromIPC, type Table } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRandom } from '../../pipeline/random.js';
import { writePoints } from '../../pipeline/runs/artifacts.js';
import { RunStore } from '../../pipeline/runs/store.js';
import { createApp } from '../../server/app.js';
import { allocate, buildGrid, overviewRows, regionRows, stratifiedSample } from '../../server/points-grid.js';
import { SUBSET_KEYS } from '../../server/points-subset.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { listen, request } from './http.js';

/** A blob of `big` rows around (0, 0) (labels 0 and 1) and a small cluster of `small` rows at (30, 30), label 2, rows spread through the file. */
function blobAndCluster(big: number, small: number, seed: number): { x: Float32Array; y: Float32Array; label: Int32Array; inCluster: (i: number) => boolean } {
  const n = big + small;
  const rng = createRandom(seed);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  const label = new Int32Array(n);
  const every = Math.floor(n / small);
  const inCluster = (i: number): boolean => i % every === 0 && i / every < small;
  for (let i = 0; i < n; i++) {
    if (inCluster(i)) {
      x[i] = 30 + rng.normal() * 0.5;
      y[i] = 30 + rng.normal() * 0.5;
      label[i] = 2;
    } else {
      x[i] = rng.normal() * 3;
      y[i] = rng.normal() * 3;
      label[i] = i % 2;
    }
  }
  return { x, y, label, inCluster };
}

describe('the stratified overview sample', () => {
  const { x, y, label, inCluster } = blobAndCluster(20_000, 40, 7);
  const grid = buildGrid(x, y, label, 3);

  it('draws the same rows for the same seed and other rows for another seed', () => {
    const a = overviewRows(grid, 2000, 11).positions;
    const b = overviewRows(grid, 2000, 11).positions;
    const c = overviewRows(grid, 2000, 12).positions;
    expect(a.length).toBe(2000);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    // ascending, no repeats
    for (let i = 1; i < a.length; i++) expect(a[i]!).toBeGreaterThan(a[i - 1]!);
  });

  it('keeps a small far cluster at twice or more the share a uniform sample would keep (four rows)', () => {
    const kept = overviewRows(grid, 2000, 3).positions;
    const clusterKept = Array.from(kept).filter(inCluster).length;
    expect(clusterKept).toBeGreaterThanOrEqual(8);
    expect(kept.length).toBe(2000);
  });

  it('keeps a row of every non-empty cell and class when there are at most half the budget of them', () => {
    const kept = new Set(overviewRows(grid, 2000, 3).positions);
    let strata = 0;
    for (let s = 0; s + 1 < grid.starts.length; s++) {
      if (grid.starts[s + 1]! === grid.starts[s]!) continue;
      strata++;
      const rows = Array.from(grid.order.subarray(grid.starts[s]!, grid.starts[s + 1]!));
      expect(rows.some((p) => kept.has(p)), `stratum ${s}`).toBe(true);
    }
    expect(strata).toBeLessThanOrEqual(1000);
  });

  it('gives a stratum of c rows about lambda * sqrt(c): denser strata keep more, sparse ones a larger share', () => {
    // 1 + lambda * (2 + 10 + 100) = 60: lambda = 0.527, shares 1 (the floor of one row), 1.05, 5.27, 52.68; the
    // row the fractions add up to goes to one of the last three
    for (let seed = 1; seed <= 20; seed++) {
      const got = Array.from(allocate(Int32Array.of(1, 4, 100, 10_000), 60, createRandom(seed)));
      expect(got.reduce((a, b) => a + b)).toBe(60);
      expect(got[0]).toBe(1);
      expect(got[1]).toBeGreaterThanOrEqual(1);
      expect(got[1]).toBeLessThanOrEqual(2);
      expect(got[2]).toBeGreaterThanOrEqual(5);
      expect(got[2]).toBeLessThanOrEqual(6);
      expect(got[3]).toBeGreaterThanOrEqual(52);
      expect(got[3]).toBeLessThanOrEqual(53);
    }
  });

  it('keeps a rare class inside a dense cell as its own stratum', () => {
    // one cell, 10,000 rows of class 0 and 20 of class 1: a uniform 100-row sample keeps 0.2 of class 1
    const n = 10_020;
    const xs = new Float32Array(n).fill(1);
    const ys = new Float32Array(n).fill(1);
    const cls = Int32Array.from({ length: n }, (_, i) => (i >= 10_000 ? 1 : 0));
    const g = buildGrid(xs, ys, cls, 2, 8);
    const kept = overviewRows(g, 100, 5).positions;
    expect(kept.length).toBe(100);
    expect(Array.from(kept).filter((p) => p >= 10_000).length).toBeGreaterThanOrEqual(4);
  });

  it('returns every row when the budget holds them all', () => {
    const positions = Int32Array.of(9, 3, 5, 1);
    expect(Array.from(stratifiedSample(positions, Int32Array.of(0, 2, 4), 4, 1))).toEqual([1, 3, 5, 9]);
  });
});

describe('the rows of a region', () => {
  const { x, y, label } = blobAndCluster(20_000, 40, 9);
  const grid = buildGrid(x, y, label, 3);
  const region = { x0: -1.25, y0: 0.5, x1: 2.75, y1: 4 };
  const inside: number[] = [];
  for (let i = 0; i < x.length; i++) if (x[i]! >= region.x0 && x[i]! <= region.x1 && y[i]! >= region.y0 && y[i]! <= region.y1) inside.push(i);

  it('are exactly the rows inside, ascending, when the limit is above their count', () => {
    expect(inside.length).toBeGreaterThan(1000);
    const r = regionRows(grid, x, y, region, inside.length, 1);
    expect(r.total).toBe(inside.length);
    expect(Array.from(r.positions)).toEqual(inside);
  });

  it('are a sample of the limit with the true count when the limit is below it', () => {
    const r = regionRows(grid, x, y, region, 500, 1);
    expect(r.total).toBe(inside.length);
    expect(r.positions.length).toBe(500);
    const set = new Set(inside);
    for (const p of r.positions) expect(set.has(p)).toBe(true);
  });

  it('are none for a region off the map', () => {
    expect(regionRows(grid, x, y, { x0: 100, y0: 100, x1: 200, y1: 200 }, 10, 1)).toEqual({ positions: new Int32Array(0), total: 0 });
  });
});

describe('the overview and region endpoints', () => {
  let runsDir: { dir: string; cleanup: () => Promise<void> };
  let base: string;
  let close: () => Promise<void>;
  const map = blobAndCluster(6000, 30, 5);
  const n = 6030;
  // input rows are not positions: index = 2 * position + 1
  const index = Int32Array.from({ length: n }, (_, i) => 2 * i + 1);

  beforeAll(async () => {
    runsDir = await tempRunsDir();
    await writeFixtureRun(runsDir.dir, { id: 'big-map', rows: n, index, seed: 2, noData: true });
    const embedding = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) (embedding[2 * i] = map.x[i]!), (embedding[2 * i + 1] = map.y[i]!);
    await writePoints(new RunStore(runsDir.dir).path('big-map'), {
      index,
      embedding,
      label: { name: 'label', kind: 'number', values: Float64Array.from(map.label) },
      metadata: [{ name: 'name', kind: 'string', values: Array.from(index, (r) => `row ${r}`) }],
    });
    ({ base, close } = await listen(createApp({ runsDir: runsDir.dir, log: () => {} })));
  });

  afterAll(async () => {
    await close();
    await runsDir.cleanup();
  });

  async function table(path: string): Promise<Table> {
    const r = await request(base, path);
    expect(r.status, r.text.slice(0, 200)).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    return tableFromIPC(r.body);
  }

  it('serve an overview of at most rows with every column, each row named by its index, the same for the same seed', async () => {
    const a = await table('/api/runs/big-map/points/overview?rows=600&seed=4');
    const b = await table('/api/runs/big-map/points/overview?rows=600&seed=4');
    expect(a.numRows).toBe(600);
    expect(a.schema.fields.map((f) => f.name)).toEqual(['index', 'x', 'y', 'label', 'name']);
    expect(a.schema.metadata.get(SUBSET_KEYS.total)).toBe(String(n));
    expect(a.schema.metadata.get(SUBSET_KEYS.sampled)).toBe('true');
    expect(Array.from(a.getChild('index')!.toArray() as Int32Array)).toEqual(Array.from(b.getChild('index')!.toArray() as Int32Array));
    // every row's values are its own: position from the index, coordinates and name from it
    const idx = a.getChild('index')!.toArray() as Int32Array;
    const xs = a.getChild('x')!.toArray() as Float32Array;
    for (let j = 0; j < a.numRows; j += 37) {
      const pos = (idx[j]! - 1) / 2;
      expect(xs[j]).toBe(map.x[pos]);
      expect(a.getChild('name')!.get(j)).toBe(`row ${idx[j]}`);
    }
    // the small cluster (label 2) keeps twice or more the 3 rows of 600 a uniform sample would keep
    const labels = Array.from(a.getChild('label')!.toArray() as Int8Array);
    expect(labels.filter((l) => l === 2).length).toBeGreaterThanOrEqual(6);
  });

  it('serve the exact rows of a region under the limit, and a sample with the true count over it', async () => {
    const region = { x0: -2, y0: -1.5, x1: 1, y1: 2.5 };
    const want: number[] = [];
    for (let i = 0; i < n; i++) if (map.x[i]! >= region.x0 && map.x[i]! <= region.x1 && map.y[i]! >= region.y0 && map.y[i]! <= region.y1) want.push(index[i]!);
    const q = `x0=${region.x0}&y0=${region.y0}&x1=${region.x1}&y1=${region.y1}`;
    const all = await table(`/api/runs/big-map/points/region?${q}&limit=100000`);
    expect(Array.from(all.getChild('index')!.toArray() as Int32Array)).toEqual(want);
    expect(all.schema.metadata.get(SUBSET_KEYS.total)).toBe(String(want.length));
    expect(all.schema.metadata.get(SUBSET_KEYS.sampled)).toBe('false');
    const some = await table(`/api/runs/big-map/points/region?${q}&limit=100`);
    expect(some.numRows).toBe(100);
    expect(some.schema.metadata.get(SUBSET_KEYS.total)).toBe(String(want.length));
    expect(some.schema.metadata.get(SUBSET_KEYS.sampled)).toBe('true');
  });

  it('add the overview rows outside the region with around, the region rows still exact', async () => {
    const region = { x0: 0, y0: 0, x1: 3, y1: 3 };
    const q = `x0=${region.x0}&y0=${region.y0}&x1=${region.x1}&y1=${region.y1}`;
    const overview = await table('/api/runs/big-map/points/overview?rows=500&seed=2');
    const both = await table(`/api/runs/big-map/points/region?${q}&limit=100000&around=500&seed=2`);
    const isInside = (x: number, y: number): boolean => x >= region.x0 && x <= region.x1 && y >= region.y0 && y <= region.y1;
    const rowsOf = (t: Table, inside: boolean): number[] => {
      const idx = t.getChild('index')!.toArray() as Int32Array;
      const xs = t.getChild('x')!.toArray() as Float32Array;
      const ys = t.getChild('y')!.toArray() as Float32Array;
      return Array.from(idx).filter((_, j) => isInside(xs[j]!, ys[j]!) === inside);
    };
    const want: number[] = [];
    for (let i = 0; i < n; i++) if (isInside(map.x[i]!, map.y[i]!)) want.push(index[i]!);
    expect(rowsOf(both, true)).toEqual(want);
    expect(rowsOf(both, false)).toEqual(rowsOf(overview, false));
    expect(both.schema.metadata.get(SUBSET_KEYS.outside)).toBe(String(rowsOf(overview, false).length));
    expect(both.schema.metadata.get(SUBSET_KEYS.total)).toBe(String(want.length));
  });

  it.each([
    ['x0 above x1', 'region?x0=2&y0=0&x1=1&y1=1', /x0 <= x1/],
    ['a missing bound', 'region?x0=0&y0=0&x1=1', /y1 must be a finite decimal number \(it is required\)/],
    ['a hexadecimal bound', 'region?x0=0x10&y0=0&x1=1&y1=1', /x0 must be a finite decimal/],
    ['an infinite bound', 'region?x0=-Infinity&y0=0&x1=1&y1=1', /x0 must be a finite decimal/],
    ['a zero limit', 'region?x0=0&y0=0&x1=1&y1=1&limit=0', /limit must be a whole number from 1 to 10000000/],
    ['a limit past ten million', 'region?x0=0&y0=0&x1=1&y1=1&limit=10000001', /limit must be a whole number/],
    ['a negative seed', 'overview?seed=-1', /seed must be a whole number/],
    ['an overview of zero rows', 'overview?rows=0', /rows must be a whole number from 1/],
    ['an unknown parameter', 'overview?row=5', /unknown query parameter "row"/],
  ])('refuse %s with 400 naming it', async (_what, path, message) => {
    const r = await request(base, `/api/runs/big-map/points/${path}`);
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(message);
  });

  it('answer 404 for a run that does not exist', async () => {
    const r = await request(base, '/api/runs/no-such-run/points/overview');
    expect(r.status).toBe(404);
  });
});
