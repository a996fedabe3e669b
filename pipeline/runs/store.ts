// The runs directory: immutable run directories, each assembled in a hidden temporary directory
// (`.tmp-<id>-<pid>-<random>`) and renamed into place only when complete, so every visible run is whole.
//
// Liveness across hosts (the runs directory may be shared, e.g. over NFS): a writer keeps a lock file
// `.owner` in its temporary directory ({host, pid, startedAt, processStart}) and rewrites it every
// HEARTBEAT_MS, so its mtime (set by the file server) shows the writer is alive. cleanupStale() removes a
// temporary directory only when its writer is dead:
//   - on another host: when the lock has not been refreshed for STALE_AFTER_MS (a pid means nothing there),
//     or when its mtime lies more than FUTURE_TOLERANCE_MS ahead: a live writer's rewrite would have set it
//     to the file server's present within a heartbeat, so a lock dated in the future was touched or copied
//     there, not refreshed;
//   - on this host: when the pid is gone, or it now names another process (its start time differs from the
//     one recorded, or, without /proc, the lock is older than STALE_AFTER_MS), so a reused pid is cleaned;
//   - with no lock (removed just before the rename of a commit, or never written): when the directory
//     itself has not changed for a minute.
// Ages are measured on the file server's clock, not this host's: cleanup writes a probe file into the runs
// directory and takes its mtime as "now" (fileServerNow), so a host whose clock is behind or ahead of the
// file server's neither removes live writers' directories nor keeps dead ones. Where the probe cannot be
// written (a read-only directory) this host's clock stands in.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { RunManifest } from '../types.js';
import { jobRecordFile, runFile, TMP_PREFIX, type RunFile } from './layout.js';
import { readManifestOrNull, writeManifest } from './run-dir.js';
import { isValidRunId, newRunId, runIdProblem } from './run-id.js';
import { makeDirs } from '../make-dirs.js';

export { isValidRunId, newRunId, runIdProblem } from './run-id.js';

const LOCK = '.owner';
/** How often a writer refreshes its lock file, ms. */
export const HEARTBEAT_MS = 10_000;
/** A lock not refreshed for this long belongs to a dead writer, ms (30 heartbeats: generous for clock skew and busy hosts). */
export const STALE_AFTER_MS = 5 * 60_000;
/**
 * A lock dated this far ahead of the file server's present, ms, cannot be a live writer's (its heartbeat
 * rewrites the lock, and the file server dates the rewrite): timestamps' granularity and a probe raced by a
 * heartbeat stay well within it.
 */
export const FUTURE_TOLERANCE_MS = 3 * HEARTBEAT_MS;
/** A temporary directory without a lock is being committed (renamed) for at most this long, ms. */
const NO_LOCK_GRACE_MS = 60_000;

/** The lock file of a run being written. */
export interface WriterLock {
  host: string;
  pid: number;
  startedAt: string;
  /** The process's start time in clock ticks since boot (Linux /proc/<pid>/stat field 22); null elsewhere. */
  processStart: string | null;
}

/** Start time of process `pid` (clock ticks since boot, Linux), or null when unknown. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Whether a file last written `ageMs` ago (on the file server's clock) may belong to a live writer: younger than
 * `boundMs`, and not dated further ahead than FUTURE_TOLERANCE_MS (a heartbeat would have dated it to the present).
 */
function withinAge(ageMs: number, boundMs: number): boolean {
  return ageMs < boundMs && ageMs > -FUTURE_TOLERANCE_MS;
}

/**
 * Whether the writer that holds `lock` (a lock file last written `ageMs` ago) may still be writing.
 * See the liveness rule at the top of this file.
 */
export function writerAlive(lock: Partial<WriterLock>, ageMs: number, here = hostname(), staleAfterMs = STALE_AFTER_MS): boolean {
  const fresh = withinAge(ageMs, staleAfterMs);
  if (lock.host !== here || !lock.pid) return fresh;
  if (!isProcessAlive(lock.pid)) return false;
  const now = processStartTime(lock.pid);
  if (now !== null && lock.processStart) return now === lock.processStart;
  return fresh;
}

/**
 * The file server's present, ms since the epoch: the mtime of a probe file written into `dir` (and removed),
 * which the file server dates with its own clock as it dates a writer's heartbeat. This host's clock when
 * the probe cannot be written.
 */
export async function fileServerNow(dir: string): Promise<number> {
  const probe = path.join(dir, `${TMP_PREFIX}clock-${process.pid}-${randomBytes(3).toString('hex')}`);
  try {
    await writeFile(probe, '');
    try {
      return (await stat(probe)).mtimeMs;
    } finally {
      await rm(probe, { force: true });
    }
  } catch {
    return Date.now();
  }
}

/** Throws InputError (field `id`) with the one run-id message when `id` is not a valid run id. */
export function assertRunId(id: string): void {
  const problem = runIdProblem(id);
  if (problem) throw new InputError(problem, { field: 'id' });
}

/** A run being written; nothing of it is visible until commit(). */
export interface RunWriter {
  readonly id: string;
  /** The hidden temporary directory to write the artifacts into. */
  readonly dir: string;
  /** Writes the manifest last and renames the directory into place; returns the final path. */
  commit(manifest: RunManifest): Promise<string>;
  /** Removes the temporary directory. Safe to call twice or after commit. */
  abort(): Promise<void>;
}

export class RunStore {
  readonly dir: string;

  constructor(runsDir: string) {
    this.dir = path.resolve(runsDir);
  }

  /** Path of a run (or a file inside it); the id is validated so the result never leaves the runs directory. */
  path(id: string, ...file: string[]): string {
    assertRunId(id);
    const p = path.join(this.dir, id, ...file);
    const rel = path.relative(this.dir, p);
    if (rel.startsWith('..') || path.isAbsolute(rel)) throw new InputError(`path escapes the runs directory`, { field: 'id' });
    return p;
  }

  /** Path of one of run `id`'s files (layout.ts names them); the id is validated. */
  file(id: string, file: RunFile): string {
    return runFile(this.path(id), file);
  }

  /** Path of the server's record of job `id` (whether or not it exists). */
  jobRecord(id: string): string {
    assertRunId(id);
    return jobRecordFile(this.dir, id);
  }

  async exists(id: string): Promise<boolean> {
    try {
      await stat(this.file(id, 'manifest'));
      return true;
    } catch {
      return false;
    }
  }

  /** The manifest of a complete run, or null when there is none with that id. */
  async get(id: string): Promise<RunManifest | null> {
    return readManifestOrNull(this.path(id));
  }

  /** Every complete run, newest first. Hidden temporary directories and unreadable entries are skipped. */
  async list(): Promise<RunManifest[]> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch {
      return [];
    }
    const runs: RunManifest[] = [];
    await Promise.all(
      entries
        .filter((e) => isValidRunId(e))
        .map(async (e) => {
          const m = await this.get(e);
          if (m && m.status === 'complete') runs.push(m);
        }),
    );
    runs.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : a.id < b.id ? 1 : -1));
    return runs;
  }

  /** A fresh id for a run named `name` (the naming rule is newRunId's, in run-id.ts). */
  newId(name: string, now = new Date()): string {
    return newRunId(name, now);
  }

  /** Starts writing run `id` in a hidden temporary directory. Fails if the id is taken. */
  async begin(id: string): Promise<RunWriter> {
    assertRunId(id);
    await makeDirs(this.dir);
    if (await this.exists(id)) throw new InputError(`run ${id} already exists in ${this.dir}`, { field: 'id' });
    const tmp = path.join(this.dir, `${TMP_PREFIX}${id}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await makeDirs(tmp);
    // The lock file lets any process, on any host sharing this directory, tell a live writer from a dead one.
    const lock: WriterLock = { host: hostname(), pid: process.pid, startedAt: new Date().toISOString(), processStart: processStartTime(process.pid) };
    const lockFile = path.join(tmp, LOCK);
    await writeFile(lockFile, JSON.stringify(lock));
    let beats = 0;
    const heartbeat = setInterval(() => {
      // Rewriting (not utimes) lets the file server set the mtime from its own clock.
      writeFile(lockFile, JSON.stringify({ ...lock, beats: ++beats })).catch(() => {});
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const final = path.join(this.dir, id);
    let done = false;
    return {
      id,
      dir: tmp,
      commit: async (manifest: RunManifest) => {
        if (done) throw new Error(`run ${id} was already committed or aborted`);
        await writeManifest(tmp, manifest);
        clearInterval(heartbeat);
        await rm(lockFile, { force: true });
        try {
          // rename(2) onto an existing non-empty directory fails, so a concurrent job can never clobber a run.
          await rename(tmp, final);
        } catch (err) {
          throw new Error(`could not move run ${id} into place (${(err as NodeJS.ErrnoException).code ?? 'error'})`, { cause: err });
        }
        done = true;
        return final;
      },
      abort: async () => {
        done = true;
        clearInterval(heartbeat);
        await rm(tmp, { recursive: true, force: true });
      },
    };
  }

  /**
   * Writes run `id` whole or not at all: `fill` writes the artifacts into the hidden directory it is given
   * and returns the manifest; the run is then renamed into place. Any failure removes the directory.
   */
  async write(id: string, fill: (dir: string) => Promise<RunManifest>): Promise<{ dir: string; manifest: RunManifest }> {
    const writer = await this.begin(id);
    try {
      const manifest = await fill(writer.dir);
      return { dir: await writer.commit(manifest), manifest };
    } catch (err) {
      await writer.abort();
      throw err;
    }
  }

  /**
   * Removes hidden temporary directories left by writers that no longer run (killed, crashed, on any host
   * sharing this directory); see the liveness rule at the top of this file. Returns the names removed (with
   * `dryRun`, the names it would remove, removing nothing).
   */
  async cleanupStale(staleAfterMs = STALE_AFTER_MS, dryRun = false): Promise<string[]> {
    let entries: string[];
    try {
      entries = await readdir(this.dir);
    } catch {
      return [];
    }
    const removed: string[] = [];
    const candidates = entries.filter((n) => n.startsWith(TMP_PREFIX));
    if (candidates.length === 0) return removed;
    const now = await fileServerNow(this.dir);
    for (const e of candidates) {
      const dir = path.join(this.dir, e);
      let alive: boolean;
      const lockFile = path.join(dir, LOCK);
      try {
        const age = now - (await stat(lockFile)).mtimeMs;
        let lock: Partial<WriterLock> = {};
        try {
          const parsed = JSON.parse(await readFile(lockFile, 'utf8')) as unknown;
          if (parsed && typeof parsed === 'object') lock = parsed as Partial<WriterLock>;
        } catch {
          // caught mid-rewrite, or corrupt: the lock's age alone decides
        }
        alive = writerAlive(lock, age, hostname(), staleAfterMs);
      } catch {
        // No lock: being committed right now (the lock goes just before the rename), a trash directory of
        // remove(), or a writer killed in that moment. Judge by the directory's own age.
        try {
          const age = now - (await stat(dir)).mtimeMs;
          alive = withinAge(age, Math.min(staleAfterMs, NO_LOCK_GRACE_MS));
        } catch {
          continue; // gone meanwhile
        }
      }
      if (alive) continue;
      if (!dryRun) await rm(dir, { recursive: true, force: true });
      removed.push(e);
    }
    return removed;
  }

  /** Deletes a complete run (used by prune). */
  async remove(id: string): Promise<void> {
    const target = this.path(id);
    // Rename first so the run disappears atomically, then delete at leisure.
    const trash = path.join(this.dir, `${TMP_PREFIX}deleted-${id}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await rename(target, trash);
    await rm(trash, { recursive: true, force: true });
  }
}

/** Whether a process with this pid exists on this host (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
