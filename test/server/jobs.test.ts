// Runs started over HTTP: the queue, progress as server-sent events, cancellation, failures, and what a
// restarted server says about jobs a crash cut off. The CLI is replaced by test/server/fake-cli.ts, which
// keeps its process contract (see the last test in real-cli.test.ts for the real one).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { JobQueue, type JobState } from '../../server/jobs/queue.js';
import { serve } from '../../server/main.js';
import { tempRunsDir } from './fixtures.js';
import { listen, readEvents, request } from './http.js';

const FAKE_CLI = fileURLToPath(new URL('./fake-cli.ts', import.meta.url));
const fakeCommand = (j: { id: string; configFile: string; runsDir: string }) => ({
  file: process.execPath,
  args: ['--import', 'tsx', FAKE_CLI, 'run', '--config', j.configFile, '--id', j.id, '--runs-dir', j.runsDir, '--log-format', 'json', '--json'],
});

let runs: { dir: string; cleanup: () => Promise<void> };
let jobs: JobQueue;
let base: string;
let close: () => Promise<void>;
/** The operator's log (the server's). */
const logged: string[] = [];

beforeEach(async () => {
  runs = await tempRunsDir();
  jobs = new JobQueue({ runsDir: runs.dir, concurrency: 1, command: fakeCommand, killGraceMs: 2000, log: (line) => logged.push(line) });
  ({ base, close } = await listen(createApp({ runsDir: runs.dir, jobs, log: () => {} })));
});

afterEach(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
});

const post = async (config: Record<string, unknown>): Promise<string> => {
  const r = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
  expect(r.status, r.text).toBe(202);
  return r.json().id as string;
};

const waitFor = async (what: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!(await what())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('a job started over HTTP', () => {
  it('streams progress (stage, fraction, loss, KL) and ends with the complete state; the run is then served', async () => {
    const id = await post({ dataset: 'iris', name: 'ok' });
    const stream = await readEvents(base, `/api/runs/${id}/events`);
    expect(stream.status).toBe(200);
    const progress = stream.events.filter((e) => e.event === 'progress').map((e) => e.data);
    const train = progress.filter((p) => p.stage === 'train');
    // A client may connect after the first lines: it sees the rest.
    expect(train.length).toBeGreaterThanOrEqual(1);
    expect(train.at(-1)).toMatchObject({ id, stage: 'train', progress: 1, epoch: 3 });
    expect(typeof train.at(-1).loss).toBe('number');
    expect(progress.find((p) => p.stage === 'tsne')).toMatchObject({ kl: 0.75, iteration: 50 });
    const last = stream.events.at(-1)!;
    expect(last.event).toBe('state');
    expect(last.data).toMatchObject({ id, status: 'complete', error: null });
    const m = await request(base, `/api/runs/${id}`);
    expect(m.status).toBe(200);
    expect(m.json().id).toBe(id);
    const list = (await request(base, '/api/jobs')).json() as JobState[];
    expect(list.find((j) => j.id === id)?.status).toBe('complete');
    expect(list.find((j) => j.id === id)?.config).toEqual({ dataset: 'iris', name: 'ok' });
  });

  it('sends a burst of t-SNE reports (80 a second) at most 5 a second, always ending on the latest', async () => {
    const id = await post({ dataset: 'iris', name: 'burst' });
    const stream = await readEvents(base, `/api/runs/${id}/events`);
    const progress = stream.events.filter((e) => e.event === 'progress').map((e) => e.data);
    const firstTrain = progress.findIndex((p) => p.stage === 'train');
    const burst = progress.slice(0, firstTrain).filter((p) => p.stage === 'tsne');
    // 120 reports over about 1.5 s: a handful reach the stream, in order, the burst's last one among them
    expect(burst.length).toBeGreaterThanOrEqual(2);
    expect(burst.length).toBeLessThanOrEqual(14);
    const its = burst.map((p) => p.iteration as number);
    expect([...its].sort((a, b) => a - b)).toEqual(its);
    expect(new Set(its).size).toBe(its.length);
    expect(burst.at(-1)).toMatchObject({ id, stage: 'tsne', iteration: 6000 });
    // what follows (a new stage, its end, the final state) still arrives whole
    expect(progress.filter((p) => p.stage === 'train').at(-1)).toMatchObject({ progress: 1, epoch: 3 });
    expect(stream.events.at(-1)!.data).toMatchObject({ id, status: 'complete' });
  });

  it('says a run its job completed is corrupt on /events, not complete, once the run is damaged', async () => {
    const id = await post({ dataset: 'iris', name: 'ok' });
    await waitFor(() => jobs.get(id)?.status === 'complete');
    expect((await readEvents(base, `/api/runs/${id}/events`)).events.at(-1)!.data).toMatchObject({ status: 'complete' });
    await writeFile(path.join(runs.dir, id, 'points.arrow'), '');
    // noticed within the second a run's check is trusted
    await waitFor(async () => (await request(base, `/api/runs/${id}/events`)).status === 409, 5000);
    const r = await request(base, `/api/runs/${id}/events`);
    expect(r.json()).toEqual({ code: 'run_corrupt', error: `run ${id} is corrupt: its points.arrow is empty (0 bytes); remove it (latentmap prune) or write it again` });
  });

  it('runs one job at a time: the second waits queued, and a queued job can be cancelled', async () => {
    const slow = await post({ name: 'slow' });
    const second = await post({ name: 'ok' });
    await waitFor(() => jobs.get(slow)?.status === 'running');
    expect(jobs.get(second)?.status).toBe('queued');
    // HEAD on a live stream answers at once instead of holding the connection.
    expect((await request(base, `/api/runs/${slow}/events`, { method: 'HEAD' })).status).toBe(200);
    const notYet = await request(base, `/api/runs/${second}`);
    expect(notYet.status).toBe(404);
    expect(notYet.json()).toMatchObject({ status: 'queued' });
    const del = await request(base, `/api/runs/${second}`, { method: 'DELETE' });
    expect(del.json()).toEqual({ id: second, status: 'cancelled' });
    const events = await readEvents(base, `/api/runs/${second}/events`);
    expect(events.events).toEqual([{ event: 'state', data: expect.objectContaining({ id: second, status: 'cancelled' }) }]);
  });

  it('cancels a running job: the child is killed, its hidden directory removed, no run appears', async () => {
    const id = await post({ name: 'slow' });
    await waitFor(() => (jobs.get(id)?.progress?.epoch ?? 0) >= 2);
    expect((await readdir(runs.dir)).some((e) => e.startsWith(`.tmp-${id}-`))).toBe(true);
    let sawProgress!: () => void;
    const progressSeen = new Promise<void>((r) => (sawProgress = r));
    const streaming = readEvents(base, `/api/runs/${id}/events`, (e) => {
      if (e.event === 'progress') sawProgress();
      return false;
    });
    await progressSeen;
    const del = await request(base, `/api/runs/${id}`, { method: 'DELETE' });
    expect(del.status, del.text).toBe(200);
    expect(del.json()).toEqual({ id, status: 'cancelled' });
    const stream = await streaming;
    expect(stream.events.at(-1)).toEqual({ event: 'state', data: expect.objectContaining({ id, status: 'cancelled' }) });
    expect(stream.events.some((e) => e.event === 'progress' && e.data.stage === 'train')).toBe(true);
    const entries = await readdir(runs.dir);
    expect(entries.filter((e) => e.includes(id))).toEqual([]);
    expect((await request(base, `/api/runs/${id}`)).status).toBe(404);
    // Cancelling again: the job already ended.
    expect((await request(base, `/api/runs/${id}`, { method: 'DELETE' })).status).toBe(409);
    // The queue moves on.
    const next = await post({ name: 'ok' });
    await waitFor(() => jobs.get(next)?.status === 'complete');
  });

  it('reports a bad configuration the CLI refused (exit 2) as failed with its message, without server paths', async () => {
    const id = await post({ name: 'bad' });
    await waitFor(() => jobs.get(id)?.status === 'failed');
    const job = (await request(base, `/api/jobs/${id}`)).json() as JobState;
    expect(job.error).toMatch(/no built-in dataset "nope"/);
    expect(job.error).not.toContain(runs.dir);
    // the operator's log has the message whole, the path with it
    expect(logged.find((l) => l.startsWith(`job ${id} failed: `))).toMatch(new RegExp(`no built-in dataset "nope" \\(from ${runs.dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const m = await request(base, `/api/runs/${id}`);
    expect(m.status).toBe(404);
    expect(m.json().error).toMatch(/failed/);
  });

  it('survives a job that crashes and reports it failed', async () => {
    const id = await post({ name: 'crash' });
    await waitFor(() => jobs.get(id)?.status === 'failed');
    expect(jobs.get(id)?.error).toMatch(/exited with code 1/);
    expect((await request(base, '/api/health')).status).toBe(200);
  });
});

describe('restart', () => {
  it('reports jobs a stopped server left running or queued as failed, and removes their partial runs', async () => {
    const dir = runs.dir;
    await mkdir(path.join(dir, '.jobs'), { recursive: true });
    const stale = (id: string, status: string): JobState & { pid: number } => ({
      id,
      name: 'x',
      status: status as JobState['status'],
      createdAt: '2026-01-01T00:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      error: null,
      progress: null,
      config: {},
      pid: 2 ** 22 + 17,
    });
    await writeFile(path.join(dir, '.jobs', 'was-running.json'), JSON.stringify(stale('was-running', 'running')));
    await writeFile(path.join(dir, '.jobs', 'was-queued.json'), JSON.stringify(stale('was-queued', 'queued')));
    // The partial run of a writer that died (its pid is not alive).
    await mkdir(path.join(dir, '.tmp-was-running-4194321'));
    await writeFile(path.join(dir, '.tmp-was-running-4194321', '.owner'), JSON.stringify({ pid: 4194321, host: (await import('node:os')).hostname() }));

    const restarted = new JobQueue({ runsDir: dir, command: fakeCommand });
    const other = await listen(createApp({ runsDir: dir, jobs: restarted, log: () => {} }));
    try {
      const a = (await request(other.base, '/api/jobs/was-running')).json() as JobState;
      expect(a.status).toBe('failed');
      expect(a.error).toMatch(/interrupted/);
      expect((await request(other.base, '/api/jobs/was-queued')).json().status).toBe('failed');
      const events = await readEvents(other.base, '/api/runs/was-running/events');
      expect(events.events).toEqual([{ event: 'state', data: expect.objectContaining({ status: 'failed' }) }]);
      expect(existsSync(path.join(dir, '.tmp-was-running-4194321'))).toBe(false);
      const saved = JSON.parse(await readFile(path.join(dir, '.jobs', 'was-running.json'), 'utf8'));
      expect(saved.status).toBe('failed');
    } finally {
      await restarted.close();
      await other.close();
    }
  });
});

describe('concurrency', () => {
  it('runs as many jobs at once as concurrency allows', async () => {
    const wide = new JobQueue({ runsDir: runs.dir, concurrency: 2, command: fakeCommand, killGraceMs: 2000 });
    try {
      const a = await wide.submit({ name: 'slow' });
      const b = await wide.submit({ name: 'slow' });
      const c = await wide.submit({ name: 'slow' });
      expect([a.status, b.status, c.status]).toEqual(['running', 'running', 'queued']);
      await wide.cancel(a.id);
      await waitFor(() => wide.get(c.id)?.status === 'running');
      expect(wide.get(b.id)?.status).toBe('running');
    } finally {
      await wide.close();
    }
  });
});

describe('two servers on one runs directory', () => {
  it('leaves the jobs of another live server alone', async () => {
    const id = await post({ name: 'slow' });
    await waitFor(() => (jobs.get(id)?.progress?.epoch ?? 0) >= 1);
    const second = new JobQueue({ runsDir: runs.dir, command: fakeCommand });
    try {
      await second.init();
      expect(second.get(id)?.status).toBe('running');
      expect(jobs.get(id)?.status).toBe('running');
      expect((await readdir(runs.dir)).some((e) => e.startsWith(`.tmp-${id}-`))).toBe(true);
    } finally {
      await second.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('ends event streams and marks a running job failed (interrupted) when the server closes', async () => {
    const server = await serve({ runsDir: runs.dir, port: 0, host: '127.0.0.1', token: null, handleSignals: false, jobCommand: fakeCommand, log: () => {} });
    const r = await request(server.url, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"slow"}' });
    expect(r.status).toBe(202);
    const id = r.json().id as string;
    let sawProgress!: () => void;
    const progressSeen = new Promise<void>((res) => (sawProgress = res));
    // wait for training progress: the fake CLI has then created its temporary run directory (its first 'load'
    // line comes before, and a kill between the two leaves a directory without a writer lock for a minute)
    const stream = readEvents(server.url, `/api/runs/${id}/events`, (e) => {
      if (e.event === 'progress' && (e.data as { stage?: string }).stage === 'train') sawProgress();
      return false;
    });
    await progressSeen;
    await server.close();
    await server.closed;
    const events = (await stream).events;
    expect(events.at(-1)).toEqual({ event: 'state', data: expect.objectContaining({ id, status: 'failed', error: expect.stringMatching(/shut down/) }) });
    const saved = JSON.parse(await readFile(path.join(runs.dir, '.jobs', `${id}.json`), 'utf8'));
    expect(saved.status).toBe('failed');
    expect((await readdir(runs.dir)).filter((e) => e.includes(id))).toEqual([]);
  });
});
