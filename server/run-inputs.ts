// What a run started over HTTP may read, checked before anything starts: built-in datasets, uploads
// (`upload`), and files under the operator's data roots (`input`, `dataDir`). Every configuration field
// that could name a path is checked here; the job gets real paths, and answers never show them.
import { lstat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../pipeline/errors.js';
import { CONFIG_SCHEMA } from '../pipeline/config.js';
import type { RunConfig } from '../pipeline/types.js';
import type { DataRoots } from './data-roots.js';
import type { UploadInfo, UploadStore } from './uploads.js';

/** Fields that name a file or directory of the server. */
export const PATH_FIELDS = ['input', 'dataDir', 'runsDir'] as const;
/** String fields that never name a path (checked or harmless names). Any other string field is refused over HTTP. */
export const NAME_FIELDS = ['dataset', 'upload', 'name', 'labelColumn', 'encoding'] as const;

const DATASET_NAME = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

export interface CheckedInputs {
  /** The configuration the job's process runs (real paths). */
  forJob: Partial<RunConfig>;
  /** The upload it reads, if any (its rows and columns size the run). */
  upload: UploadInfo | null;
  /** The input file it reads, if any (its size bounds the run's). */
  inputFile: string | null;
}

export async function checkRunInputs(partial: Partial<RunConfig>, roots: DataRoots, uploads: UploadStore): Promise<CheckedInputs> {
  const forJob: Partial<RunConfig> = { ...partial };
  for (const [key, value] of Object.entries(partial)) {
    const spec = CONFIG_SCHEMA[key as keyof RunConfig] as { type: string } | undefined;
    if (spec?.type === 'string' && value !== null && !(PATH_FIELDS as readonly string[]).includes(key) && !(NAME_FIELDS as readonly string[]).includes(key)) {
      throw new InputError('cannot be set for runs started over HTTP', { field: key });
    }
  }
  if (partial.runsDir !== undefined) {
    throw new InputError('runs started over HTTP are always written to the server\'s runs directory; leave runsDir out', { field: 'runsDir' });
  }
  if (typeof partial.dataset === 'string' && !DATASET_NAME.test(partial.dataset)) {
    throw new InputError(`must be the name of a built-in dataset (see latentmap datasets), got ${JSON.stringify(partial.dataset.slice(0, 80))}`, { field: 'dataset' });
  }
  let upload: UploadInfo | null = null;
  if (typeof partial.upload === 'string') {
    upload = await uploads.get(partial.upload);
    if (!upload) throw new InputError(`no upload ${JSON.stringify(partial.upload.slice(0, 80))} (list them with GET /api/uploads)`, { field: 'upload' });
    // Read as it was checked (POST /api/uploads?header=...&encoding=...), unless the run says otherwise.
    if (partial.header === undefined && upload.header !== 'auto') forJob.header = upload.header;
    if (partial.encoding === undefined && upload.encoding !== null) forJob.encoding = upload.encoding;
  }
  const confined = await confinePaths(partial, roots);
  if (confined.input !== null) forJob.input = confined.input;
  if (confined.dataDir !== null) forJob.dataDir = confined.dataDir;
  const inputFile = confined.input;
  return { forJob, upload, inputFile };
}

/**
 * The real paths of the input file and data directory a run reads, each inside a data root with every file the
 * loaders open through them (the files of a dataDir, the labels file beside an IDX input). Called twice: when a
 * run is submitted, and by the job's own process right before it opens them (`latentmap run --data-root`), so
 * a file swapped for a symbolic link out of the roots while the job waited is refused, and the real path checked
 * is the one opened. InputError (fields input, dataDir) as DataRoots.resolve.
 */
export async function confinePaths(
  paths: { input?: string | null; dataDir?: string | null },
  roots: DataRoots,
  opts: { nameInsideRoots?: boolean } = {},
): Promise<{ input: string | null; dataDir: string | null }> {
  let input: string | null = null;
  if (typeof paths.input === 'string') {
    input = await roots.resolve(paths.input, 'input', 'file', opts);
    await checkBesideInput(input, roots);
  }
  let dataDir: string | null = null;
  if (typeof paths.dataDir === 'string') {
    dataDir = await roots.resolve(paths.dataDir, 'dataDir', 'dir', opts);
    // Resolving the folder is not enough: a file in it may be a symbolic link out of the data roots.
    const { dataDirFiles } = await import('../pipeline/load/index.js');
    for (const file of await dataDirFiles(dataDir)) await roots.requireInside(file, 'dataDir', path.relative(dataDir, file));
  }
  return { input, dataDir };
}

/**
 * The labels file the IDX loader picks up beside an IDX input must lie inside a data root too. Every name the
 * loader looks at that exists as an entry (a file, or a symbolic link whether or not its target exists) is
 * checked, so a link out of the roots is refused the same whether what it points at exists or not (an answer
 * must not tell which).
 */
async function checkBesideInput(inputFile: string, roots: DataRoots): Promise<void> {
  const { detectFormat } = await import('../pipeline/load/index.js');
  const { labelsFileCandidates } = await import('../pipeline/load/idx.js');
  const format = await detectFormat(inputFile).then((d) => d.format).catch(() => null);
  if (format !== 'idx') return;
  for (const candidate of labelsFileCandidates(inputFile)) {
    const entry = await lstat(candidate).catch(() => null);
    if (entry) await roots.requireInside(candidate, 'input', path.basename(candidate));
  }
}

/** Rows and feature columns of what a run will read, to estimate its cost before it starts. */
export async function inputShape(
  config: RunConfig,
  checked: CheckedInputs,
  loadShape: (file: string) => Promise<{ rows: number; columns: number }>,
): Promise<{ rows: number; columns: number }> {
  if (checked.upload) return { rows: checked.upload.rows, columns: checked.upload.columns };
  if (checked.inputFile) return loadShape(checked.inputFile);
  const { listDatasets, builtinNames } = await import('../pipeline/load/index.js');
  const info = (await listDatasets(config.dataDir)).find((d) => d.name === config.dataset);
  if (!info) {
    throw new InputError(`unknown dataset ${JSON.stringify(String(config.dataset).slice(0, 80))}; the built-in datasets are ${builtinNames().join(', ')}`, { field: 'dataset' });
  }
  if (!info.available) throw new InputError(`dataset ${info.name} is not available on this server: ${info.reason ?? 'not installed'}`, { field: 'dataset' });
  return { rows: info.rows, columns: info.columns };
}
