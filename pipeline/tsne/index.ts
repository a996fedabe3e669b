// The t-SNE engine's public face: tsne() and tsneTransform() run in a worker thread by default, and the
// step-by-step pieces (TsneOptimizer, gradient methods, affinities) for tests and advanced use.

import type { Matrix, StageHooks, TsneOptions, TsneResult } from '../types.js';
import { CancelledError, InputError, throwIfAborted } from '../errors.js';
import { startThread } from '../threads.js';
import { runTsne } from './tsne.js';
import { runTsneJs } from './tsnejs.js';
import { tsneTransform as transformInThread, type TransformOptions, type TransformResult } from './transform.js';
import type { WorkerControl, WorkerMessage, WorkerRequest } from './worker.js';

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
  return inWorker<TsneResult>({ kind: 'tsne', x, options, layouts: !!hooks.onLayout }, hooks);
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
  return inWorker<TransformResult>({ kind: 'transform', reference, newX, options, transform }, hooks);
}

function inWorker<T>(request: WorkerRequest, hooks: StageHooks): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    try {
      throwIfAborted(hooks.signal);
    } catch (err) {
      reject(err);
      return;
    }
    const worker = startThread(new URL('./worker.ts', import.meta.url));
    let settled = false;
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      hooks.signal?.removeEventListener('abort', onAbort);
      hooks.finishEarly?.removeEventListener('abort', onFinishEarly);
      fn();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(new CancelledError()));
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    // ending early is the worker's to do: it stops at its next step and answers with the layout so far
    const onFinishEarly = () => worker.postMessage({ type: 'finish' } satisfies WorkerControl);
    if (hooks.finishEarly?.aborted) onFinishEarly();
    else hooks.finishEarly?.addEventListener('abort', onFinishEarly, { once: true });
    worker.on('message', (msg: WorkerMessage) => {
      if (msg.type === 'progress') {
        if (!settled) hooks.onProgress?.(msg.progress, 'tsne', msg.info);
      } else if (msg.type === 'layout') {
        if (!settled) hooks.onLayout?.(msg.embedding, msg.iteration, msg.last);
      } else if (msg.type === 'done') {
        finish(() => resolve(msg.result as T));
      } else {
        finish(() => reject(rebuildError(msg)));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => {
      finish(() => reject(new Error(`the t-SNE worker exited with code ${code} before finishing`)));
    });
    worker.postMessage(request);
  });
}

function rebuildError(msg: Extract<WorkerMessage, { type: 'error' }>): Error {
  let err: Error;
  if (msg.name === 'InputError') {
    err = new InputError(msg.message);
    Object.defineProperty(err, 'location', { value: msg.location ?? {} });
  } else if (msg.name === 'AbortError') {
    err = new CancelledError(msg.message);
  } else {
    err = new Error(msg.message);
    err.name = msg.name;
  }
  if (msg.stack) err.stack = `${err.name}: ${err.message}\n    (in the t-SNE worker)\n${msg.stack}`;
  return err;
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
