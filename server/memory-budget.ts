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
import { constants, PerformanceObserver } from 'node:perf_hooks';

/** What the server itself may hold beside its cache, bytes (its idle RSS with two worker threads is about 200 MB). */
export const DEFAULT_ALLOWANCE = 200 * 1000 * 1000;

/** The margin the server's bound keeps below budget + allowance, bytes (what the process grows between counts). */
export const SERVER_HEADROOM = 64 * 1024 * 1024;

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

  constructor(options: MemoryBudgetOptions = {}) {
    this.allowance = options.allowance ?? DEFAULT_ALLOWANCE;
    this.headroom = options.headroom ?? 0;
    this.rss = options.rss ?? (() => process.memoryUsage.rss());
    this.everyMs = options.everyMs ?? 50;
    this.watchEveryMs = options.watchEveryMs ?? 250;
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
   * keeps no process alive, until close().
   */
  watch(check: () => void): void {
    const timer = setInterval(check, this.watchEveryMs);
    timer.unref();
    this.timers.push(timer);
  }

  close(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.observer.disconnect();
  }
}
