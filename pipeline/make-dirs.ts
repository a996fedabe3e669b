// The one way the CLI and the server make directories: a directory and its missing parents, made one level at a
// time so that a failure names its true cause. Node's own `mkdir(dir, { recursive: true })` reports ENOENT on a
// read-only file system when a parent is missing as well (it cannot tell "the parent is missing" from "the
// parent could not be made"), which told an operator to look for a missing path when the disk was read-only.
import { access, constants, mkdir, stat } from 'node:fs/promises';
import path from 'node:path';

/** What an errno code means to the person who has to fix it. */
const CAUSES: Record<string, string> = {
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  ENOTDIR: 'a part of the path is a file, not a directory',
  EIO: 'input/output error (a failing disk or network file system)',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links in the path',
};

/** The cause of a file-system error in words, with its code: "the file system is read-only (EROFS)". */
export function causeOf(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (typeof code !== 'string') return err instanceof Error ? err.message : String(err);
  return `${CAUSES[code] ?? (err as Error).message.split(',')[0]!.replace(/^[A-Z]+: /, '')} (${code})`;
}

/**
 * A directory that could not be made. `code` is the errno code of the level that failed (EROFS, EACCES,
 * ENOSPC ...), so callers that map codes (a 503 for a full or read-only disk) see the real one; `dir` is that
 * level, which may be a parent of the directory asked for.
 */
export class DirectoryError extends Error {
  readonly code: string;
  constructor(
    readonly dir: string,
    cause: NodeJS.ErrnoException,
  ) {
    super(`cannot make directory ${dir}: ${causeOf(cause)}`, { cause });
    this.name = 'DirectoryError';
    this.code = cause.code ?? 'EUNKNOWN';
  }
}

/**
 * Makes `dir` and whichever of its parents are missing, one level at a time (resolves at once when it exists).
 * Throws DirectoryError naming the level that failed and why (EROFS, EACCES, ENOSPC, ENOTDIR ...), never the
 * ENOENT a recursive mkdir gives on a read-only file system.
 */
export async function makeDirs(dir: string): Promise<void> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  for (let at = target; ; at = path.dirname(at)) {
    try {
      if ((await stat(at)).isDirectory()) break;
      throw new DirectoryError(at, Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${at}'`), { code: 'ENOTDIR' }));
    } catch (err) {
      if (err instanceof DirectoryError) throw err;
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTDIR: a level above is a file; walking up finds which (stat succeeds there, not a directory)
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new DirectoryError(at, err as NodeJS.ErrnoException);
    }
    missing.push(at);
    if (path.dirname(at) === at) break; // the root itself is missing: mkdir below says why
  }
  for (const level of missing.reverse()) {
    try {
      await mkdir(level);
    } catch (err) {
      // made meanwhile by another process: fine when it is a directory
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && (await stat(level).catch(() => null))?.isDirectory()) continue;
      throw new DirectoryError(level, err as NodeJS.ErrnoException);
    }
  }
}

/** Errno codes that mean "this process may not write here", as opposed to a missing or broken disk. */
export const NOT_WRITABLE: ReadonlySet<string> = new Set(['EROFS', 'EACCES', 'EPERM']);

/**
 * Why this process cannot write into directory `dir` (create, rename and delete entries there), or null when it
 * can: "the file system is read-only (EROFS)", "permission denied (EACCES)". A directory that does not exist is
 * an error of its own (thrown, ENOENT).
 */
export async function whyNotWritable(dir: string): Promise<string | null> {
  try {
    await access(dir, constants.W_OK | constants.X_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== undefined && NOT_WRITABLE.has(code)) return causeOf(err);
    throw err;
  }
}
