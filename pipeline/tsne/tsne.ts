// The t-SNE stage in the current thread: validate, neighbours, affinities, PCA initialization, then the
// optimizer with progress, KL every 50 iterations and cancellation. tsne() in index.ts moves this to a
// worker thread.

import type { Matrix, NeighborGraph, SparseMatrix, StageHooks, TsneEngine, TsneOptions, TsneResult, TsneSchedule } from '../types.js';
import { InputError, throwIfAborted } from '../errors.js';
import { MIN_ROWS, tooFewRows } from '../min-rows.js';
import { createRandom, deriveSeed } from '../random.js';
import { fitPca, pcaTransform } from '../reduce/pca.js';
import { knnParallel } from './knn/index.js';
import { conditionalAffinities, symmetrize, symmetrizeOrdered, type ConditionalAffinities, type OrderedAffinities } from './affinities.js';
import { exactRepulsion } from './gradient-exact.js';
import { parallelForces } from './forces-parallel.js';
import { autoForces } from './gradient-auto.js';
import { serialForces, type Forces, type ForceMethod } from './forces.js';
import { TsneOptimizer } from './optimize.js';
import { tsneSchedule } from './schedule.js';

/** The exact engine refuses more points than this (its time grows with n^2). */
export const EXACT_MAX_ROWS = 20000;
/** KL is computed (and reported) every this many iterations. */
export const KL_EVERY = 50;
/** The layout so far goes to hooks.onLayout every this many iterations (and at the end). */
export const LAYOUT_EVERY = 25;

/** Throws InputError for fewer than 4 rows or a non-finite value (naming the row and column). */
export function validateTsneInput(x: Matrix): void {
  if (x.rows < MIN_ROWS) throw tooFewRows(x.rows);
  if (x.cols < 1) throw new InputError('t-SNE needs at least one column of numbers');
  const v = x.values;
  for (let t = 0; t < v.length; t++) {
    if (!Number.isFinite(v[t]!)) {
      const row = Math.floor(t / x.cols);
      const col = t % x.cols;
      throw new InputError(
        `t-SNE input row ${row} (0-based), column ${col} is ${v[t]}; remove the row or impute missing values (--missing mean)`,
        { column: col },
      );
    }
  }
}

/** The Forces of a method by name (forces.ts); the caller disposes it. */
export function forcesFor(engine: ForceMethod, theta: number): Forces {
  if (engine === 'auto') return autoForces(theta);
  if (engine === 'exact') return serialForces('exact', exactRepulsion);
  return parallelForces(engine, theta);
}

/**
 * An explicit perplexity must fit the map's rows: 3 x perplexity neighbours per row, so at most (rows - 1) / 3.
 * InputError on field perplexity otherwise, saying the largest that fits; perplexity auto is never refused (it is
 * lowered with a note, effectivePerplexity). Checked before a run starts (input-fit.ts).
 */
export function checkExplicitPerplexity(perplexity: number | 'auto', rows: number): void {
  if (perplexity === 'auto' || !(3 * perplexity > rows - 1)) return;
  const most = Math.floor(((rows - 1) / 3) * 100) / 100;
  throw new InputError(
    `perplexity ${perplexity} needs at least ${(3 * Math.ceil(perplexity) + 1).toLocaleString('en-US')} rows (3 neighbours per unit of perplexity), but the map has ${rows.toLocaleString('en-US')}; use a perplexity of at most ${most} or auto`,
    { field: 'perplexity' },
  );
}

/** Perplexity actually used for n points: lowered to (n - 1) / 3 when 3 * perplexity neighbours do not exist. */
export function effectivePerplexity(perplexity: number, n: number, notes: string[]): number {
  if (!(perplexity > 0)) throw new InputError(`perplexity must be positive, got ${perplexity}`, { field: 'perplexity' });
  if (3 * perplexity > n - 1) {
    const p = (n - 1) / 3;
    notes.push(`perplexity lowered from ${perplexity} to ${round(p)}: ${n} rows allow at most (n - 1) / 3`);
    return p;
  }
  return perplexity;
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}

/** Sparse symmetric input affinities P for x (k = min(n - 1, 3 * perplexity) neighbours). */
export function inputAffinities(x: Matrix, perplexity: number, seed: number): SparseMatrix {
  const { graph, cond } = neighbourAffinities(x, perplexity, seed);
  return symmetrize(graph, cond);
}

/** inputAffinities() built straight into the optimizer's order (symmetrizeOrdered): P is held once. */
export function orderedInputAffinities(x: Matrix, perplexity: number, seed: number): OrderedAffinities {
  const { graph, cond } = neighbourAffinities(x, perplexity, seed);
  return symmetrizeOrdered(graph, cond);
}

/** The neighbour graph (its distances dropped once used: 4 bytes per edge) and the conditional affinities. */
function neighbourAffinities(x: Matrix, perplexity: number, seed: number): { graph: NeighborGraph; cond: ConditionalAffinities } {
  const n = x.rows;
  const k = Math.min(n - 1, Math.max(1, Math.floor(3 * perplexity)));
  // from 20,000 rows a second thread takes half of the approximate search (the same graph as knn())
  const graph = knnParallel(x, k, { seed });
  const cond = conditionalAffinities(graph, perplexity);
  return { graph: { ...graph, distances: new Float32Array(0) }, cond };
}

/** PCA initialization scaled so the first coordinate has standard deviation 1e-4 (openTSNE). */
export function pcaInitialization(x: Matrix, seed: number, notes: string[]): Float64Array {
  const n = x.rows;
  const y = new Float64Array(2 * n);
  let sd = 0;
  if (x.cols >= 2) {
    const codes = pcaTransform(fitPca(x, 2, seed), x).values;
    let mean = 0;
    for (let i = 0; i < n; i++) mean += codes[2 * i]!;
    mean /= n;
    for (let i = 0; i < n; i++) sd += (codes[2 * i]! - mean) ** 2;
    sd = Math.sqrt(sd / n);
    if (sd > 0 && Number.isFinite(sd)) {
      for (let t = 0; t < 2 * n; t++) y[t] = (codes[t]! / sd) * 1e-4;
      return y;
    }
  }
  notes.push(
    x.cols < 2
      ? 'random initialization: the input has a single column, PCA initialization needs two'
      : 'random initialization: the input has no variance for PCA initialization',
  );
  const random = createRandom(seed);
  for (let t = 0; t < 2 * n; t++) y[t] = random.normal() * 1e-4;
  return y;
}

export interface PreparedTsne {
  optimizer: TsneOptimizer;
  /** The optimizer's forces (forces.usage: for 'auto', iterations run with each method). */
  forces: Forces;
  notes: string[];
  /** The schedule the optimizer runs (tsne/schedule.ts). */
  schedule: TsneSchedule;
  /** Stops the forces' helper thread, if they have one (runTsne does this when it ends). */
  dispose: () => void;
}

/** Everything before the first iteration. */
export function prepareTsne(x: Matrix, options: TsneOptions, hooks: StageHooks = {}): PreparedTsne {
  validateTsneInput(x);
  const n = x.rows;
  const notes: string[] = [];
  const engine = options.engine;
  if (engine === 'tsne-js') throw new Error('prepareTsne does not run tsne-js; use runTsneJs');
  if (engine === 'exact' && n > EXACT_MAX_ROWS) {
    throw new InputError(
      `the exact t-SNE engine takes time in n^2 and is limited to ${EXACT_MAX_ROWS} rows, got ${n}; use --tsne-engine bh or auto`,
      { field: 'tsneEngine' },
    );
  }
  const perplexity = effectivePerplexity(options.perplexity, n, notes);
  const forces = forcesFor(engine, options.theta);
  const dispose = () => forces.dispose();
  // a helper thread loads while the neighbours are searched
  forces.prestart(n);
  let p: OrderedAffinities;
  let init: Float64Array;
  try {
    hooks.onProgress?.(0, 'tsne', { message: 'nearest neighbours' });
    p = orderedInputAffinities(x, perplexity, deriveSeed(options.seed, 'knn'));
    throwIfAborted(hooks.signal);
    hooks.onProgress?.(0.05, 'tsne', { message: 'initialization' });
    init = pcaInitialization(x, deriveSeed(options.seed, 'tsne-init'), notes);
  } catch (err) {
    dispose();
    throw err;
  }
  const schedule = tsneSchedule(n, options);
  const { reason: _reason, ...steps } = schedule;
  const optimizer = new TsneOptimizer(p, init, { ...steps, forces });
  return { optimizer, forces, notes, schedule, dispose };
}

/** Fraction of the stage's progress spent before the first iteration. */
const SETUP_SHARE = 0.08;

/**
 * Runs t-SNE in this thread. Yields to the event loop every ~100 ms so an abort can arrive; rejects with
 * CancelledError when hooks.signal aborts.
 */
export async function runTsne(x: Matrix, options: TsneOptions, hooks: StageHooks = {}): Promise<TsneResult> {
  throwIfAborted(hooks.signal);
  const { optimizer, forces, notes, schedule, dispose } = prepareTsne(x, options, hooks);
  try {
    return { ...(await optimize(optimizer, forces, notes, schedule.iterations, hooks)), schedule };
  } finally {
    dispose();
  }
}

async function optimize(
  optimizer: TsneOptimizer,
  forces: Forces,
  notes: string[],
  total: number,
  hooks: StageHooks,
): Promise<TsneResult> {
  const klHistory: { iteration: number; kl: number }[] = [];
  let lastYield = Date.now();
  let kl = NaN;
  let stoppedAt = -1;
  while (!optimizer.done) {
    if (hooks.finishEarly?.aborted) {
      stoppedAt = optimizer.iteration;
      break;
    }
    const it = optimizer.iteration + 1; // 1-based number of the iteration being run
    const wantKl = it % KL_EVERY === 0 || it === total;
    const value = optimizer.step(wantKl);
    if (wantKl) {
      kl = value;
      klHistory.push({ iteration: it, kl });
      hooks.onProgress?.(SETUP_SHARE + ((1 - SETUP_SHARE) * it) / total, 'tsne', { iteration: it, kl });
    } else if (it % 10 === 0) {
      hooks.onProgress?.(SETUP_SHARE + ((1 - SETUP_SHARE) * it) / total, 'tsne', { iteration: it });
    }
    if (hooks.onLayout && it % LAYOUT_EVERY === 0) hooks.onLayout(optimizer.embedding(), it, false);
    if (Date.now() - lastYield > 100) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
      throwIfAborted(hooks.signal);
    }
  }
  const embedding = optimizer.embedding();
  // the engines' counts of the iterations run, before the KL measured below (an evaluation, not an iteration)
  const usage = forces.usage ? { ...forces.usage } : null;
  if (stoppedAt >= 0) {
    // the layout so far is the result: its KL is measured once more, so the run's figure is of this layout
    kl = optimizer.kl();
    klHistory.push({ iteration: stoppedAt, kl });
    notes.push(`t-SNE stopped early on request after ${stoppedAt} of ${total} iterations; the layout at that point is the result`);
    hooks.onProgress?.(1, 'tsne', { iteration: stoppedAt, kl, message: 'stopped early: keeping the layout so far' });
  }
  hooks.onLayout?.(Float32Array.from(embedding), optimizer.iteration, true);
  for (let t = 0; t < embedding.length; t++) {
    if (!Number.isFinite(embedding[t]!)) throw new Error(`t-SNE produced a non-finite coordinate at point ${t >> 1}`);
  }
  let engine: Exclude<TsneEngine, 'auto'> = forces.method === 'auto' ? 'bh' : forces.method;
  if (usage) {
    engine = usage.fft > usage.bh ? 'fft' : 'bh';
    notes.push(`auto engine: FFT gradient for ${usage.fft} iterations, Barnes-Hut for ${usage.bh} (chosen each iteration by cost)`);
  }
  return { embedding, kl, iterations: optimizer.iteration, klHistory, engine, notes };
}
