// The UMAP engine's public face: umap() and umapTransform() run in a worker thread by default; the
// pieces (graph, a/b fit, spectral layout, step-by-step layout) for tests and advanced use.

import type { Matrix, StageHooks, UmapOptions, UmapResult } from '../types.js';
import { CancelledError, InputError, throwIfAborted } from '../errors.js';
import { startThread } from '../threads.js';
import { runUmap } from './umap.js';
import { umapTransform as transformInThread, type UmapTransformOptions, type UmapTransformResult } from './transform.js';
import type { UmapWorkerMessage, UmapWorkerRequest } from './worker.js';

export type UmapHooks = StageHooks & {
  /** Run in a worker thread (default true); false runs in this thread, yielding every ~100 ms. */
  worker?: boolean;
};

/** Runs UMAP on the rows of x: n x 2 positions, row-major. Same seed, same map. Rejects with CancelledError on abort. */
export function umap(x: Matrix, options: UmapOptions, hooks: UmapHooks = {}): Promise<UmapResult> {
  if (hooks.worker === false) return runUmap(x, options, hooks);
  return inWorker<UmapResult>({ kind: 'umap', x, options }, hooks);
}

/**
 * Places the rows of newX into the UMAP map of reference.x (reference.embedding: its n x 2 positions)
 * without moving the reference points, as umap-learn's UMAP.transform.
 */
export function umapTransform(
  reference: { x: Matrix; embedding: Float32Array },
  newX: Matrix,
  options: UmapOptions,
  hooks: UmapHooks = {},
  transform: UmapTransformOptions = {},
): Promise<UmapTransformResult> {
  if (hooks.worker === false) return transformInThread(reference, newX, options, hooks, transform);
  return inWorker<UmapTransformResult>({ kind: 'transform', reference, newX, options, transform }, hooks);
}

function inWorker<T>(request: UmapWorkerRequest, hooks: StageHooks): Promise<T> {
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
      fn();
      void worker.terminate();
    };
    const onAbort = () => finish(() => reject(new CancelledError()));
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (msg: UmapWorkerMessage) => {
      if (msg.type === 'progress') {
        if (!settled) hooks.onProgress?.(msg.progress, 'umap', msg.info);
      } else if (msg.type === 'done') {
        finish(() => resolve(msg.result as T));
      } else {
        finish(() => reject(rebuildError(msg)));
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) => finish(() => reject(new Error(`the UMAP worker exited with code ${code} before finishing`))));
    worker.postMessage(request);
  });
}

function rebuildError(msg: Extract<UmapWorkerMessage, { type: 'error' }>): Error {
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
  if (msg.stack) err.stack = `${err.name}: ${err.message}\n    (in the UMAP worker)\n${msg.stack}`;
  return err;
}

export { runUmap, prepareUmap, validateUmapInput, pruneGraph } from './umap.js';
export { findAbParams, type AbParams } from './ab-params.js';
export { fuzzySimplicialSet, smoothKnnDist, membershipStrength, symmetricUnion } from './graph.js';
export { spectralLayout, leadingEigenvectors, connectedComponents } from './spectral.js';
export { UmapLayout, defaultEpochs, scaleToBox } from './optimizer.js';
export { UMAP_TRANSFORM_DEFAULTS, type UmapTransformOptions, type UmapTransformResult } from './transform.js';
