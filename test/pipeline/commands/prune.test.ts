import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../pipeline/config.js';
import { pruneRuns } from '../../../pipeline/commands/prune.js';
import { RunStore } from '../../../pipeline/runs/store.js';
import type { RunManifest } from '../../../pipeline/types.js';

let dir: string;
let store: RunStore;

async function addRun(id: string, name: string, day: number, base: string | null = null): Promise<void> {
  const m = {
    id,
    name,
    status: 'complete',
    createdAt: new Date(Date.UTC(2026, 0, day)).toISOString(),
    config: defaultConfig(),
    base,
  } as unknown as RunManifest;
  await (await store.begin(id)).commit(m);
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-prune-'));
  store = new RunStore(dir);
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('prune', () => {
  it('keeps the newest N runs of each name', async () => {
    for (let d = 1; d <= 4; d++) await addRun(`a${d}`, 'alpha', d);
    for (let d = 1; d <= 2; d++) await addRun(`b${d}`, 'beta', d);
    await mkdir(path.join(dir, '.jobs'));
    for (const id of ['a1', 'a3']) {
      await writeFile(path.join(dir, '.jobs', `${id}.json`), '{}');
      await writeFile(path.join(dir, '.jobs', `${id}.config.json`), '{}');
    }
    const r = await pruneRuns({ runsDir: dir, keep: 2, name: null, dryRun: false });
    expect(r.deleted.sort()).toEqual(['a1', 'a2']);
    expect((await readdir(dir)).filter((e) => !e.startsWith('.')).sort()).toEqual(['a3', 'a4', 'b1', 'b2']);
    // the job record of a deleted run goes with it, and so does the configuration the job ran
    expect((await readdir(path.join(dir, '.jobs'))).sort()).toEqual(['a3.config.json', 'a3.json']);
  });

  it('removes the records of failed and cancelled jobs beyond the newest N per name, never queued or running ones', async () => {
    await addRun('a1', 'alpha', 1);
    await mkdir(path.join(dir, '.jobs'));
    const job = (id: string, name: string, status: string, day: number) =>
      writeFile(path.join(dir, '.jobs', `${id}.json`), JSON.stringify({ id, name, status, createdAt: new Date(Date.UTC(2026, 0, day)).toISOString(), finishedAt: null }));
    await job('f1', 'alpha', 'failed', 1);
    await job('f2', 'alpha', 'cancelled', 2);
    await job('f3', 'alpha', 'failed', 3);
    await job('q1', 'alpha', 'queued', 1);
    await job('r1', 'alpha', 'running', 1);
    await job('g1', 'beta', 'failed', 1);
    await writeFile(path.join(dir, '.jobs', 'a1.json'), JSON.stringify({ id: 'a1', name: 'alpha', status: 'complete' }));
    for (const id of ['f1', 'f3']) await writeFile(path.join(dir, '.jobs', `${id}.config.json`), '{}');
    const dry = await pruneRuns({ runsDir: dir, keep: 1, name: null, dryRun: true });
    expect(dry.jobRecords).toEqual(['f1', 'f2']);
    expect(await readdir(path.join(dir, '.jobs'))).toHaveLength(9);
    const r = await pruneRuns({ runsDir: dir, keep: 1, name: null, dryRun: false });
    expect(r.jobRecords).toEqual(['f1', 'f2']);
    // a pruned job's configuration goes with its record
    expect((await readdir(path.join(dir, '.jobs'))).sort()).toEqual(['a1.json', 'f3.config.json', 'f3.json', 'g1.json', 'q1.json', 'r1.json']);
  });

  it('prunes only the named runs when --name is given, and a dry run deletes nothing', async () => {
    for (let d = 1; d <= 3; d++) await addRun(`a${d}`, 'alpha', d);
    for (let d = 1; d <= 3; d++) await addRun(`b${d}`, 'beta', d);
    const dry = await pruneRuns({ runsDir: dir, keep: 1, name: 'beta', dryRun: true });
    expect(dry.deleted.sort()).toEqual(['b1', 'b2']);
    expect(await readdir(dir)).toHaveLength(6);
    await pruneRuns({ runsDir: dir, keep: 1, name: 'beta', dryRun: false });
    expect((await readdir(dir)).sort()).toEqual(['a1', 'a2', 'a3', 'b3']);
  });

  it('keeps a base run while a kept transform run names it', async () => {
    await addRun('base1', 'alpha', 1);
    await addRun('t1', 'alpha-new', 5, 'base1');
    await addRun('a2', 'alpha', 2);
    const r = await pruneRuns({ runsDir: dir, keep: 1, name: null, dryRun: false });
    expect(r.deleted).toEqual([]);
    expect((await readdir(dir)).sort()).toEqual(['a2', 'base1', 't1']);
  });
});
