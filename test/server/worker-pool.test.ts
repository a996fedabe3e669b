import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../server/http-error.js';
import type { WorkerReply } from '../../server/read-tasks.js';
import { laneOf, WorkerPool } from '../../server/worker-pool.js';
import { tempRunsDir } from './fixtures.js';

let pool: WorkerPool;
afterEach(async () => pool.close());

/**
 * Holds the slow lane's thread: a mean over a 'data file' in `dir` that is a FIFO nobody writes to yet.
 * release() lets it go (it then fails: a FIFO cannot be read by position).
 */
function holdSlowLane(dir: string): { held: Promise<WorkerReply>; release: () => Promise<void> } {
  const fifo = path.join(dir, 'held.arrow');
  execFileSync('mkfifo', [fifo]);
  const layout = { file: fifo, version: '', rows: 1, cols: 1, batches: [{ start: 0, rows: 1, values: 0 }] };
  const held = pool.run({ op: 'data-moments', layout, positions: Int32Array.from([0]) });
  return { held, release: async () => (await open(fifo, 'w')).close() };
}

describe('the worker pool', () => {
  it('drops a queued task whose client went away, and still runs the others', async () => {
    pool = new WorkerPool();
    const values = Float32Array.from([0.1, 0.25, 1 / 3]);
    const first = pool.run({ op: 'shortest', values });
    const gone = new AbortController();
    const dropped = pool.run({ op: 'shortest', values }, [], gone.signal);
    const third = pool.run({ op: 'shortest', values: Float32Array.from([2.5]) });
    expect(pool.queued('quick')).toBe(2);
    gone.abort();
    expect(pool.queued()).toBe(1);
    await expect(dropped).rejects.toSatisfy((e) => e instanceof HttpError && e.status === 499);
    expect(await first).toEqual({ ok: true, text: '[0.1,0.25,0.33333334]' });
    expect(await third).toEqual({ ok: true, text: '[2.5]' });
    // already gone before it was queued: refused at once
    await expect(pool.run({ op: 'shortest', values }, [], gone.signal)).rejects.toSatisfy((e) => e instanceof HttpError && e.status === 499);
  });
});

describe('the worker pool’s lanes', () => {
  it('run a quick task while a slow one holds the other lane', async () => {
    pool = new WorkerPool();
    await pool.warm();
    expect(laneOf({ op: 'features', layout: null as never, index: new Int32Array(0), cols: [] })).toBe('slow');
    expect(laneOf({ op: 'png', source: new Float32Array(1), shape: { width: 1, height: 1, channels: 1 }, range: [0, 1], scale: 1 })).toBe('quick');
    // a slow task that cannot finish until we let it
    const tmp = await tempRunsDir();
    try {
      const { held, release } = holdSlowLane(tmp.dir);
      let slowDone = false;
      const slow = held.finally(() => (slowDone = true));
      const queued = pool.run({ op: 'codes', runDir: tmp.dir });
      await new Promise((r) => setTimeout(r, 50));
      expect(pool.queued('slow')).toBe(1);
      // the quick lane answers meanwhile
      expect(await pool.run({ op: 'shortest', values: Float32Array.from([0.5]) })).toEqual({ ok: true, text: '[0.5]' });
      expect(slowDone).toBe(false);
      // let the slow task go: it fails, and the next slow task runs
      await release();
      expect((await slow).ok).toBe(false);
      expect((await queued).ok).toBe(false);
    } finally {
      await pool.close();
      await tmp.cleanup();
    }
  });
});

describe('a worker thread out of heap', () => {
  it('answers that request with 503 (no Retry-After: it would fail again), and the next task runs in a new thread', async () => {
    pool = new WorkerPool({ heapMb: 64 });
    await pool.warm();
    // 4 million distinct values as JSON: 4 million strings of about 10 characters, far past 64 MB of heap
    const huge = pool.run({ op: 'shortest', values: Float32Array.from({ length: 4_000_000 }, (_, i) => i * 1.000_01 + 0.1) });
    const err = await huge.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(503);
    expect((err as HttpError).message).toBe('this request needs more memory than a worker thread may use (64 MB of heap)');
    expect((err as HttpError).headers['Retry-After']).toBeUndefined();
    expect(await pool.run({ op: 'shortest', values: Float32Array.from([0.5]) })).toEqual({ ok: true, text: '[0.5]' });
  }, 60_000);
});

describe('a full lane', () => {
  it('refuses a task past maxQueued waiting in its lane with 503 and Retry-After, while the other lane still takes work', async () => {
    pool = new WorkerPool({ maxQueued: 1 });
    await pool.warm();
    const tmp = await tempRunsDir();
    try {
      const { held, release } = holdSlowLane(tmp.dir);
      await new Promise((r) => setTimeout(r, 50));
      const waiting = pool.run({ op: 'codes', runDir: tmp.dir });
      expect(pool.queued('slow')).toBe(1);
      const refused = await pool.run({ op: 'codes', runDir: tmp.dir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(refused).toBeInstanceOf(HttpError);
      expect((refused as HttpError).status).toBe(503);
      expect((refused as HttpError).headers['Retry-After']).toBe('1');
      expect(await pool.run({ op: 'shortest', values: Float32Array.from([1.5]) })).toEqual({ ok: true, text: '[1.5]' });
      await release();
      expect((await held).ok).toBe(false);
      expect((await waiting).ok).toBe(false);
    } finally {
      await pool.close();
      await tmp.cleanup();
    }
  });
});
