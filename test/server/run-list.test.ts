// GET /api/runs: the runs checked in the worker thread in batches, each read whole only when its files' stamp
// moved, and the list the same as each run's own manifest says (its public view), for many runs.
import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../pipeline/runs/store.js';
import type { RunManifest, RunSummary } from '../../pipeline/types.js';
import { DataRoots } from '../../server/data-roots.js';
import { publicManifest } from '../../server/public-manifest.js';
import { RUN_CHECK_BATCH, runTaskSafely, type RunCheckAnswer, type WorkerReply, type WorkerTask } from '../../server/read-tasks.js';
import { RunCache } from '../../server/run-cache.js';
import { RunList } from '../../server/run-list.js';
import { summarize } from '../../server/run-summary.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';

let runs: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  runs = await tempRunsDir();
});
afterEach(async () => {
  await runs.cleanup();
});

/** Rewrites run `id`'s manifest through `edit`. */
async function editManifest(id: string, edit: (m: RunManifest) => void): Promise<void> {
  const file = path.join(runs.dir, id, 'manifest.json');
  const m = JSON.parse(await readFile(file, 'utf8')) as RunManifest;
  edit(m);
  await writeFile(file, JSON.stringify(m));
}

/** A cache and list as the server makes them (the public view of manifests), with every worker task recorded. */
function listOver(recheckMs: number): { cache: RunCache; list: RunList; tasks: { task: WorkerTask; reply: WorkerReply }[]; ids: () => Promise<RunSummary[]> } {
  const store = new RunStore(runs.dir);
  const tasks: { task: WorkerTask; reply: WorkerReply }[] = [];
  const view = (m: RunManifest): RunManifest => publicManifest(m, runs.dir, DataRoots.none(), [runs.dir]);
  const cache = new RunCache(store, undefined, view, async (task) => {
    const reply = await runTaskSafely(task);
    tasks.push({ task, reply });
    return reply;
  }, null, recheckMs);
  const list = new RunList(store, (ids) => cache.summaries(ids), recheckMs);
  return { cache, list, tasks, ids: async () => JSON.parse((await list.json()).identity.toString()) as RunSummary[] };
}

const checksOf = (tasks: { task: WorkerTask; reply: WorkerReply }[]): RunCheckAnswer[] =>
  tasks.flatMap(({ reply }) => ('checks' in reply ? reply.checks : []));

describe('the run list', () => {
  it('lists many runs newest first, each as its own manifest says, checked in the worker in batches', async () => {
    const n = 90;
    for (let i = 0; i < n; i++) {
      await writeFixtureRun(runs.dir, { id: `r${String(i).padStart(3, '0')}`, rows: 4 + (i % 5), seed: i, createdAt: new Date(Date.UTC(2026, 0, 1) + ((i * 7919) % n) * 1000).toISOString(), reducer: i % 3 === 0 ? 'pca' : 'autoencoder' });
    }
    // What the list shows is made from free text that may name server paths, a reducer chosen by auto, a variant
    await editManifest('r001', (m) => {
      m.name = `${runs.dir}/r001 from /home/ana/data.csv`;
      m.dataset.name = '/srv/private/data.csv';
    });
    await editManifest('r002', (m) => {
      m.choices = { reducer: { value: 'none', auto: true, reason: `the input in ${runs.dir} has 2 columns` } } as unknown as RunManifest['choices'];
      (m.config as { variant: string }).variant = 'vae';
    });
    await editManifest('r003', (m) => {
      m.base = 'r004';
    });
    // not listed: a run not complete, a damaged one, one copied under another name, a hidden directory
    await writeFixtureRun(runs.dir, { id: 'unfinished', rows: 5 });
    await editManifest('unfinished', (m) => {
      m.status = 'running';
    });
    await writeFixtureRun(runs.dir, { id: 'damaged', rows: 5 });
    await writeFile(path.join(runs.dir, 'damaged', 'codes.arrow'), 'not arrow at all');
    await writeFixtureRun(runs.dir, { id: 'copied', rows: 5 });
    await editManifest('copied', (m) => {
      m.id = 'original';
    });

    const { cache, tasks, ids } = listOver(60_000);
    const listed = await ids();
    // the same lines as each run's own manifest, as GET /api/runs/:id shows it, gives
    const expected: RunSummary[] = [];
    for (let i = 0; i < n; i++) expected.push(summarize((await new RunCache(new RunStore(runs.dir), undefined, (m) => publicManifest(m, runs.dir, DataRoots.none(), [runs.dir])).run(`r${String(i).padStart(3, '0')}`)).manifest));
    expected.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    expect(listed).toEqual(expected);
    expect(listed.map((r) => r.id)).not.toContain('unfinished');
    expect(JSON.stringify(listed)).not.toContain(runs.dir);
    expect(listed.find((r) => r.id === 'r001')).toMatchObject({ name: '<path> from <path>', dataset: '<path>' });
    expect(listed.find((r) => r.id === 'r002')).toMatchObject({ reducer: 'none', variant: 'vae' });
    expect(listed.find((r) => r.id === 'r003')!.base).toBe('r004');
    expect(listed.find((r) => r.id === 'r000')!.reducer).toBe('pca');
    // every run checked once, in the worker, at most RUN_CHECK_BATCH a task, without whole manifests sent back
    expect(tasks.every(({ task }) => task.op === 'run-check' && !task.manifest && task.runs.length <= RUN_CHECK_BATCH)).toBe(true);
    expect(tasks.length).toBe(Math.ceil((n + 3) / RUN_CHECK_BATCH));
    const checks = checksOf(tasks);
    expect(checks.map((c) => c.id).sort()).toEqual([...expected.map((r) => r.id), 'copied', 'damaged', 'unfinished'].sort());
    expect(checks.filter((c) => 'state' in c && c.state === 'corrupt').map((c) => c.id).sort()).toEqual(['copied', 'damaged']);
    // the runs' own endpoints say why they are not listed
    await expect(cache.run('damaged')).rejects.toMatchObject({ status: 409, extra: { code: 'run_corrupt' } });
    await expect(cache.run('unfinished')).rejects.toMatchObject({ status: 404 });
  });

  it('looks at the runs again after its time: unchanged ones by their stamp alone, one damaged in place leaves the list and one mended comes back', async () => {
    for (const id of ['a', 'b', 'c']) await writeFixtureRun(runs.dir, { id, rows: 5, createdAt: `2026-01-0${id.charCodeAt(0) - 96}T00:00:00.000Z` });
    const { list, tasks, ids } = listOver(0);
    expect((await ids()).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect(checksOf(tasks.splice(0)).map((c) => 'same' in c && c.same)).toEqual([false, false, false]);
    const body = await list.json();
    // nothing moved: every run answered by its stamp, the same body (and ETag) kept
    expect(checksOf(tasks.splice(0)).map((c) => 'same' in c && c.same)).toEqual([true, true, true]);
    const file = path.join(runs.dir, 'b', 'points.arrow');
    const points = await readFile(file);
    await writeFile(file, points.subarray(0, points.length - 40));
    expect((await ids()).map((r) => r.id)).toEqual(['c', 'a']);
    expect(checksOf(tasks.splice(0)).filter((c) => 'state' in c).map((c) => c.id)).toEqual(['b']);
    await writeFile(file, points);
    expect((await ids()).map((r) => r.id)).toEqual(['c', 'b', 'a']);
    expect((await list.json()).etag).toBe(body.etag);
  });

  it('stands for its time unless the runs directory changes', async () => {
    await writeFixtureRun(runs.dir, { id: 'one', rows: 5, createdAt: '2026-01-01T00:00:00.000Z' });
    const { ids } = listOver(60_000);
    const t = Math.floor(Date.now() / 1000) - 10;
    await utimes(runs.dir, t, t);
    expect((await ids()).map((r) => r.id)).toEqual(['one']);
    // Damage the manifest in place, keeping the directory's mtime: the list stands for its time.
    await writeFile(path.join(runs.dir, 'one', 'manifest.json'), 'null');
    await utimes(runs.dir, t, t);
    expect((await ids()).map((r) => r.id)).toEqual(['one']);
    // A new run changes the directory: the list is built again, the damaged run found by its stamp
    await writeFixtureRun(runs.dir, { id: 'two', rows: 5, createdAt: '2026-01-02T00:00:00.000Z' });
    expect((await ids()).map((r) => r.id)).toEqual(['two']);
  });
});
