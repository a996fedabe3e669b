// The Reducer contract: what turns prepared rows into the codes the map is made from. One contract for every
// reducer (autoencoder.ts, pca-reducer.ts, none.ts beside it); the pipeline, transform, reconstruct, sample and
// the server use only this, and index.ts picks the implementation by name.
import type { EpochRecord, Matrix, RunConfig, RunManifest, RunMetrics, StageHooks } from '../types.js';

export type { ReducerName } from '../types.js';
import type { ReducerName } from '../types.js';
import type { ShiftAugment } from '../autoencoder/augment.js';

/** A fitted reducer. Rows are prepared (scaled) rows of the run's input width; matrices are row-major. */
export interface Reducer {
  readonly name: ReducerName;
  /** Width of the codes. */
  readonly codeSize: number;
  /** Rows [n, inputSize] → codes [n, codeSize]. */
  encode(x: Matrix): Matrix;
  /** Rows [n, inputSize] → their reconstructions [n, inputSize]; null when the reducer keeps no model (none). */
  reconstruct(x: Matrix): Matrix | null;
  /**
   * Codes [n, codeSize] → the prepared rows they stand for [n, inputSize]: the autoencoder's decoder, PCA's
   * inverse transform (codes W + mean); null when the reducer keeps no model (none).
   */
  decode(codes: Matrix): Matrix | null;
  /** Per-row reconstruction error (mean loss per value, in the run's loss); null when it keeps no model. */
  rowErrors(x: Matrix): Float32Array | null;
  /** vae only: count rows decoded from codes drawn from N(0, I); absent for every other reducer. */
  sample?(count: number, seed: number): Matrix;
  /** Writes the reducer's files into the run directory (through runs/run-dir.ts); returns {artifact key: file relative to it}. */
  save(runDir: string): Promise<Record<string, string>>;
  /** What fitting reported (for the manifest and history.json). */
  readonly report: ReducerReport;
  dispose(): void;
}

export interface ReducerReport {
  /** The tfjs backend that trained or runs the model; 'none' when no tfjs model is involved. */
  backend: string;
  /** Per-epoch losses (autoencoder); empty otherwise. */
  history: EpochRecord[];
  /** Reconstruction figures for manifest metrics.reconstruction. */
  reconstruction: RunMetrics['reconstruction'];
  /** Adjustments and facts worth logging (backend fallbacks, ...). */
  notes: string[];
  /** One line that says what was fitted ("plain autoencoder 784-256-128-32", "PCA, 32 components"). */
  description: string;
  /**
   * Rows of the fitted input the reducer never trained on (the autoencoder's validation rows), ascending; absent
   * when it fitted every row. Reducer auto measures the candidates' codes on these rows.
   */
  heldOutRows?: Int32Array;
  /**
   * PCA only: the variance of the prepared rows along each kept component (descending, in the input's squared
   * units) and their total variance (the sum of the columns' sample variances). Reducer auto reads how much of
   * the variance the code leaves out, and over how many components it must spread.
   */
  spectrum?: { componentVariance: number[]; totalVariance: number };
}

/** What fitting needs besides the rows: the run's configuration with its auto values resolved. */
export interface FitSettings {
  config: RunConfig;
  /** Resolved code width (PCA components, autoencoder code). */
  codeSize: number;
  /** Resolved encoder hidden widths (autoencoder). */
  layers: number[];
  /** Resolved maximum training epochs (autoencoder). */
  epochs: number;
  /** Resolved learning rate (autoencoder; config learningRate auto resolved by variant). */
  learningRate?: number;
  /** The resolved reconstruction loss (prepare decided auto). */
  loss: 'mse' | 'bce';
  /** The resolved translation augmentation of the autoencoder's inputs (auto-augment.ts); absent: none. */
  shift?: ShiftAugment | null;
}

/** What loading a saved reducer needs besides its directory. */
export interface LoadSettings {
  /** The run's reconstruction loss (for the row errors of a reducer that does not store it). */
  loss: 'mse' | 'bce';
  /** The backend setting of the run (tfjs models). */
  backend: RunConfig['backend'];
}

/** One reducer method: fit on prepared rows, or load what fit saved. */
export interface ReducerMethod {
  readonly name: ReducerName;
  fit(x: Matrix, settings: FitSettings, hooks?: StageHooks): Promise<Reducer>;
  /** Loads what fit saved in the run directory runDir. */
  load(runDir: string, settings: LoadSettings): Promise<Reducer>;
}

/** The reducer that made a run's codes: the auto choice when recorded, else the configured one. */
export function reducerOfRun(manifest: Pick<RunManifest, 'choices'> & { config?: Partial<Pick<RunManifest['config'], 'reducer'>> }): ReducerName {
  const chosen = manifest.choices?.reducer?.value;
  if (chosen === 'autoencoder' || chosen === 'pca' || chosen === 'none') return chosen;
  const configured = manifest.config?.reducer;
  return configured === 'pca' || configured === 'none' ? configured : 'autoencoder';
}

/** Mean of per-row errors (NaN for none). */
export function meanOf(values: Float32Array): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i]!;
  return values.length ? s / values.length : NaN;
}
