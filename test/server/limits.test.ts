// Bounded work: a job past its memory or time limit is stopped with a clear error; the run cache holds its
// byte budget while several big runs load at once; the run list is served from cache until the runs
// directory changes.
import { readdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RunStore } from '../../pipeline/runs/store.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { LruCache } from '../../server/lru.js';
import { MemoryBudget } from '../../server/memory-budget.js';
import { RunCache } from '../../server/run-cache.js';
import { runTaskSafely, type WorkerReply, type WorkerTask } from '../../server/read-tasks.js';
import { tableFromIPC } from 'apache-arrow';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';

let runs: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  runs = await tempRunsDir();
});
afterEach(async () => {
  await runs.cleanup();
});

async function finished(q: JobQueue, id: string, ms = 30_000): Promise<{ status: string; error: string | null }> {
  const end = Date.now() + ms;
  for (;;) {
    const j = q.get(id)!;
    if (j.status !== 'queued' && j.status !== 'running') return j;
    if (Date.now() > end) throw new Error(`job still ${j.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('a job past its limits', () => {
  it('is stopped when its resident memory passes --max-job-memory, and says so', async () => {
    const q = new JobQueue({
      runsDir: runs.dir,
      limits: { maxBytes: 200 * 1024 ** 2, maxSeconds: 600 },
      // Touches 600 MB, then waits.
      command: () => ({ file: process.execPath, args: ['-e', 'globalThis.b = Buffer.alloc(600e6, 1); setTimeout(() => {}, 60000)'] }),
    });
    try {
      const job = await q.submit({ dataset: 'iris' });
      const end = await finished(q, job.id);
      expect(end.status).toBe('failed');
      expect(end.error).toMatch(/more than this server allows per job \(200 MB, --max-job-memory\)/);
    } finally {
      await q.close();
    }
  });

  it('is stopped when it runs past --max-job-seconds, and says so', async () => {
    const q = new JobQueue({
      runsDir: runs.dir,
      limits: { maxBytes: 4 * 1024 ** 3, maxSeconds: 1 },
      command: () => ({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] }),
    });
    try {
      const started = Date.now();
      const job = await q.submit({ dataset: 'iris' });
      const end = await finished(q, job.id);
      expect(end.status).toBe('failed');
      expect(end.error).toMatch(/ran longer than this server allows per job \(1 s, --max-job-seconds\)/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await q.close();
    }
  });

  it('is stopped when a real run that passed the estimate runs past --max-job-seconds: failed saying so, its half-written directory removed, nothing published', async () => {
    // The estimate (job-limits.ts) does not count the process's start (Node, tfjs) and is made for an unloaded
    // machine: this run is estimated well under the limit. Once the job has written part of its run (data.arrow
    // in its hidden directory), it is paused (SIGSTOP), so it is still running, half-written, when the limit comes.
    // The limit leaves a loaded machine time to get there (19 s at load 9).
    const maxSeconds = 45;
    const limits = { maxBytes: 4 * 1024 ** 3, maxSeconds };
    const config = { dataset: 'iris', reducer: 'pca', codeSize: 2, iterations: 1000, seed: 1 };
    const { resolveConfig } = await import('../../pipeline/config.js');
    const { estimateJob } = await import('../../server/job-limits.js');
    expect(estimateJob(resolveConfig(config as never), 150, 4).seconds).toBeLessThan(maxSeconds / 10);
    const q = new JobQueue({ runsDir: runs.dir, limits });
    const { createApp } = await import('../../server/app.js');
    const { listen, request } = await import('./http.js');
    const server = await listen(createApp({ runsDir: runs.dir, jobs: q, jobLimits: limits, webRoot: '/nonexistent', log: () => {} }));
    let paused: number | null = null;
    try {
      const started = Date.now();
      const r = await request(server.base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
      expect(r.status, r.text).toBe(202);
      const id = r.json().id as string;
      // its hidden directory is named .tmp-<id>-<pid>-<random>: the job's process
      const hidden = async (): Promise<string | null> => (await readdir(runs.dir)).find((n) => n.startsWith(`.tmp-${id}-`)) ?? null;
      for (;;) {
        const tmp = await hidden();
        if (tmp && (await readdir(path.join(runs.dir, tmp))).includes('data.arrow')) {
          paused = Number(tmp.slice(`.tmp-${id}-`.length).split('-')[0]);
          process.kill(paused, 'SIGSTOP');
          break;
        }
        expect(q.get(id)!.status, 'the job ended before it had written part of its run (a machine too slow for this limit?)').toMatch(/^(queued|running)$/);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      expect(q.get(id)!.progress?.stage).toBeDefined();
      const end = await finished(q, id, (maxSeconds + 30) * 1000);
      expect(end.status).toBe('failed');
      expect(end.error).toBe(`stopped: the job ran longer than this server allows per job (${maxSeconds} s, --max-job-seconds); use fewer epochs or iterations or fewer rows`);
      expect(Date.now() - started).toBeGreaterThanOrEqual(maxSeconds * 1000);
      // nothing published, the hidden directory gone, the process gone; every reader says why
      expect(await readdir(runs.dir).then((names) => names.filter((n) => n === id || n.startsWith('.tmp-')))).toEqual([]);
      expect(() => process.kill(paused!, 0)).toThrow();
      paused = null;
      const manifest = await request(server.base, `/api/runs/${id}`);
      expect(manifest.status).toBe(404);
      expect(manifest.json()).toMatchObject({ status: 'failed', error: expect.stringContaining('--max-job-seconds') });
      expect((await request(server.base, `/api/jobs/${id}`)).json()).toMatchObject({ status: 'failed', error: end.error });
    } finally {
      if (paused !== null) {
        try {
          process.kill(paused, 'SIGKILL');
        } catch {
          // gone already
        }
      }
      await q.close();
      await server.close();
    }
  }, 180_000);

  it('reads no more from a gzipped input than an upload may hold: past the cap the job fails, saying so', async () => {
    const file = path.join(runs.dir, 'rows.csv.gz');
    await writeFile(file, gzipSync(`a,b,c\n${'1,2,3\n'.repeat(50_000)}`));
    const q = new JobQueue({ runsDir: runs.dir, maxDecompressedBytes: 4096 });
    try {
      const job = await q.submit({ input: file, reducer: 'pca', codeSize: 1 });
      const end = await finished(q, job.id);
      expect(end.status).toBe('failed');
      expect(end.error).toMatch(/the gzip data decompresses to more than 4096 bytes, the most accepted here/);
    } finally {
      await q.close();
    }
  });

  it('gives the default command a V8 heap limit of --max-job-memory', async () => {
    let args: string[] = [];
    const { defaultJobCommand } = await import('../../server/jobs/child.js');
    args = defaultJobCommand({ id: 'x', configFile: 'c.json', runsDir: runs.dir, heapMb: 512 }).args;
    expect(args[0]).toBe('--max-old-space-size=512');
  });
});

describe('the run cache beside the rest of the process', () => {
  it('gives up runs while the process holds memory outside it, down to a sixteenth of its budget, and takes them back after', async () => {
    // codes of 3,000 x 32 float32: 384 kB each (reserved three times over while loading)
    for (const i of [1, 2, 3, 4]) await writeFixtureRun(runs.dir, { id: `c-${i}`, rows: 3000, codeSize: 32, seed: i });
    const budget = 4 * 1024 * 1024;
    // The process's RSS: the server itself (exactly its allowance), what the cache holds, and `outside`; what
    // the cache gives up is freed at once (memory.collected(): a major GC).
    let outside = 0;
    let cache: RunCache | null = null;
    const memory = new MemoryBudget({ allowance: 100 * 1024 * 1024, everyMs: 0, rss: () => 100 * 1024 * 1024 + (cache?.usage.cached ?? 0) + outside });
    cache = new RunCache(new RunStore(runs.dir), budget, undefined, undefined, memory);
    const codes = async (id: string): Promise<void> => {
      await cache!.codes(id);
      memory.collected();
    };
    // the cache counts what is outside whenever it stores a value: here a run's points
    const points = async (id: string): Promise<void> => {
      await cache!.points(id);
      memory.collected();
    };
    try {
      for (const i of [1, 2, 3, 4]) await codes(`c-${i}`);
      const all = cache.usage.cached;
      expect(all).toBeGreaterThan(4 * 384_000); // four runs' codes and manifests, nothing given up
      // a worker thread takes 2.5 MiB: the cache keeps what fits beside it
      outside = 2.5 * 1024 * 1024;
      await points('c-1');
      expect(cache.usage.cached).toBeLessThanOrEqual(budget - outside);
      expect(cache.usage.cached).toBeGreaterThan(384_000);
      // far more outside than the budget: the cache keeps a sixteenth of it, the points just loaded among them
      outside = 100 * 1024 * 1024;
      const before = cache.usage.cached;
      await points('c-2');
      expect(cache.usage.cached).toBeLessThanOrEqual(budget / 16);
      expect(cache.usage.cached).toBeGreaterThan(0);
      expect(cache.usage.cached).toBeLessThan(before);
      // the memory goes back: the runs are held again
      outside = 0;
      for (const i of [1, 2, 3, 4]) await codes(`c-${i}`);
      expect(cache.usage.cached).toBeGreaterThanOrEqual(all);
    } finally {
      memory.close();
    }
  });
});

describe('the run cache under concurrent cold loads', () => {
  it('never holds and reserves more than its budget, and serves every load', async () => {
    // Four runs whose codes (3,000 x 32 float32, 384 kB each, reserved three times over while loading) together pass a 2 MB budget.
    for (const i of [1, 2, 3, 4]) await writeFixtureRun(runs.dir, { id: `big-${i}`, rows: 3000, codeSize: 32, seed: i });
    const budget = 2 * 1024 * 1024;
    const cache = new RunCache(new RunStore(runs.dir), budget);
    let peak = 0;
    let sampling = true;
    const sample = (async () => {
      while (sampling) {
        const u = cache.usage;
        peak = Math.max(peak, u.cached + u.reserved);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const loads = await Promise.all([1, 2, 3, 4].flatMap((i) => [cache.data(`big-${i}`), cache.codes(`big-${i}`), cache.points(`big-${i}`)]));
    sampling = false;
    await sample;
    expect(loads).toHaveLength(12);
    expect(loads.filter((l) => 'matrix' in l && l.matrix.rows === 3000 && l.matrix.cols === 32)).toHaveLength(4);
    expect(loads.filter((l) => 'layout' in l && l.layout.rows === 3000 && l.layout.cols === 6)).toHaveLength(4);
    expect(peak).toBeGreaterThan(budget / 4);
    expect(peak).toBeLessThanOrEqual(budget);
  });

  it('makes a load wait while the reservations in flight would pass the bound', async () => {
    const c = new LruCache<string, number>({ maxSize: 100, sizeOf: () => 10 });
    let running = 0;
    let most = 0;
    const load = async (): Promise<number> => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      return 1;
    };
    await Promise.all(['a', 'b', 'c', 'd'].map((k) => c.get(k, load, 60)));
    expect(most).toBe(1);
    await Promise.all(['e', 'f', 'g'].map((k) => c.get(k, load, 30)));
    expect(most).toBe(3);
  });
});

/** Resolves once `done()` holds, checking every 5 ms; fails after `ms`. */
async function until(done: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!done()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('feature columns', () => {
  it('are read sixteen neighbours per pass, at most two passes at a time: a third is refused with 503, the same block shares its pass', async () => {
    await writeFixtureRun(runs.dir, { id: 'cols', rows: 50, features: 40 });
    const started: number[][] = [];
    const release: (() => void)[] = [];
    const offload = async (task: WorkerTask): Promise<WorkerReply> => {
      if (task.op !== 'features') return runTaskSafely(task);
      started.push(task.cols);
      await new Promise<void>((r) => release.push(r));
      return runTaskSafely(task);
    };
    const cache = new RunCache(new RunStore(runs.dir), undefined, undefined, offload);
    const a = cache.feature('cols', 0);
    const b = cache.feature('cols', 16);
    const sameBlock = cache.feature('cols', 5);
    // both passes under way (however long a loaded machine takes to get there), then a third block is asked for
    await until(() => started.length === 2);
    await expect(cache.feature('cols', 32)).rejects.toMatchObject({ status: 503, headers: { 'Retry-After': '1' } });
    expect(started.map((cols) => [cols[0], cols.length]).sort((x, y) => x[0]! - y[0]!)).toEqual([[0, 16], [16, 16]]);
    for (const r of release) r();
    const [bodyA, , body5] = await Promise.all([a, b, sameBlock]);
    const column = (body: { identity: Buffer }): number[] => Array.from(tableFromIPC(body.identity).getChild('value')!.toArray() as Float32Array);
    expect(column(bodyA)).toHaveLength(50);
    expect(column(body5)).not.toEqual(column(bodyA));
    // the other columns of a block read are served without another pass
    await cache.feature('cols', 15);
    expect(started).toHaveLength(2);
    // once the others are done, the last block (8 columns) is read
    const c = cache.feature('cols', 33);
    await until(() => started.length === 3);
    release.at(-1)!();
    expect(started.at(-1)).toEqual([32, 33, 34, 35, 36, 37, 38, 39]);
    expect(tableFromIPC((await c).identity).numRows).toBe(50);
  });
});

describe('a run\'s manifest stamp', () => {
  it('is compared at every lookup of a run, even by a cache that trusts its checks for a minute, and concurrent lookups share comparisons', async () => {
    const cache = new RunCache(new RunStore(runs.dir), undefined, undefined, undefined, null, 60_000);
    await expect(cache.run('later')).rejects.toMatchObject({ status: 404 });
    await writeFixtureRun(runs.dir, { id: 'later', rows: 5 });
    // written just now: served at once, not after the stamp's time
    expect((await cache.run('later')).manifest.id).toBe('later');
    // 50 lookups at once are answered alike (they share the comparisons that begin after they came)
    const many = await Promise.all(Array.from({ length: 50 }, () => cache.run('later')));
    expect(new Set(many.map((r) => r.key)).size).toBe(1);
    // removed: the next lookup does not serve the run the cache holds, whatever the trust
    await rm(path.join(runs.dir, 'later'), { recursive: true });
    await expect(cache.run('later')).rejects.toMatchObject({ status: 404 });
  });
});

