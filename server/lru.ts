// A least-recently-used cache bounded by the total size of its values (bytes, roughly).
// Loads are deduplicated: concurrent get()s of a missing key share one loader call.

export interface LruOptions<V> {
  /** Upper bound of the sum of sizeOf() over the cached values. */
  maxSize: number;
  /** Size of one value, in the same unit as maxSize. */
  sizeOf: (value: V) => number;
}

export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; size: number }>();
  private readonly pending = new Map<K, Promise<V>>();
  private total = 0;

  constructor(private readonly options: LruOptions<V>) {}

  get size(): number {
    return this.total;
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
    for (const [k, e] of this.entries) {
      if (this.total <= this.options.maxSize) break;
      this.entries.delete(k);
      this.total -= e.size;
    }
  }

  delete(key: K): void {
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.total -= old.size;
    }
  }

  /** The cached value, or the loader's result (cached). A failed load is not cached. */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    const inflight = this.pending.get(key);
    if (inflight) return inflight;
    const p = load().then(
      (value) => {
        this.pending.delete(key);
        this.set(key, value);
        return value;
      },
      (err: unknown) => {
        this.pending.delete(key);
        throw err;
      },
    );
    this.pending.set(key, p);
    return p;
  }
}
