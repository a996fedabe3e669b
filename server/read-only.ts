// A runs directory the server cannot write (a read-only mount, a directory of another user): the server still
// starts and serves the runs there; everything that would write (new runs, uploads, deletions, ending a job's
// map early) is answered 503 with the reason, and the start-up log says so once.
import path from 'node:path';
import type { RequestHandler } from 'express';
import { InputError } from '../pipeline/errors.js';
import { causeOf, DirectoryError, makeDirs, NOT_WRITABLE, whyNotWritable } from '../pipeline/make-dirs.js';
import { JOBS_DIR } from '../pipeline/runs/layout.js';
import { HttpError } from './http-error.js';

/** The `code` of the answer to a write on a server whose runs directory is read-only. */
export const READ_ONLY = 'read_only';

/**
 * Why the server cannot write into `runsDir` ("the file system is read-only (EROFS)", "permission denied
 * (EACCES)"), or null when it can. Makes the runs directory and its job records' folder (.jobs) when they are
 * missing and can be made. A runs directory that is missing and cannot be made, or an empty string, is an
 * InputError (field runs-dir) saying why: there would be nothing to serve.
 */
export async function runsDirReadOnly(runsDir: string): Promise<string | null> {
  if (runsDir.trim() === '') throw new InputError('the runs directory must be a path, not an empty string', { field: 'runs-dir' });
  try {
    await makeDirs(runsDir);
  } catch (err) {
    if (err instanceof DirectoryError) {
      throw new InputError(`the runs directory ${path.resolve(runsDir)} cannot be made: ${causeOf(err.cause)}${path.resolve(runsDir) === err.dir ? '' : ` (at ${err.dir})`}`, { field: 'runs-dir' });
    }
    throw err;
  }
  const why = await whyNotWritable(runsDir);
  if (why !== null) return why;
  const jobs = path.join(runsDir, JOBS_DIR);
  try {
    await makeDirs(jobs);
  } catch (err) {
    if (err instanceof DirectoryError && NOT_WRITABLE.has(err.code)) return causeOf(err.cause);
    throw err;
  }
  return whyNotWritable(jobs);
}

/** The one start-up log line of a server that serves its runs directory read-only. */
export function readOnlyNotice(runsDir: string, why: string): string {
  return `writes are off: the runs directory ${path.resolve(runsDir)} cannot be written (${why}); serving its runs read-only, new runs, uploads and deletions answer 503`;
}

/** The refusal of a write on a read-only server: 503 (no Retry-After: asking again will not help until the operator acts). */
export function readOnlyRefusal(why: string): HttpError {
  return new HttpError(503, `this server serves its runs read-only: its runs directory cannot be written (${why}), so new runs, uploads and deletions are off`, {}, { code: READ_ONLY });
}

/** Middleware of every route that writes: passes when the server can write, else readOnlyRefusal. */
export function writesAllowed(readOnly: string | null): RequestHandler {
  return (_req, _res, next) => next(readOnly === null ? undefined : readOnlyRefusal(readOnly));
}

/** Whether `err` is readOnlyRefusal's. */
export function isReadOnlyRefusal(err: unknown): boolean {
  return err instanceof HttpError && err.extra.code === READ_ONLY;
}
