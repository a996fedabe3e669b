// The t-SNE engine's public face: tsne() and tsneTransform() run in a worker thread by default, and the
// step-by-step pieces (TsneOptimizer, gradient methods, affinities) for tests and advanced use.

import type { Matrix, StageHooks, TsneOptions, TsneResult } from '../types.js';
import { runInWorker } from '../threads.js';
import { runTsne } from './tsne.js';
import { runTsneJs } from './tsnejs.js';
import { tsneTransform as transformInThread, type TransformOptions, type TransformResult } from './transform.js';
import type { WorkerRequest } from './worker.js';

/** The module that runs a whole fit or transform in a worker thread. */
const WORKER = new URL('./worker.ts', import.meta.url);

export type TsneHooks = StageHooks & {
  /** Run in a worker thread (default true); false runs in this thread, yielding every ~100 ms. */
  worker?: boolean;
};

/** Runs t-SNE on the rows of x. Same seed, same embedding. Rejects with CancelledError on abort. */
export function tsne(x: Matrix, options: TsneOptions, hooks: TsneHooks = {}): Promise<TsneResult> {
  if (hooks.worker === false) {
    if (options.engine === 'tsne-js') {
      return new Promise((resolve) => resolve(runTsneJs(x, options, hooks)));
    }
    return runTsne(x, options, hooks);
  }
  return runInWorker<TsneResult>(WORKER, { kind: 'tsne', x, options, layouts: !!hooks.onLayout } satisfies WorkerRequest, hooks, 'tsne');
}

/**
 * Places the rows of newX into the reference map (reference.x are the rows the map was made from,
 * reference.embedding their n x 2 positions) without moving the reference points.
 */
export function tsneTransform(
  reference: { x: Matrix; embedding: Float32Array },
  newX: Matrix,
  options: TsneOptions,
  hooks: TsneHooks = {},
  transform: TransformOptions = {},
): Promise<TransformResult> {
  if (hooks.worker === false) return transformInThread(reference, newX, options, hooks, transform);
  return runInWorker<TransformResult>(WORKER, { kind: 'transform', reference, newX, options, transform } satisfies WorkerRequest, hooks, 'tsne');
}

export { runTsne, prepareTsne, forcesFor, KL_EVERY, LAYOUT_EVERY } from './tsne.js';
export { autoForces, fftCost, bhCost } from './gradient-auto.js';
export { serialForces, attraction, attractRows, ATTRACTION_ROWS, type Forces, type ForceMethod, type ForceTotals } from './forces.js';
export { runTsneJs, TSNEJS_MAX_ROWS } from './tsnejs.js';
export { TsneOptimizer, type OptimizerOptions } from './optimize.js';
export { knn, knnExact, knnApprox, knnQuery, type KnnOptions } from './knn/index.js';
export { knnParallel } from './knn/index.js';
export { conditionalAffinities, symmetrize, rowPerplexities, type ConditionalAffinities } from './affinities.js';
export { exactRepulsion } from './gradient-exact.js';
export { bhRepulsion, QuadTree } from './gradient-bh.js';
export { parallelForces, sharedEngine, type SharedEngine } from './forces-parallel.js';
export { fftRepulsion, fftLength, type FftOptions } from './gradient-fft.js';
export { TRANSFORM_DEFAULTS, type TransformOptions, type TransformResult } from './transform.js';
