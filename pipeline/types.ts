// Shared types for every stage of the pipeline, the server and the viewer's API client.
// This file imports nothing: stages import their types from here, never from a sibling.

/** A dense row-major matrix: row r, column c is values[r * cols + c]. */
export interface Matrix {
  rows: number;
  cols: number;
  values: Float32Array;
}

/** A column kept beside the numeric matrix (labels, ids, text, numbers not used as features). */
export type MetaColumn =
  | { name: string; kind: 'number'; values: Float64Array }
  | { name: string; kind: 'string'; values: (string | null)[] };

/** Image geometry of an image dataset: each row holds width * height * channels values, row-major. */
export interface ImageShape {
  width: number;
  height: number;
  channels: 1 | 3;
}

/** What every loader returns. */
export interface Dataset {
  /** Short name: the built-in dataset's name or the input file's base name. */
  name: string;
  /** Where it came from: `builtin:mnist`, or the absolute path of the input file. */
  source: string;
  /** The numeric feature matrix; NaN marks a missing value (prepare decides what to do with it). */
  matrix: Matrix;
  /** Feature names, one per matrix column. */
  columns: string[];
  /** The label column, when the dataset has one (also kept out of the matrix). */
  label?: MetaColumn;
  /** Every other non-feature column, in file order. */
  metadata: MetaColumn[];
  /** Present for image datasets (mnist, fashion-mnist, IDX input). */
  image?: ImageShape;
  /** sha256 of the input bytes (for built-ins: of the data the package ships), hex. */
  sha256: string;
  /** Value range known from the format, e.g. [0, 1] for MNIST pixels (prepare may use it). */
  valueRange?: [number, number];
  /** What the loader guessed or changed, in sentences for the log and the manifest (encoding, header, names). */
  notes?: string[];
  /**
   * Float64 values of the feature columns (by matrix column) that float32 cannot hold: magnitudes of 2^24 and
   * more that are not float32 numbers, such as epoch-millisecond timestamps. The run centres these in float64
   * before narrowing (pipeline/precision.ts), so values one second apart stay apart.
   */
  precise?: Map<number, Float64Array>;
}

/** 'tsne' or 'umap' is the map stage, named after the method a run's configuration chose (`map`). */
export type Stage = 'load' | 'prepare' | 'train' | 'encode' | 'tsne' | 'umap' | 'metrics' | 'write';

/** Extra detail a stage may attach to a progress report. */
export interface ProgressInfo {
  epoch?: number;
  loss?: number;
  valLoss?: number;
  iteration?: number;
  kl?: number;
  message?: string;
  /** Loading: bytes of the input read so far, of totalBytes. */
  bytes?: number;
  totalBytes?: number;
}

/**
 * One progress report of a run, the one shape every consumer shares: the CLI's JSON log writes it as a line
 * (`--log-format json`, plus `time`), the server's job queue keeps the latest as a job's `progress`,
 * GET /api/runs/:id/events sends it as `event: progress` (plus the job's `id`), and the viewer reads it.
 */
export interface ProgressEvent extends ProgressInfo {
  type: 'progress';
  stage: Stage;
  /** Fraction of the stage done, in [0, 1]. */
  progress: number;
  /** Seconds since the run started. */
  elapsed?: number;
  /** Seconds left in this stage, extrapolated from its progress so far (absent while too early to tell). */
  stageLeft?: number;
}

/**
 * One progress signature everywhere: progress is a fraction in [0, 1] of the named stage.
 * Called often; implementations must be cheap.
 */
export type ProgressFn = (progress: number, stage: Stage, info?: ProgressInfo) => void;

/** What the rows of a map are, for whoever shows its layouts as they form (pipeline/layout-frame.ts). */
export interface MapRows {
  /** The input row of each map row (null: the map's rows are the input's 0..n-1). */
  index: Int32Array | null;
  /** The label of each map row, when the dataset has a label column. */
  label: MetaColumn | null;
}

/** Hooks every long-running stage accepts. */
export interface StageHooks {
  onProgress?: ProgressFn;
  /** Aborting stops the stage at its next check and rejects with an AbortError. */
  signal?: AbortSignal;
  /**
   * t-SNE only (UMAP's map stage does not report it): the layout so far, n x 2 row-major (a copy), every
   * LAYOUT_EVERY iterations and once more at the end (last: true), so a viewer can show the map forming. The
   * pipeline adds `rows` (the same object for every layout of a run): what the map's rows are.
   */
  onLayout?: (embedding: Float32Array, iteration: number, last: boolean, rows?: MapRows) => void;
  /** t-SNE only: aborting it ends the optimization at its next step and keeps the layout so far as the result. */
  finishEarly?: AbortSignal;
}

/** What makes the codes t-SNE runs on. */
export type ReducerName = 'autoencoder' | 'pca' | 'none';
/** The configuration's reducer: one by name, or auto (chosen from the data by measurement). */
export type ReducerSetting = 'auto' | ReducerName;
export type Variant = 'plain' | 'sparse' | 'denoising' | 'vae' | 'residual';
export type Loss = 'auto' | 'mse' | 'bce';
export type Activation = 'relu' | 'elu' | 'selu' | 'tanh' | 'sigmoid' | 'linear';
/** The method that makes the 2-D map. */
export type MapMethod = 'tsne' | 'umap';
export type UmapInit = 'spectral' | 'pca' | 'random';
export type TsneEngine = 'auto' | 'exact' | 'bh' | 'fft' | 'tsne-js';
export type Backend = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
export type Scaling = 'auto' | 'minmax' | 'standardize' | 'uniform' | 'none';
export type MissingPolicy = 'drop' | 'mean' | 'zero' | 'error';
export type NoiseKind = 'gaussian' | 'mask';
export type SparsityPenalty = 'l1' | 'kl';

/** A fully resolved run configuration (every field present). See pipeline/config.ts for docs and defaults. */
export interface RunConfig {
  dataset: string | null;
  input: string | null;
  /** An upload id of the server (runs/.uploads/<id>). */
  upload: string | null;
  labelColumn: string | null;
  dataDir: string | null;
  limit: number | null;
  /** How a file is read, which columns are features, and a layout the file already has (see config.ts). */
  header: 'auto' | 'yes' | 'no';
  encoding: string | null;
  features: string[] | null;
  exclude: string[];
  coordinates: string[] | null;
  missing: MissingPolicy;
  scaling: Scaling;
  reducer: ReducerSetting;
  variant: Variant;
  codeSize: number | 'auto';
  layers: number[] | 'auto';
  activation: Activation;
  loss: Loss;
  optimizer: 'adam' | 'sgd' | 'rmsprop';
  epochs: number | 'auto';
  batchSize: number;
  /** 'auto': pipeline/reduce/auto-size.ts autoLearningRate (by variant). */
  learningRate: number | 'auto';
  validationSplit: number;
  patience: number;
  sparsityPenalty: SparsityPenalty;
  sparsityWeight: number;
  sparsityTarget: number;
  noise: NoiseKind;
  noiseStd: number;
  noiseFraction: number;
  klWeight: number;
  /** 'auto': pipeline/reduce/auto-augment.ts (1 pixel for images, 0 otherwise). */
  augmentShift: number | 'auto';
  tsneEngine: TsneEngine;
  /** 'auto': see pipeline/perplexity-auto.ts. */
  perplexity: number | 'auto';
  iterations: number;
  theta: number;
  /** 'auto': 12 from 600 rows, n / 50 (at least 4) below (pipeline/tsne/schedule.ts). */
  earlyExaggeration: number | 'auto';
  exaggerationIterations: number;
  /** Exaggeration after the early phase (1: none). */
  exaggeration: number;
  tsneLearningRate: number | null;
  metricsSample: number;
  map: MapMethod;
  nNeighbors: number;
  minDist: number;
  spread: number;
  umapEpochs: number | null;
  negativeSampleRate: number;
  umapLearningRate: number;
  repulsionStrength: number;
  localConnectivity: number;
  umapInit: UmapInit;
  seed: number;
  runsDir: string;
  name: string | null;
  /** redis://host:port of the shard queue (sharded input only); null: this process places every shard. */
  queue: string | null;
  /** Sharded input: rows sampled from the shards to make the reference map. */
  referenceRows: number;
  backend: Backend;
}

/** Options the t-SNE engine takes (a subset of RunConfig plus engine internals). */
export interface TsneOptions {
  engine: TsneEngine;
  perplexity: number;
  /** Iterations in all, early exaggeration included. */
  iterations: number;
  /** Barnes-Hut accuracy; 0.5 by default. */
  theta: number;
  /** 'auto': by the number of rows (tsne/schedule.ts autoEarlyExaggeration). */
  earlyExaggeration: number | 'auto';
  exaggerationIterations: number;
  /** Exaggeration after the early phase; absent: 1. */
  exaggeration?: number;
  /** null: automatic, max(200, n / earlyExaggeration) (tsne/schedule.ts); a number: the step size of both phases. */
  learningRate: number | null;
  seed: number;
}

export interface TsneResult {
  /** n x 2, row-major (x0, y0, x1, y1, ...). */
  embedding: Float32Array;
  kl: number;
  iterations: number;
  /** KL every 50 iterations. */
  klHistory: { iteration: number; kl: number }[];
  /** The engine that actually ran (auto resolved). */
  engine: Exclude<TsneEngine, 'auto'>;
  /** Adjustments made to fit the input (e.g. perplexity lowered), also logged. */
  notes: string[];
  /** The schedule the optimizer ran (automatic parts resolved); absent for tsne-js. */
  schedule?: TsneSchedule;
}

/** The t-SNE optimization schedule a run used (pipeline/tsne/schedule.ts). */
export interface TsneSchedule {
  /** Iterations in all, early exaggeration included. */
  iterations: number;
  earlyExaggeration: number;
  exaggerationIterations: number;
  /** Exaggeration after the early phase (1: none). */
  exaggeration: number;
  /** Step size during early exaggeration and afterwards. */
  earlyLearningRate: number;
  learningRate: number;
  /** Momentum during early exaggeration and afterwards. */
  initialMomentum: number;
  finalMomentum: number;
  /** One line: which schedule, and why. */
  reason: string;
}

/** Options the UMAP engine takes (umap-learn's names in camelCase; defaults in pipeline/config.ts). */
export interface UmapOptions {
  /** Size of the local neighbourhood, the point itself included (umap-learn's n_neighbors). */
  nNeighbors: number;
  /** Smallest distance between points in the map. */
  minDist: number;
  /** Scale of the map's neighbourhoods. */
  spread: number;
  /** Layout epochs; null: 500 up to 10,000 rows, else 200 (umap-learn's default). */
  epochs: number | null;
  /** Negative samples per positive sample. */
  negativeSampleRate: number;
  /** Initial SGD step (umap-learn's learning_rate), decaying linearly to 0. */
  learningRate: number;
  /** Weight of the negative samples (umap-learn's repulsion_strength, gamma). */
  repulsionStrength: number;
  /** Nearest neighbours each point is assumed connected to. */
  localConnectivity: number;
  init: UmapInit;
  seed: number;
}

export interface UmapResult {
  /** n x 2, row-major (x0, y0, x1, y1, ...). */
  embedding: Float32Array;
  /** Epochs run. */
  epochs: number;
  /** The fitted curve 1 / (1 + a d^2b). */
  a: number;
  b: number;
  /** Edges of the fuzzy graph the layout was fitted to (each pair once per direction). */
  edges: number;
  init: UmapInit;
  /** Adjustments and choices (neighbours lowered, initialization), also logged. */
  notes: string[];
}

export interface EpochRecord {
  epoch: number;
  loss: number;
  valLoss: number | null;
  seconds: number;
}

export interface History {
  epochs: EpochRecord[];
  tsne: { iteration: number; kl: number }[];
}

export interface StageTimings {
  load: number;
  prepare: number;
  train: number;
  encode: number;
  /** Present for t-SNE runs; a UMAP run has `umap` instead. */
  tsne?: number;
  umap?: number;
  total: number;
  [stage: string]: number | undefined;
}

/** How well one space keeps another's neighbourhoods (see pipeline/metrics.ts). */
export interface NeighbourhoodMetrics {
  trustworthiness: number | null;
  knnPreservation: number | null;
}

export interface RunMetrics {
  reconstruction: { loss: string | null; train: number | null; validation: number | null } & Record<string, unknown>;
  /** t-SNE runs; null for UMAP runs. */
  tsne: { kl: number | null; iterations: number } | null;
  /** UMAP runs only. */
  umap?: { epochs: number; a: number; b: number; edges: number; init: UmapInit };
  /** The map against the prepared input (the user's data, scaled): trustworthiness@k. */
  trustworthiness: number | null;
  /** The map against the prepared input: mean share of each row's k input neighbours among its k map neighbours. */
  knnPreservation: number | null;
  /** k-NN label accuracy in the map (each labelled row against its k map neighbours, within the metrics sample), when there are labels. */
  labelAccuracy: number | null;
  /**
   * The same k-NN label vote within the same sample, among each row's input neighbours and among its code
   * neighbours: what the labels and the data's own neighbourhoods agree on before any map (absent in older runs).
   */
  inputLabelAccuracy?: number | null;
  codesLabelAccuracy?: number | null;
  /** What the reducer kept: the codes against the prepared input (absent in runs made before these fields). */
  codes?: NeighbourhoodMetrics;
  /** What the map method kept: the map against the codes. */
  mapVsCodes?: NeighbourhoodMetrics;
  [extra: string]: unknown;
}

/**
 * One setting as the run resolved it: the value used, whether it was chosen automatically, why, and the
 * figures the choice was made from (RunManifest.choices, also logged).
 */
export interface Choice {
  value: unknown;
  auto: boolean;
  reason: string;
  figures?: Record<string, unknown>;
}

export type RunStatus = 'complete' | 'failed' | 'running' | 'queued' | 'cancelled';

export interface RunManifest {
  id: string;
  name: string;
  status: RunStatus;
  createdAt: string;
  config: RunConfig;
  dataset: {
    name: string;
    source: string;
    rows: number;
    columns: number;
    sha256: string;
    label: string | null;
    image: ImageShape | null;
    /**
     * The feature names, in column order, when there are at most 1,000 (runs/feature-names.ts); every run
     * has them all in features.arrow (runs written before it: here, however many). Read them with readFeatureNames.
     */
    features?: string[];
    metadata: string[];
  };
  prepare: Record<string, unknown>;
  backend: string;
  versions: Record<string, string>;
  timings: StageTimings;
  metrics: RunMetrics;
  /**
   * The resolved value of every setting that may be auto (reducer, codeSize, layers, scaling, ...), with the
   * reason; absent in runs made before choices were recorded.
   */
  choices?: Record<string, Choice>;
  artifacts: Record<string, string>;
  base: string | null;
  notes: string[];
}

/** What the loaders found in an uploaded file (POST /api/uploads checks every upload by loading it). */
export interface UploadShape {
  rows: number;
  /** Feature columns. */
  columns: number;
  label: string | null;
  metadata: string[];
  /**
   * The feature columns' names in matrix order, for choosing the label column and columns to exclude; null for
   * image files (pixels) and past 500 columns (server/read-tasks.ts UPLOAD_FEATURE_NAMES). Absent from uploads stored before it was reported.
   */
  featureNames?: string[] | null;
  image: ImageShape | null;
}

/**
 * How an uploaded CSV/TSV file is read (POST /api/uploads?header=...&encoding=..., the run settings `header`
 * and `encoding`): it is checked so, and runs naming it read it so unless they set their own.
 */
export interface UploadReading {
  /** Whether the first line names the columns; auto: guessed from the first rows. */
  header: 'auto' | 'yes' | 'no';
  /** The text encoding; null: detected. */
  encoding: string | null;
}

/** A file uploaded to the server for runs (GET /api/uploads); a run names it with `"upload": id`. */
export interface UploadInfo extends UploadShape, UploadReading {
  /** `up-` and 16 hex digits. */
  id: string;
  /** The file name it was uploaded under (base name only). */
  name: string;
  /**
   * The format it is read as, by its content (the magic bytes of Parquet, Arrow and .npy; text as CSV), written
   * as that format's extension (.csv, .tsv, .csv.gz, .parquet, .arrow, .npy ...): the name's extension when the
   * content agrees, the content's otherwise (Parquet bytes uploaded as x.csv: .parquet, with a `note`).
   */
  format: string;
  /** Set when the content's format is not the one the name says. */
  note?: string;
  bytes: number;
  sha256: string;
  createdAt: string;
}

/** A summary row for run listings. */
export interface RunSummary {
  id: string;
  name: string;
  createdAt: string;
  dataset: string;
  rows: number;
  /** The reducer that made the codes (auto resolved). */
  reducer: ReducerName;
  variant: Variant;
  base: string | null;
}

/** A sparse matrix in compressed sparse row form (t-SNE affinities): row i is indices/values[indptr[i] .. indptr[i+1]). */
export interface SparseMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/** The k nearest neighbours of each row, nearest first: row i is indices/distances[i*k .. i*k+k); distances are squared Euclidean. */
export interface NeighborGraph {
  n: number;
  k: number;
  indices: Int32Array;
  distances: Float32Array;
}

/** A fitted PCA: rows of `components` are unit principal axes (k x cols), best first. */
export interface PcaModel {
  mean: Float32Array;
  components: Matrix;
  /** Variance of the data along each component. */
  explainedVariance: Float64Array;
}

/**
 * The contract every t-SNE gradient method (exact, Barnes-Hut, FFT) implements: for the 2-D points y
 * (n x 2, row-major) write into `out` the unnormalized repulsive forces sum_j q_ij^2 (y_i - y_j), with
 * q_ij = 1 / (1 + |y_i - y_j|^2), and return Z = sum_{i != j} q_ij.
 */
export type RepulsionFn = (y: Float64Array, n: number, out: Float64Array) => number;

/**
 * How prepare() scaled the features, saved with a run (model/preprocessing.json) so new rows are scaled the
 * same way: scaled = (raw - offset) / scale per column; raw = scaled * scale + offset. JSON-serializable.
 */
export interface Preprocessing {
  /**
   * 'none' also covers data already in [0, 1] under BCE (offset 0, scale 1); 'uniform' maps every column with
   * one offset and one scale (the data's overall range onto [0, 1]), which keeps the geometry.
   */
  kind: 'minmax' | 'standardize' | 'uniform' | 'none';
  /** Feature names, in matrix column order. */
  features: string[];
  offset: number[];
  scale: number[];
  /** Raw value that replaces a missing one in new rows (column mean, or 0 for --missing zero). */
  fill: number[];
  missing: MissingPolicy;
  loss: 'mse' | 'bce';
}
