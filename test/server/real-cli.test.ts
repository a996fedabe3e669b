// The real thing end to end over HTTP: POST /api/runs starts the real CLI (bin/latentmap.js run) on a slice of
// mnist, the event stream reports training and t-SNE progress, and the finished run is served: points,
// neighbours, and images, with reconstruction.png decoded by the run's saved autoencoder.
import { readdir } from 'node:fs/promises';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir } from './fixtures.js';
import { listen, readEvents, request } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let jobs: JobQueue;
let base: string;
let close: () => Promise<void>;
let id: string;
let events: { event: string; data: any }[];

beforeAll(async () => {
  runs = await tempRunsDir();
  jobs = new JobQueue({ runsDir: runs.dir });
  ({ base, close } = await listen(createApp({ runsDir: runs.dir, jobs, log: () => {} })));
  const config = {
    dataset: 'mnist',
    limit: 500,
    // the autoencoder asked for by name (auto would map 500 rows without one): the test draws its reconstructions
    reducer: 'autoencoder',
    codeSize: 16,
    layers: [128],
    epochs: 8,
    batchSize: 32,
    learningRate: 0.003,
    iterations: 150,
    exaggerationIterations: 50,
    perplexity: 10,
    metricsSample: 100,
    name: 'server-e2e',
    seed: 3,
  };
  const r = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
  expect(r.status, r.text).toBe(202);
  id = r.json().id;
  events = (await readEvents(base, `/api/runs/${id}/events`)).events;
}, 240_000);

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
});

describe('a real run started over HTTP', () => {
  it('reports training and t-SNE progress and completes', () => {
    const last = events.at(-1)!;
    expect(last.data.error ?? null, JSON.stringify(last)).toBeNull();
    expect(last).toMatchObject({ event: 'state', data: { id, status: 'complete' } });
    const stages = new Set(events.filter((e) => e.event === 'progress').map((e) => e.data.stage));
    expect(stages.has('tsne')).toBe(true);
    const trainLoss = events.filter((e) => e.event === 'progress' && e.data.stage === 'train' && typeof e.data.loss === 'number');
    expect(trainLoss.length).toBeGreaterThan(0);
  });

  it('serves the run it wrote: points, neighbours and the original image', async () => {
    const m = (await request(base, `/api/runs/${id}`)).json();
    expect(m).toMatchObject({ id, status: 'complete', dataset: { rows: 500, image: { width: 28, height: 28, channels: 1 } } });
    const points = (await request(base, `/api/runs/${id}/points?format=json`)).json();
    expect(points).toHaveLength(500);
    const nb = (await request(base, `/api/runs/${id}/neighbors/0?k=5`)).json();
    expect(nb.neighbors).toHaveLength(5);
    const img = PNG.sync.read((await request(base, `/api/runs/${id}/items/0/image.png`)).body);
    expect([img.width, img.height]).toEqual([28, 28]);
  });

  it('draws reconstruction.png with the saved model, closer to its own digit than to another row’s', async () => {
    const grey = async (p: string): Promise<Float64Array> => {
      const r = await request(base, p);
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      expect(r.headers['content-type']).toBe('image/png');
      const png = PNG.sync.read(r.body);
      expect([png.width, png.height]).toEqual([28, 28]);
      return Float64Array.from({ length: 784 }, (_, i) => png.data[i * 4]!);
    };
    const dist = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
    let closerToOwn = 0;
    const rows = [0, 1, 2, 3, 4, 5];
    for (const row of rows) {
      const own = await grey(`/api/runs/${id}/items/${row}/image.png`);
      const other = await grey(`/api/runs/${id}/items/${(row + 7) % 500}/image.png`);
      const rec = await grey(`/api/runs/${id}/items/${row}/reconstruction.png`);
      if (dist(rec, own) < dist(rec, other)) closerToOwn++;
    }
    // Eight epochs on 500 digits: reconstructions already resemble their own digit more than another.
    expect(closerToOwn).toBeGreaterThanOrEqual(5);
  });

  it('decodes the mean code of each digit’s rows to a picture nearer that digit’s mean than the other digits’', async () => {
    const points = (await request(base, `/api/runs/${id}/points?format=json`)).json() as { index: number; label: number | string }[];
    const digits = ['0', '1', '7'];
    const answers: { mean: number[]; decoded: number[] }[] = [];
    for (const d of digits) {
      const rows = points.filter((p) => String(p.label) === d).map((p) => p.index);
      const r = await request(base, `/api/runs/${id}/decode`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows }) });
      expect(r.status, r.text.slice(0, 200)).toBe(200);
      const a = r.json();
      expect(a).toMatchObject({ reducer: 'autoencoder', decodedBy: 'decoder', count: rows.length });
      expect(a.code).toHaveLength(16);
      expect(a.mean).toHaveLength(784);
      expect(a.decoded).toHaveLength(784);
      expect(PNG.sync.read(Buffer.from(a.decodedImage.split(',')[1], 'base64')).width).toBe(112);
      answers.push(a);
    }
    const dist = (a: number[], b: number[]): number => a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0);
    answers.forEach((a, i) => {
      const own = dist(a.decoded, a.mean);
      answers.forEach((b, j) => {
        if (j !== i) expect(own, `digit ${digits[i]} against ${digits[j]}`).toBeLessThan(dist(a.decoded, b.mean));
      });
    });
  });
});

describe('cancelling a real run', () => {
  it('stops the CLI mid-training: cancelled, and nothing of the run is left', async () => {
    const body = JSON.stringify({ dataset: 'mnist', limit: 2000, epochs: 200, name: 'to-cancel' });
    const r = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status).toBe(202);
    const cancelId = r.json().id as string;
    let deleted: Promise<unknown> | null = null;
    const stream = readEvents(base, `/api/runs/${cancelId}/events`, (e) => {
      if (e.event === 'progress' && e.data.stage === 'train') deleted ??= request(base, `/api/runs/${cancelId}`, { method: 'DELETE' });
      return false;
    });
    const { events: seen } = await stream;
    expect(deleted).not.toBeNull();
    await deleted;
    expect(seen.at(-1)).toMatchObject({ event: 'state', data: { id: cancelId, status: 'cancelled' } });
    expect((await readdir(runs.dir)).filter((e) => e.includes(cancelId))).toEqual([]);
    expect((await request(base, `/api/runs/${cancelId}`)).status).toBe(404);
  }, 120_000);
});

describe('watching the map form', () => {
  it('streams the layout while t-SNE runs, and Finish writes the run with the layout reached', async () => {
    const body = JSON.stringify({ dataset: 'iris', reducer: 'none', iterations: 50000, perplexity: 10, name: 'finish-early', seed: 5 });
    const r = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(r.status, r.text).toBe(202);
    const runId = r.json().id as string;
    let finish: Promise<{ status: number; text: string }> | null = null;
    const { events: seen } = await readEvents(base, `/api/runs/${runId}/events`, (e) => {
      if (e.event === 'layout' && e.data.iteration >= 100 && !finish) {
        finish = request(base, `/api/runs/${runId}/finish`, { method: 'POST' });
      }
      return false;
    });
    const answer = await finish!;
    expect(answer.status, answer.text).toBe(202);
    const layouts = seen.filter((e) => e.event === 'layout').map((e) => e.data);
    expect(layouts.length).toBeGreaterThanOrEqual(2);
    expect(layouts[0]).toMatchObject({ id: runId, type: 'layout', rows: 150, stride: 1 });
    expect(layouts.map((l) => l.iteration)).toEqual([...layouts.map((l) => l.iteration)].sort((a, b) => a - b));
    expect(seen.at(-1)).toMatchObject({ event: 'state', data: { status: 'complete' } });
    const m = (await request(base, `/api/runs/${runId}`)).json();
    const done = m.metrics.tsne.iterations as number;
    expect(done).toBeGreaterThanOrEqual(100);
    expect(done).toBeLessThan(50000);
    expect(m.notes.join(' ')).toMatch(/t-SNE stopped early on request/);
    // the last frame is the run's map (to the frames' 16-bit precision)
    const last = layouts.at(-1)!;
    expect(last.iteration).toBe(done);
    const points = (await request(base, `/api/runs/${runId}/points?format=json`)).json() as { x: number; y: number }[];
    const [x0, , x1] = last.box as number[];
    expect(Math.min(...points.map((p) => p.x))).toBeCloseTo(x0!, 3);
    expect(Math.max(...points.map((p) => p.x))).toBeCloseTo(x1!, 3);
    // a finished job cannot be finished again
    expect((await request(base, `/api/runs/${runId}/finish`, { method: 'POST' })).status).toBe(409);
  }, 180_000);
});
