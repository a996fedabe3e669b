// The names of everything inside a runs directory and a run directory. No other module spells them:
// writers, readers, the server and the commands all go through RUN_FILES / runFile().
import path from 'node:path';

/** Files of one run directory, relative to it (the manifest's `artifacts` values use the same names). */
export const RUN_FILES = {
  /** Written last, by RunStore's commit: a run directory with a readable manifest is complete. */
  manifest: 'manifest.json',
  /** Arrow IPC: index, x, y, error, label, metadata, isNew. */
  points: 'points.arrow',
  /** Arrow IPC: index and the code vectors. */
  codes: 'codes.arrow',
  /** Arrow IPC: index and the original (unscaled) feature values. */
  data: 'data.arrow',
  /** Arrow IPC: the input's feature names (`name` utf8), one row per stored value column, in column order. */
  features: 'features.arrow',
  /** Per-epoch losses and t-SNE KL. */
  history: 'history.json',
  /** Transform runs: the base run, the input and the placement settings. */
  transform: 'transform.json',
  /** The saved reducer: the autoencoder's own files (model.json, weights.bin, autoencoder.json) or pca.json. */
  model: 'model',
  /** The scaling prepare() applied, to scale new rows the same way. */
  preprocessing: 'model/preprocessing.json',
  /** A PCA run's components and mean. */
  pca: 'model/pca.json',
} as const;

export type RunFile = keyof typeof RUN_FILES;

/** Absolute path of one of a run directory's files. */
export function runFile(runDir: string, file: RunFile): string {
  return path.join(runDir, RUN_FILES[file]);
}

/** Prefix of the hidden directories runs are assembled in (and deleted runs are moved to). */
export const TMP_PREFIX = '.tmp-';

/** The server's job records: <runsDir>/.jobs/<id>.json. */
export const JOBS_DIR = '.jobs';

/** Path of the record of job `id` in runs directory `runsDir`. */
export function jobRecordFile(runsDir: string, id: string): string {
  return path.join(runsDir, JOBS_DIR, `${id}.json`);
}

/** Path of the configuration job `id` ran (written by the server, read by the job's process). */
export function jobConfigFile(runsDir: string, id: string): string {
  return path.join(runsDir, JOBS_DIR, `${id}.config.json`);
}
