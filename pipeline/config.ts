// One schema for a run's configuration: every field typed, documented and defaulted here, once.
// The CLI flags (kebab-case), --config files (JSON or YAML, camelCase) and the body of POST /api/runs
// are all validated by resolveConfig(); unknown keys and wrong types are InputErrors naming the key.
import { InputError } from './errors.js';
import type { RunConfig } from './types.js';

type FieldType = 'int' | 'number' | 'string' | 'enum' | 'intList' | 'stringList';

export interface FieldSpec {
  type: FieldType;
  /** Default value; null means "not set". */
  default: unknown;
  doc: string;
  /** Allowed values for enums. */
  values?: readonly string[];
  min?: number;
  max?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Exclusive upper bound. */
  below?: number;
  /** Why the bounds are where they are: said when a value falls outside them. */
  bounds?: string;
  nullable?: boolean;
  /** Also accepts the string 'auto' (an int or intList chosen from the data when the run starts). */
  auto?: boolean;
  /** intList: most items (min/max bound each item). */
  maxItems?: number;
  /** Shown in --help as the group heading. */
  group: 'input' | 'prepare' | 'autoencoder' | 'tsne' | 'umap' | 'run';
}

export const CONFIG_SCHEMA = {
  // input
  dataset: { type: 'string', default: null, nullable: true, group: 'input', doc: 'built-in dataset name (see `latentmap datasets`); default mnist when no --input is given' },
  input: { type: 'string', default: null, nullable: true, group: 'input', doc: 'input file: .csv, .tsv (optionally .gz), .arrow/.feather, .parquet, .npy, IDX (-ubyte[.gz])' },
  upload: { type: 'string', default: null, nullable: true, group: 'input', doc: 'id of a file uploaded to the server (POST /api/uploads), read from <runs-dir>/.uploads/<id>; instead of --input or --dataset' },
  labelColumn: { type: 'string', default: null, nullable: true, group: 'input', doc: "column holding the label (kept out of the features); default: the dataset's own, or a column named label/class/target/species" },
  dataDir: { type: 'string', default: null, nullable: true, group: 'input', doc: 'where file-based built-in datasets live (fashion-mnist: /usr/share/datasets/fashion-mnist)' },
  limit: { type: 'int', default: null, nullable: true, min: 1, max: 100_000_000, group: 'input', doc: 'use only the first N rows' },
  // input: how a file is read, which columns are features, and a layout the file already has
  header: { type: 'enum', default: 'auto', values: ['auto', 'yes', 'no'], group: 'input', doc: "CSV/TSV: whether the first line names the columns; auto guesses from the first rows and says so (flags: --header, --no-header)" },
  encoding: { type: 'string', default: null, nullable: true, group: 'input', doc: 'CSV/TSV text encoding (utf-8, windows-1252, latin1, utf-16le, iso-8859-2, ...); default: detected (UTF-8; UTF-16 with a byte-order mark; else the likeliest legacy encoding), and said' },
  features: { type: 'stringList', default: null, nullable: true, group: 'input', doc: 'the feature columns, comma separated (default: every numeric column except the label and identifier-like columns such as id, *_id, zip, row numbers, and every column of truth values (true/false, yes/no) as 0/1; category text columns become one 0/1 feature per value when named here, or when the table has fewer than two numeric columns)' },
  exclude: { type: 'stringList', default: [], group: 'input', doc: 'columns never used as features, comma separated (kept as metadata)' },
  coordinates: { type: 'stringList', default: null, nullable: true, group: 'input', doc: 'two columns x,y that already are the map: the reducer and t-SNE are skipped' },
  // prepare
  missing: { type: 'enum', default: 'drop', values: ['drop', 'mean', 'zero', 'error'], group: 'prepare', doc: 'rows with missing (empty or NaN) values: drop the row, impute the column mean or 0, or stop with an error' },
  scaling: { type: 'enum', default: 'auto', values: ['auto', 'minmax', 'standardize', 'uniform', 'none'], group: 'prepare', doc: 'feature scaling: min-max per column, standardize per column, uniform (one offset and scale for all columns, onto [0, 1]: keeps the geometry), none; auto: uniform when the columns share one unit (similar ranges: pixels, counts, embeddings, scores), standardize when they do not' },
  // autoencoder
  reducer: { type: 'enum', default: 'auto', values: ['auto', 'autoencoder', 'pca', 'none'], group: 'autoencoder', doc: 'what makes the codes t-SNE runs on: a trained autoencoder, PCA, or none (the scaled values); auto: chosen by measuring how well each keeps the input\'s neighbourhoods on a sample, and its cost' },
  variant: { type: 'enum', default: 'residual', values: ['plain', 'sparse', 'denoising', 'vae', 'residual'], group: 'autoencoder', doc: 'autoencoder variant; residual by default: it starts as PCA (a linear path from the principal axes, trained at 0.3x the learning rate, beside encoder and decoder layers that start at zero) and learns what PCA misses: on MNIST and Fashion-MNIST its maps keep PCA\'s trustworthiness; their label accuracy beats PCA\'s on Fashion-MNIST (0.8132 against 0.8072, three seeds) and, with --augment-shift auto moving the digits by a pixel while training, on MNIST (0.9557 against 0.9489, three seeds; bench/QUALITY-NOTES.md, sessions 8-11); denoising separates classes more at less trustworthiness; its loss is mse under --loss auto' },
  codeSize: { type: 'int', default: 'auto', auto: true, min: 1, max: 4096, group: 'autoencoder', doc: 'width of the code (also the number of PCA components); an explicit size must be smaller than the input width; auto: fitted to the width and row count' },
  layers: { type: 'intList', default: 'auto', auto: true, max: 16384, maxItems: 16, group: 'autoencoder', doc: 'hidden layer widths of the encoder, comma separated; the decoder mirrors them; auto: fitted to the width, code size and row count' },
  activation: { type: 'enum', default: 'relu', values: ['relu', 'elu', 'selu', 'tanh', 'sigmoid', 'linear'], group: 'autoencoder', doc: 'hidden-layer activation' },
  loss: { type: 'enum', default: 'auto', values: ['auto', 'mse', 'bce'], group: 'autoencoder', doc: 'reconstruction loss; auto: binary cross-entropy when every input lies in [0, 1], else mean squared error' },
  optimizer: { type: 'enum', default: 'adam', values: ['adam', 'sgd', 'rmsprop'], group: 'autoencoder', doc: 'gradient-descent optimizer' },
  epochs: { type: 'int', default: 'auto', auto: true, min: 1, max: 100000, group: 'autoencoder', doc: 'maximum training epochs; early stopping on the validation loss (--patience) decides when to stop; auto: about 360,000 training samples (40 epochs of 9,000 training rows), between 3 and 200 epochs' },
  batchSize: { type: 'int', default: 256, min: 1, max: 1048576, group: 'autoencoder', doc: 'mini-batch size' },
  learningRate: {
    type: 'number', default: 'auto', auto: true, min: 1e-6, max: 10, group: 'autoencoder',
    doc: 'optimizer learning rate, from 1e-6 to 10; auto: 0.002 for the residual variant, 0.005 for the others',
    bounds: 'Adam and RMSprop move each weight by about the learning rate per step, so below 1e-6 the few thousand steps of a run leave the weights about where they started (Keras and PyTorch default to 1e-3)',
  },
  validationSplit: {
    type: 'number', default: 0.1, min: 0, max: 0.5, group: 'autoencoder',
    doc: 'fraction of rows held out for the validation loss that early stopping watches, at most 0.5 (0: none; at least one row when above 0)',
    bounds: 'the model must train on at least as many rows as judge it (scikit-learn and Keras default to 0.1); 0 turns validation off',
  },
  patience: { type: 'int', default: 10, min: 0, max: 100000, group: 'autoencoder', doc: 'early stopping: epochs without validation improvement before stopping and restoring the best weights (0: off)' },
  sparsityPenalty: { type: 'enum', default: 'kl', values: ['l1', 'kl'], group: 'autoencoder', doc: 'sparse variant: L1 activity penalty or KL divergence toward --sparsity-target' },
  sparsityWeight: { type: 'number', default: 0.001, min: 0, group: 'autoencoder', doc: 'sparse variant: weight of the sparsity penalty' },
  sparsityTarget: { type: 'number', default: 0.05, above: 0, below: 1, group: 'autoencoder', doc: 'sparse variant (kl): target mean activation rho of each code unit' },
  noise: { type: 'enum', default: 'mask', values: ['gaussian', 'mask'], group: 'autoencoder', doc: 'denoising variant: additive Gaussian noise or masking noise' },
  noiseStd: { type: 'number', default: 0.2, above: 0, group: 'autoencoder', doc: 'denoising variant (gaussian): noise standard deviation, in scaled units' },
  noiseFraction: { type: 'number', default: 0.2, above: 0, below: 1, group: 'autoencoder', doc: 'denoising variant (mask): fraction of inputs set to 0' },
  klWeight: { type: 'number', default: 1, min: 0, group: 'autoencoder', doc: 'vae variant: weight of the KL term against the reconstruction loss' },
  augmentShift: {
    type: 'int', default: 'auto', auto: true, min: 0, max: 8, group: 'autoencoder',
    doc: 'image inputs: while the autoencoder trains, each input image is moved by up to this many whole pixels per axis and its target left in place, so an image and the same image moved a little get nearby codes (0: off); auto: 1 for images whose pictures sit inside their frame (at most 5% of rows reach its outer ring; MNIST\'s digits do, Fashion-MNIST\'s clothes fill it) and whose pixels share one unit, 0 for other data; images are what IDX files, NumPy arrays of n x height x width and the built-in image datasets give, or a table of a square number of columns whose neighbouring columns correlate as pixels do (an MNIST CSV file)',
    bounds: 'a move of more than a few pixels changes what a small image shows (MNIST digits are 20 pixels tall)',
  },
  // t-SNE
  tsneEngine: { type: 'enum', default: 'auto', values: ['auto', 'exact', 'bh', 'fft', 'tsne-js'], group: 'tsne', doc: 'gradient method: exact O(n^2), Barnes-Hut, FFT interpolation, tsne-js (baseline, at most 2,000 rows); auto picks by size' },
  perplexity: { type: 'number', default: 'auto', auto: true, min: 1, max: 1000, group: 'tsne', doc: 'effective number of neighbours, at least 1 (the perplexity of any distribution over neighbours is; below it no bandwidth exists and the search for one gives a meaningless map); auto: 30, except on labelled maps of at most 5,000 rows, where t-SNE also runs at 10 and that map is kept when it agrees better with the labels (by 0.03) at trustworthiness within 0.01; a perplexity given must fit the rows, at most (rows - 1) / 3, or the run is refused (exit 2) naming the largest that fits' },
  iterations: { type: 'int', default: 1000, min: 1, max: 100000, group: 'tsne', doc: 'optimization iterations, early exaggeration included' },
  theta: { type: 'number', default: 0.5, min: 0, max: 1, group: 'tsne', doc: 'Barnes-Hut accuracy (0: exact, larger: faster, coarser)' },
  earlyExaggeration: { type: 'number', default: 'auto', auto: true, min: 1, max: 100, group: 'tsne', doc: 'early exaggeration factor; auto: 12 from 600 rows, n / 50 (at least 4) below, so that exaggeration x learning rate stays within 4 n on small tables (the early phase works near n)' },
  exaggerationIterations: { type: 'int', default: 250, min: 0, max: 100000, group: 'tsne', doc: 'iterations with early exaggeration' },
  exaggeration: { type: 'number', default: 1, min: 1, max: 100, group: 'tsne', doc: "exaggeration after the early phase (openTSNE's exaggeration; Kobak & Berens 2019 for very large maps): larger packs clusters tighter and costs less time, at the finest neighbourhoods' expense (at 250,000 rows, 2 with 750 iterations: a quarter less CPU, 10-NN label accuracy over all rows 0.80 against 0.82)" },
  tsneLearningRate: {
    type: 'number', default: null, nullable: true, above: 0, max: 1e8, group: 'tsne',
    doc: 'step size of both phases, at most 1e8; default: max(200, n / early exaggeration) (Belkina et al. 2019)',
    bounds: "the largest step size a reference implementation chooses by itself is openTSNE's n (after early exaggeration), and an input has at most 100,000,000 rows (limit); every step is already cut to 5 units (openTSNE's max_step_norm), so a larger rate changes nothing but overflows",
  },
  metricsSample: { type: 'int', default: 10000, min: 10, max: 30000, group: 'tsne', doc: 'rows of the seeded sample the headline quality figures (trustworthiness, kNN preservation, label accuracy) are measured within, exactly (every row when there are no more); the cost grows with its square (10,000 rows of 784 columns: a few seconds); the per-row preservation uses every row' },
  // map method; UMAP (defaults and names as umap-learn's)
  map: { type: 'enum', default: 'tsne', values: ['tsne', 'umap'], group: 'umap', doc: 'map method: t-SNE (the --tsne-* options, perplexity, iterations...) or UMAP (--n-neighbors, --min-dist, --spread, --umap-*...)' },
  nNeighbors: { type: 'int', default: 15, min: 2, max: 1000, group: 'umap', doc: 'UMAP: size of the local neighbourhood, the point itself included (umap-learn n_neighbors); larger keeps more global structure' },
  minDist: { type: 'number', default: 0.1, min: 0, max: 100, group: 'umap', doc: 'UMAP: smallest distance between points in the map (at most --spread); smaller packs clusters tighter' },
  spread: { type: 'number', default: 1, above: 0, max: 100, group: 'umap', doc: 'UMAP: scale of the map\'s neighbourhoods; with --min-dist it fixes the curve 1 / (1 + a d^2b)' },
  umapEpochs: { type: 'int', default: null, nullable: true, min: 1, max: 100000, group: 'umap', doc: 'UMAP: layout epochs; default 500 up to 10,000 rows, 200 beyond (umap-learn)' },
  negativeSampleRate: { type: 'int', default: 5, min: 1, max: 100, group: 'umap', doc: 'UMAP: negative samples per positive sample' },
  umapLearningRate: { type: 'number', default: 1, above: 0, max: 100, group: 'umap', doc: 'UMAP: initial SGD step, decaying linearly to 0' },
  repulsionStrength: { type: 'number', default: 1, above: 0, max: 100, group: 'umap', doc: 'UMAP: weight of the negative samples (gamma)' },
  localConnectivity: { type: 'number', default: 1, min: 0, max: 100, group: 'umap', doc: 'UMAP: nearest neighbours each point is assumed connected to (below --n-neighbors)' },
  umapInit: { type: 'enum', default: 'spectral', values: ['spectral', 'pca', 'random'], group: 'umap', doc: 'UMAP: initial layout: spectral (eigenvectors of the graph Laplacian, umap-learn\'s default), pca, or random' },
  // run
  seed: { type: 'int', default: 42, min: 0, max: 4294967295, group: 'run', doc: 'random seed: the same seed and backend give the same run' },
  runsDir: { type: 'string', default: './runs', group: 'run', doc: 'directory that holds the runs' },
  name: { type: 'string', default: null, nullable: true, group: 'run', doc: 'run name (default: the dataset name)' },
  queue: { type: 'string', default: null, nullable: true, group: 'run', doc: 'redis://host:port of a BullMQ queue: --input names shards (a directory or glob) that `latentmap worker` processes place into the map' },
  referenceRows: { type: 'int', default: 20000, min: 100, max: 10000000, group: 'run', doc: 'sharded input: rows drawn (seeded, evenly from every shard) to train the reducer and make the reference map the other rows are placed into' },
  backend: { type: 'enum', default: 'auto', values: ['auto', 'tensorflow', 'wasm', 'cpu'], group: 'run', doc: 'TensorFlow.js backend (models, inference; training too with tensorflow, else latentmap\'s own wasm engine trains); auto: tfjs-node when installed, else wasm, else cpu' },
} as const satisfies Record<keyof RunConfig, FieldSpec>;

export type ConfigKey = keyof RunConfig;
export const CONFIG_KEYS = Object.keys(CONFIG_SCHEMA) as ConfigKey[];

/** camelCase key → kebab-case flag name (without the dashes). */
export function flagName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** kebab-case flag name → camelCase key. */
export function keyFromFlag(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A RunConfig with every default applied. */
export function defaultConfig(): RunConfig {
  const out: Record<string, unknown> = {};
  for (const key of CONFIG_KEYS) {
    const d = CONFIG_SCHEMA[key].default as unknown;
    out[key] = Array.isArray(d) ? [...d] : d;
  }
  return out as unknown as RunConfig;
}

/**
 * Validates one value for key. Strings are accepted for every type (they come from flags and YAML)
 * and converted; anything else must already have the right JSON type.
 * `source` names where the value came from, for the error message ("--code-size", "job.yaml", "request body").
 */
export function parseValue(key: ConfigKey, raw: unknown, source: string): unknown {
  const spec: FieldSpec = CONFIG_SCHEMA[key];
  const where = { field: key };
  const fail = (what: string): never => {
    throw new InputError(`${what} (from ${source})`, where);
  };
  if (raw === null || raw === undefined || raw === 'null') {
    if (spec.nullable) return null;
    return fail(`must not be empty`);
  }
  if (spec.auto && raw === 'auto') return 'auto';
  switch (spec.type) {
    case 'string': {
      if (typeof raw !== 'string' || raw.length === 0) return fail(`must be a non-empty string, got ${show(raw)}`);
      return raw;
    }
    case 'enum': {
      if (typeof raw !== 'string' || !spec.values!.includes(raw)) {
        return fail(`must be one of ${spec.values!.join(', ')}; got ${show(raw)}`);
      }
      return raw;
    }
    case 'int':
    case 'number': {
      const n = typeof raw === 'string' ? numberFromText(raw) : raw;
      if (typeof n !== 'number' || !Number.isFinite(n)) return fail(`must be a ${spec.type === 'int' ? 'whole number' : 'number'} written in decimals (like 200, 0.5 or 1e-3), got ${show(raw)}`);
      if (spec.type === 'int' && !Number.isInteger(n)) return fail(`must be a whole number, got ${show(raw)}`);
      checkRange(n, spec, fail);
      return n;
    }
    case 'stringList': {
      let list: unknown[];
      if (typeof raw === 'string') list = raw.trim() === '' ? [] : raw.split(',').map((s) => s.trim());
      else if (Array.isArray(raw)) list = raw;
      else return fail(`must be a list of column names like a,b,c, got ${show(raw)}`);
      return list.map((item) => {
        if (typeof item !== 'string' || item === '') return fail(`must be a list of column names like a,b,c; ${show(item)} is not one`);
        return item;
      });
    }
    case 'intList': {
      let list: unknown[];
      if (typeof raw === 'string') list = raw.trim() === '' ? [] : raw.split(',').map((s) => s.trim());
      else if (Array.isArray(raw)) list = raw;
      else if (typeof raw === 'number') list = [raw];
      else return fail(`must be a list of whole numbers like 256,128, got ${show(raw)}`);
      if (spec.maxItems !== undefined && list.length > spec.maxItems) return fail(`must have at most ${spec.maxItems} items, got ${list.length}`);
      return list.map((item) => {
        const n = typeof item === 'string' ? numberFromText(item) : item;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
          return fail(`must be a list of positive whole numbers like 256,128; ${show(item)} is not one`);
        }
        if (spec.max !== undefined && n > spec.max) return fail(`items must be at most ${spec.max}, got ${n}`);
        return n;
      });
    }
  }
}

/**
 * Numbers written as text (flags, and numbers in YAML files, read by their source text) have one rule, the same
 * everywhere: decimal notation, an optional sign, fraction and exponent (200, -3, 0.5, .5, 1e-3, 2.5E+4),
 * spaces around ignored. Anything else is no number: hexadecimal, octal or binary (0x186a0, 0o17, 0b1),
 * leading zeros (0123, which YAML 1.1 reads as octal), digit separators (1_000), Infinity, NaN, ''.
 */
const DECIMAL = /^[+-]?(?:(?:0|[1-9]\d*)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a text writes under the rule above, or null. */
export function numberFromText(text: string): number | null {
  const t = text.trim();
  return DECIMAL.test(t) ? Number(t) : null;
}

function checkRange(n: number, spec: FieldSpec, fail: (what: string) => never): void {
  const why = spec.bounds ? `: ${spec.bounds}` : '';
  if (spec.min !== undefined && n < spec.min) fail(`must be at least ${spec.min}, got ${n}${why}`);
  if (spec.max !== undefined && n > spec.max) fail(`must be at most ${spec.max}, got ${n}${why}`);
  if (spec.above !== undefined && n <= spec.above) fail(`must be greater than ${spec.above}, got ${n}${why}`);
  if (spec.below !== undefined && n >= spec.below) fail(`must be less than ${spec.below}, got ${n}${why}`);
}

function show(v: unknown): string {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Validates a partial configuration object (a --config file, a request body) and returns only the keys it set.
 * Unknown keys are errors that name the key (and suggest the closest known one).
 */
export function parsePartialConfig(obj: unknown, source: string): Partial<RunConfig> {
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
    throw new InputError(`a run configuration must be an object of settings, got ${Array.isArray(obj) ? 'an array' : show(obj)} (from ${source})`);
  }
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [key, raw] of Object.entries(obj as Record<string, unknown>)) {
    // Own keys only: "__proto__", "constructor", "toString" ... are unknown keys, not inherited properties.
    if (!Object.hasOwn(CONFIG_SCHEMA, key)) {
      const hint = closestKey(key);
      throw new InputError(`unknown configuration key "${key}"${hint ? `; did you mean "${hint}"?` : ''} (from ${source})`, { field: key });
    }
    out[key] = parseValue(key as ConfigKey, raw, source);
  }
  return { ...out } as Partial<RunConfig>;
}

/**
 * Merges layers of configuration (later layers win: defaults < file < flags) and checks the
 * cross-field rules. Returns a fully resolved RunConfig.
 */
export function resolveConfig(...layers: Partial<RunConfig>[]): RunConfig {
  const config = defaultConfig();
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (v !== undefined) (config as unknown as Record<string, unknown>)[k] = v;
    }
  }
  if (config.dataset !== null && config.input !== null) {
    throw new InputError('give either a dataset or an input file, not both', { field: 'input' });
  }
  if (config.upload !== null && (config.dataset !== null || config.input !== null)) {
    throw new InputError(`give one of an upload, an input file or a dataset, not ${config.input !== null ? 'an input file' : 'a dataset'} too`, { field: 'upload' });
  }
  if (config.dataset === null && config.input === null && config.upload === null) config.dataset = 'mnist';
  // A setting that would have no effect with the rest of the configuration is an error, never silently ignored.
  const set = new Set(layers.flatMap((l) => Object.entries(l).filter(([, v]) => v !== undefined).map(([k]) => k)));
  const onlyWith = (keys: ConfigKey[], applies: boolean, what: string): void => {
    for (const key of keys) {
      if (set.has(key) && !applies) throw new InputError(`applies only ${what}; remove it or change that setting`, { field: key });
    }
  };
  // under reducer auto the autoencoder's options stay accepted: they configure it if auto chooses it
  const ae = config.reducer === 'autoencoder' || config.reducer === 'auto';
  onlyWith(['variant', 'layers', 'activation', 'loss', 'optimizer', 'epochs', 'batchSize', 'learningRate', 'validationSplit', 'patience', 'augmentShift'], ae, `with --reducer autoencoder or auto (this run uses ${config.reducer})`);
  onlyWith(['sparsityPenalty', 'sparsityWeight'], ae && config.variant === 'sparse', `with --variant sparse (this run uses ${ae ? config.variant : config.reducer})`);
  onlyWith(['sparsityTarget'], ae && config.variant === 'sparse' && config.sparsityPenalty === 'kl', 'with --variant sparse and --sparsity-penalty kl');
  onlyWith(['noise'], ae && config.variant === 'denoising', `with --variant denoising (this run uses ${ae ? config.variant : config.reducer})`);
  onlyWith(['noiseStd'], ae && config.variant === 'denoising' && config.noise === 'gaussian', 'with --variant denoising and --noise gaussian');
  onlyWith(['noiseFraction'], ae && config.variant === 'denoising' && config.noise === 'mask', 'with --variant denoising and --noise mask');
  onlyWith(['klWeight'], ae && config.variant === 'vae', `with --variant vae (this run uses ${ae ? config.variant : config.reducer})`);
  const tsneKeys: ConfigKey[] = ['tsneEngine', 'perplexity', 'iterations', 'theta', 'earlyExaggeration', 'exaggerationIterations', 'exaggeration', 'tsneLearningRate'];
  const umapKeys: ConfigKey[] = ['nNeighbors', 'minDist', 'spread', 'umapEpochs', 'negativeSampleRate', 'umapLearningRate', 'repulsionStrength', 'localConnectivity', 'umapInit'];
  onlyWith(tsneKeys, config.map === 'tsne', `with --map tsne (this run uses ${config.map})`);
  onlyWith(umapKeys, config.map === 'umap', `with --map umap (this run uses ${config.map})`);
  if (config.minDist > config.spread) {
    throw new InputError(`must not exceed spread (${config.spread}), got ${config.minDist}`, { field: 'minDist' });
  }
  if (config.localConnectivity >= config.nNeighbors) {
    throw new InputError(`must be less than nNeighbors (${config.nNeighbors}), got ${config.localConnectivity}`, { field: 'localConnectivity' });
  }
  onlyWith(['theta'], config.tsneEngine === 'bh' || config.tsneEngine === 'auto', `with --tsne-engine bh or auto (Barnes-Hut); ${config.tsneEngine} does not use it`);
  if (config.coordinates !== null && config.coordinates.length !== 2) {
    throw new InputError(`must name exactly two columns (x,y), got ${config.coordinates.length}`, { field: 'coordinates' });
  }
  onlyWith(['header', 'encoding'], config.input !== null || config.upload !== null, 'to an --input file or an upload (built-in datasets are read as they ship)');
  if (config.exaggerationIterations > config.iterations) {
    throw new InputError(
      `must not exceed iterations (${config.iterations}), got ${config.exaggerationIterations}`,
      { field: 'exaggerationIterations' },
    );
  }
  return config;
}

/** Closest schema key by edit distance, for "did you mean" hints. */
function closestKey(key: string): string | null {
  return closestName(keyFromFlag(key.toLowerCase()), CONFIG_KEYS);
}

/** The candidate nearest to name (case-insensitive edit distance), when it is near enough to be a typo. */
export function closestName(name: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const cand of candidates) {
    const d = editDistance(name.toLowerCase(), cand.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = cand;
    }
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}
