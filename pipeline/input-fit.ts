// The rules a run configuration must meet against the shape of its input (rows x feature columns), checked
// before anything starts: by the pipeline once the input is loaded (pipeline.ts, before the run directory is
// begun, so the CLI refuses a tsne-js run on 10,000 rows before training rather than after) and by the server
// when a run is submitted (server/routes/runs.ts, from the shape of the built-in dataset, the upload or the file
// under a data root), so a job that would fail on its input is a 400 naming the field instead of a job that
// fails later. One set of rules, each owned by the stage that needs it (reduce/choose.ts, tsne/tsnejs.ts).
import type { RunConfig } from './types.js';
import { checkExplicitCodeSize } from './reduce/choose.js';
import { checkTsneJsRows } from './tsne/tsnejs.js';
import { checkExplicitPerplexity } from './tsne/tsne.js';

export interface InputFit {
  /** Rows the run will map (after --limit and dropped rows when known; an upper bound before loading). */
  rows: number;
  /** Feature columns the run will read; null when not known before loading (the code size is not checked). */
  cols: number | null;
}

/**
 * Throws an InputError naming the field when `config` cannot run on input of `shape`: an explicit code size
 * the autoencoder or PCA cannot give (codeSize), the tsne-js engine past its row limit (tsneEngine), an explicit
 * perplexity larger than the rows allow (perplexity; auto is lowered instead, never refused). A run
 * whose map is given (coordinates) skips both stages and both rules.
 */
export function checkInputFit(config: Pick<RunConfig, 'codeSize' | 'reducer' | 'map' | 'tsneEngine' | 'coordinates' | 'perplexity'>, shape: InputFit): void {
  if (config.coordinates) return;
  if (shape.cols !== null) checkExplicitCodeSize(config.codeSize, config.reducer === 'auto' ? 'autoencoder' : config.reducer, { rows: shape.rows, cols: shape.cols });
  if (config.map === 'tsne' && config.tsneEngine === 'tsne-js') checkTsneJsRows(shape.rows);
  if (config.map === 'tsne') checkExplicitPerplexity(config.perplexity, shape.rows);
}

/**
 * The shape a run submitted to the server will have at most, from the shape of its input before loading:
 * --limit caps the rows. Feature columns are known only when the run takes the default choice of features (a
 * list of features may one-hot encode a category column into several): unknown otherwise, and the code size is
 * then left to the pipeline's own check.
 */
export function submittedFit(config: Pick<RunConfig, 'limit' | 'features'>, rows: number, cols: number): InputFit {
  return { rows: Math.min(rows, config.limit ?? rows), cols: config.features === null || config.features === undefined ? cols : null };
}
