// The UMAP stage in the current thread (McInnes, Healy & Melville 2018, "UMAP: Uniform Manifold
// Approximation and Projection"; reference implementation umap-learn's UMAP.fit): validate, k nearest
// neighbours (the same search t-SNE uses), the fuzzy simplicial set, the a/b curve fit, the initial layout,
// then the SGD layout epoch by epoch with progress and cancellation. umap() in index.ts moves this to a
// worker thread.

import type { Matrix, SparseMatrix, StageHooks, UmapOptions, UmapResult } from '../types.js';
import { InputError, throwIfAborted } from '../errors.js';
import { MIN_ROWS, tooFewRows } from '../min-rows.js';
import { createRandom } from '../random.js';
import { fitPca, pcaTransform } from '../reduce/pca.js';
import { knnParallel } from '../tsne/index.js';
import { findAbParams } from './ab-params.js';
import { fuzzySimplicialSet } from './graph.js';
import { defaultEpochs, scaleToBox, UmapLayout } from './optimizer.js';
import { spectralLayout } from './spectral.js';

/** Throws InputError for fewer than 4 rows or a non-finite value (naming the row and column). */
export function validateUmapInput(x: Matrix, what = 'UMAP input'): void {
  if (x.rows < MIN_ROWS) throw tooFewRows(x.rows);
  if (x.cols < 1) throw new InputError('UMAP needs at least one column of numbers');
  const v = x.values;
  for (let t = 0; t < v.length; t++) {
    if (!Number.isFinite(v[t]!)) {
      throw new InputError(
        `${what} row ${Math.floor(t / x.cols)} (0-based), column ${t % x.cols} is ${v[t]}; remove the row or impute missing values (--missing mean)`,
        { column: t % x.cols },
      );
    }
  }
}

/** The neighbour count actually used: lowered to n - 1 (with a note) when the data has too few rows. */
export function effectiveNeighbors(nNeighbors: number, n: number, notes: string[]): number {
  if (!(nNeighbors >= 2)) throw new InputError(`nNeighbors must be at least 2, got ${nNeighbors}`, { field: 'nNeighbors' });
  if (nNeighbors > n - 1) {
    notes.push(`nNeighbors lowered from ${nNeighbors} to ${n - 1}: ${n} rows`);
    return n - 1;
  }
  return nNeighbors;
}

/**
 * The approximate neighbour search's settings for UMAP's few neighbours: blocks of at least 256 rows,
 * joined from 2 shared list entries. The search's defaults suit t-SNE's k = 3 x perplexity; at k = 14 they
 * find only 83% of the true neighbours (Fashion-MNIST PCA-50, 70,000 rows; pynndescent, umap-learn's
 * search, 99.7%), these 99.5% for about 1.5 times the time.
 */
export function umapKnnOptions(k: number): { leafSize: number; minLinks: number } {
  return { leafSize: Math.max(256, 2 * k), minLinks: 2 };
}

/** The initial layout, n x 2, before the [0, 10] scaling. */
export function initialLayout(graph: SparseMatrix, x: Matrix, options: UmapOptions, notes: string[]): Float64Array {
  const n = x.rows;
  const random = createRandom(options.seed + 2);
  let init: Float64Array;
  if (options.init === 'random') {
    init = new Float64Array(2 * n);
    for (let t = 0; t < 2 * n; t++) init[t] = random() * 20 - 10;
    notes.push('random initialization (--umap-init random)');
    return init;
  }
  if (options.init === 'pca' && x.cols >= 2) {
    init = Float64Array.from(pcaTransform(fitPca(x, 2, options.seed), x).values);
    notes.push('PCA initialization (--umap-init pca)');
  } else {
    if (options.init === 'pca') notes.push('spectral initialization: PCA needs two columns, the input has one');
    const res = spectralLayout(graph, x, options.seed + 1);
    init = res.embedding;
    notes.push(...res.notes);
  }
  // umap-learn: expand so the largest coordinate is 10, then a little noise (sd 1e-4)
  let max = 0;
  for (const v of init) max = Math.max(max, Math.abs(v));
  const expansion = max > 0 && Number.isFinite(max) ? 10 / max : 1;
  for (let t = 0; t < 2 * n; t++) init[t] = init[t]! * expansion + random.normal() * 1e-4;
  return init;
}

export interface PreparedUmap {
  layout: UmapLayout;
  a: number;
  b: number;
  notes: string[];
}

/** Everything before the first epoch. */
export function prepareUmap(x: Matrix, options: UmapOptions, hooks: StageHooks = {}, helper: { helperMinRows?: number; waitForHelper?: boolean } = {}): PreparedUmap {
  validateUmapInput(x);
  const n = x.rows;
  const notes: string[] = [];
  const nNeighbors = effectiveNeighbors(options.nNeighbors, n, notes);
  const { a, b } = findAbParams(options.spread, options.minDist);
  hooks.onProgress?.(0, 'umap', { message: 'nearest neighbours' });
  // umap-learn's n_neighbors counts the point itself; our graphs leave it out
  const knnGraph = knnParallel(x, nNeighbors - 1, { seed: options.seed, ...umapKnnOptions(nNeighbors - 1) });
  throwIfAborted(hooks.signal);
  hooks.onProgress?.(0.1, 'umap', { message: 'fuzzy simplicial set' });
  const graph = fuzzySimplicialSet(knnGraph, options.localConnectivity);
  const epochs = options.epochs ?? defaultEpochs(n);
  // umap-learn drops the edges lighter than max / n_epochs before the spectral layout too
  const kept = pruneGraph(graph, epochs > 10 ? epochs : defaultEpochs(n));
  throwIfAborted(hooks.signal);
  hooks.onProgress?.(0.15, 'umap', { message: 'initialization' });
  const init = scaleToBox(initialLayout(kept, x, options, notes), n);
  const layout = new UmapLayout(kept, init, {
    a,
    b,
    epochs,
    learningRate: options.learningRate,
    repulsionStrength: options.repulsionStrength,
    negativeSampleRate: options.negativeSampleRate,
    seed: options.seed + 3,
    ...helper,
  });
  notes.push(`layout in two blocks split along the initial layout's ${layout.blockAxis === 0 ? 'x' : 'y'} axis: ${(100 * layout.crossing).toFixed(1)}% of the edge weight between them`);
  return { layout, a, b, notes };
}

/** The graph without the edges lighter than max weight / epochs (umap-learn's pruning before the layout). */
export function pruneGraph(graph: SparseMatrix, epochs: number): SparseMatrix {
  let max = 0;
  for (const v of graph.values) max = Math.max(max, v);
  const threshold = max / epochs;
  let kept = 0;
  for (const v of graph.values) if (v >= threshold) kept++;
  const indptr = new Int32Array(graph.rows + 1);
  const indices = new Int32Array(kept);
  const values = new Float64Array(kept);
  let t = 0;
  for (let i = 0; i < graph.rows; i++) {
    for (let p = graph.indptr[i]!; p < graph.indptr[i + 1]!; p++) {
      if (graph.values[p]! < threshold) continue;
      indices[t] = graph.indices[p]!;
      values[t++] = graph.values[p]!;
    }
    indptr[i + 1] = t;
  }
  return { rows: graph.rows, cols: graph.cols, indptr, indices, values };
}

/** Fraction of the stage's progress spent before the first epoch. */
const SETUP_SHARE = 0.2;

/**
 * Runs UMAP in this thread. Yields to the event loop every ~100 ms so an abort can arrive; rejects with
 * CancelledError when hooks.signal aborts. Same seed, same map.
 */
export async function runUmap(x: Matrix, options: UmapOptions, hooks: StageHooks = {}, helperMinRows?: number): Promise<UmapResult> {
  throwIfAborted(hooks.signal);
  const { layout, a, b, notes } = prepareUmap(x, options, hooks, { helperMinRows });
  try {
    let lastYield = Date.now();
    const total = layout.epochs;
    while (!layout.done) {
      const e = layout.step();
      if (e % 10 === 0 || e === total) hooks.onProgress?.(SETUP_SHARE + ((1 - SETUP_SHARE) * e) / total, 'umap', { epoch: e });
      if (Date.now() - lastYield > 100) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = Date.now();
        throwIfAborted(hooks.signal);
      }
    }
  } finally {
    layout.dispose();
  }
  const embedding = layout.embedding();
  for (let t = 0; t < embedding.length; t++) {
    if (!Number.isFinite(embedding[t]!)) throw new Error(`UMAP produced a non-finite coordinate at point ${t >> 1}`);
  }
  return { embedding, epochs: layout.epochsDone, a, b, edges: layout.edges, init: options.init, notes };
}
