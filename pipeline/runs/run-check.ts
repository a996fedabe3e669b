// Whether a run directory is whole, read cheaply: the manifest parsed and checked to be a complete run's, every
// Arrow file's footer and record-batch headers (arrow-footer.ts; a few hundred bytes each, whatever the file's
// size; points.arrow must hold the manifest's rows), every JSON file parsed (up to JSON_PARSE_BYTES; a larger
// one checked to begin and end as JSON does), every other file the manifest lists there and not empty. Never
// the files' data. With the check goes a stamp of every file it looked at (inode, mtime, ctime and size, or absent: arrow-footer.ts fileVersion):
// while the stamp is the same, so is the verdict, and a reader that keeps a run's verdict (the server) stats
// those files again to know whether to check the run again. Runs are immutable; a stamp that moved means a run
// written again, or damaged in place.
import { open, readFile, stat } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';
import type { RunManifest } from '../types.js';
import { fileVersion, readArrowStructure } from './arrow-footer.js';
import { parseCompactManifest } from './feature-names.js';
import { RUN_FILES } from './layout.js';

/** What a run directory is: no manifest (absent), a manifest of a run not complete, damaged files, or whole. */
export type RunState = 'absent' | 'incomplete' | 'corrupt' | 'complete';

export interface RunCheck {
  state: RunState;
  /** What is damaged (state corrupt), as "its points.arrow is empty (0 bytes)"; null otherwise. */
  problem: string | null;
  /** The manifest of a complete run, compacted (feature-names.ts compactManifest); null otherwise. */
  manifest: RunManifest | null;
  /** The files looked at, relative to the run directory, manifest.json first: what stampRun stamps. */
  files: string[];
  /** stampRun of `files` as they were when looked at. */
  stamp: string;
}

/** JSON files up to this size are parsed whole; a larger one (an old image run's preprocessing, 87 MB) is checked to begin and end as JSON does. */
export const JSON_PARSE_BYTES = 8 << 20;

/**
 * A manifest past this size (a run written before features.arrow: one name per input column, 50 MB for a
 * 1,500 x 1,500 picture; seconds to scan and parse) is kept, compacted, by its file's version for the next check of
 * the same run in this thread (the run list's check, then the run opened), up to 8 of them.
 */
export const LARGE_MANIFEST_BYTES = 1 << 20;
const largeManifests = new Map<string, { version: string; manifest: RunManifest }>();

/** The run's own files a check always looks at (the manifest may list more: the saved model's). */
const KNOWN_FILES: string[] = Object.values(RUN_FILES).filter((f) => f !== RUN_FILES.model);

/** A stamp of `files` (relative to `runDir`): each one's inode, mtime, ctime and size, or "-" when it is not there. */
export async function stampRun(runDir: string, files: readonly string[]): Promise<string> {
  const parts = await Promise.all(files.map((f) => stat(path.join(runDir, f)).then(fileVersion, () => '-')));
  return parts.join('|');
}

/** Files the manifest lists (its `artifacts`) that lie inside the run directory, relative to it. */
function listedFiles(m: RunManifest): string[] {
  const artifacts = m.artifacts;
  if (!artifacts || typeof artifacts !== 'object') return [];
  return Object.values(artifacts).filter(
    (f): f is string => typeof f === 'string' && f.length > 0 && !path.isAbsolute(f) && !path.normalize(f).startsWith('..') && f !== RUN_FILES.model,
  );
}

/** A text's first and last characters other than white space. */
async function jsonEnds(file: string, size: number): Promise<string> {
  const fh = await open(file, 'r');
  try {
    const n = Math.min(size, 4096);
    const head = Buffer.alloc(n);
    const tail = Buffer.alloc(n);
    await fh.read(head, 0, n, 0);
    await fh.read(tail, 0, n, size - n);
    return `${head.toString('latin1').trimStart().charAt(0)}${tail.toString('latin1').trimEnd().slice(-1)}`;
  } finally {
    await fh.close();
  }
}

/** What is wrong with a JSON file of the run, or null. */
async function jsonProblem(file: string, name: string, size: number): Promise<string | null> {
  if (size > JSON_PARSE_BYTES) {
    const ends = await jsonEnds(file, size);
    return ends === '{}' || ends === '[]' ? null : `its ${name} is not valid JSON (cut short?)`;
  }
  try {
    JSON.parse(await readFile(file, 'utf8'));
    return null;
  } catch {
    return `its ${name} is not valid JSON`;
  }
}

/** What is wrong with an Arrow file of the run, or null; `rows` gets its row count. */
async function arrowProblem(file: string, name: string, rows: { n: number }): Promise<string | null> {
  let fh;
  try {
    fh = await open(file, 'r');
  } catch {
    return `its ${name} cannot be opened`;
  }
  try {
    rows.n = (await readArrowStructure(fh)).rows;
    return null;
  } catch (err) {
    return `its ${name} cannot be read (${(err as Error).message})`;
  } finally {
    await fh.close();
  }
}

/**
 * Checks the run in `runDir`, whose directory name is `id`. Never throws for what the files hold: a damaged
 * run is state `corrupt` with the first problem found (the manifest, then points.arrow, then the other files in
 * RUN_FILES order, then the rest the manifest lists).
 */
export async function checkRun(runDir: string, id: string): Promise<RunCheck> {
  const files = [...KNOWN_FILES];
  const stats = new Map<string, Stats | null>();
  const statAll = async (names: string[]): Promise<void> => {
    await Promise.all(names.map(async (f) => stats.set(f, await stat(path.join(runDir, f)).catch(() => null))));
  };
  await statAll(files);
  const result = (state: RunState, problem: string | null = null, manifest: RunManifest | null = null): RunCheck => ({
    state,
    problem,
    manifest,
    files,
    stamp: files.map((f) => (stats.get(f) ? fileVersion(stats.get(f)!) : '-')).join('|'),
  });
  const corrupt = (problem: string): RunCheck => result('corrupt', problem);

  const manifestStat = stats.get(RUN_FILES.manifest);
  if (!manifestStat) return result('absent');
  if (manifestStat.size === 0) return corrupt(`its ${RUN_FILES.manifest} is empty (0 bytes)`);
  const manifestFile = path.join(runDir, RUN_FILES.manifest);
  const version = fileVersion(manifestStat);
  const kept = largeManifests.get(manifestFile);
  let m: RunManifest;
  if (kept?.version === version) m = structuredClone(kept.manifest);
  else {
    try {
      m = parseCompactManifest(await readFile(manifestFile, 'utf8'));
    } catch {
      return corrupt(`its ${RUN_FILES.manifest} is not valid JSON`);
    }
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m) || typeof m.dataset !== 'object' || m.dataset === null) {
    return corrupt(`its ${RUN_FILES.manifest} is not a run manifest`);
  }
  // a directory copied or renamed by hand: its manifest describes another run
  if (m.id !== id) return corrupt(`its ${RUN_FILES.manifest} is that of run ${JSON.stringify(String(m.id).slice(0, 80))}, not of its directory`);
  if (m.status !== 'complete') return result('incomplete');

  const listed = listedFiles(m);
  const extra = listed.filter((f) => !files.includes(f));
  files.push(...extra);
  await statAll(extra);

  const points = stats.get(RUN_FILES.points);
  if (!points) return corrupt(`its ${RUN_FILES.points} is missing`);
  for (const f of files.slice(1)) {
    const st = stats.get(f);
    if (!st) {
      if (listed.includes(f)) return corrupt(`its ${f} is missing (its manifest lists it)`);
      continue;
    }
    if (st.isDirectory()) return corrupt(`its ${f} is a directory`);
    if (st.size === 0) return corrupt(`its ${f} is empty (0 bytes)`);
    const file = path.join(runDir, f);
    let problem: string | null = null;
    if (f.endsWith('.arrow')) {
      const rows = { n: 0 };
      problem = await arrowProblem(file, f, rows);
      // a transform run's points hold its base's rows and the new ones (its manifest's rows are the new input's)
      if (problem === null && f === RUN_FILES.points && rows.n !== m.dataset.rows && !(m.base && rows.n > 0)) {
        problem = `its points hold ${rows.n} rows, its manifest says ${m.dataset.rows}`;
      }
    } else if (f.endsWith('.json')) {
      problem = await jsonProblem(file, f, st.size);
    }
    if (problem !== null) return corrupt(problem);
  }
  const compact = m;
  if (manifestStat.size > LARGE_MANIFEST_BYTES && kept?.version !== version) {
    if (largeManifests.size >= 8) largeManifests.delete(largeManifests.keys().next().value!);
    largeManifests.set(manifestFile, { version, manifest: structuredClone(compact) });
  }
  return result('complete', null, compact);
}
