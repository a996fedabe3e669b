// The runs directory: immutable run directories, each assembled in a hidden temporary directory
// (`.tmp-<id>-<pid>-<random>`) and renamed into place only when complete, so every visible run is whole.
//
// The runs directory may be shared between hosts (e.g. over NFS): a writer holds a lock on its temporary directory
// (writer-lock.ts), and cleanupStale() removes a temporary directory only when that lock's liveness rule says its
// writer is dead (killed, crashed, on any host).
import { randomBytes } from 'node:crypto';
import { readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import type { RunManifest } from '../types.js';
import { jobRecordFile, runFile, TMP_PREFIX, type RunFile } from './layout.js';
import { readManifestOrNull, writeManifest } from './run-dir.js';
import { isValidRunId, newRunId, runIdProblem } from './run-id.js';
import { makeDirs } from '../make-dirs.js';
import { STALE_AFTER_MS, dirWriterAlive, fileServerNow, holdLock } from './writer-lock.js';

export { isValidRunId, newRunId, runIdProblem } from './run-id.js';

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

  /** Throws InputError (field `id`) when `id` is already a complete run here. */
  async assertNew(id: string): Promise<void> {
    if (await this.exists(id)) throw new InputError(`run ${id} already exists in ${this.dir}`, { field: 'id' });
  }

  /** Starts writing run `id` in a hidden temporary directory. Fails if the id is taken. */
  async begin(id: string): Promise<RunWriter> {
    assertRunId(id);
    await makeDirs(this.dir);
    await this.assertNew(id);
    const tmp = path.join(this.dir, `${TMP_PREFIX}${id}-${process.pid}-${randomBytes(3).toString('hex')}`);
    await makeDirs(tmp);
    // The lock lets any process, on any host sharing this directory, tell a live writer from a dead one.
    const held = await holdLock(tmp);
    const final = path.join(this.dir, id);
    let done = false;
    return {
      id,
      dir: tmp,
      commit: async (manifest: RunManifest) => {
        if (done) throw new Error(`run ${id} was already committed or aborted`);
        await writeManifest(tmp, manifest);
        await held.release();
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
        await held.release();
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
      const writer = await dirWriterAlive(dir, now, staleAfterMs);
      if (!writer) continue; // gone meanwhile
      if (writer.alive) continue;
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
