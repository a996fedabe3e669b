// A synthetic run for the browser tests and the benchmark: well-separated Gaussian clusters on a circle,
// labelled, with a text and a numeric metadata column, an error column, codes (so neighbours are
// cluster mates) and data values. Written with the run store and the pipeline's artifact writers.
import { defaultConfig } from '../../pipeline/config.js';
import { createRandom } from '../../pipeline/random.js';
import { writeCodes, writeData, writePoints } from '../../pipeline/runs/artifacts.js';
import { writeHistory, writePreprocessing } from '../../pipeline/runs/run-dir.js';
import { RunStore } from '../../pipeline/runs/store.js';
import type { History, RunManifest } from '../../pipeline/types.js';

export interface ClusterRunOptions {
  id: string;
  rows: number;
  /** Number of clusters (labels 0..k-1). Default 6. */
  clusters?: number;
  seed?: number;
  /** Rotate the circle of clusters (radians), to make a second run of the same rows look different. */
  rotate?: number;
  name?: string;
  /** Mark the last `newRows` rows as placed by a transform (isNew), with `base` as the base run. */
  newRows?: number;
  base?: string;
  /** Write points.arrow (index, x, y, error, label, score) and the manifest only: no codes, data or text column (the viewer benchmark's millions of rows). */
  pointsOnly?: boolean;
  /** Add an integer metadata column `year` (1990 + row % 30), for number-format checks. */
  year?: boolean;
}

export interface ClusterRun {
  id: string;
  labels: Int32Array;
  x: Float32Array;
  y: Float32Array;
  /** Cluster centers in map coordinates. */
  centers: [number, number][];
}

export const GROUP_NAMES = ['north', 'east', 'south', 'west', 'centre', 'edge', 'far', 'near', 'deep', 'high'];

export async function writeClusterRun(runsDir: string, o: ClusterRunOptions): Promise<ClusterRun> {
  const store = new RunStore(runsDir);
  const rng = createRandom(o.seed ?? 7);
  const n = o.rows;
  const k = o.clusters ?? 6;
  const features = 6;
  const centers: [number, number][] = [];
  for (let c = 0; c < k; c++) {
    const a = (2 * Math.PI * c) / k + (o.rotate ?? 0);
    centers.push([30 * Math.cos(a), 30 * Math.sin(a)]);
  }
  const labels = new Int32Array(n);
  const embedding = new Float32Array(n * 2);
  const full = !o.pointsOnly;
  const codes = new Float32Array(full ? n * 4 : 0);
  const data = new Float32Array(full ? n * features : 0);
  const error = new Float32Array(n);
  const score = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % k;
    labels[i] = c;
    const x = centers[c][0] + rng.normal() * 3;
    const y = centers[c][1] + rng.normal() * 3;
    embedding[2 * i] = x;
    embedding[2 * i + 1] = y;
    if (full) {
      codes[4 * i] = x;
      codes[4 * i + 1] = y;
      codes[4 * i + 2] = c * 5;
      codes[4 * i + 3] = rng.normal();
      for (let f = 0; f < features; f++) data[i * features + f] = c + rng.normal() * 0.5;
    }
    error[i] = 0.01 * (1 + c) * (1 + rng());
    score[i] = Math.round(rng() * 1000) / 10;
  }
  const index = Int32Array.from({ length: n }, (_, i) => i);
  const writer = await store.begin(o.id);
  await writePoints(writer.dir, {
    index,
    embedding,
    error,
    label: { name: 'label', kind: 'number', values: Float64Array.from(labels) },
    metadata: [
      ...(full ? [{ name: 'group', kind: 'string' as const, values: Array.from(labels, (c) => GROUP_NAMES[c % GROUP_NAMES.length]) }] : []),
      { name: 'score', kind: 'number' as const, values: score },
      ...(o.year ? [{ name: 'year', kind: 'number' as const, values: Float64Array.from({ length: n }, (_, i) => 1990 + (i % 30)) }] : []),
    ],
    isNew: o.newRows ? Uint8Array.from({ length: n }, (_, i) => (i >= n - o.newRows! ? 1 : 0)) : null,
  });
  if (full) {
    await writeCodes(writer.dir, { rows: n, cols: 4, values: codes }, index);
    await writeData(writer.dir, { rows: n, cols: features, values: data }, index);
    // the identity scaling: input-space neighbours are among the stored values as they are
    await writePreprocessing(writer.dir, {
      kind: 'none',
      features: Array.from({ length: features }, (_, f) => `feature_${f}`),
      offset: new Array<number>(features).fill(0),
      scale: new Array<number>(features).fill(1),
      fill: new Array<number>(features).fill(0),
      missing: 'mean',
      loss: 'mse',
    });
  }
  const history: History = {
    epochs: Array.from({ length: 12 }, (_, e) => ({ epoch: e + 1, loss: 0.5 / (e + 1), valLoss: 0.55 / (e + 1) + 0.01, seconds: 0.2 })),
    tsne: Array.from({ length: 10 }, (_, t) => ({ iteration: (t + 1) * 50, kl: 3 / (t + 1) + 0.4 })),
  };
  await writeHistory(writer.dir, history);
  const manifest: RunManifest = {
    id: o.id,
    name: o.name ?? 'clusters',
    status: 'complete',
    createdAt: new Date().toISOString(),
    config: { ...defaultConfig(), dataset: 'clusters', reducer: 'autoencoder', codeSize: 4, layers: [16, 8], epochs: 12, iterations: 500, runsDir },
    dataset: {
      name: 'clusters',
      source: 'synthetic',
      rows: n,
      columns: features,
      sha256: '0'.repeat(64),
      label: 'label',
      image: null,
      features: Array.from({ length: features }, (_, f) => `feature_${f}`),
      metadata: [...(full ? ['group'] : []), 'score', ...(o.year ? ['year'] : [])],
    },
    prepare: {},
    backend: 'cpu',
    versions: {},
    timings: { load: 0.1, prepare: 0.05, train: 2.5, encode: 0.1, tsne: 4.2, total: 7 },
    metrics: {
      reconstruction: { loss: 'mse', train: 0.04, validation: 0.05 },
      tsne: { kl: 0.7, iterations: 500 },
      trustworthiness: 0.97,
      knnPreservation: 0.8,
      labelAccuracy: 0.99,
    },
    artifacts: full ? { points: 'points.arrow', codes: 'codes.arrow', data: 'data.arrow', preprocessing: 'model/preprocessing.json', history: 'history.json' } : { points: 'points.arrow', history: 'history.json' },
    base: o.base ?? null,
    notes: [],
  };
  await writer.commit(manifest);
  return { id: o.id, labels, x: Float32Array.from({ length: n }, (_, i) => embedding[2 * i]), y: Float32Array.from({ length: n }, (_, i) => embedding[2 * i + 1]), centers };
}
