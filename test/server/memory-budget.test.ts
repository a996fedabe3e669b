// MemoryBudget: what the process holds outside the run cache (measured RSS) counts against the cache's bound,
// whichever thread holds it; values evicted but not yet collected are not counted twice.
import { spawn } from 'node:child_process';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LruCache } from '../../server/lru.js';
import { MemoryBudget } from '../../server/memory-budget.js';
import { exposedGc, SERVER_NODE_FLAGS } from '../../server/node-flags.js';

const MB = 1024 * 1024;

/** A buffer whose pages are really resident (a zero-filled one may be mapped lazily). */
function resident(bytes: number, fill: number): Buffer {
  return Buffer.alloc(bytes, fill);
}

let budget: MemoryBudget | null = null;
let worker: Worker | null = null;
afterEach(async () => {
  budget?.close();
  await worker?.terminate();
  budget = null;
  worker = null;
});

describe('MemoryBudget', () => {
  it('counts RSS past the allowance, less the cache and what it evicted, and reads RSS at most every everyMs', () => {
    let rss = 500;
    let reads = 0;
    budget = new MemoryBudget({ allowance: 200, everyMs: 60_000, rss: () => (reads++, rss) });
    expect(budget.outside(100)).toBe(200); // 500 - 200 - 100
    rss = 900;
    expect(budget.outside(100)).toBe(200); // not read again within everyMs
    expect(reads).toBe(1);
    budget.evicted(150);
    expect(budget.outside(0)).toBe(150); // 500 - 200 - 0 - 150: the evicted value is still resident
    expect(budget.outside(400)).toBe(0); // never below zero
  });

  it('keeps its headroom below the bound: the cache gives way before RSS reaches budget + allowance', () => {
    let rss = 300;
    budget = new MemoryBudget({ allowance: 200, headroom: 50, everyMs: 0, rss: () => rss });
    const b = budget;
    const cache = new LruCache<string, number>({ maxSize: 400, sizeOf: (v) => v, outside: (held) => b.outside(held), onEvict: (n) => b.evicted(n), minSize: 25 });
    for (let i = 0; i < 4; i++) {
      cache.set(`v${i}`, 50);
      rss += 50;
    }
    // RSS 500 of the bound 600 (400 + 200): outside is 300 + 50 - 200 - 200 = -50 → 0 and 200 are cached
    expect(cache.size).toBe(200);
    // the rest of the process grows by 120: RSS 620 would pass the bound at once; with the headroom the cache
    // keeps RSS + headroom within it, down to its floor
    rss = 620;
    cache.trim();
    // outside = 620 + 50 - 200 - held - evicted: the cache evicts until held + outside <= 400
    expect(cache.size + b.outside(cache.size)).toBeLessThanOrEqual(400);
    expect(cache.size).toBe(100);
    // far past the bound, the floor (minSize) is all it keeps
    rss = 2000;
    b.collected();
    cache.trim();
    expect(cache.size).toBeLessThanOrEqual(25 + 50);
  });

  it('makes the cache give up values while a worker thread holds memory, and take them back when it lets go', async () => {
    const VALUE = 32 * MB;
    const BOUND = 128 * MB;
    // The process as it is now is "the server itself": what is added from here on is counted.
    budget = new MemoryBudget({ allowance: process.memoryUsage.rss(), everyMs: 0 });
    const b = budget;
    const cache = new LruCache<string, Buffer>({ maxSize: BOUND, sizeOf: (v) => v.length, outside: (held) => b.outside(held), onEvict: (n) => b.evicted(n) });
    for (let i = 0; i < 3; i++) cache.set(`v${i}`, resident(VALUE, i + 1));
    expect(cache.count).toBe(3); // 96 MB of 128

    // A worker thread takes 64 MB (as a decode or an upload check would): the process is now 64 MB (and the thread) past the
    // allowance outside the cache, so the cache keeps what fits in the rest.
    worker = new Worker(
      `const { parentPort } = require('node:worker_threads');
       const held = Buffer.alloc(64 * 1024 * 1024, 7);
       parentPort.postMessage(held.length);
       setInterval(() => held[0]++, 1000);`,
      { eval: true },
    );
    expect(await new Promise((r) => worker!.once('message', r))).toBe(64 * MB);
    cache.set('v3', resident(VALUE, 4));
    const outside = b.outside(cache.size);
    expect(outside).toBeGreaterThan(60 * MB); // the worker's 64 MB and its heap
    expect(cache.size + outside).toBeLessThanOrEqual(BOUND);
    expect(cache.count).toBeLessThanOrEqual(2);
    expect(cache.peek('v3')).toBeDefined(); // the newest stays

    // The worker ends: its memory goes back, and the cache may hold three values again.
    await worker.terminate();
    worker = null;
    globalThis.gc?.();
    await new Promise((r) => setTimeout(r, 100));
    cache.set('v4', resident(VALUE, 5));
    cache.set('v5', resident(VALUE, 6));
    expect(b.outside(cache.size)).toBeLessThan(64 * MB);
    expect(cache.count).toBe(3);
    expect(cache.size).toBe(3 * VALUE);
  });

  it('gives up cached values on its timer when the rest of the process grows without the cache storing anything', async () => {
    let rss = 300;
    budget = new MemoryBudget({ allowance: 200, everyMs: 0, watchEveryMs: 20, rss: () => rss });
    const b = budget;
    const cache = new LruCache<string, number>({ maxSize: 100, sizeOf: (v) => v, outside: (held) => Math.max(0, b.outside(held)), onEvict: (n) => b.evicted(n), minSize: 25 });
    b.watch(() => cache.trim());
    for (const k of ['a', 'b', 'c', 'd']) cache.set(k, 20);
    rss = 200 + 80 + 30; // the cache's 80 and 30 more elsewhere (requests that never touch the cache)
    await new Promise((r) => setTimeout(r, 100));
    // 80 held + 30 outside > 100: the oldest value went, without any store or load
    expect(cache.count).toBe(3);
    expect(cache.peek('a')).toBeUndefined();
    // a process past three quarters of the bound outside leaves the cache its quarter (minSize)
    rss = 200 + 60 + 500;
    await new Promise((r) => setTimeout(r, 100));
    expect(cache.size).toBe(20);
    b.close();
  });

  it('asks V8 for a full collection when RSS stays past the bound and the main heap is large, at most every 2 s', async () => {
    let rss = 300;
    let heap = 200 * MB;
    let collections = 0;
    budget = new MemoryBudget({ allowance: 200, everyMs: 0, watchEveryMs: 10, rss: () => rss, heapUsed: () => heap, collect: () => collections++ });
    budget.watch(() => {}, 100);
    // within the bound (300 <= 200 + 100): nothing asked
    await new Promise((r) => setTimeout(r, 60));
    expect(collections).toBe(0);
    // past it with a large heap: one collection, and no second one within GC_EVERY_MS
    rss = 400;
    await new Promise((r) => setTimeout(r, 100));
    expect(collections).toBe(1);
    expect(budget.forcedCollections).toBe(1);
    budget.close();
    // past the bound with a small heap (the memory is elsewhere, a collection would not give it back): none
    heap = 20 * MB;
    collections = 0;
    budget = new MemoryBudget({ allowance: 200, everyMs: 0, watchEveryMs: 10, rss: () => rss, heapUsed: () => heap, collect: () => collections++ });
    budget.watch(() => {}, 100);
    await new Promise((r) => setTimeout(r, 60));
    expect(collections).toBe(0);
  });

  it('asks for no collection in a Node started without --expose-gc (v8.setFlagsFromString is not used): the cache gives way alone', async () => {
    expect(exposedGc()).toBeNull(); // vitest's workers run without the flag
    budget = new MemoryBudget({ allowance: 0, everyMs: 0, watchEveryMs: 10, rss: () => 1e12, heapUsed: () => 1e12 });
    expect(budget.canCollect).toBe(false);
    let trims = 0;
    budget.watch(() => trims++, 0);
    // the watch timer's counts (every 10 ms; as long as a loaded machine takes to run two of them)
    await vi.waitFor(() => expect(trims).toBeGreaterThan(1), { timeout: 10_000, interval: 20 });
    expect(budget.forcedCollections).toBe(0);
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe('undefined');
  });

  it("uses V8's full collection in a Node started with SERVER_NODE_FLAGS, and it frees the main heap's garbage", async () => {
    const script = `
      import { MemoryBudget } from ${JSON.stringify(new URL('../../server/memory-budget.ts', import.meta.url).href)};
      const budget = new MemoryBudget({ allowance: 0, everyMs: 0, rss: () => 1e12, heapUsed: () => 1e12, watchEveryMs: 1e9 });
      let garbage = Array.from({ length: 200000 }, (_, i) => ({ i, s: 'x' + i }));
      const before = process.memoryUsage().heapUsed;
      garbage = null;
      budget.collectIfOver(0);
      console.log(JSON.stringify({ canCollect: budget.canCollect, forced: budget.forcedCollections, freed: before - process.memoryUsage().heapUsed }));
      budget.close();`;
    const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, '--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    expect(await new Promise((r) => child.on('close', r))).toBe(0);
    const r = JSON.parse(out) as { canCollect: boolean; forced: number; freed: number };
    expect(r.canCollect).toBe(true);
    expect(r.forced).toBe(1);
    expect(r.freed).toBeGreaterThan(5 * MB);
  });
});
