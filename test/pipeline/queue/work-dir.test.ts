// A sharded run's work directory (beside the shards) belongs to one run at a time: a second run with the same id
// from the same shards is refused while the first lives, a dead run's leftovers are removed, and an id that is
// already a run is refused before any work.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipeline/config.js';
import { InputError } from '../../../pipeline/errors.js';
import { runSharded } from '../../../pipeline/queue/coordinator.js';
import { columnDifference } from '../../../pipeline/queue/sample.js';
import { createRandom } from '../../../pipeline/random.js';
import { LOCK } from '../../../pipeline/runs/writer-lock.js';

let tmp: string;
let shards: string;
beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'latentmap-workdir-'));
  shards = path.join(tmp, 'shards');
  mkdirSync(shards);
  const r = createRandom(4);
  for (let s = 0; s < 2; s++) {
    const lines = ['a,b,c'];
    for (let i = 0; i < 60; i++) lines.push([r.normal() + (i % 3) * 4, r.normal(), r.normal()].map((v) => v.toFixed(3)).join(','));
    writeFileSync(path.join(shards, `part-${s}.csv`), `${lines.join('\n')}\n`);
  }
});
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

const config = (runs: string) => resolveConfig({}, { input: shards, reducer: 'none', referenceRows: 60, iterations: 250, runsDir: path.join(tmp, runs), seed: 5 });

describe("a sharded run's work directory", () => {
  it('is refused to a second run with the same id while the first runs; the first completes untouched', async () => {
    const logs: string[] = [];
    const first = runSharded(config('runs-a'), { id: 'same', log: (m) => logs.push(m) });
    // the second starts once the first holds the work directory
    const workDir = path.join(shards, '.latentmap-same');
    for (let i = 0; i < 200 && !existsSync(path.join(workDir, LOCK)); i++) await new Promise((r) => setTimeout(r, 10));
    expect(existsSync(path.join(workDir, LOCK))).toBe(true);
    const second = runSharded(config('runs-b'), { id: 'same' });
    const refused = await second.catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InputError);
    expect((refused as Error).message).toMatch(new RegExp(`a run with id same is already being made from these shards \\(process ${process.pid} on ${hostname()}, since .+\\): its work files are in .+\\.latentmap-same; give this run another --id`));
    const done = await first;
    expect(done.manifest.dataset.rows).toBe(120);
    expect(existsSync(workDir)).toBe(false);
    expect(existsSync(path.join(tmp, 'runs-b', 'same'))).toBe(false);
  });

  it('left by a dead run is removed, and the run goes on', async () => {
    // a pid that was alive and is not any more
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const pid = Number(dead.stdout.trim());
    const workDir = path.join(shards, '.latentmap-old');
    mkdirSync(path.join(workDir, 'shards', '000000'), { recursive: true });
    writeFileSync(path.join(workDir, LOCK), JSON.stringify({ host: hostname(), pid, startedAt: new Date().toISOString(), processStart: null }));
    const logs: string[] = [];
    const done = await runSharded(config('runs-c'), { id: 'old', log: (m) => logs.push(m) });
    expect(done.manifest.dataset.rows).toBe(120);
    expect(logs).toContain(`removed the work files of an earlier run with id old that no longer runs (${workDir})`);
    expect(existsSync(workDir)).toBe(false);
  });

  it('left by a dead run and taken over by two runs at once: one runs, the other is refused, nothing is shared', async () => {
    const dead = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    const workDir = path.join(shards, '.latentmap-twice');
    mkdirSync(path.join(workDir, 'shards'), { recursive: true });
    writeFileSync(path.join(workDir, LOCK), JSON.stringify({ host: hostname(), pid: Number(dead.stdout.trim()), startedAt: new Date().toISOString(), processStart: null }));
    const results = await Promise.allSettled([runSharded(config('runs-e'), { id: 'twice' }), runSharded(config('runs-f'), { id: 'twice' })]);
    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    expect(refused[0]!.reason).toBeInstanceOf(InputError);
    expect((refused[0]!.reason as Error).message).toMatch(/a run with id twice is already being made from these shards/);
    expect(readdirSync(shards).filter((f) => f.startsWith('.latentmap-'))).toEqual([]);
  });

  it('is not made when the id is already a run: refused before any work', async () => {
    const first = await runSharded(config('runs-d'), { id: 'taken' });
    const manifest = readFileSync(path.join(first.dir, 'manifest.json'), 'utf8');
    const stages: string[] = [];
    await expect(runSharded(config('runs-d'), { id: 'taken', onProgress: (_p, s) => stages.push(s) })).rejects.toThrow(`run taken already exists in ${path.join(tmp, 'runs-d')}`);
    expect(stages).toEqual([]);
    expect(existsSync(path.join(shards, '.latentmap-taken'))).toBe(false);
    expect(readFileSync(path.join(first.dir, 'manifest.json'), 'utf8')).toBe(manifest);
  });
});

describe('shards whose columns differ', () => {
  it('say which columns are missing, which are extra, or where the order differs', () => {
    expect(columnDifference(['sl', 'sw', 'pl', 'pw'], ['sl', 'sw', 'pl'])).toBe('column pw missing');
    expect(columnDifference(['a', 'b'], ['a', 'b', 'c', 'd'])).toBe('2 columns c, d not in the first shard');
    expect(columnDifference(['a', 'b', 'c'], ['a', 'x', 'c'])).toBe('column b missing; column x not in the first shard');
    expect(columnDifference(['a', 'b', 'c'], ['a', 'c', 'b'])).toBe('the same columns in another order (column 2 is c, not b)');
  });

  it('fail the run with exit 2 naming the shard and the missing column, nothing left', async () => {
    const dir = path.join(tmp, 'mixed');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'part-0.csv'), 'a,b,c\n1,2,3\n4,5,6\n7,8,9\n1,1,1\n2,2,2\n');
    writeFileSync(path.join(dir, 'part-1.csv'), 'a,b\n1,2\n4,5\n7,8\n1,1\n2,2\n');
    const cfg = resolveConfig({}, { input: dir, reducer: 'none', runsDir: path.join(tmp, 'runs-g'), seed: 5 });
    const err = await runSharded(cfg, { id: 'mixed' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).location).toMatchObject({ file: path.join(dir, 'part-1.csv') });
    expect((err as Error).message).toBe(`${path.join(dir, 'part-1.csv')}: its feature columns differ from the first shard's (part-0.csv): column c missing`);
    expect(readdirSync(dir).filter((f) => f.startsWith('.latentmap-'))).toEqual([]);
  });
});
