// A least-recently-used cache bounded by the total size of its values (bytes, roughly).
// Loads are deduplicated: concurrent get()s of a missing key share one loader call. A load may reserve
// its expected size first: cached values are evicted to make room, and while the reservations of loads in
// flight plus the cached values would pass the bound, further loads wait. So concurrent cold loads of big
// values cannot together take more than the bound (the memory a load needs while it runs included). Memory
// held outside the cache may count against the bound too (options.outside: the server measures its process,
// memory-budget.ts): the cache then gives up values while the rest of the process holds more.

export interface LruOptions<V> {
  /** Upper bound of the sum of sizeOf() over the cached values. */
  maxSize: number;
  /** Size of one value, in the same unit as maxSize. */
  sizeOf: (value: V) => number;
  /**
   * Size held outside the cache that counts against maxSize, given the size of the values the cache holds;
   * default none. Read whenever a value is stored, a load asks for room, or trim() is called.
   */
  outside?: (held: number) => number;
  /**
   * What memory outside can never take from the cache, in maxSize's unit: below it values are evicted only by
   * the cache's own bound, so a process that holds much elsewhere still keeps its hottest values instead of
   * loading them again for every request. Default 0.
   */
  minSize?: number;
  /** Told the size of each value evicted (it is still in memory until collected). */
  onEvict?: (size: number) => void;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private readonly pending = new Map<K, Promise<V>>();
  private total = 0;
  /** Bytes reserved by loads in flight. */
  private reserved = 0;
  private readonly waiters: (() => void)[] = [];

  constructor(private readonly options: LruOptions<V>) {}

  get size(): number {
    return this.total;
  }

  /** Size reserved by loads in flight. */
  get reservedSize(): number {
    return this.reserved;
  }

  get count(): number {
    return this.entries.size;
  }

  peek(key: K): V | undefined {
    const hit = this.entries.get(key);
    if (!hit) return undefined;
    // Re-insert: Map iteration order is insertion order, so the first key is the least recently used.
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const size = this.options.sizeOf(value);
    // A value larger than the whole cache is served but not kept.
    if (size > this.options.maxSize) return;
    this.entries.set(key, { value, size });
    this.total += size;
    // The value just stored stays (it is being served): older ones make room.
    this.evictUntil(0, key);
  }

  /**
   * Evicts least recently used values until what is held (with the memory outside) is within the bound again:
   * for memory the rest of the process took since the cache last stored a value or made room (memory-budget.ts
   * calls it on a timer).
   */
  trim(): void {
    this.evictUntil(0);
  }

  /** Evicts least recently used values until `amount` more fits beside what is held; never `keep`. */
  private evictUntil(amount: number, keep?: K): boolean {
    const outside = Math.min(this.options.outside?.(this.total) ?? 0, this.options.maxSize - (this.options.minSize ?? 0));
    let over = this.total + this.reserved + outside + amount - this.options.maxSize;
    for (const [k, e] of this.entries) {
      if (over <= 0 || k === keep) break;
      this.entries.delete(k);
      this.total -= e.size;
      over -= e.size;
      this.options.onEvict?.(e.size);
    }
    return over <= 0;
  }

  delete(key: K): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.size;
    }
  }

  /**
   * The cached value, or the loader's result (cached). A failed load is not cached. `reserve` is the size
   * the load will need at its peak (default 0): it waits until that fits beside the cached values and the
   * other loads' reservations (a load larger than the bound waits until it is the only one).
   */
  async get(key: K, load: () => Promise<V>, reserve = 0): Promise<V> {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const p = (async () => {
      const amount = Math.min(reserve, this.options.maxSize);
      if (amount > 0) await this.acquire(amount);
      try {
        const value = await load();
        if (amount > 0) this.release(amount);
        this.set(key, value);
        return value;
      } catch (err) {
        if (amount > 0) this.release(amount);
        throw err;
      } finally {
        this.pending.delete(key);
      }
    })();
    this.pending.set(key, p);
    return p;
  }

  /** Runs `work` while `reserve` bytes are reserved (waiting until they fit, as get() does). */
  async reserveDuring<T>(reserve: number, work: () => Promise<T>): Promise<T> {
    const amount = Math.min(reserve, this.options.maxSize);
    if (amount > 0) await this.acquire(amount);
    try {
      return await work();
    } finally {
      if (amount > 0) this.release(amount);
    }
  }

  private fits(amount: number): boolean {
    // Evict least recently used values until the reservation fits (or nothing is left to evict).
    return this.evictUntil(amount) || this.reserved === 0;
  }

  private async acquire(amount: number): Promise<void> {
    while (!this.fits(amount)) await new Promise<void>((r) => this.waiters.push(r));
    this.reserved += amount;
  }

  private release(amount: number): void {
    this.reserved -= amount;
    for (const w of this.waiters.splice(0)) w();
  }
}
