// `latentmap prune --keep N [--name NAME]`: caps disk use by deleting the oldest runs of each name.
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { JOBS_DIR, jobConfigFile, jobRecordFile } from '../runs/layout.js';
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
  /** Hidden temporary directories of dead writers that were removed too (with dryRun: would be). */
  stale: string[];
  /**
   * Ids of the server's records of failed or cancelled jobs (runs/.jobs/<id>.json; such jobs left no run)
   * deleted beyond the newest `keep` of each name. Queued and running jobs' records are never touched.
   */
  jobRecords: string[];
  /** The names of the complete runs in the runs directory (to say what --name could have matched). */
  names: string[];
}

export async function pruneRuns(opts: PruneOptions): Promise<PruneResult> {
  const store = new RunStore(opts.runsDir);
  const stale = await store.cleanupStale(undefined, opts.dryRun);
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
      // The server's record of the job that made the run (runs/.jobs/<id>.json and the configuration it
      // ran, <id>.config.json) goes with it.
      await removeJobRecord(store.dir, id);
    }
    deleted.push(id);
  }
  const kept = runs.map((r) => r.id).filter((id) => !doomed.has(id));
  const jobRecords = await pruneJobRecords(path.join(store.dir, JOBS_DIR), new Set(runs.map((r) => r.id)), opts);
  const names = [...new Set(runs.map((r) => r.name))].sort();
  return { deleted, kept, stale, jobRecords, names };
}

/** The failed and cancelled job records beyond the newest opts.keep per name (deleted unless a dry run). */
async function pruneJobRecords(jobsDir: string, runIds: Set<string>, opts: PruneOptions): Promise<string[]> {
  let files: string[];
  try {
    files = (await readdir(jobsDir)).filter((f) => f.endsWith('.json') && !f.endsWith('.config.json'));
  } catch {
    return []; // no server ever ran here
  }
  const byName = new Map<string, { id: string; at: string }[]>();
  for (const file of files) {
    let job: { id?: unknown; name?: unknown; status?: unknown; createdAt?: unknown; finishedAt?: unknown };
    try {
      job = JSON.parse(await readFile(path.join(jobsDir, file), 'utf8'));
    } catch {
      continue; // being written, or not ours: leave it
    }
    const id = file.slice(0, -'.json'.length);
    if ((job.status !== 'failed' && job.status !== 'cancelled') || runIds.has(id)) continue;
    const name = typeof job.name === 'string' ? job.name : '';
    if (opts.name !== null && name !== opts.name) continue;
    const at = String(job.finishedAt ?? job.createdAt ?? '');
    byName.set(name, [...(byName.get(name) ?? []), { id, at }]);
  }
  const doomed: string[] = [];
  for (const jobs of byName.values()) {
    jobs.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
    for (const j of jobs.slice(opts.keep)) doomed.push(j.id);
  }
  if (!opts.dryRun) for (const id of doomed) await removeJobRecord(path.dirname(jobsDir), id);
  return doomed.sort();
}

/** Deletes a job's record and the configuration file it ran. */
async function removeJobRecord(runsDir: string, id: string): Promise<void> {
  await rm(jobRecordFile(runsDir, id), { force: true });
  await rm(jobConfigFile(runsDir, id), { force: true });
}
