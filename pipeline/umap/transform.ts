// Places new points into an existing UMAP map without moving it, as umap-learn's UMAP.transform: each new
// point's n_neighbors nearest base rows, membership weights from smooth_knn_dist (local connectivity
// lowered by one, as umap-learn does), a start at the weighted mean of those neighbours' positions (at a
// neighbour's own position when it is a duplicate), then the layout SGD with the base points fixed: the
// new points are pulled to their neighbours and pushed from base points drawn at random, at a quarter of
// the learning rate, for 100 epochs (30 beyond 10,000 new rows) or a third of the run's epochs.

import type { Matrix, SparseMatrix, StageHooks, UmapOptions } from '../types.js';
import { InputError, throwIfAborted } from '../errors.js';
import { createRandom } from '../random.js';
import { knnQuery } from '../tsne/index.js';
import { findAbParams } from './ab-params.js';
import { euclidean, membershipStrength, smoothKnnDist } from './graph.js';
import { layoutBlockEpoch, stepSize, type LayoutState } from './layout.js';
import { edgesOf } from './optimizer.js';
import { pruneGraph, validateUmapInput } from './umap.js';

export interface UmapTransformOptions {
  /** Layout epochs for the new points; default: the run's epochs / 3, or 100 (30 beyond 10,000 new rows) when those were automatic. */
  epochs?: number;
}

export const UMAP_TRANSFORM_DEFAULTS = { smallEpochs: 100, largeEpochs: 30, largeRows: 10000 } as const;

export interface UmapTransformResult {
  /** m x 2, row-major, for the new rows in input order. */
  embedding: Float32Array;
  epochs: number;
  notes: string[];
}

/** umap-learn's transform epochs: a third of the fit's when it set them, else 100 (30 beyond 10,000 new rows). */
export function transformEpochs(fitEpochs: number | null, newRows: number): number {
  if (fitEpochs !== null) return Math.max(1, Math.floor(fitEpochs / 3));
  return newRows <= UMAP_TRANSFORM_DEFAULTS.largeRows ? UMAP_TRANSFORM_DEFAULTS.smallEpochs : UMAP_TRANSFORM_DEFAULTS.largeEpochs;
}

export async function umapTransform(
  reference: { x: Matrix; embedding: Float32Array },
  newX: Matrix,
  options: UmapOptions,
  hooks: StageHooks = {},
  transform: UmapTransformOptions = {},
): Promise<UmapTransformResult> {
  const nRef = reference.x.rows;
  if (reference.embedding.length !== 2 * nRef) {
    throw new InputError(`the reference map has ${reference.embedding.length / 2} points but ${nRef} rows`);
  }
  validateUmapInput(reference.x, 'reference row');
  if (newX.cols !== reference.x.cols) {
    throw new InputError(
      `the new rows have ${newX.cols} columns but the reference run has ${reference.x.cols}; transform rows with the same columns as the run's input`,
    );
  }
  const m = newX.rows;
  const epochs = transform.epochs ?? transformEpochs(options.epochs, m);
  const notes: string[] = [`UMAP transform: ${epochs} epochs, learning rate ${options.learningRate / 4}, reference points fixed`];
  if (m === 0) return { embedding: new Float32Array(0), epochs, notes };
  for (let t = 0; t < newX.values.length; t++) {
    if (!Number.isFinite(newX.values[t]!)) {
      throw new InputError(`new row ${Math.floor(t / newX.cols)} (0-based), column ${t % newX.cols} is ${newX.values[t]}; remove the row or impute missing values`, {
        column: t % newX.cols,
      });
    }
  }
  throwIfAborted(hooks.signal);
  const k = Math.min(options.nNeighbors, nRef);
  if (k < options.nNeighbors) notes.push(`transform neighbours lowered to ${k}: the reference has ${nRef} rows`);
  const knnGraph = knnQuery(reference.x, newX, k);
  const dist = euclidean(knnGraph);
  // umap-learn: local connectivity minus one, and the sum skips the first column (as if it were the point itself)
  const { sigmas, rhos } = smoothKnnDist(dist, m, k, options.nNeighbors, Math.max(0, options.localConnectivity - 1), true);
  const indptr = new Int32Array(m + 1);
  const indices = new Int32Array(m * k);
  const values = new Float64Array(m * k);
  for (let i = 0; i < m; i++) {
    // CSR with sorted columns, like scipy's
    const order = Array.from({ length: k }, (_, t) => i * k + t).sort((p, q) => knnGraph.indices[p]! - knnGraph.indices[q]!);
    order.forEach((p, t) => {
      indices[i * k + t] = knnGraph.indices[p]!;
      values[i * k + t] = membershipStrength(dist[p]!, rhos[i]!, sigmas[i]!);
    });
    indptr[i + 1] = (i + 1) * k;
  }
  const graph: SparseMatrix = { rows: m, cols: nRef, indptr, indices, values };
  hooks.onProgress?.(0.1, 'umap', { message: 'transform: graph' });

  // initialization (umap-learn's init_graph_transform)
  const base = reference.embedding;
  const live = new Float32Array(2 * m);
  for (let i = 0; i < m; i++) {
    let sum = 0;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) sum += values[p]!;
    let x = 0;
    let y = 0;
    for (let p = indptr[i]!; p < indptr[i + 1]!; p++) {
      const j = indices[p]!;
      if (values[p] === 1) {
        x = base[2 * j]!;
        y = base[2 * j + 1]!;
        break;
      }
      x += (values[p]! / sum) * base[2 * j]!;
      y += (values[p]! / sum) * base[2 * j + 1]!;
    }
    live[2 * i] = x;
    live[2 * i + 1] = y;
  }

  const { a, b } = findAbParams(options.spread, options.minDist);
  const edges = edgesOf(pruneGraph(graph, epochs), epochs, options.negativeSampleRate);
  const random = createRandom(options.seed + 4);
  const state: LayoutState = {
    n: nRef,
    head: edges.head,
    tail: edges.tail,
    epochsPerSample: edges.epochsPerSample,
    epochOfNextSample: edges.epochOfNextSample,
    epochOfNextNegativeSample: edges.epochOfNextNegativeSample,
    live,
    snapshot: Float32Array.from(base),
    delta: new Float64Array(0),
    edgeSplit: Int32Array.from([0, edges.head.length, edges.head.length]),
    pointSplit: 0,
    rng: Uint32Array.from([Math.floor(random() * 4294967296), 0]),
    a,
    b,
    gamma: options.repulsionStrength,
    negativeSampleRate: options.negativeSampleRate,
    bipartite: true,
  };
  const alpha0 = options.learningRate / 4;
  let lastYield = Date.now();
  for (let e = 0; e < epochs; e++) {
    layoutBlockEpoch(state, 0, e, stepSize(alpha0, e, epochs));
    if ((e + 1) % 10 === 0) hooks.onProgress?.(0.1 + (0.9 * (e + 1)) / epochs, 'umap', { epoch: e + 1 });
    if (Date.now() - lastYield > 100) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
      throwIfAborted(hooks.signal);
    }
  }
  for (let t = 0; t < live.length; t++) {
    if (!Number.isFinite(live[t]!)) throw new Error(`UMAP transform produced a non-finite coordinate for new row ${t >> 1}`);
  }
  return { embedding: live, epochs, notes };
}
