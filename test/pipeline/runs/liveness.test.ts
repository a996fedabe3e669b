// The liveness rule of temporary run directories in a runs directory shared across hosts: a writer's lock
// file (.owner) is refreshed by a heartbeat; cleanup (and so prune) removes a directory only when its writer
// is dead: another host's lock gone stale, or on this host a pid that is gone or now names another process.
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pruneRuns } from '../../../pipeline/commands/prune.js';
import { RunStore } from '../../../pipeline/runs/store.js';
import { FUTURE_TOLERANCE_MS, fileServerNow, processStartTime, STALE_AFTER_MS, writerAlive } from '../../../pipeline/runs/writer-lock.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-liveness-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A temporary directory whose lock says `lock`, last written `ageMs` ago. */
async function tempDir(name: string, lock: Record<string, unknown>, ageMs: number): Promise<string> {
  const d = path.join(dir, name);
  await mkdir(d);
  await writeFile(path.join(d, 'points.arrow'), 'half written');
  await writeFile(path.join(d, '.owner'), JSON.stringify(lock));
  const t = (Date.now() - ageMs) / 1000;
  await utimes(path.join(d, '.owner'), t, t);
  await utimes(d, t, t);
  return d;
}

describe('cleanup of temporary run directories across hosts', () => {
  it('keeps a run being written from another host while its lock is fresh, whatever pid it names', async () => {
    // pid 999999999 does not exist here, but on host A it is the writer: the pid must not be judged here.
    await tempDir('.tmp-a-live-999999999-aaaaaa', { host: 'host-a.example', pid: 999999999, startedAt: '2026-01-01T00:00:00Z', processStart: '123' }, 30_000);
    const store = new RunStore(dir);
    expect(await store.cleanupStale()).toEqual([]);
    const pruned = await pruneRuns({ runsDir: dir, keep: 0, name: null, dryRun: false });
    expect(pruned.stale).toEqual([]);
    expect(await readdir(dir)).toContain('.tmp-a-live-999999999-aaaaaa');
  });

  it('removes another host\'s directory once its lock has not been refreshed for the stale bound', async () => {
    await tempDir('.tmp-a-dead-4242-bbbbbb', { host: 'host-a.example', pid: 4242 }, STALE_AFTER_MS + 60_000);
    // a dry run (prune --dry-run) names it and removes nothing
    expect(await new RunStore(dir).cleanupStale(undefined, true)).toEqual(['.tmp-a-dead-4242-bbbbbb']);
    expect(await readdir(dir)).toContain('.tmp-a-dead-4242-bbbbbb');
    expect(await new RunStore(dir).cleanupStale()).toEqual(['.tmp-a-dead-4242-bbbbbb']);
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes a dead writer of this host whose pid now belongs to another process', async () => {
    // This test's own pid is alive, but its start time is not the one the dead writer recorded.
    const reused = { host: hostname(), pid: process.pid, startedAt: '2026-01-01T00:00:00Z', processStart: '1' };
    await tempDir('.tmp-reused-pid-cccccc', reused, 1000);
    // Where the start time is unknown, a lock older than the stale bound says the same.
    await tempDir('.tmp-reused-old-dddddd', { host: hostname(), pid: process.pid }, STALE_AFTER_MS + 1000);
    const removed = await new RunStore(dir).cleanupStale();
    expect(removed.sort()).toEqual(['.tmp-reused-old-dddddd', '.tmp-reused-pid-cccccc']);
  });

  it('keeps a live writer of this host even when its heartbeat is late (same pid, same start time)', async () => {
    const store = new RunStore(dir);
    const w = await store.begin('live');
    const lock = JSON.parse(await readFile(path.join(w.dir, '.owner'), 'utf8'));
    expect(lock).toMatchObject({ host: hostname(), pid: process.pid });
    expect(lock.processStart).toBe(processStartTime(process.pid));
    const old = (Date.now() - 2 * STALE_AFTER_MS) / 1000;
    await utimes(path.join(w.dir, '.owner'), old, old);
    expect(await store.cleanupStale()).toEqual([]);
    await w.abort();
  });

  it('removes a directory whose lock is dated in the future (touched or copied, not a heartbeat), keeps one a little ahead', async () => {
    // An hour ahead of the file server: no live writer's rewrite could have dated it so.
    await tempDir('.tmp-a-future-4242-gggggg', { host: 'host-a.example', pid: 4242 }, -3_600_000);
    // A few seconds ahead (timestamp granularity, a heartbeat racing the probe): alive.
    await tempDir('.tmp-a-ahead-4243-hhhhhh', { host: 'host-a.example', pid: 4243 }, -5_000);
    // Without a lock, the directory's own date alike.
    const d = path.join(dir, '.tmp-nolock-future-1-iiiiii');
    await mkdir(d);
    const t = (Date.now() + 3_600_000) / 1000;
    await utimes(d, t, t);
    expect((await new RunStore(dir).cleanupStale()).sort()).toEqual(['.tmp-a-future-4242-gggggg', '.tmp-nolock-future-1-iiiiii']);
    expect(await readdir(dir)).toEqual(['.tmp-a-ahead-4243-hhhhhh']);
  });

  it('measures ages on the file server\'s clock (a probe file\'s mtime), leaving nothing behind', async () => {
    const before = Date.now();
    const now = await fileServerNow(dir);
    // a local file system dates the probe with this host's clock
    expect(now).toBeGreaterThanOrEqual(before - 1000);
    expect(now).toBeLessThanOrEqual(Date.now() + 1000);
    expect(await readdir(dir)).toEqual([]);
    // where the probe cannot be written, this host's clock
    const t0 = Date.now();
    const none = await fileServerNow(path.join(dir, 'no-such-directory'));
    expect(none).toBeGreaterThanOrEqual(t0);
    expect(none).toBeLessThanOrEqual(Date.now());
  });

  it('a directory without a lock is left alone while it is being committed, and removed once old', async () => {
    await mkdir(path.join(dir, '.tmp-committing-1-eeeeee'));
    const old = path.join(dir, '.tmp-killed-at-commit-1-ffffff');
    await mkdir(old);
    const t = (Date.now() - 120_000) / 1000;
    await utimes(old, t, t);
    expect(await new RunStore(dir).cleanupStale()).toEqual(['.tmp-killed-at-commit-1-ffffff']);
  });
});

describe('writerAlive', () => {
  it('judges a foreign lock by age only and a local one by pid and start time', () => {
    expect(writerAlive({ host: 'elsewhere', pid: process.pid }, 1000, 'here')).toBe(true);
    expect(writerAlive({ host: 'elsewhere', pid: process.pid }, STALE_AFTER_MS + 1, 'here')).toBe(false);
    // dated ahead of the file server's present: within the tolerance alive, beyond it not
    expect(writerAlive({ host: 'elsewhere', pid: process.pid }, -FUTURE_TOLERANCE_MS + 1, 'here')).toBe(true);
    expect(writerAlive({ host: 'elsewhere', pid: process.pid }, -FUTURE_TOLERANCE_MS - 1, 'here')).toBe(false);
    expect(writerAlive({ host: 'here', pid: 999999999 }, 0, 'here')).toBe(false);
    const start = processStartTime(process.pid);
    if (start !== null) {
      expect(writerAlive({ host: 'here', pid: process.pid, processStart: start }, 10 * STALE_AFTER_MS, 'here')).toBe(true);
      expect(writerAlive({ host: 'here', pid: process.pid, processStart: `${start}0` }, 0, 'here')).toBe(false);
    }
  });
});
