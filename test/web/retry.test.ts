// The viewer asks again when the server refuses a read for now (503 or 429 with Retry-After): the waits honour
// Retry-After, grow, are bounded, and a read still refused fails saying so.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api, ApiError } from '../../web/src/api.js';
import { DEFAULT_RETRY, fetchRetrying, loadImageRetrying, retryDelay } from '../../web/src/retry.js';

/** A fake fetch answering `statuses` in turn (the last one repeated), with Retry-After `after` on refusals. */
function answering(statuses: number[], after: string | null = '1') {
  const calls: string[] = [];
  const f = async (url: string | URL | Request): Promise<Response> => {
    const status = statuses[Math.min(calls.length, statuses.length - 1)]!;
    calls.push(String(url));
    const headers = new Headers({ 'content-type': 'application/json' });
    if (status !== 200 && after !== null) headers.set('retry-after', after);
    return new Response(JSON.stringify(status === 200 ? { ok: true } : { error: 'the server is busy; try again in a moment' }), { status, headers });
  };
  return { fetch: f as typeof fetch, calls };
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('retryDelay', () => {
  it('waits the server’s Retry-After or the doubling backoff, whichever is longer', () => {
    expect(retryDelay(503, '1', 0)).toBe(1000);
    expect(retryDelay(503, '1', 1)).toBe(1000);
    expect(retryDelay(503, '1', 2)).toBe(2000);
    expect(retryDelay(503, '1', 3)).toBe(4000);
    expect(retryDelay(429, '3', 0)).toBe(3000);
    // 429 without Retry-After: the backoff alone
    expect(retryDelay(429, null, 1)).toBe(1000);
    // an HTTP date
    const now = Date.parse('2026-11-29T22:00:00Z');
    expect(retryDelay(503, 'Sun, 29 Nov 2026 22:00:02 GMT', 0, DEFAULT_RETRY, now)).toBe(2000);
  });

  it('does not ask again for other statuses, a 503 without Retry-After, a wait past the bound, or after the last attempt', () => {
    expect(retryDelay(500, '1', 0)).toBeNull();
    expect(retryDelay(404, '1', 0)).toBeNull();
    expect(retryDelay(503, null, 0)).toBeNull(); // the server says it would fail again
    expect(retryDelay(503, '60', 0)).toBeNull(); // past maxWaitMs (10 s)
    expect(retryDelay(503, '1', DEFAULT_RETRY.attempts - 1)).toBeNull();
  });
});

describe('fetchRetrying', () => {
  it('asks again after each refusal, waiting as the server says, and returns the answer that came through', async () => {
    const fake = answering([503, 429, 200], '2');
    const waits: number[] = [];
    const r = await fetchRetrying('/api/runs/a/features/f1', {}, DEFAULT_RETRY, { fetch: fake.fetch, sleep: async (ms) => void waits.push(ms) });
    expect(r.response.status).toBe(200);
    expect(r.attempts).toBe(3);
    expect(waits).toEqual([2000, 2000]);
    expect(r.waitedMs).toBe(4000);
    expect(fake.calls).toEqual(['/api/runs/a/features/f1', '/api/runs/a/features/f1', '/api/runs/a/features/f1']);
  });

  it('stops waiting when the request is aborted', async () => {
    const fake = answering([503]);
    const abort = new AbortController();
    const pending = fetchRetrying('/x', { signal: abort.signal }, DEFAULT_RETRY, { fetch: fake.fetch });
    await new Promise((r) => setTimeout(r, 20));
    abort.abort(new Error('closed'));
    await expect(pending).rejects.toThrow('closed');
    expect(fake.calls).toHaveLength(1);
  });
});

describe('the API client under a busy server', () => {
  it('answers a neighbour query once the server takes it, Retry-After apart', async () => {
    vi.useFakeTimers();
    const calls: number[] = [];
    vi.stubGlobal('fetch', async () => {
      calls.push(Date.now());
      if (calls.length < 3) return new Response('{"error":"busy"}', { status: 503, headers: { 'retry-after': '1' } });
      return new Response('[{"index":1,"distance":0.5}]', { status: 200 });
    });
    const pending = new Api().neighbors('run', 0);
    await vi.runAllTimersAsync();
    expect(await pending).toEqual([{ index: 1, distance: 0.5 }]);
    expect(calls.length).toBe(3);
    expect(calls[2]! - calls[0]!).toBe(2000);
  });

  it('fails with the server’s message and how long it tried, once the attempts are spent', async () => {
    vi.useFakeTimers();
    const fake = answering([503], '1');
    vi.stubGlobal('fetch', fake.fetch);
    const pending = new Api().feature('run', 'f3', Int32Array.from([0, 1])).then(
      () => null,
      (e: unknown) => e,
    );
    await vi.runAllTimersAsync();
    const err = await pending;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(503);
    // waits 1 + 1 + 2 + 4 s between five requests
    expect((err as ApiError).message).toBe('the server is busy; try again in a moment (still refused after 5 tries over 8 s; try again later)');
    expect(fake.calls).toHaveLength(5);
  });

  it('does not ask a write again', async () => {
    const fake = answering([503]);
    vi.stubGlobal('fetch', fake.fetch);
    await expect(new Api().startRun({})).rejects.toThrow('the server is busy; try again in a moment');
    expect(fake.calls).toHaveLength(1);
  });
});

describe('loadImageRetrying', () => {
  it('sets the image’s source again after each error, with doubling waits, and gives up after the attempts', async () => {
    vi.useFakeTimers();
    const sets: number[] = [];
    const img = Object.assign(new EventTarget(), { isConnected: true }) as EventTarget & { src: string; isConnected: boolean };
    Object.defineProperty(img, 'src', { set: () => void sets.push(Date.now()), get: () => '' });
    loadImageRetrying(img as unknown as HTMLImageElement, '/api/runs/r/items/3/image.png');
    for (let i = 0; i < 8; i++) {
      img.dispatchEvent(new Event('error'));
      await vi.runAllTimersAsync();
    }
    expect(sets.length).toBe(DEFAULT_RETRY.attempts);
    expect(sets.slice(1).map((t, i) => t - sets[i]!)).toEqual([500, 1000, 2000, 4000]);
    // an image taken out of the page (the detail panel of another point) is not asked for again
    sets.length = 0;
    const gone = Object.assign(new EventTarget(), { isConnected: true }) as EventTarget & { src: string; isConnected: boolean };
    Object.defineProperty(gone, 'src', { set: () => void sets.push(Date.now()), get: () => '' });
    loadImageRetrying(gone as unknown as HTMLImageElement, '/api/runs/r/items/4/image.png');
    gone.isConnected = false;
    gone.dispatchEvent(new Event('error'));
    await vi.runAllTimersAsync();
    expect(sets.length).toBe(1);
  });
});
