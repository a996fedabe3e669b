// A run's quality figures: the map against the prepared input (the headline), what the reducer kept (codes
// against input) and what the map method kept (map against codes), plus each row's neighbourhood preservation.
// Neighbour graphs of every row come from the t-SNE engine's search (exact or approximate by size);
// trustworthiness, which needs exact ranks, is computed on a seeded sample sized to a fixed budget.
import { graphLabelAccuracy, neighbourPreservation, sampleRows, sampledTrustworthiness, trustSampleSize } from './metrics.js';
import { knn } from './tsne/index.js';
import type { Matrix, NeighborGraph, NeighbourhoodMetrics } from './types.js';

export interface QualityOptions {
  /** Neighbourhood size (default 10; lowered for tiny inputs). */
  k?: number;
  /** Most rows sampled for trustworthiness (config metricsSample). */
  sample: number;
  seed: number;
  /**
   * The WebAssembly memory the input's values fill from byte 0, if they do: the input's neighbour search then
   * renumbers its rows there instead of copying them (KnnOptions.inPlace).
   */
  inputMemory?: WebAssembly.Memory | null;
}

export interface RunQuality {
  /** The map against the prepared input. */
  trustworthiness: number;
  knnPreservation: number;
  labelAccuracy: number | null;
  /** The codes against the prepared input; null when the codes are the input (reducer none). */
  codes: NeighbourhoodMetrics | null;
  /** The map against the codes; null when the codes are the input. */
  mapVsCodes: NeighbourhoodMetrics | null;
  /** Per row: share of its k input neighbours among its k map neighbours. */
  preservation: Float32Array;
  k: number;
  /** Rows sampled for trustworthiness. */
  sample: number;
}

function mean(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return v.length ? s / v.length : NaN;
}

/**
 * input: the prepared rows (n x d); codes: the reducer's output (n x c), or null when it is the input;
 * embedding: the map (n x 2, row-major); labels: one per row, or null.
 */
export function runQuality(input: Matrix, codes: Matrix | null, embedding: Float32Array, labels: ArrayLike<string | number | null> | null, opts: QualityOptions): RunQuality {
  const n = input.rows;
  const k = Math.max(1, Math.min(opts.k ?? 10, n - 1, Math.floor((2 * n - 2) / 3)));
  const map: Matrix = { rows: n, cols: 2, values: embedding };
  const graph = (m: Matrix): NeighborGraph => knn(m, k, { seed: opts.seed });
  const inPlace = opts.inputMemory ?? null;
  const inputGraph = inPlace ? knn(input, k, { seed: opts.seed, inPlace }) : graph(input);
  // the search may have grown that memory, detaching the input's views: the same rows, viewed again
  if (inPlace) input = { rows: input.rows, cols: input.cols, values: new Float32Array(inPlace.buffer, 0, input.rows * input.cols) };
  const mapGraph = graph(map);
  const preservation = neighbourPreservation(inputGraph, mapGraph);
  const codesGraph = codes ? graph(codes) : null;

  const widest = input.cols + (codes ? codes.cols : 0);
  const s = trustSampleSize(n, widest, opts.sample);
  const rows = sampleRows(n, s, opts.seed);
  const [mapTrust, codesTrust] = sampledTrustworthiness(input, codes ? [map, codes] : [map], k, rows);
  const mapVsCodesTrust = codes ? sampledTrustworthiness(codes, [map], k, rows)[0]! : null;
  return {
    trustworthiness: mapTrust!,
    knnPreservation: mean(preservation),
    labelAccuracy: labels ? graphLabelAccuracy(mapGraph, labels) : null,
    codes: codes && codesGraph ? { trustworthiness: codesTrust!, knnPreservation: mean(neighbourPreservation(inputGraph, codesGraph)) } : null,
    mapVsCodes: codes && codesGraph ? { trustworthiness: mapVsCodesTrust, knnPreservation: mean(neighbourPreservation(codesGraph, mapGraph)) } : null,
    preservation,
    k,
    sample: s,
  };
}
