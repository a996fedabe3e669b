// --coordinates x,y: a layout the data already has (a UMAP or t-SNE made elsewhere, a geographic position)
// is the map. The two columns leave the features; the reducer and t-SNE are skipped; the run is otherwise a
// run like any other (points, codes, metrics), so the viewer serves it with everything else.
import { InputError } from './errors.js';
import { moveToMetadata } from './load/feature-choice.js';
import type { MapStageResult } from './map.js';
import type { Dataset, MetaColumn, RunMetrics } from './types.js';

export interface GivenMap {
  /** The dataset without the coordinate columns among its features (they are metadata now). */
  dataset: Dataset;
  /** Map position of dataset row r: (x[r], y[r]), float64, NaN where missing. */
  x: Float64Array;
  y: Float64Array;
}

function columnValues(dataset: Dataset, name: string, file: string): Float64Array {
  const c = dataset.columns.indexOf(name);
  const { rows, cols, values } = dataset.matrix;
  if (c >= 0) return Float64Array.from({ length: rows }, (_, r) => values[r * cols + c]!);
  const m: MetaColumn | undefined = dataset.metadata.find((col) => col.name === name);
  if (m?.kind === 'number') return Float64Array.from(m.values);
  throw new InputError(m ? `--coordinates column "${name}" is not numeric` : `--coordinates names "${name}", which the data does not have`, { file, field: 'coordinates' });
}

/**
 * Takes the coordinate columns out of the features. When nothing else is numeric, the coordinates stay the
 * features too (the codes the neighbours and metrics use are then the map itself).
 */
export function takeCoordinates(dataset: Dataset, names: readonly string[]): GivenMap {
  const file = dataset.source;
  const [xName, yName] = names as [string, string];
  const x = columnValues(dataset, xName, file);
  const y = columnValues(dataset, yName, file);
  const drop = [xName, yName].map((n) => dataset.columns.indexOf(n)).filter((c) => c >= 0);
  const rest = drop.length > 0 && drop.length < dataset.columns.length ? moveToMetadata(dataset, drop, null) : dataset;
  // The map's x and y are in the points file already: not again as metadata.
  return { dataset: { ...rest, metadata: rest.metadata.filter((m) => m.name !== xName && m.name !== yName) }, x, y };
}

/** The n x 2 map of the kept rows (rowIndex); a missing coordinate is an InputError naming the row and column. */
export function givenEmbedding(map: GivenMap, rowIndex: Int32Array, names: readonly string[]): Float32Array {
  const out = new Float32Array(rowIndex.length * 2);
  for (let i = 0; i < rowIndex.length; i++) {
    const r = rowIndex[i]!;
    for (const [k, col] of [map.x, map.y].entries()) {
      const v = col[r]!;
      if (!Number.isFinite(v)) throw new InputError(`row ${r + 1} has no ${names[k]} coordinate; every row of the map needs both --coordinates values`, { file: map.dataset.source, field: names[k]! });
      out[2 * i + k] = v;
    }
  }
  return out;
}

/** The map stage's result for a given map: no optimisation ran (metrics.tsne {kl null, iterations 0, engine "given"}). */
export function givenMap(map: GivenMap, rowIndex: Int32Array, names: readonly string[]): MapStageResult {
  return {
    stage: 'tsne',
    embedding: givenEmbedding(map, rowIndex, names),
    klHistory: [],
    metrics: { tsne: { kl: null, iterations: 0, engine: 'given' } as unknown as RunMetrics['tsne'] },
    summary: `map taken from columns ${names.join(', ')}`,
    notes: [],
  };
}
