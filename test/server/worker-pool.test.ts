import { afterEach, describe, expect, it } from 'vitest';
import { HttpError } from '../../server/http-error.js';
import { WorkerPool } from '../../server/worker-pool.js';

let pool: WorkerPool;
afterEach(async () => pool.close());

describe('the worker pool', () => {
  it('drops a queued task whose client went away, and still runs the others', async () => {
    pool = new WorkerPool({ size: 1 });
    const values = Float32Array.from([0.1, 0.25, 1 / 3]);
    const first = pool.run({ op: 'shortest', values });
    const gone = new AbortController();
    const dropped = pool.run({ op: 'shortest', values }, [], gone.signal);
    const third = pool.run({ op: 'shortest', values: Float32Array.from([2.5]) });
    expect(pool.queued).toBe(2);
    gone.abort();
    expect(pool.queued).toBe(1);
    await expect(dropped).rejects.toSatisfy((e) => e instanceof HttpError && e.status === 499);
    expect(await first).toEqual({ ok: true, text: '[0.1,0.25,0.33333334]' });
    expect(await third).toEqual({ ok: true, text: '[2.5]' });
    // already gone before it was queued: refused at once
    await expect(pool.run({ op: 'shortest', values }, [], gone.signal)).rejects.toSatisfy((e) => e instanceof HttpError && e.status === 499);
  });
});
