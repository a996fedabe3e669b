// GET /api/runs without reading every run per call. The runs directory is listed again when its mtime moves
// (a run renamed into place or removed) or `recheckMs` has passed since the last look; the runs are checked
// through the run cache (RunCache.summaries: in the worker thread, in batches, each run read whole only when
// its files' stamp moved), so a run damaged in place leaves the list at the next look, and the first list of
// hundreds of runs after a start never holds the event loop. A list that came out the same keeps its body (and
// ETag).
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

  constructor(
    private readonly store: RunStore,
    /** The runs' lines (RunCache.summaries: complete and whole runs only). */
    private readonly summaries: Summaries,
    /** How long a list is served before the runs are looked at again, ms. Default 0: at every call. */
    private readonly recheckMs = 0,
  ) {}

  /** The list's JSON body (complete runs, newest first). */
  async json(): Promise<CachedBody> {
    let version: string;
    try {
      const s = await stat(this.store.dir);
      version = `${s.ino}:${s.mtimeMs}`;
    } catch {
      version = 'none';
    }
    if (version !== this.dirVersion || !this.body || !(performance.now() - this.builtAt < this.recheckMs)) {
      this.dirVersion = version;
      this.builtAt = performance.now();
      const previous = this.body;
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
    }
    return this.body;
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
