// The UMAP engine's public face: umap() and umapTransform() run in a worker thread by default; the
// pieces (graph, a/b fit, spectral layout, step-by-step layout) for tests and advanced use.

import type { Matrix, StageHooks, UmapOptions, UmapResult } from '../types.js';
import { runInWorker } from '../threads.js';
import { runUmap } from './umap.js';
import { umapTransform as transformInThread, type UmapTransformOptions, type UmapTransformResult } from './transform.js';
import type { UmapWorkerRequest } from './worker.js';

/** The module that runs a whole fit or transform in a worker thread. */
const WORKER = new URL('./worker.ts', import.meta.url);

export type UmapHooks = StageHooks & {
  /** Run in a worker thread (default true); false runs in this thread, yielding every ~100 ms. */
  worker?: boolean;
};

/** Runs UMAP on the rows of x: n x 2 positions, row-major. Same seed, same map. Rejects with CancelledError on abort. */
export function umap(x: Matrix, options: UmapOptions, hooks: UmapHooks = {}): Promise<UmapResult> {
  if (hooks.worker === false) return runUmap(x, options, hooks);
  return runInWorker<UmapResult>(WORKER, { kind: 'umap', x, options } satisfies UmapWorkerRequest, hooks, 'umap');
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
  return runInWorker<UmapTransformResult>(WORKER, { kind: 'transform', reference, newX, options, transform } satisfies UmapWorkerRequest, hooks, 'umap');
}

export { runUmap, prepareUmap, validateUmapInput, pruneGraph } from './umap.js';
export { findAbParams, type AbParams } from './ab-params.js';
export { fuzzySimplicialSet, smoothKnnDist, membershipStrength, symmetricUnion } from './graph.js';
export { spectralLayout, leadingEigenvectors, connectedComponents } from './spectral.js';
export { UmapLayout, defaultEpochs, scaleToBox } from './optimizer.js';
export { UMAP_TRANSFORM_DEFAULTS, type UmapTransformOptions, type UmapTransformResult } from './transform.js';
