// The server's memory as one budget. The run cache's bound (512 MiB by default) is not only what the cache
// holds: everything else the process holds past an allowance for the server itself (its code, the worker
// threads' heaps and buffers, requests in progress, memory the allocator has not given back) counts against
// it too, measured as the process's resident set size (RSS). So the cache gives up values while the worker
// threads or a burst of requests hold memory, and the server's RSS stays within budget + allowance
// (bench:server checks it under load), whichever thread holds what.
//
//   outside = RSS + headroom - allowance - cached values - evicted values not yet collected
//
// and the cache keeps cached values + reservations of loads in flight + outside <= its bound (lru.ts). A load
// already under way is counted in RSS and in its reservation both, until it ends: on the safe side. The
// headroom is the margin the bound keeps: the process grows between two counts (a burst of requests, the
// main thread's V8 heap growing its reservation, 128 MB at 700 small requests a second in bench:server), so the
// cache gives way before RSS reaches budget + allowance, not once it has.
//
// The rest of the process may never take more than fifteen sixteenths of the bound (lru.ts minSize): the cache
// keeps its hottest values (32 MiB of 512: a manifest, a points body) whatever else is held, or it would load
// the same body again for every request.
// The count is taken whenever the cache stores a value or a load asks for room, and on a timer (watch(), every
// 250 ms): requests that never touch the cache (job lists, uploads, the viewer's files) still grow the process
// (the V8 heap the main thread reserves under load, the allocator's arenas), and the cache must give way then
// too.
//
// Values the cache evicts stay in memory until the main thread's next major garbage collection; they are
// subtracted until then (onEvict), so one eviction is not counted twice and does not empty the cache.
//
// What the cache cannot give back: the main thread's V8 heap. Under ~1,000 small requests a second V8 lets its
// old generation grow to several times what is live before it collects (bench:server: 260 MB used, 60 MB of it
// live), which took the process past its bound with the cache down to its floor. So when RSS is past the bound
// on the timer's count and the main heap holds more than GC_FROM_BYTES, watch() asks V8 for a full collection
// (at most every GC_EVERY_MS): the garbage, and the values evicted, go at once. That needs a Node started with
// `--expose-gc` (node-flags.ts: `latentmap serve` and `npm start` start the server so); without it (a server
// created in-process) the cache's eviction alone keeps the bound, V8 collecting when it sees fit.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { exposedGc } from './node-flags.js';

/** What the server itself may hold beside its cache, bytes (its idle RSS with two worker threads is about 200 MB). */
export const DEFAULT_ALLOWANCE = 200 * 1000 * 1000;

/** The margin the server's bound keeps below budget + allowance, bytes (what the process grows between counts). */
export const SERVER_HEADROOM = 64 * 1024 * 1024;

/** A full collection is asked for only when the main heap holds more than this, bytes (its live size under load is 30-80 MB). */
export const GC_FROM_BYTES = 128 * 1024 * 1024;
/** At most one asked-for collection in this many ms (each pauses the event loop for tens of ms). */
export const GC_EVERY_MS = 2000;

export interface MemoryBudgetOptions {
  /** RSS the server may use beside the cache's bound, bytes. Default DEFAULT_ALLOWANCE. */
  allowance?: number;
  /** Counted as held outside the cache on top of RSS: the margin kept below the bound, bytes. Default 0 (the server: SERVER_HEADROOM). */
  headroom?: number;
  /** The process's RSS, bytes. Default process.memoryUsage.rss (tests give their own). */
  rss?: () => number;
  /** RSS is read at most this often, ms. Default 50. */
  everyMs?: number;
  /** How often watch() checks the budget, ms. Default 250. */
  watchEveryMs?: number;
  /** The main thread's V8 heap in use, bytes. Default v8.getHeapStatistics().used_heap_size (tests give their own). */
  heapUsed?: () => number;
  /** A full garbage collection of the main thread. Default V8's when Node was started with --expose-gc, else none; tests give their own. */
  collect?: (() => void) | null;
}

export class MemoryBudget {
  readonly allowance: number;
  readonly headroom: number;
  private readonly rss: () => number;
  private readonly everyMs: number;
  private sampled = 0;
  private sampledAt = -Infinity;
  /** Bytes evicted from the cache since the main thread's last major garbage collection. */
  private uncollected = 0;
  private readonly observer: PerformanceObserver;
  private readonly watchEveryMs: number;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly heapUsed: () => number;
  private readonly collect: (() => void) | null;
  private collectedAt = -Infinity;
  /** Full collections watch() asked for (for tests and the benchmark). */
  forcedCollections = 0;

  /** Whether watch() can ask for full collections (Node started with --expose-gc, or a collect given). */
  get canCollect(): boolean {
    return this.collect !== null;
  }

  constructor(options: MemoryBudgetOptions = {}) {
    this.allowance = options.allowance ?? DEFAULT_ALLOWANCE;
    this.headroom = options.headroom ?? 0;
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
    this.everyMs = options.everyMs ?? 50;
    this.watchEveryMs = options.watchEveryMs ?? 250;
    this.heapUsed = options.heapUsed ?? (() => getHeapStatistics().used_heap_size);
    this.collect = options.collect === undefined ? exposedGc() : options.collect;
    this.observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) {
        if (((entry as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) this.collected();
      }
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Bytes held outside a cache whose values take `held` bytes, counted against its bound. */
  outside(held: number): number {
    const now = performance.now();
    if (now - this.sampledAt >= this.everyMs) {
      this.sampled = this.rss();
      this.sampledAt = now;
    }
    return Math.max(0, this.sampled + this.headroom - this.allowance - held - this.uncollected);
  }

  /** The cache evicted a value of `size` bytes: still resident until collected. */
  evicted(size: number): void {
    this.uncollected += size;
  }

  /** A major garbage collection ran: what was evicted is freed (the observer calls it). */
  collected(): void {
    this.uncollected = 0;
    this.sampledAt = -Infinity;
  }

  /**
   * Calls `check` (the cache's trim: evict what the budget no longer allows) every watchEveryMs, on a timer that
   * keeps no process alive, until close(); then, when RSS (plus the headroom) is still past allowance + `bound`
   * (the cache's) and the main heap holds more than GC_FROM_BYTES, asks for a full collection (at most every
   * GC_EVERY_MS).
   */
  watch(check: () => void, bound = Infinity): void {
    const timer = setInterval(() => {
      check();
      this.collectIfOver(bound);
    }, this.watchEveryMs);
    timer.unref();
    this.timers.push(timer);
  }

  /** Asks for a full collection when RSS (plus the headroom) is past allowance + `bound` (watch()'s timer; public for tests). */
  collectIfOver(bound: number): void {
    const now = performance.now();
    if (now - this.collectedAt < GC_EVERY_MS) return;
    if (this.rss() + this.headroom <= this.allowance + bound || this.heapUsed() < GC_FROM_BYTES) return;
    if (!this.collect) return;
    this.collectedAt = now;
    this.forcedCollections++;
    this.collect();
    this.collected();
  }

  close(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.observer.disconnect();
  }
}
