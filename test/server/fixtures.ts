// Small, seeded run directories for the server tests (and the benchmark), written with the run store and
// the artifact writers, so they are exactly what the pipeline writes.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defaultConfig } from '../../pipeline/config.js';
import { createRandom } from '../../pipeline/random.js';
import { writeCodes, writeData, writePoints } from '../../pipeline/runs/artifacts.js';
import { manifestFeatureNames, writeFeatureNames } from '../../pipeline/runs/feature-names.js';
import { fitPca, pcaToJSON } from '../../pipeline/reduce/pca.js';
import { writeHistory, writePcaJson, writePreprocessing } from '../../pipeline/runs/run-dir.js';
import { RunStore } from '../../pipeline/runs/store.js';
import type { History, ImageShape, Preprocessing, ReducerName, RunManifest } from '../../pipeline/types.js';

export interface FixtureRunOptions {
  id: string;
  rows: number;
  /** Code width. Default 4. */
  codeSize?: number;
  /** Feature count of data.arrow (ignored when image is set). Default 6. */
  features?: number;
  image?: ImageShape | null;
  /** Indexes of the rows (default 0..rows-1). */
  index?: Int32Array;
  seed?: number;
  createdAt?: string;
  /** Skip data.arrow. */
  noData?: boolean;
  /** Save a PCA model (codeSize components, fitted on the first 1,000 rows) so the run reconstructs rows. */
  pca?: boolean;
  /** Written as the run's preprocessing (the scaling input-space neighbours use). Default none written. */
  preprocessing?: Preprocessing;
  /** The reducer the manifest names. Default autoencoder. */
  reducer?: ReducerName;
  /**
   * Written as a run before features.arrow was: every feature name in the manifest, however many, and no
   * features.arrow. Default: as the pipeline writes now (features.arrow; the manifest lists at most 1,000).
   */
  namesInManifest?: boolean;
}

export interface FixtureRun {
  id: string;
  dir: string;
  manifest: RunManifest;
  codes: Float32Array;
  codeSize: number;
  data: Float32Array;
  features: number;
  embedding: Float32Array;
  labels: Float64Array;
  index: Int32Array;
}

/** n seeded values in [-50, 50) with two decimals (a linear congruential sequence): test matrices. */
export function seeded(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 1103515245 + 12345) >>> 0) % 10000) / 100 - 50);
}

export async function tempRunsDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latentmap-server-test-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeFixtureRun(runsDir: string, o: FixtureRunOptions): Promise<FixtureRun> {
  const store = new RunStore(runsDir);
  const rng = createRandom(o.seed ?? 1);
  const n = o.rows;
  const codeSize = o.codeSize ?? 4;
  const image = o.image ?? null;
  const features = image ? image.width * image.height * image.channels : (o.features ?? 6);
  const index = o.index ?? Int32Array.from({ length: n }, (_, i) => i);
  const labels = Float64Array.from({ length: n }, (_, i) => i % 3);
  const codes = new Float32Array(n * codeSize);
  // Three clusters in code space, by label.
  for (let i = 0; i < n; i++) for (let c = 0; c < codeSize; c++) codes[i * codeSize + c] = labels[i]! * 10 + rng.normal();
  const embedding = new Float32Array(n * 2);
  for (let i = 0; i < embedding.length; i++) embedding[i] = rng.normal() * 5;
  const data = new Float32Array(n * features);
  for (let i = 0; i < data.length; i++) data[i] = image ? rng() : rng.normal() * 3 + 1;
  const errors = Float32Array.from({ length: n }, () => rng() * 0.1);
  const writer = await store.begin(o.id);
  await writePoints(writer.dir, {
    index,
    embedding,
    error: errors,
    label: { name: 'label', kind: 'number', values: labels },
    metadata: [{ name: 'name', kind: 'string', values: Array.from({ length: n }, (_, i) => `row ${index[i]}`) }],
  });
  await writeCodes(writer.dir, { rows: n, cols: codeSize, values: codes }, index);
  if (!o.noData) await writeData(writer.dir, { rows: n, cols: features, values: data }, index);
  const history: History = {
    epochs: [
      { epoch: 1, loss: 0.5, valLoss: 0.6, seconds: 0.1 },
      { epoch: 2, loss: 0.3, valLoss: 0.4, seconds: 0.1 },
    ],
    tsne: [{ iteration: 50, kl: 1.2 }],
  };
  await writeHistory(writer.dir, history);
  if (o.pca) {
    const fitRows = Math.min(n, 1000);
    const pca = fitPca({ rows: fitRows, cols: features, values: data.subarray(0, fitRows * features) }, Math.min(codeSize, features, fitRows), o.seed ?? 1);
    await writePcaJson(writer.dir, pcaToJSON(pca));
    const zeros = Array.from({ length: features }, () => 0);
    await writePreprocessing(writer.dir, {
      kind: 'none',
      features: Array.from({ length: features }, (_, i) => `f${i}`),
      offset: zeros,
      scale: zeros.map(() => 1),
      fill: zeros,
      missing: 'drop',
      loss: 'mse',
    });
  }
  if (o.preprocessing) await writePreprocessing(writer.dir, o.preprocessing);
  const names = Array.from({ length: features }, (_, i) => `f${i}`);
  if (!o.namesInManifest) await writeFeatureNames(writer.dir, names);
  const config = { ...defaultConfig(), dataset: 'fixture', reducer: o.reducer ?? (o.pca ? ('pca' as const) : ('autoencoder' as const)), codeSize, layers: [16, 8], runsDir };
  const manifest: RunManifest = {
    id: o.id,
    name: 'fixture',
    status: 'complete',
    createdAt: o.createdAt ?? new Date().toISOString(),
    config,
    dataset: {
      name: 'fixture',
      source: 'builtin:fixture',
      rows: n,
      columns: features,
      sha256: '0'.repeat(64),
      label: 'label',
      image,
      features: o.namesInManifest ? names : manifestFeatureNames(names),
      metadata: ['name'],
    },
    prepare: {},
    backend: 'cpu',
    versions: {},
    timings: { load: 0, prepare: 0, train: 0, encode: 0, tsne: 0, total: 0 },
    metrics: {
      reconstruction: { loss: 'mse', train: 0.3, validation: 0.4 },
      tsne: { kl: 1.2, iterations: 50 },
      trustworthiness: null,
      knnPreservation: null,
      labelAccuracy: null,
    },
    artifacts: { points: 'points.arrow', codes: 'codes.arrow', history: 'history.json', ...(o.noData ? {} : { data: 'data.arrow' }), ...(o.namesInManifest ? {} : { features: 'features.arrow' }), ...(o.preprocessing ? { preprocessing: 'model/preprocessing.json' } : {}) },
    base: null,
    notes: [],
  };
  const dir = await writer.commit(manifest);
  return { id: o.id, dir, manifest, codes, codeSize, data, features, embedding, labels, index };
}
