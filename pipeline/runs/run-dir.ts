// Readers and writers of a run directory's JSON files (manifest, history, preprocessing, PCA model, transform
// record) and of its model folder. The Arrow files are artifacts.ts's; the names are layout.ts's.
import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { History, Preprocessing, RunManifest } from '../types.js';
import { RUN_FILES, runFile, type RunFile } from './layout.js';
import { makeDirs } from '../make-dirs.js';

/** Thrown when a run directory lacks a file or holds one that is not JSON. `file` is relative to the run. */
export class RunFileError extends Error {
  constructor(
    readonly runDir: string,
    readonly file: string,
    readonly reason: 'missing' | 'unreadable',
    options?: { cause?: unknown },
  ) {
    super(`${reason === 'missing' ? 'no' : 'unreadable'} ${file} in run ${path.basename(runDir)}`, options);
    this.name = 'RunFileError';
  }
}

async function readJson<T>(runDir: string, file: RunFile): Promise<T> {
  let text: string;
  try {
    text = await readFile(runFile(runDir, file), 'utf8');
  } catch (err) {
    throw new RunFileError(runDir, RUN_FILES[file], 'missing', { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new RunFileError(runDir, RUN_FILES[file], 'unreadable', { cause: err });
  }
}

async function writeJson(runDir: string, file: RunFile, value: unknown, pretty = false): Promise<string> {
  const p = runFile(runDir, file);
  await makeDirs(path.dirname(p));
  await writeFile(p, `${JSON.stringify(value, null, pretty ? 2 : undefined)}\n`);
  return RUN_FILES[file];
}

/** The manifest of the run in `runDir`. Throws RunFileError when it is missing or not JSON. */
export function readManifest(runDir: string): Promise<RunManifest> {
  return readJson<RunManifest>(runDir, 'manifest');
}

/** The manifest of the run in `runDir`, or null when there is none (or it is unreadable). */
export async function readManifestOrNull(runDir: string): Promise<RunManifest | null> {
  try {
    return await readManifest(runDir);
  } catch {
    return null;
  }
}

/** Writes manifest.json (pretty-printed). Only RunStore's commit calls this: the manifest comes last. */
export function writeManifest(runDir: string, manifest: RunManifest): Promise<string> {
  return writeJson(runDir, 'manifest', manifest, true);
}

export function readHistory(runDir: string): Promise<History> {
  return readJson<History>(runDir, 'history');
}

/** Writes history.json; returns its name relative to the run (for the manifest's `artifacts`). */
export function writeHistory(runDir: string, history: History): Promise<string> {
  return writeJson(runDir, 'history', history);
}

export function readPreprocessing(runDir: string): Promise<Preprocessing> {
  return readJson<Preprocessing>(runDir, 'preprocessing');
}

export function writePreprocessing(runDir: string, p: Preprocessing): Promise<string> {
  return writeJson(runDir, 'preprocessing', p);
}

/** A PCA run's model/pca.json, unparsed beyond JSON (pcaFromJSON validates it). */
export function readPcaJson(runDir: string): Promise<unknown> {
  return readJson<unknown>(runDir, 'pca');
}

export function writePcaJson(runDir: string, pca: object): Promise<string> {
  return writeJson(runDir, 'pca', pca);
}

/** A transform run's record of how it placed its rows. */
export interface TransformRecord {
  base: string;
  input: string;
  rows: number;
  /** How the new rows were placed: into a t-SNE map (perplexity, iterations) or a UMAP map (epochs). */
  method: 'tsne' | 'umap';
  perplexity?: number;
  iterations?: number;
  epochs?: number;
  notes: string[];
}

export function writeTransformRecord(runDir: string, t: TransformRecord): Promise<string> {
  return writeJson(runDir, 'transform', t);
}

/** The folder a run's saved reducer lives in (created when absent). */
export async function modelDir(runDir: string): Promise<string> {
  const dir = runFile(runDir, 'model');
  await makeDirs(dir);
  return dir;
}

/** The model folder's path without creating it (for loading). */
export function modelDirOf(runDir: string): string {
  return runFile(runDir, 'model');
}

/** Copies the saved reducer and the history of run `fromDir` into `toDir` (a transform run reuses its base's). */
export async function copyModelAndHistory(fromDir: string, toDir: string): Promise<void> {
  await cp(runFile(fromDir, 'model'), runFile(toDir, 'model'), { recursive: true });
  await cp(runFile(fromDir, 'history'), runFile(toDir, 'history'));
}
