// The tsne-js npm package (exact O(n^2) t-SNE) as engine 'tsne-js': the baseline, for small inputs only.
// Its random initialization is replaced by a seeded one so the same seed gives the same map.

import { createRequire } from 'node:module';
import type { Matrix, StageHooks, TsneOptions, TsneResult } from '../types.js';
import { CancelledError, InputError, throwIfAborted } from '../errors.js';
import { createRandom } from '../random.js';
import { KL_EVERY, effectivePerplexity, validateTsneInput } from './tsne.js';
import { autoEarlyExaggeration } from './schedule.js';

/** tsne-js needs O(n^2) memory and time per iteration; above this it takes hours. */
export const TSNEJS_MAX_ROWS = 2000;

interface TsneJsModel {
  init(opts: { data: number[][]; type: 'dense' }): void;
  run(): [number, number];
  on(event: 'progressIter', fn: (info: [number, number, number]) => void): void;
  getOutput(): number[][];
  outputEmbedding: { data: Float64Array };
}
type TsneJsCtor = new (config: {
  dim: number;
  perplexity: number;
  earlyExaggeration: number;
  learningRate: number;
  nIter: number;
  metric: 'euclidean';
}) => TsneJsModel;

const require = createRequire(import.meta.url);

/** Throws an InputError naming tsneEngine when tsne-js cannot map `rows` rows (more than TSNEJS_MAX_ROWS). */
export function checkTsneJsRows(rows: number): void {
  if (rows > TSNEJS_MAX_ROWS) {
    throw new InputError(
      `the tsne-js engine computes exact t-SNE in O(n^2) and is limited to ${TSNEJS_MAX_ROWS.toLocaleString('en-US')} rows, got ${rows.toLocaleString('en-US')}; use --tsne-engine bh or auto (or limit the rows)`,
      { field: 'tsneEngine' },
    );
  }
}

export function runTsneJs(x: Matrix, options: TsneOptions, hooks: StageHooks = {}): TsneResult {
  validateTsneInput(x);
  const n = x.rows;
  checkTsneJsRows(n);
  throwIfAborted(hooks.signal);
  const notes: string[] = [];
  const perplexity = effectivePerplexity(options.perplexity, n, notes);
  notes.push('tsne-js applies early exaggeration for a fixed 100 iterations and may stop early when KL stops improving');
  const TSNE = require('tsne-js') as TsneJsCtor;
  // tsne-js's gradient carries the factor 4, hence scikit-learn's automatic rate n / exaggeration / 4
  const earlyExaggeration = options.earlyExaggeration === 'auto' ? autoEarlyExaggeration(n) : options.earlyExaggeration;
  const learningRate = options.learningRate ?? Math.max(50, n / earlyExaggeration / 4);
  const model = new TSNE({
    dim: 2,
    perplexity,
    earlyExaggeration,
    learningRate,
    nIter: options.iterations,
    metric: 'euclidean',
  });
  const data: number[][] = [];
  for (let i = 0; i < n; i++) data.push(Array.from(x.values.subarray(i * x.cols, (i + 1) * x.cols)));
  model.init({ data, type: 'dense' });
  const random = createRandom(options.seed);
  const init = model.outputEmbedding.data;
  for (let t = 0; t < init.length; t++) init[t] = random.normal() * 1e-4;
  const klHistory: { iteration: number; kl: number }[] = [];
  let lastKl = NaN;
  let lastIter = 0;
  model.on('progressIter', ([iter, error]) => {
    if (hooks.signal?.aborted) throw new CancelledError();
    const it = iter + 1;
    lastKl = error;
    lastIter = it;
    if (it % KL_EVERY === 0) {
      klHistory.push({ iteration: it, kl: error });
      hooks.onProgress?.(it / options.iterations, 'tsne', { iteration: it, kl: error });
    } else if (it % 10 === 0) {
      hooks.onProgress?.(it / options.iterations, 'tsne', { iteration: it });
    }
  });
  model.run();
  const out = model.getOutput();
  const embedding = new Float32Array(2 * n);
  for (let i = 0; i < n; i++) {
    embedding[2 * i] = out[i]![0]!;
    embedding[2 * i + 1] = out[i]![1]!;
  }
  if (klHistory.length === 0 || klHistory[klHistory.length - 1]!.iteration !== lastIter) {
    klHistory.push({ iteration: lastIter, kl: lastKl });
  }
  if (lastIter < options.iterations) notes.push(`tsne-js stopped after ${lastIter} of ${options.iterations} iterations`);
  return { embedding, kl: lastKl, iterations: lastIter, klHistory, engine: 'tsne-js', notes };
}
