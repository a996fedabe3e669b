// GET /api/runs without reading every run per call. The runs directory is listed again when its mtime moves
// (a run renamed into place or removed: built before answering) or `recheckMs` has passed since the last look
// (the list held answered meanwhile); the runs are checked
// through the run cache (RunCache.summaries: in the worker thread, in batches, each run read whole only when
// its files' stamp moved), so a run damaged in place leaves the list at the next look, and the first list of
// hundreds of runs after a start never holds the event loop. A list that came out the same keeps its body (and
// ETag). A list built before the run cache saw a verdict change (a run found damaged by a request of it,
// mended, written again) is not answered again: the list is built again first.
import { readdir, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { isValidRunId, type RunStore } from '../pipeline/runs/store.js';
import type { RunSummary } from '../pipeline/types.js';
import { cachedBody, type CachedBody } from './cached-body.js';
import { JSON_TYPE } from './run-cache.js';

/** The list's line of each run of `ids`, or null for a run not listed (absent, not complete, or corrupt). */
export type Summaries = (ids: string[]) => Promise<(RunSummary | null)[]>;

export class RunList {
  private dirVersion = '';
  /** When the list was last built (performance.now() ms). */
  private builtAt = -Infinity;
  private body: Promise<CachedBody> | null = null;
  private text = '';
  /** A build under way while the held list is answered. */
  private building = false;
  /** `changes()` when the held list began to be built. */
  private changesSeen = -1;

  constructor(
    private readonly store: RunStore,
    /** The runs' lines (RunCache.summaries: complete and whole runs only). */
    private readonly summaries: Summaries,
    /** How long a list is served before the runs are looked at again, ms. Default 0: at every call, before answering. */
    private readonly recheckMs = 0,
    /** How many verdicts the run cache has changed (RunCache.changes); default: none ever. */
    private readonly changes: () => number = () => 0,
  ) {}

  /**
   * The list's JSON body (complete runs, newest first). After the runs directory changed, the list is built
   * before it is answered (a run just written is listed at once); when only `recheckMs` has passed, the list
   * held is answered and built again meanwhile (a run damaged in place leaves it that much later), so no
   * request waits for the runs to be looked at again. When the run cache has changed a verdict since the held
   * list began to be built (a request found a run damaged), the list is built again before it is answered: a
   * run seen damaged is not listed.
   */
  async json(): Promise<CachedBody> {
    let version: string;
    try {
      const s = await stat(this.store.dir);
      version = `${s.ino}:${s.mtimeMs}`;
    } catch {
      version = 'none';
    }
    const held = this.body;
    if (version !== this.dirVersion || !held || this.recheckMs <= 0 || this.changes() !== this.changesSeen) {
      this.dirVersion = version;
      return this.rebuild(held);
    }
    if (!(performance.now() - this.builtAt < this.recheckMs) && !this.building) {
      this.building = true;
      void this.rebuild(held)
        .catch(() => {})
        .finally(() => (this.building = false));
    }
    return held;
  }

  /** Builds the list again; `previous` (the body held) is kept when the list came out the same. */
  private rebuild(previous: Promise<CachedBody> | null): Promise<CachedBody> {
    this.builtAt = performance.now();
    this.changesSeen = this.changes();
    const body = this.build().then(async (list) => {
      const text = JSON.stringify(list);
      if (previous && text === this.text) return previous;
      this.text = text;
      return cachedBody(Buffer.from(text), JSON_TYPE);
    });
    this.body = body;
    // A failed build is retried on the next call.
    body.catch(() => {
      if (this.body !== body) return;
      this.dirVersion = '';
      this.body = null;
    });
    return body;
  }

  private async build(): Promise<RunSummary[]> {
    let names: string[];
    try {
      names = (await readdir(this.store.dir)).filter(isValidRunId);
    } catch {
      names = [];
    }
    const out = (await this.summaries(names)).filter((s): s is RunSummary => s !== null);
    out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    return out;
  }
}
