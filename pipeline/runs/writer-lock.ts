// A writer's lock on a directory shared between processes and hosts (a run being written, a sharded run's work
// files): the lock file `.owner` ({host, pid, startedAt, processStart}) rewritten every HEARTBEAT_MS, so its mtime,
// set by the file server, shows the writer is alive. The liveness rule (writerAlive, dirWriterAlive):
//   - on another host: alive while the lock was refreshed within STALE_AFTER_MS (a pid means nothing there), and
//     not dated more than FUTURE_TOLERANCE_MS ahead: a live writer's rewrite would have set it to the file
//     server's present within a heartbeat, so a lock dated in the future was touched or copied there;
//   - on this host: dead when the pid is gone, or now names another process (its start time differs from the
//     one recorded, or, without /proc, the lock is older than STALE_AFTER_MS), so a reused pid counts as dead;
//   - with no lock (removed just before a commit's rename, not yet written, or never): alive while the directory
//     itself changed within NO_LOCK_GRACE_MS.
// Ages are measured on the file server's clock (fileServerNow), so hosts whose clocks disagree with it judge alike.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { TMP_PREFIX } from './layout.js';

/** The lock file's name inside the directory it guards. */
export const LOCK = '.owner';
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
/** A directory without a lock is being committed (renamed) or just made for at most this long, ms. */
export const NO_LOCK_GRACE_MS = 60_000;

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
export function withinAge(ageMs: number, boundMs: number): boolean {
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

/** Whether a process with this pid exists on this host (signal 0 probes without signalling). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock held on a directory: its heartbeat runs until release(). */
export interface HeldLock {
  readonly lock: WriterLock;
  /** Stops the heartbeat and removes the lock file (the directory stays). Safe to call twice. */
  release(): Promise<void>;
}

/** Writes this process's lock into `dir` (which must exist) and refreshes it every HEARTBEAT_MS until release(). */
export async function holdLock(dir: string): Promise<HeldLock> {
  const lock: WriterLock = { host: hostname(), pid: process.pid, startedAt: new Date().toISOString(), processStart: processStartTime(process.pid) };
  const lockFile = path.join(dir, LOCK);
  await writeFile(lockFile, JSON.stringify(lock));
  let beats = 0;
  const heartbeat = setInterval(() => {
    // Rewriting (not utimes) lets the file server set the mtime from its own clock.
    writeFile(lockFile, JSON.stringify({ ...lock, beats: ++beats })).catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let released = false;
  return {
    lock,
    release: async () => {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      await rm(lockFile, { force: true });
    },
  };
}

/** What dirWriterAlive found: whether the writer may still be writing, and its lock when there is a readable one. */
export interface DirWriter {
  alive: boolean;
  lock: Partial<WriterLock> | null;
}

/**
 * Whether the writer of directory `dir` may still be writing, by the liveness rule above, at `now` (ms on the file
 * server's clock: fileServerNow of the directory holding `dir`). Null when `dir` is gone.
 */
export async function dirWriterAlive(dir: string, now: number, staleAfterMs = STALE_AFTER_MS): Promise<DirWriter | null> {
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
    return { alive: writerAlive(lock, age, hostname(), staleAfterMs), lock };
  } catch {
    try {
      const age = now - (await stat(dir)).mtimeMs;
      return { alive: withinAge(age, Math.min(staleAfterMs, NO_LOCK_GRACE_MS)), lock: null };
    } catch {
      return null; // gone meanwhile
    }
  }
}
