// The directories an operator lets runs started over HTTP read (`latentmap serve --data-root DIR`,
// repeatable; none by default). A path from a request is accepted only when, after resolving `..` and every
// symbolic link, it lies inside one of them; every refusal reads the same whether the path exists or not.
import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../pipeline/errors.js';
import { scrubPaths } from './scrub.js';

// The operator's note of a refusal (an InputError's `cause.operator`) is defined with the errors, so the CLI's
// job process can pass it on to the server's log (pipeline/errors.ts operatorNote).
export { operatorNote, type OperatorNote } from '../pipeline/errors.js';
import type { OperatorNote } from '../pipeline/errors.js';

interface Root {
  /** As the operator gave it, resolved. */
  given: string;
  /** With symbolic links resolved. */
  real: string;
}

function inside(p: string, root: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export class DataRoots {
  private constructor(private readonly roots: Root[]) {}

  /** No data roots: runs started over HTTP read only built-in datasets and uploads. */
  static none(): DataRoots {
    return new DataRoots([]);
  }

  /** Checks each directory exists; an InputError (field dataRoot) names the one that does not. */
  static async open(dirs: readonly string[]): Promise<DataRoots> {
    const roots: Root[] = [];
    for (const dir of dirs) {
      const given = path.resolve(dir);
      let real: string;
      try {
        real = await realpath(given);
        if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
      } catch {
        throw new InputError(`data root ${dir} is not a readable directory`, { field: 'dataRoot' });
      }
      roots.push({ given, real });
    }
    return new DataRoots(roots);
  }

  get count(): number {
    return this.roots.length;
  }

  /** Every root, as given and resolved (for scrubbing messages). */
  paths(): string[] {
    return this.roots.flatMap((r) => [r.given, r.real]);
  }

  /**
   * The real path of the file (or directory, with `kind: 'dir'`) a request names: relative to a data root
   * (tried in order) or absolute inside one, and readable. An InputError on `field` otherwise, with one message
   * for every refusal: a path that does not exist, cannot be read, is not a file (a directory), lies outside
   * every root, or escapes one through `..` or a symbolic link, all read alike, the path echoed as the client
   * sent it but an absolute one as `<path>` (the answer's scrub would name one inside a root `data-root:...`
   * and leave one outside as it is: a client could find a root by guessing). Why it was refused, naming the
   * root, is the error's `cause.operator`, for the server's log (OperatorNote). `opts.nameInsideRoots`: an
   * absolute path inside a root is echoed as `data-root:<relative path>` instead: for a job re-checking the
   * real path the server resolved from the client's relative one (the client learns no root from it).
   */
  async resolve(requested: string, field: string, kind: 'file' | 'dir' = 'file', opts: { nameInsideRoots?: boolean } = {}): Promise<string> {
    const what = kind === 'dir' ? 'directory' : 'file';
    const refuse = (why: string): never => {
      const cause: OperatorNote = { operator: `${field} ${JSON.stringify(requested.slice(0, 300))} refused: ${why}` };
      // an absolute path is `<path>` whole (the scrub leaves a lone "/" as it is); with nameInsideRoots (the
      // job's re-check of a path the server resolved itself) one inside a root is `data-root:<relative path>`
      const absolute = path.isAbsolute(requested) || /^[A-Za-z]:[\\/]/.test(requested);
      const named = absolute && opts.nameInsideRoots ? this.publicName(requested) : null;
      const shown = JSON.stringify(named ?? (absolute ? '<path>' : scrubPaths(requested.slice(0, 200))));
      if (this.roots.length === 0) {
        throw new InputError(
          `runs started over HTTP cannot read files of the server: upload the file (POST /api/uploads) and name it with "upload", or ask the operator to start the server with --data-root DIR (got ${shown})`,
          { field },
          { cause },
        );
      }
      throw new InputError(`no readable ${what} ${shown} under the server's data roots; give a path relative to a data root`, { field }, { cause });
    };
    if (this.roots.length === 0) refuse('the server has no data root');
    if (requested.includes('\0')) refuse('it holds a NUL character');
    // `iris.csv/` names a directory: resolving would drop the slash and read the file
    if (kind === 'file' && /[/\\]$/.test(requested)) refuse('it ends with a slash (a directory)');
    const whys: string[] = [];
    for (const root of this.roots) {
      const candidate = path.isAbsolute(requested) ? path.resolve(requested) : path.resolve(root.given, requested);
      // Lexically outside: never touch the file system for it.
      if (!inside(candidate, root.given) && !inside(candidate, root.real)) {
        whys.push(`outside data root ${root.given}`);
        continue;
      }
      try {
        const real = await realpath(candidate);
        if (!inside(real, root.real)) {
          whys.push(`a symbolic link out of data root ${root.given} (to ${real})`);
          continue;
        }
        const s = await stat(real);
        if (kind === 'dir' ? !s.isDirectory() : !s.isFile()) {
          whys.push(`not a ${what} (under data root ${root.given})`);
          continue;
        }
        await access(real, kind === 'dir' ? constants.R_OK | constants.X_OK : constants.R_OK);
        return real;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'error';
        whys.push(`${code === 'ENOENT' ? 'does not exist' : `cannot be read (${code})`} under data root ${root.given}`);
        continue;
      }
    }
    return refuse(whys.join('; '));
  }

  /**
   * Checks that a file a run will open (found inside an already resolved path: a file of a dataDir, the labels
   * file beside an IDX input) really lies inside a data root once its symbolic links are resolved. An
   * InputError on `field` naming it only by `shown` (never a server path) otherwise, or when it cannot be resolved.
   */
  async requireInside(file: string, field: string, shown: string): Promise<void> {
    let real: string;
    try {
      real = await realpath(file);
    } catch {
      real = '';
    }
    if (real !== '' && this.roots.some((root) => inside(real, root.real))) return;
    // the operator's log says which file and where it leads (the client is told neither)
    const cause: OperatorNote = { operator: `${field}: ${JSON.stringify(file)} refused: ${real === '' ? 'a symbolic link to nothing (its target does not exist)' : `it leads out of the data roots (to ${real})`}` };
    throw new InputError(`${JSON.stringify(shown.slice(0, 200))} is not a readable file inside the server's data roots (a symbolic link out of them, or to nothing), which runs started over HTTP cannot read`, { field }, { cause });
  }

  /** Every root's real path (what a job is confined to: `latentmap run --data-root`). */
  realPaths(): string[] {
    return this.roots.map((r) => r.real);
  }

  /** `data-root:<relative path>` for a path inside a root, else null. */
  publicName(p: string): string | null {
    // `..` resolved first: `<root>/../x` is not inside the root, and its name must not show what lies above it
    const abs = path.resolve(p);
    for (const root of this.roots) {
      for (const base of [root.real, root.given]) {
        if (inside(abs, base)) return `data-root:${path.relative(base, abs).split(path.sep).join('/')}`;
      }
    }
    return null;
  }
}

