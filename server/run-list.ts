// GET /api/runs without re-reading every manifest per call: the list is rebuilt only when the runs
// directory itself changed (its mtime moves whenever a run is renamed into place or removed), and then
// only the manifests of runs not seen before (or written again: inode and mtime differ) are read, through the
// run cache (which checks a run whole from its points file's Arrow footer, never its data).
import { readdir, stat } from 'node:fs/promises';
import { manifestVersion, readManifestOrNull } from '../pipeline/runs/run-dir.js';
import { isValidRunId, type RunStore } from '../pipeline/runs/store.js';
import type { RunManifest, RunSummary } from '../pipeline/types.js';
import { cachedBody, type CachedBody } from './cached-body.js';
import { scrubPaths } from './scrub.js';
import { JSON_TYPE } from './run-cache.js';
import { reducerOfRun } from '../pipeline/reduce/reducer.js';

export function summarize(m: RunManifest): RunSummary {
  return {
    id: m.id,
    // Free text a run wrote may quote a path of the machine that wrote it (public-manifest.ts).
    name: typeof m.name === 'string' ? scrubPaths(m.name) : m.name,
    createdAt: m.createdAt,
    dataset: scrubPaths(m.dataset?.name ?? ''),
    rows: m.dataset?.rows ?? 0,
    reducer: reducerOfRun(m),
    variant: m.config?.variant,
    base: m.base ?? null,
  };
}

interface Known {
  version: string;
  summary: RunSummary | null;
}

export class RunList {
  private dirVersion = '';
  private body: Promise<CachedBody> | null = null;
  private readonly known = new Map<string, Known>();

  constructor(
    private readonly store: RunStore,
    /**
     * The manifest of complete run `id` when it is whole (its files read as what they should be: the run
     * cache's check), else null (not complete, or corrupt: its own endpoints say why); asked once per version
     * of its manifest. Throws on a failure that says nothing about the run (the list is built again on the
     * next call). Default: the manifest as written, when it says complete.
     */
    private readonly manifestOf: (id: string) => Promise<RunManifest | null> = async (id) => {
      const m = await readManifestOrNull(this.store.path(id));
      return m && typeof m === 'object' && m.status === 'complete' && m.id === id ? m : null;
    },
  ) {}

  /** The list's JSON body (complete runs, newest first), rebuilt only after the runs directory changed. */
  async json(): Promise<CachedBody> {
    let version: string;
    try {
      const s = await stat(this.store.dir);
      version = `${s.ino}:${s.mtimeMs}`;
    } catch {
      version = 'none';
    }
    if (version !== this.dirVersion || !this.body) {
      this.dirVersion = version;
      this.body = this.build().then((list) => cachedBody(Buffer.from(JSON.stringify(list)), JSON_TYPE));
      // A failed build is retried on the next call.
      this.body.catch(() => (this.dirVersion = ''));
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
    const seen = new Set(names);
    for (const id of this.known.keys()) if (!seen.has(id)) this.known.delete(id);
    const out: RunSummary[] = [];
    await Promise.all(
      names.map(async (id) => {
        const dir = this.store.path(id);
        const version = await manifestVersion(dir);
        if (version === null) {
          this.known.delete(id);
          return;
        }
        let k = this.known.get(id);
        if (!k || k.version !== version) {
          const m = await this.manifestOf(id);
          k = { version, summary: m ? summarize(m) : null };
          this.known.set(id, k);
        }
        if (k.summary) out.push(k.summary);
      }),
    );
    out.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    return out;
  }
}
