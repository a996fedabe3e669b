// A UMAP run through the HTTP API: POST /api/runs with map umap starts the real CLI, the event stream
// reports the umap stage, and the finished run's manifest records the method, its options and its figures.
// UMAP options on a t-SNE run are refused with 400 naming the field, and nothing is queued.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir } from './fixtures.js';
import { listen, readEvents, request } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let jobs: JobQueue;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  runs = await tempRunsDir();
  jobs = new JobQueue({ runsDir: runs.dir });
  ({ base, close } = await listen(createApp({ runsDir: runs.dir, jobs, log: () => {} })));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
});

const post = (config: object) =>
  request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });

describe('a UMAP run over HTTP', () => {
  it('runs with map umap and its options, reports the umap stage and records the method in the manifest', async () => {
    const r = await post({ dataset: 'iris', reducer: 'none', map: 'umap', nNeighbors: 10, minDist: 0.2, umapEpochs: 150, name: 'iris umap', seed: 5 });
    expect(r.status, r.text).toBe(202);
    const id = r.json().id as string;
    const { events } = await readEvents(base, `/api/runs/${id}/events`);
    const last = events.at(-1)!;
    expect(last.data.error ?? null, JSON.stringify(last)).toBeNull();
    expect(last).toMatchObject({ event: 'state', data: { id, status: 'complete' } });
    const stages = new Set(events.filter((e) => e.event === 'progress').map((e) => e.data.stage));
    expect(stages.has('umap')).toBe(true);
    expect(stages.has('tsne')).toBe(false);
    const m = (await request(base, `/api/runs/${id}`)).json();
    expect(m.config).toMatchObject({ map: 'umap', nNeighbors: 10, minDist: 0.2, umapEpochs: 150 });
    expect(m.metrics.tsne).toBeNull();
    expect(m.metrics.umap).toMatchObject({ epochs: 150, init: 'spectral' });
    // the curve fitted to min_dist 0.2 (umap-learn 0.5.3 find_ab_params(1, 0.2): a = 1.2621, b = 1.0030)
    expect(m.metrics.umap.a).toBeCloseTo(1.2621, 3);
    expect(m.metrics.umap.b).toBeCloseTo(1.003, 3);
    expect(m.metrics.labelAccuracy).toBeGreaterThan(0.9);
    const points = (await request(base, `/api/runs/${id}/points?format=json`)).json();
    expect(points).toHaveLength(150);
  }, 240_000);

  it('refuses UMAP options on a t-SNE run with 400 naming the field, and queues nothing', async () => {
    const before = (await request(base, '/api/runs')).json().length;
    const r = await post({ dataset: 'iris', nNeighbors: 10 });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/nNeighbors.*applies only with --map umap/);
    expect((await request(base, '/api/runs')).json()).toHaveLength(before);
  });
});
