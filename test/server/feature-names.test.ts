// Feature names over HTTP: a run's manifest answer stays small however many features it has (the names are
// in features.arrow; a run written before it, with millions of names in its manifest.json, is answered
// without them, its manifest parsed in the worker thread), and the answers that list names with a row's
// values (items, decode, features by name) still find them.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { RunCache } from '../../server/run-cache.js';
import { laneOf } from '../../server/worker-pool.js';
import { runTaskSafely } from '../../server/read-tasks.js';
import { RunStore } from '../../pipeline/runs/store.js';
import { tableFromIPC } from 'apache-arrow';
import { tempRunsDir, writeFixtureRun, type FixtureRun } from './fixtures.js';
import { listen, request } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let base: string;
let close: () => Promise<void>;
const fixtures: Record<string, FixtureRun> = {};

beforeAll(async () => {
  runs = await tempRunsDir();
  // 2,000 features: past the manifest's 1,000, within what an answer lists (65,536)
  fixtures.fresh = await writeFixtureRun(runs.dir, { id: 'fresh', rows: 5, features: 2000, seed: 2 });
  fixtures.old = await writeFixtureRun(runs.dir, { id: 'old', rows: 5, features: 2000, seed: 3, namesInManifest: true });
  // a picture of 500 x 300: 150,000 names in a manifest of more than a megabyte, as runs were written before features.arrow
  fixtures.huge = await writeFixtureRun(runs.dir, { id: 'huge', rows: 3, codeSize: 2, image: { width: 500, height: 300, channels: 1 }, seed: 4, namesInManifest: true });
  const app = createApp({ runsDir: runs.dir, log: () => {}, reconstruct: async (_dir, _m, raw) => raw, decode: async (_dir, m, codes) => ({ rows: 1, cols: m.dataset.columns, values: new Float32Array(m.dataset.columns).fill(codes.values[0]!) }) });
  ({ base, close } = await listen(app));
}, 120_000);

afterAll(async () => {
  await close();
  await runs.cleanup();
});

describe('a run with more feature names than a manifest lists', () => {
  it('answers its manifest without the names, small, for runs written with features.arrow and before it', async () => {
    expect((await stat(path.join(runs.dir, 'huge', 'manifest.json'))).size).toBeGreaterThan(1 << 20);
    for (const id of ['fresh', 'old', 'huge']) {
      const r = await request(base, `/api/runs/${id}`);
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      expect(r.body.length, id).toBeLessThan(10_000);
      const m = r.json();
      expect(m.dataset.features, id).toBeUndefined();
      expect(m.dataset.columns, id).toBe(fixtures[id]!.features);
    }
    const list = (await request(base, '/api/runs')).json() as { id: string }[];
    expect(list.map((r) => r.id).sort()).toEqual(['fresh', 'huge', 'old']);
  });

  it('lists every name with an item and a decode, from features.arrow or from an old manifest', async () => {
    for (const id of ['fresh', 'old']) {
      const item = (await request(base, `/api/runs/${id}/items/2`)).json();
      expect(item.features, id).toHaveLength(2000);
      expect(item.features.slice(0, 2), id).toEqual(['f0', 'f1']);
      expect(item.features[1999], id).toBe('f1999');
      expect(item.values, id).toHaveLength(2000);
      const d = await request(base, `/api/runs/${id}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [0, 1] }) });
      expect(d.status, d.text.slice(0, 200)).toBe(200);
      expect(d.json().features[1999], id).toBe('f1999');
    }
  });

  it('finds a feature column by name, and names how many there are when it has no such feature', async () => {
    for (const id of ['fresh', 'old', 'huge']) {
      const f = fixtures[id]!;
      const col = f.features - 1;
      const r = await request(base, `/api/runs/${id}/features/f${col}`);
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      const values = tableFromIPC(r.body).getChild('value')!.toArray() as Float32Array;
      expect(Array.from(values)).toEqual(Array.from(f.index, (_, row) => f.data[row * f.features + col]!));
      const missing = await request(base, `/api/runs/${id}/features/nope`);
      expect(missing.status).toBe(404);
      expect(missing.json().error).toBe(`run ${id} has no feature "nope" (it has ${f.features}, e.g. f0, f1, f2, f3, f4)`);
    }
  });

  it('reads every manifest in the worker thread, one of more than a megabyte in the slow lane, answered without its long name list', async () => {
    const ops: string[] = [];
    const cache = new RunCache(new RunStore(runs.dir), undefined, undefined, (task, progress) => {
      ops.push(`${task.op} ${laneOf(task)}`);
      return runTaskSafely(task, progress);
    });
    expect((await cache.run('fresh')).manifest.id).toBe('fresh');
    expect(ops).toEqual(['run-check quick']);
    const huge = await cache.run('huge');
    // the quick lane finds it large and leaves it to the slow lane, which parses it
    expect(ops).toEqual(['run-check quick', 'run-check quick', 'run-check slow']);
    expect(huge.manifest.dataset.features).toBeUndefined();
    expect(huge.manifest.dataset.image).toEqual({ width: 500, height: 300, channels: 1 });
  });
});
