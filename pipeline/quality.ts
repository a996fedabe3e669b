// A run's quality figures: the map against the prepared input (the headline), what the reducer kept (codes
// against input) and what the map method kept (map against codes), plus each row's neighbourhood preservation.
// The headline figures come from a seeded sample of at most metricsSample rows (default 10,000), measured within
// the sample, exactly (pipeline/metrics-sample.ts): on every row when the run has no more. Each row's
// preservation (points.arrow) compares neighbour graphs of every row: the map's from the t-SNE engine's search,
// the input's from that search too or, on large wide inputs, from the codes' neighbours re-ranked by input
// distance (pipeline/metrics-neighbours.ts).
import { neighbourPreservation, sampleRows } from './metrics.js';
import { sampleQualityParallel } from './metrics-sample-parallel.js';
import { inputNeighbourMethod, inputNeighbourReason, inputNeighbours, type InputNeighbourMethod } from './metrics-neighbours.js';
import { knn } from './tsne/index.js';
import type { Matrix, NeighbourhoodMetrics } from './types.js';

export interface QualityOptions {
  /** Neighbourhood size (default 10; lowered for tiny inputs). */
  k?: number;
  /** Most rows of the headline figures' sample (config metricsSample). */
  sample: number;
  seed: number;
  /**
   * The WebAssembly memory the input's values fill from byte 0, if they do: the input's neighbour search then
   * renumbers its rows there instead of copying them (KnnOptions.inPlace).
   */
  inputMemory?: WebAssembly.Memory | null;
  /** Called with the share of the work done (0 to 1) after each of its three parts. */
  onProgress?: (fraction: number) => void;
}

export interface RunQuality {
  /** The map against the prepared input (within the sample). */
  trustworthiness: number;
  knnPreservation: number;
  labelAccuracy: number | null;
  /** The same 10-NN label vote within the sample in the input, and in the codes (null for reducer none). */
  inputLabelAccuracy: number | null;
  codesLabelAccuracy: number | null;
  /** The codes against the prepared input; null when the codes are the input (reducer none). */
  codes: NeighbourhoodMetrics | null;
  /** The map against the codes; null when the codes are the input. */
  mapVsCodes: NeighbourhoodMetrics | null;
  /** Per row, every row: share of its k input neighbours among its k map neighbours. */
  preservation: Float32Array;
  /** Neighbourhood size of the per-row preservation. */
  k: number;
  /** How the per-row preservation's input neighbours were found, and why. */
  inputNeighbours: { method: InputNeighbourMethod; reason: string };
  /** Rows of the headline figures' sample. */
  sample: number;
  /** Neighbourhood size of the headline figures (k, lowered when the sample is tiny). */
  sampleK: number;
}

/**
 * input: the prepared rows (n x d); codes: the reducer's output (n x c), or null when it is the input;
 * embedding: the map (n x 2, row-major); labels: one per row, or null. The headline figures' sampled rows are
 * split with a helper thread when the sample is large (metrics-sample-parallel.ts; the same figures either way).
 */
export async function runQuality(
  input: Matrix,
  codes: Matrix | null,
  embedding: Float32Array,
  labels: ArrayLike<string | number | null> | null,
  opts: QualityOptions,
): Promise<RunQuality> {
  const n = input.rows;
  const k = neighbourhood(opts.k ?? 10, n);
  const map: Matrix = { rows: n, cols: 2, values: embedding };
  const inPlace = opts.inputMemory ?? null;
  const method = inputNeighbourMethod(n, input.cols, codes !== null);
  const inputGraph = inputNeighbours(input, codes, k, method, { seed: opts.seed, inPlace });
  opts.onProgress?.(0.6);
  // the search may have grown that memory, detaching the input's views: the same rows, viewed again
  if (inPlace) input = { rows: input.rows, cols: input.cols, values: new Float32Array(inPlace.buffer, 0, input.rows * input.cols) };
  const preservation = neighbourPreservation(inputGraph, knn(map, k, { seed: opts.seed }));
  opts.onProgress?.(0.8);

  const rows = sampleRows(n, Math.min(n, opts.sample), opts.seed);
  const sampleK = neighbourhood(k, rows.length);
  const q = await sampleQualityParallel(input, codes, map, labels, rows, sampleK);
  opts.onProgress?.(1);
  return {
    trustworthiness: q.map.trustworthiness!,
    knnPreservation: q.map.knnPreservation!,
    labelAccuracy: q.labelAccuracy,
    inputLabelAccuracy: q.inputLabelAccuracy,
    codesLabelAccuracy: q.codesLabelAccuracy,
    codes: q.codes,
    mapVsCodes: q.mapVsCodes,
    preservation,
    k,
    inputNeighbours: { method, reason: inputNeighbourReason(method, n, input.cols, k) },
    sample: rows.length,
    sampleK,
  };
}

/** k lowered for tiny inputs so that trustworthiness stays defined (2n - 3k - 1 > 0) and k < n. */
function neighbourhood(k: number, n: number): number {
  return Math.max(1, Math.min(k, n - 1, Math.floor((2 * n - 2) / 3)));
}
