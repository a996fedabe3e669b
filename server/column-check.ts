// The columns a run started over HTTP names in its input (labelColumn, features, exclude, coordinates), checked
// before any job is queued: a name the input does not have is a 400 naming the field and the columns it does
// have, as the CLI says it. The CLI's own loaders decide, in the worker thread, reading the header or schema and
// only the first COLUMN_CHECK_ROWS rows (read-tasks.ts 'columns'), whatever the input: a file under a data root,
// an upload, or a built-in dataset.
import path from 'node:path';
import { InputError } from '../pipeline/errors.js';
import type { RunConfig, UploadReading } from '../pipeline/types.js';
import type { ColumnChoice, WorkerReply, WorkerTask } from './read-tasks.js';
import { COLUMN_FIELDS, errorOfReply } from './read-tasks.js';

/** What a run reads: a file (its server path, and the name answers show for it) or a built-in dataset. */
export type ColumnSource = { file: string; shown: string; reading: UploadReading } | { dataset: string; dataDir: string | null };

/** The column choices of `config`, or null when it names no column (nothing to check). */
export function columnChoice(config: Pick<RunConfig, 'labelColumn' | 'features' | 'exclude' | 'coordinates'>): ColumnChoice | null {
  const choice: ColumnChoice = { labelColumn: config.labelColumn ?? null, features: config.features ?? null, exclude: config.exclude ?? [], coordinates: config.coordinates ?? null };
  const names = choice.labelColumn !== null || choice.features !== null || choice.exclude.length > 0 || choice.coordinates !== null;
  return names ? choice : null;
}

/**
 * Throws an InputError (HTTP 400) naming the field and the input's columns when a column `config` names is not
 * in the input, or is the label and a feature at once; resolves otherwise, and when the input has other
 * problems (its full check and the job report those). `run` runs the task in the worker thread.
 */
export async function checkColumnChoices(
  run: (task: WorkerTask) => Promise<WorkerReply>,
  config: Pick<RunConfig, 'labelColumn' | 'features' | 'exclude' | 'coordinates'>,
  source: ColumnSource,
  maxDecompressedBytes: number,
): Promise<void> {
  const choice = columnChoice(config);
  if (!choice) return;
  const task: WorkerTask =
    'file' in source
      ? { op: 'columns', file: source.file, dataset: null, dataDir: null, choice, reading: source.reading, maxDecompressedBytes }
      : { op: 'columns', file: null, dataset: source.dataset, dataDir: source.dataDir, choice };
  const reply = await run(task);
  if (reply.ok) return;
  const err = errorOfReply(reply);
  if (!(err instanceof InputError) || !COLUMN_FIELDS.has(err.location.field ?? '')) throw err;
  // The loaders name the file by its server path: answers name it as the client did, and a built-in by the
  // dataset's name (its loader names the file under the package, or builtin:NAME).
  const shown = 'file' in source ? source.shown : source.dataset;
  const reason = 'file' in source ? err.reason.split(source.file).join(source.shown).split(path.dirname(source.file)).join('') : err.reason;
  throw new InputError(reason, { ...err.location, file: shown });
}
