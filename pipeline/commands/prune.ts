// `latentmap prune --keep N [--name NAME]`: caps disk use by deleting the oldest runs of each name.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { RunStore } from '../runs/store.js';

export interface PruneOptions {
  runsDir: string;
  /** Runs to keep per name (newest first). */
  keep: number;
  /** Only prune runs of this name; null prunes every name separately. */
  name: string | null;
  dryRun: boolean;
}

export interface PruneResult {
  deleted: string[];
  kept: string[];
  /** Hidden temporary directories of dead writers that were removed too. */
  stale: string[];
}

export async function pruneRuns(opts: PruneOptions): Promise<PruneResult> {
  const store = new RunStore(opts.runsDir);
  const stale = opts.dryRun ? [] : await store.cleanupStale();
  const runs = await store.list(); // newest first
  // A run that another run names as its base is kept while that run is kept, so transforms stay usable.
  const byName = new Map<string, string[]>();
  for (const r of runs) {
    if (opts.name !== null && r.name !== opts.name) continue;
    byName.set(r.name, [...(byName.get(r.name) ?? []), r.id]);
  }
  const doomed = new Set<string>();
  for (const ids of byName.values()) for (const id of ids.slice(opts.keep)) doomed.add(id);
  for (const r of runs) if (!doomed.has(r.id) && r.base) doomed.delete(r.base);
  const deleted: string[] = [];
  for (const id of doomed) {
    if (!opts.dryRun) {
      await store.remove(id);
      // The server's record of the job that made the run (runs/.jobs/<id>.json) goes with it.
      await rm(path.join(store.dir, '.jobs', `${id}.json`), { force: true });
    }
    deleted.push(id);
  }
  const kept = runs.map((r) => r.id).filter((id) => !doomed.has(id));
  return { deleted, kept, stale };
}
