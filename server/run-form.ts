// The New-run form's fields as GET /api/run-options serves them: each with its label, what it does, its
// default (and what "auto" decides), its range, written for the form (labels, never CLI flags or repository
// files); the type, default and bounds come from the one configuration schema (pipeline/config.ts), so the
// form, the CLI and the server's checks agree. Pure.
import { CONFIG_SCHEMA, flagName, type ConfigKey, type FieldSpec } from '../pipeline/config.js';

/** A field of the form, as served. */
export interface FormField {
  key: ConfigKey;
  /** The CLI flag of the same setting (without dashes): server messages naming it are reworded with the label. */
  flag: string;
  label: string;
  type: FieldSpec['type'];
  default: unknown;
  values: readonly string[] | null;
  min: number | null;
  max: number | null;
  /** Exclusive bounds. */
  above: number | null;
  below: number | null;
  /** Also takes "auto". */
  auto: boolean;
  /** May be left empty. */
  optional: boolean;
  /** intList: most items. */
  maxItems: number | null;
  /** What it does, its default (and what auto decides) and its range, in sentences. */
  help: string;
}

export interface FormGroup {
  title: string;
  fields: FormField[];
}

/** What each field does, and what auto decides, in the form's words. */
const WORDS: Partial<Record<ConfigKey, { label: string; does: string; auto?: string; empty?: string }>> = {
  dataset: { label: 'Dataset', does: 'The built-in dataset to map; the list shows each one’s rows and columns.' },
  limit: { label: 'Rows', does: 'Map only the first rows of the data.', empty: 'empty (every row)' },
  name: { label: 'Run name', does: 'The name the run is listed under.', empty: 'empty (the dataset’s name)' },
  reducer: {
    label: 'Reducer',
    does: 'What turns each row into the short code the map is made from: a trained autoencoder, PCA, or none (the scaled values themselves).',
    auto: 'measures on a sample how well each keeps the rows’ neighbourhoods, and what it costs, and picks one',
  },
  variant: {
    label: 'Autoencoder variant',
    does: 'residual starts as PCA and learns what PCA misses; plain is a stack of layers; sparse keeps few code units active; denoising learns to undo noise (classes apart more, neighbourhoods kept less); vae is a variational autoencoder.',
  },
  codeSize: { label: 'Code size', does: 'How many numbers each row is compressed to (for PCA: the number of components); it must be smaller than the number of input columns.', auto: 'fitted to the number of columns and rows' },
  layers: { label: 'Hidden layers', does: 'Widths of the encoder’s hidden layers, separated by commas (for example 256,128); the decoder mirrors them.', auto: 'fitted to the number of columns, the code size and the rows' },
  activation: { label: 'Activation', does: 'The function each hidden layer applies to its sums.' },
  loss: { label: 'Reconstruction loss', does: 'How the difference between a row and its reconstruction is measured while training: mean squared error (mse) or binary cross-entropy (bce).', auto: 'bce when every value lies between 0 and 1 (pixels), otherwise mse' },
  epochs: { label: 'Epochs', does: 'The most passes over the training rows; training stops earlier once the loss on held-out rows stops improving.', auto: 'about 360,000 rows seen in all (40 passes over 9,000 training rows), between 3 and 200 passes' },
  batchSize: { label: 'Batch size', does: 'Rows per training step.' },
  learningRate: { label: 'Learning rate', does: 'The optimizer’s step size.', auto: '0.002 for the residual variant, 0.005 for the others' },
  map: { label: 'Map method', does: 't-SNE or UMAP; the fields below marked t-SNE apply only to t-SNE, those marked UMAP only to UMAP.' },
  tsneEngine: { label: 't-SNE engine', does: 'How t-SNE computes its forces: exact (small maps), Barnes-Hut (bh), FFT interpolation (fft), or tsne-js (a baseline for comparison, at most 2,000 rows).', auto: 'picks by the number of rows' },
  perplexity: { label: 'Perplexity (t-SNE)', does: 'About how many neighbours each point keeps close.', auto: '30; on labelled maps of at most 5,000 rows t-SNE also runs at 10 and keeps that map when it agrees better with the labels' },
  iterations: { label: 'Iterations (t-SNE)', does: 'Optimization steps of t-SNE, the first phase (early exaggeration) included.' },
  nNeighbors: { label: 'Neighbours (UMAP)', does: 'Size of each point’s neighbourhood, the point itself included; larger keeps more of the global structure.' },
  minDist: { label: 'Minimum distance (UMAP)', does: 'Smallest distance between points in the map; smaller packs clusters tighter. At most the spread (1 unless set otherwise).' },
  seed: { label: 'Seed', does: 'The random seed: the same seed gives the same run.' },
};

/** The form's groups and the fields in each, in order. */
const GROUPS: { title: string; keys: ConfigKey[] }[] = [
  { title: 'Data', keys: ['dataset', 'limit', 'name'] },
  { title: 'Autoencoder', keys: ['reducer', 'variant', 'codeSize', 'layers', 'activation', 'loss', 'epochs', 'batchSize', 'learningRate'] },
  { title: 'Map: t-SNE or UMAP', keys: ['map', 'tsneEngine', 'perplexity', 'iterations', 'nNeighbors', 'minDist', 'seed'] },
];

/** Values the form starts from where they differ from the schema's: which data to map. */
const FORM_DEFAULTS: Partial<Record<ConfigKey, unknown>> = { dataset: 'mnist' };

const num = (v: number) => v.toLocaleString('en-US', { maximumFractionDigits: 10 });

/** "From 1 to 4,096, whole numbers.", "Above 0, below 1.", "Each from 1 to 16,384; at most 16 of them.", "One of: a, b." */
export function rangeText(spec: FieldSpec): string {
  if (spec.type === 'enum') return `One of: ${spec.values!.join(', ')}.`;
  const low = spec.min !== undefined ? `from ${num(spec.min)}` : spec.above !== undefined ? `above ${num(spec.above)}` : spec.type === 'intList' ? 'from 1' : null;
  const high = spec.max !== undefined ? `to ${num(spec.max)}` : spec.below !== undefined ? `below ${num(spec.below)}` : null;
  const bounds = [low, high].filter(Boolean).join(spec.below !== undefined || spec.above !== undefined ? ', ' : ' ');
  if (spec.type === 'intList') return `Each ${bounds}${spec.maxItems !== undefined ? `; at most ${spec.maxItems} of them` : ''}.`;
  if (!bounds) return '';
  return `${bounds.charAt(0).toUpperCase()}${bounds.slice(1)}${spec.type === 'int' ? ', whole numbers' : ''}.`;
}

function defaultText(key: ConfigKey, spec: FieldSpec, words: { auto?: string; empty?: string }): string {
  const def = FORM_DEFAULTS[key] ?? spec.default;
  if (def === 'auto') return `Default: auto (${words.auto ?? 'chosen from the data'}).`;
  if (def === null || def === undefined) return words.empty ? `Default: ${words.empty}.` : '';
  const shown = Array.isArray(def) ? def.join(',') : typeof def === 'number' ? num(def) : String(def);
  return `Default: ${shown}${spec.auto ? ` (or auto: ${words.auto ?? 'chosen from the data'})` : ''}.`;
}

/** The form's groups with every field described (throws at start-up if a field lacks its words). */
export function formGroups(): FormGroup[] {
  return GROUPS.map((g) => ({
    title: g.title,
    fields: g.keys.map((key) => {
      const spec: FieldSpec = CONFIG_SCHEMA[key];
      const words = WORDS[key];
      if (!words) throw new Error(`the New-run form has no words for ${key}`);
      const help = [words.does, defaultText(key, spec, words), key === 'dataset' ? '' : rangeText(spec)].filter(Boolean).join(' ');
      return {
        key,
        flag: flagName(key),
        label: words.label,
        type: spec.type,
        default: FORM_DEFAULTS[key] ?? spec.default,
        values: spec.values ?? null,
        min: spec.min ?? null,
        max: spec.max ?? null,
        above: spec.above ?? null,
        below: spec.below ?? null,
        auto: spec.auto === true,
        optional: spec.nullable === true,
        maxItems: spec.maxItems ?? null,
        help,
      };
    }),
  }));
}
