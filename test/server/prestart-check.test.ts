// The pre-start check of a run's input over HTTP (POST /api/runs): a file under a data root that takes longer
// to check than the server waits (checkGraceMs) is a queued job at once, whose event stream and /api/jobs entry
// report the check's progress in bytes read (as the CLI's JSON log does), and which fails with the check's
// message or goes on to run.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { DataRoots } from '../../server/data-roots.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir } from './fixtures.js';
import { listen, readEvents, request } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
let close: () => Promise<void>;
let jobs: JobQueue;
const json = { 'content-type': 'application/json' };

beforeAll(async () => {
  runs = await tempRunsDir();
  root = path.join(runs.dir, '..', `${path.basename(runs.dir)}-root`);
  await mkdir(root, { recursive: true });
  // one endless line: 24 MB without a line break
  await writeFile(path.join(root, 'endless.csv'), 'x'.repeat(24 * 1024 * 1024));
  // an ordinary table of 300,000 rows (about 5 MB)
  const rows = Array.from({ length: 300_000 }, (_, i) => `${i % 97},${(i * 7) % 89},${(i * 13) % 83}`);
  await writeFile(path.join(root, 'table.csv'), `a,b,c\n${rows.join('\n')}\n`);
  jobs = new JobQueue({
    runsDir: runs.dir,
    command: () => ({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] }),
    killGraceMs: 200,
  });
  // every check of a data-root file outlasts a grace of 0 ms
  const app = createApp({ runsDir: runs.dir, jobs, dataRoots: await DataRoots.open([root]), checkGraceMs: 0, webRoot: '/nonexistent', log: () => {} });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
  const { rm } = await import('node:fs/promises');
  await rm(root, { recursive: true, force: true });
});

type Progress = { stage: string; progress: number; bytes?: number; totalBytes?: number; message?: string };

describe('the pre-start check of a big input over HTTP', () => {
  it('of one endless line: a queued job reporting bytes read on its event stream, then failed naming the input', async () => {
    const size = (await stat(path.join(root, 'endless.csv'))).size;
    const r = await request(base, '/api/runs', { method: 'POST', headers: json, body: JSON.stringify({ input: 'endless.csv' }) });
    expect(r.status, r.text).toBe(202);
    const id = r.json().id as string;
    const { events } = await readEvents(base, `/api/runs/${id}/events`, (e) => e.event === 'state' && e.data.status !== 'queued');
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data as Progress);
    expect(progress.length).toBeGreaterThan(0);
    for (const p of progress) {
      expect(p.stage).toBe('load');
      expect(p.totalBytes).toBe(size);
      expect(p.bytes).toBeGreaterThan(0);
      expect(p.message).toMatch(/checking the input/);
    }
    const bytes = progress.map((p) => p.bytes!);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    const end = events.at(-1)!;
    expect(end.data.status).toBe('failed');
    expect(end.data.error).toMatch(/^field "input": endless\.csv:1: /);
    expect(end.data.error).not.toContain(root);
  });

  it('of an ordinary big table: /api/jobs shows the bytes read while it runs, then the job starts', async () => {
    const size = (await stat(path.join(root, 'table.csv'))).size;
    const r = await request(base, '/api/runs', { method: 'POST', headers: json, body: JSON.stringify({ input: 'table.csv', reducer: 'pca' }) });
    expect(r.status, r.text).toBe(202);
    const id = r.json().id as string;
    const { events } = await readEvents(base, `/api/runs/${id}/events`, (e) => e.event === 'state' && e.data.status !== 'queued');
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data as Progress);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.totalBytes === size && p.bytes! > 0 && p.bytes! <= size)).toBe(true);
    expect(events.at(-1)!.data.status).toBe('running');
    const listed = (await request(base, '/api/jobs')).json() as { id: string; progress: Progress | null }[];
    expect(listed.find((j) => j.id === id)?.progress).toMatchObject({ stage: 'load', totalBytes: size });
    await request(base, `/api/runs/${id}`, { method: 'DELETE' });
  });

  it('the same file named again once checked is answered from the check kept: a bad configuration is a 400 when the check ends within the grace', async () => {
    const patient = createApp({ runsDir: runs.dir, jobs, dataRoots: await DataRoots.open([root]), checkGraceMs: 120_000, webRoot: '/nonexistent', log: () => {} });
    const other = await listen(patient);
    const r = await request(other.base, '/api/runs', { method: 'POST', headers: json, body: JSON.stringify({ input: 'table.csv', reducer: 'pca', codeSize: 4 }) }).finally(() => other.close());
    expect(r.status, r.text).toBe(400);
    expect(r.json().error).toMatch(/^field "codeSize": PCA cannot find 4 components in 300000 rows x 3 columns/);
  });
});
