// Job records: one small state file per job (runs/.jobs/<id>.json) beside the configuration the job runs
// (runs/.jobs/<id>.config.json), so a restarted server can report a job a crash or restart cut off.
// Writing, reading and crash recovery of those files live here; the queue decides when.
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { JOBS_DIR, jobConfigFile } from '../../pipeline/runs/layout.js';
import { isValidRunId, type RunStore } from '../../pipeline/runs/store.js';
import { isProcessAlive } from '../../pipeline/runs/writer-lock.js';
import type { ProgressEvent, RunConfig } from '../../pipeline/types.js';
import { killOrphan } from './child.js';
import { makeDirs } from '../../pipeline/make-dirs.js';

export type JobStatus = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';

export interface JobState {
  id: string;
  name: string;
  status: JobStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why a job failed or was cancelled. */
  error: string | null;
  /** The latest progress report of the job. */
  progress: ProgressEvent | null;
  /** The configuration as posted (validated; runsDir is always the server's). */
  config: Partial<RunConfig>;
}

/** Which server process owns a queued or running job. */
export interface JobOwner {
  host: string;
  pid: number;
  instance: string;
}

/** A job file: the state, plus (while queued or running) which server owns it and the child's pid. */
type Persisted = JobState & { pid?: number; owner?: JobOwner };

export class JobRecords {
  readonly dir: string;

  constructor(
    readonly store: RunStore,
    /** Tells this server's records from those of another live server sharing the runs directory. */
    readonly instance: string,
  ) {
    this.dir = path.join(store.dir, JOBS_DIR);
  }

  /** The configuration file the job's process reads. */
  configFile(id: string): string {
    return jobConfigFile(this.store.dir, id);
  }

  async writeConfig(id: string, config: Partial<RunConfig>): Promise<void> {
    await makeDirs(this.dir);
    await writeFile(this.configFile(id), JSON.stringify(config, null, 2));
  }

  /** Saves a job's state atomically; a live job's file also names its owner and (once started) its pid. */
  async save(job: JobState, pid?: number): Promise<void> {
    const file = path.join(this.dir, `${job.id}.json`);
    const tmp = `${file}.${process.pid}.${this.instance}.tmp`;
    const persisted: Persisted = { ...job };
    if (job.status === 'queued' || job.status === 'running') {
      persisted.owner = { host: hostname(), pid: process.pid, instance: this.instance };
      if (pid) persisted.pid = pid;
    }
    await writeFile(tmp, JSON.stringify(persisted));
    await rename(tmp, file);
  }

  /** Removes both files of a job (a creation that failed half-way). */
  async remove(id: string): Promise<void> {
    await Promise.all([rm(path.join(this.dir, `${id}.json`), { force: true }), rm(this.configFile(id), { force: true })]);
  }

  /**
   * Loads every job record. Jobs a previous server left queued or running were cut off (crash or
   * restart): they are marked failed (or complete, when their run made it into place) and saved; an orphan
   * child still running is ended. Jobs another live server on this host owns are left alone. `readOnly`: the
   * runs directory cannot be written (a server serving it read-only): the records are read, the jobs cut off
   * reported as such, and nothing is made or saved.
   */
  async recover(readOnly = false): Promise<JobState[]> {
    if (!readOnly) await makeDirs(this.dir);
    let names: string[] = [];
    try {
      names = await readdir(this.dir);
    } catch {
      names = [];
    }
    const out: JobState[] = [];
    for (const name of names) {
      const m = /^(.+)\.json$/.exec(name);
      if (!m || name.endsWith('.config.json') || !isValidRunId(m[1]!)) continue;
      let job: Persisted;
      try {
        job = JSON.parse(await readFile(path.join(this.dir, name), 'utf8')) as Persisted;
      } catch {
        continue;
      }
      if (!job || typeof job !== 'object' || job.id !== m[1]) continue;
      const owner = job.owner;
      const othersLive = owner !== undefined && owner.instance !== this.instance && owner.host === hostname() && isProcessAlive(owner.pid);
      if ((job.status === 'queued' || job.status === 'running') && !othersLive) {
        const was = job.status;
        if (was === 'running' && job.pid) killOrphan(job.pid, job.id);
        if (await this.store.exists(job.id)) {
          job.status = 'complete';
          job.error = null;
        } else {
          job.status = 'failed';
          job.error = `interrupted: the server stopped while this job was ${was}; start it again`;
        }
        job.finishedAt = new Date().toISOString();
        if (!readOnly) await this.save(job);
      }
      delete job.pid;
      delete job.owner;
      out.push(job);
    }
    return out;
  }
}
