// The input of a sharded run: a directory of shard files, or a glob whose `*` and `?` stand in the file
// name (`/data/part-*.parquet`). Every shard has the same format (by extension); order is by file name,
// so rows are numbered shard after shard in that order.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';

/** Whether `input` names shards (a directory, or a pattern with * or ? in its file name) rather than one file. */
export async function isShardedInput(input: string | null): Promise<boolean> {
  if (input === null) return false;
  if (/[*?]/.test(path.basename(input))) return true;
  try {
    return (await stat(input)).isDirectory();
  } catch {
    return false;
  }
}

/** The shard format of a file name: its extension with a trailing .gz kept (".csv.gz"), lower-cased. */
function formatOf(file: string): string {
  const base = path.basename(file).toLowerCase();
  const m = /(\.[a-z0-9]+)(\.gz)?$/.exec(base);
  return m ? `${m[1]}${m[2] ?? ''}` : '';
}

/**
 * The shard files of `input` (absolute paths, sorted by name). Hidden files and latentmap's own work
 * directories are skipped. Throws InputError when there are none, when a directory is missing, or when
 * shards differ in format (naming the first two that differ).
 */
export async function listShards(input: string): Promise<string[]> {
  const abs = path.resolve(input);
  const pattern = /[*?]/.test(path.basename(abs)) ? path.basename(abs) : null;
  const dir = pattern ? path.dirname(abs) : abs;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    throw new InputError(`cannot read the shard directory: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (err as Error).message}`, { file: dir }, { cause: err });
  }
  const re = pattern ? new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`) : null;
  const files: string[] = [];
  for (const name of names.sort()) {
    if (name.startsWith('.')) continue;
    if (re && !re.test(name)) continue;
    const full = path.join(dir, name);
    if (!(await stat(full)).isFile()) continue;
    files.push(full);
  }
  if (files.length === 0) {
    throw new InputError(pattern ? `no file matches ${pattern} in ${dir}` : `the shard directory holds no files`, { file: pattern ? abs : dir });
  }
  const first = formatOf(files[0]!);
  for (const f of files) {
    if (formatOf(f) !== first) {
      throw new InputError(
        `shards must share one format: ${path.basename(files[0]!)} is ${first || 'without extension'}, ${path.basename(f)} is ${formatOf(f) || 'without extension'}`,
        { file: f },
      );
    }
  }
  return files;
}
