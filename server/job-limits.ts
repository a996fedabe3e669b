// How much memory and time a run will need, estimated from its configuration and the shape of its data
// before it starts, against what the operator allows per job (`--max-job-memory`, `--max-job-seconds`).
// A run whose estimate exceeds a limit is refused with 400 naming the settings that drive it. The limits are
// also enforced while the job runs (server/jobs/child.ts: heap limit, RSS watch, timeout).
//
// The estimates are deliberately coarse upper bounds on this kind of machine (one or two cores):
//   memory: the Node process (~200 MB) + the data 4x (raw, prepared, split, written) + the autoencoder's
//           weights 8x (weights, gradients, two Adam moments, per thread) + a batch of activations +
//           t-SNE's neighbour graph (3 x perplexity neighbours) and, for the exact engine, its n x n matrix.
//   time:   autoencoder 6 flops per weight per row per epoch at 2 GFLOP/s; PCA one pass over the covariance;
//           t-SNE per iteration n x (6 x perplexity + 20 log2 n) at 10 ns (Barnes-Hut/FFT) or n^2 at 2 ns (exact);
//           UMAP: its kNN and fuzzy graphs (n x nNeighbors edges, twice), and per epoch every edge with its
//           negative samples at 20 ns.
// A refusal names the setting that adds the most (limit, layers, epochs, iterations, tsneEngine, nNeighbors).
import { DEFAULT_PERPLEXITY, planPerplexity } from '../pipeline/perplexity-auto.js';
import { InputError } from '../pipeline/errors.js';
import type { RunConfig } from '../pipeline/types.js';
import { resolveShape } from '../pipeline/reduce/auto-size.js';

export interface JobLimits {
  /** Most memory one job may use, bytes. */
  maxBytes: number;
  /** Longest a job may run, seconds. */
  maxSeconds: number;
}

export const DEFAULT_JOB_LIMITS: JobLimits = { maxBytes: 4 * 1024 ** 3, maxSeconds: 2 * 3600 };

export interface JobEstimate {
  bytes: number;
  seconds: number;
  /** The dominant terms, for the refusal message. */
  detail: string;
  /** What each setting that drives the cost adds (the largest names the field of a refusal). */
  drivers: { field: string; bytes: number; seconds: number }[];
}

const MB = 1024 * 1024;

/** Estimate for `config` (resolved) on data of `rows` x `columns` (before --limit). */
export function estimateJob(config: RunConfig, rows: number, columns: number): JobEstimate {
  const n = Math.max(1, Math.min(rows, config.limit ?? rows));
  const d = Math.max(1, columns);
  // auto code size and layers as the run will resolve them (reduce/auto-size.ts)
  const shape = resolveShape(config, d, n);
  const code = Math.min(shape.codeSize, d);
  // every term once: what it adds, and the setting it is charged to (null: none a user would change)
  const parts: { field: string | null; bytes: number; seconds: number }[] = [];
  const add = (field: string | null, bytes: number, seconds: number): void => {
    parts.push({ field, bytes, seconds });
  };
  add(null, 200 * MB, 0);
  add('limit', n * d * 4 * 4, (n * d) / 20e6); // loading and preparing
  const terms: string[] = [`${n.toLocaleString('en-US')} rows x ${d.toLocaleString('en-US')} columns`];
  // reducer auto may train the autoencoder after measuring PCA: both are counted
  if (config.reducer === 'pca' || config.reducer === 'auto') add(null, d * d * 8 * 2, (n * d * d) / 2e9);
  if (config.reducer === 'autoencoder' || config.reducer === 'auto') {
    const widths = [d, ...shape.layers, code];
    const weightsOf = (layers: number[]): number => {
      const w = [d, ...layers, code];
      let sum = 0;
      for (let i = 0; i + 1 < w.length; i++) sum += w[i]! * w[i + 1]!;
      return sum * (config.variant === 'vae' ? 2.1 : 2); // the decoder mirrors the encoder
    };
    const weights = weightsOf(shape.layers);
    const batch = Math.min(config.batchSize, n);
    add('layers', weights * 4 * 8 + batch * widths.reduce((s, w) => s + w, 0) * 2 * 4 * 3, 0);
    // training time grows with the weights and the epochs alike: it is charged to whichever of the two is
    // further above what the automatic settings would choose (layers [16384] is a layers problem, epochs 10^5 an epochs one)
    const auto = resolveShape({ ...config, layers: 'auto', epochs: 'auto' }, d, n);
    const field = weights / weightsOf(auto.layers) >= shape.epochs / auto.epochs ? 'layers' : 'epochs';
    add(field, 0, (6 * weights * n * (1 - config.validationSplit) * shape.epochs) / 2e9);
    terms.push(`an autoencoder of ${Math.round(weights).toLocaleString('en-US')} weights (layers ${shape.layers.join(',')}) trained ${shape.epochs} epochs`);
  }
  if (config.map === 'umap') {
    // the kNN graph (index + distance per edge), the fuzzy graph made symmetric (up to 2nk edges of 12 bytes),
    // the layout; each epoch samples every edge with negativeSampleRate negative samples (umap/)
    const k = Math.min(n - 1, config.nNeighbors);
    const epochs = config.umapEpochs ?? (n <= 10_000 ? 500 : 200);
    const graph = n * k * 8 + 2 * n * k * 12;
    add('nNeighbors', graph, 0);
    // epochs x edges: charged to whichever is further above its default (15 neighbours; 500 or 200 epochs)
    const defaultEpochs = n <= 10_000 ? 500 : 200;
    add(epochs / defaultEpochs >= k / Math.min(n - 1, 15) ? 'umapEpochs' : 'nNeighbors', 0, epochs * n * k * (1 + config.negativeSampleRate) * 2e-8);
    add(null, n * code * 4 * 2 + n * 2 * 8 * 4, (n * Math.log2(n + 1) * code * k) / 1e9);
    terms.push(`UMAP with ${k} neighbours (a graph of about ${gb(graph)}) for ${epochs} epochs`);
  } else {
    // perplexity auto: 30, and on small labelled maps a second t-SNE at 10 (pipeline/perplexity-auto.ts)
    const perplexity = config.perplexity === 'auto' ? DEFAULT_PERPLEXITY : config.perplexity;
    const maps = planPerplexity(config.perplexity, n, true).candidates.length;
    const k = Math.min(n - 1, Math.ceil(3 * perplexity));
    const times = maps > 1 ? `, ${maps} times` : '';
    add(null, n * code * 4 * 2 + n * 2 * 8 * 8, (n * Math.log2(n + 1) * code * k) / 1e9); // codes, layout, neighbour search
    if (config.tsneEngine === 'exact' || config.tsneEngine === 'tsne-js') {
      add(null, n * k * 2 * 12, 0);
      add('tsneEngine', n * n * 8, (maps * config.iterations * n * n) / 5e8);
      terms.push(`exact t-SNE (n x n) for ${config.iterations} iterations${times}`);
    } else {
      add('iterations', n * k * 2 * 12, maps * config.iterations * n * (6 * perplexity + 20 * Math.log2(n + 1)) * 1e-8);
      terms.push(`t-SNE with perplexity ${config.perplexity} for ${config.iterations} iterations${times}`);
    }
  }
  return {
    bytes: parts.reduce((sum, p) => sum + p.bytes, 0),
    seconds: parts.reduce((sum, p) => sum + p.seconds, 0),
    detail: terms.join(', '),
    drivers: parts.filter((p): p is JobEstimate['drivers'][number] => p.field !== null),
  };
}

function gb(bytes: number): string {
  return bytes >= 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${Math.round(bytes / MB)} MB`;
}

function duration(s: number): string {
  return s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${Math.round(s / 60)} min` : `${Math.round(s)} s`;
}

/** The field of the setting that adds the most of `what`. */
function largest(drivers: JobEstimate['drivers'], what: 'bytes' | 'seconds'): string {
  return drivers.reduce((a, b) => (b[what] > a[what] ? b : a)).field;
}

/** Throws an InputError when the estimate exceeds a limit; returns the estimate otherwise. */
export function checkJobLimits(config: RunConfig, rows: number, columns: number, limits: JobLimits): JobEstimate {
  const e = estimateJob(config, rows, columns);
  if (e.bytes > limits.maxBytes) {
    throw new InputError(
      `this run would need about ${gb(e.bytes)} of memory (${e.detail}); this server allows ${gb(limits.maxBytes)} per job (--max-job-memory). Use smaller layers, a smaller code, fewer rows (limit), another t-SNE engine or fewer UMAP neighbours (nNeighbors)`,
      { field: largest(e.drivers, 'bytes') },
    );
  }
  if (e.seconds > limits.maxSeconds) {
    throw new InputError(
      `this run would take about ${duration(e.seconds)} (${e.detail}); this server allows ${duration(limits.maxSeconds)} per job (--max-job-seconds). Use fewer epochs or iterations, smaller layers, fewer UMAP neighbours or fewer rows (limit)`,
      { field: largest(e.drivers, 'seconds') },
    );
  }
  return e;
}
