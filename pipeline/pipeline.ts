// Composes the stages: load → prepare → reduce (autoencoder | pca | none) → map (t-SNE or UMAP) → metrics → run directory.
// Emits (progress, stage); never prints and never exits (the CLI and the server's jobs do that).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { autoencoderOptions, trainAutoencoder, type Autoencoder } from './autoencoder/index.js';
import { initBackend } from './backend.js';
import { throwIfAborted } from './errors.js';
import { loadDataset, type LoadOptions } from './load/index.js';
import { mapMetrics } from './metrics.js';
import { prepare } from './prepare.js';
import { centrePrecise, uncentre } from './precision.js';
import { fitPca, pcaReconstruct, pcaToJSON, pcaTransform } from './reduce/pca.js';
import { rowErrors } from './reduce/row-errors.js';
import { writeCodes, writeData, writePoints } from './runs/artifacts.js';
import { modelDir, writeHistory, writePcaJson, writePreprocessing } from './runs/run-dir.js';
import { RunStore } from './runs/store.js';
import { givenMap, takeCoordinates } from './coordinates.js';
import { runMap } from './map.js';
import type {
  Dataset,
  History,
  Matrix,
  MetaColumn,
  ProgressFn,
  RunConfig,
  RunManifest,
  RunMetrics,
  StageHooks,
  StageTimings,
} from './types.js';

export interface PipelineHooks extends StageHooks {
  /** Human-readable log lines (stage starts, adjustments, summaries). */
  log?: (message: string) => void;
  /** Use this run id instead of a fresh one (the server's jobs choose the id before the run starts). */
  id?: string;
  /**
   * When the newest run with the same name used the same configuration and the same input (sha256),
   * return it (skipped: true) instead of redoing the work.
   */
  ifChanged?: boolean;
}

export interface PipelineResult {
  id: string;
  dir: string;
  manifest: RunManifest;
  /** True when --if-changed found an identical earlier run and nothing was done. */
  skipped: boolean;
}

const require = createRequire(import.meta.url);

/** Versions recorded in every manifest. */
export function versions(): Record<string, string> {
  const v = (name: string): string => {
    try {
      return (require(`${name}/package.json`) as { version: string }).version;
    } catch {
      // Packages whose exports map hides package.json (apache-arrow): read it beside the entry point.
      try {
        return (JSON.parse(readFileSync(path.join(path.dirname(require.resolve(name)), 'package.json'), 'utf8')) as { version: string }).version;
      } catch {
        return 'unavailable';
      }
    }
  };
  return {
    latentmap: (require('../package.json') as { version: string }).version,
    node: process.versions.node,
    tfjs: v('@tensorflow/tfjs-core'),
    arrow: v('apache-arrow'),
  };
}

export { tsneOptions, umapOptions } from './map.js';

/** How a run's configuration says to read its file: header, encoding, which columns are features. */
export function loadChoices(config: RunConfig): Pick<LoadOptions, 'header' | 'encoding' | 'selection'> {
  return { header: config.header, encoding: config.encoding, selection: { features: config.features, exclude: config.exclude, coordinates: config.coordinates ?? [] } };
}

/** Keeps the rows of a metadata column named by rowIndex. */
export function selectRows(col: MetaColumn, rowIndex: Int32Array): MetaColumn {
  if (col.kind === 'number') {
    const out = new Float64Array(rowIndex.length);
    for (let i = 0; i < rowIndex.length; i++) out[i] = col.values[rowIndex[i]!]!;
    return { name: col.name, kind: 'number', values: out };
  }
  return { name: col.name, kind: 'string', values: Array.from(rowIndex, (r) => col.values[r] ?? null) };
}

/** Rows of a matrix named by rowIndex. */
export function selectMatrixRows(m: Matrix, rowIndex: Int32Array): Matrix {
  const values = new Float32Array(rowIndex.length * m.cols);
  for (let i = 0; i < rowIndex.length; i++) {
    const r = rowIndex[i]!;
    values.set(m.values.subarray(r * m.cols, (r + 1) * m.cols), i * m.cols);
  }
  return { rows: rowIndex.length, cols: m.cols, values };
}

/** Times one stage and reports its start and end through the hooks. */
async function timed<T>(
  timings: Record<string, number>,
  stage: keyof StageTimings & string,
  onProgress: ProgressFn | undefined,
  fn: () => Promise<T> | T,
): Promise<T> {
  const t0 = performance.now();
  onProgress?.(0, stage as never);
  const out = await fn();
  timings[stage] = (timings[stage] ?? 0) + (performance.now() - t0) / 1000;
  onProgress?.(1, stage as never);
  return out;
}

/** Runs the whole pipeline for one configuration and writes one complete run directory. */
export async function runPipeline(config: RunConfig, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  const { onProgress, signal } = hooks;
  const log = hooks.log ?? (() => {});
  const started = performance.now();
  const createdAt = new Date().toISOString();
  const timings: Record<string, number> = { load: 0, prepare: 0, train: 0, encode: 0 };
  const notes: string[] = [];
  const note = (msg: string): void => {
    notes.push(msg);
    log(msg);
  };
  const store = new RunStore(config.runsDir);
  for (const stale of await store.cleanupStale()) log(`removed stale temporary directory ${stale}`);

  const loaded: Dataset = await timed(timings, 'load', onProgress, () =>
    loadDataset(
      { dataset: config.dataset, input: config.input, labelColumn: config.labelColumn, dataDir: config.dataDir, limit: config.limit, ...loadChoices(config) },
      { onProgress, signal },
    ),
  );
  for (const n of loaded.notes ?? []) note(n);
  // --coordinates: the map is given; the two columns leave the features, the reducer and t-SNE are skipped.
  const given = config.coordinates ? takeCoordinates(loaded, config.coordinates) : null;
  const dataset = given ? given.dataset : loaded;
  if (given) note(`map given by columns ${config.coordinates!.map((c) => `"${c}"`).join(', ')} (--coordinates): reducer and t-SNE skipped`);
  log(`loaded ${dataset.name}: ${dataset.matrix.rows} rows x ${dataset.matrix.cols} features${dataset.label ? `, label "${dataset.label.name}"` : ''}`);
  throwIfAborted(signal);

  if (hooks.ifChanged) {
    const same = await findSameRun(store, config, dataset);
    if (same) {
      log(`unchanged: run ${same.id} used the same configuration and input (sha256 ${dataset.sha256.slice(0, 12)}...)`);
      return { id: same.id, dir: store.path(same.id), manifest: same, skipped: true };
    }
  }

  // Values float32 cannot keep apart are centred in float64 first; the saved preprocessing stays in input units.
  const centred = centrePrecise(dataset);
  for (const n of centred?.notes ?? []) note(n);
  const prepared = await timed(timings, 'prepare', onProgress, () =>
    prepare(centred?.dataset ?? dataset, { scaling: config.scaling, missing: config.missing, loss: config.loss }),
  );
  if (centred) prepared.preprocessing = uncentre(prepared.preprocessing, centred.shifts);
  const x = prepared.matrix;
  if (prepared.report.droppedRows > 0) note(`dropped ${prepared.report.droppedRows} rows with missing values (--missing drop)`);
  if (prepared.report.imputedValues > 0) note(`imputed ${prepared.report.imputedValues} missing values (--missing ${config.missing})`);
  if (prepared.report.constantColumns.length > 0) log(`${prepared.report.constantColumns.length} constant columns kept (scale 1)`);
  log(`prepared ${x.rows} rows, scaling ${String(prepared.report.scaling)}, loss ${prepared.loss}`);

  // Reduce: codes for t-SNE, and per-row reconstruction error when a model made them.
  let codes: Matrix;
  let errors: Float32Array | null = null;
  let model: Autoencoder | null = null;
  let backend = 'none';
  let pcaJson: object | null = null;
  const reconstruction: RunMetrics['reconstruction'] = { loss: null, train: null, validation: null };
  const history: History = { epochs: [], tsne: [] };
  try {
    if (given) {
      codes = x;
    } else if (config.reducer === 'autoencoder') {
      const options = autoencoderOptions(config, x.cols, prepared.loss);
      const be = await initBackend(config.backend);
      backend = be.name;
      for (const n of be.notes) note(n);
      log(`training ${config.variant} autoencoder ${[x.cols, ...config.layers, config.codeSize].join('-')} on ${backend}`);
      model = await timed(timings, 'train', onProgress, () => trainAutoencoder(x, options, { onProgress, signal }));
      history.epochs = model.history;
      Object.assign(reconstruction, model.summary);
      reconstruction.loss = prepared.loss;
      const m = model;
      [codes, errors] = await timed(timings, 'encode', onProgress, () => [m.encode(x), m.rowErrors(x)] as const);
    } else if (config.reducer === 'pca') {
      const k = Math.min(config.codeSize, x.cols);
      const pca = await timed(timings, 'train', onProgress, () => fitPca(x, k, config.seed));
      pcaJson = pcaToJSON(pca);
      codes = await timed(timings, 'encode', onProgress, () => pcaTransform(pca, x));
      errors = rowErrors(x, pcaReconstruct(pca, codes), 'mse');
      reconstruction.loss = 'mse';
      let sum = 0;
      for (const e of errors) sum += e;
      reconstruction.train = sum / Math.max(1, errors.length);
    } else {
      codes = x;
    }
    throwIfAborted(signal);

    const mapped = given
      ? givenMap(given, prepared.rowIndex, config.coordinates!)
      : await timed(timings, config.map, onProgress, () => runMap(codes, config, { onProgress, signal }));
    for (const n of mapped.notes) note(n);
    history.tsne = mapped.klHistory;
    log(mapped.summary);

    const labels = dataset.label ? selectRows(dataset.label, prepared.rowIndex) : null;
    const quality = await timed(timings, 'metrics', onProgress, () =>
      mapMetrics(codes, mapped.embedding, labels ? labels.values : null, { k: 10, sample: config.metricsSample, seed: config.seed }),
    );

    // Write: everything goes into a hidden directory that is renamed into place only when complete.
    const name = config.name ?? dataset.name;
    const id = hooks.id ?? store.newId(name);
    const { dir, manifest } = await store.write(id, async (runDir) => {
      const artifacts: Record<string, string> = {};
      await timed(timings, 'write', onProgress, async () => {
        artifacts.points = await writePoints(runDir, {
          index: prepared.rowIndex,
          embedding: mapped.embedding,
          error: errors,
          label: labels,
          metadata: dataset.metadata.map((c) => selectRows(c, prepared.rowIndex)),
        });
        // For reducer none the codes are the scaled rows themselves (neighbours and transform use them).
        artifacts.codes = await writeCodes(runDir, codes, prepared.rowIndex);
        artifacts.data = await writeData(runDir, selectMatrixRows(dataset.matrix, prepared.rowIndex), prepared.rowIndex);
        artifacts.preprocessing = await writePreprocessing(runDir, prepared.preprocessing);
        if (model) {
          // model.json (TensorFlow.js layers model), weights.bin, autoencoder.json (the options to rebuild it)
          const dir = await modelDir(runDir);
          for (const f of await model.save(dir)) artifacts[path.basename(f, path.extname(f)).replace(/\W+/g, '')] = path.relative(runDir, path.join(dir, f));
        }
        if (pcaJson) artifacts.pca = await writePcaJson(runDir, pcaJson);
        artifacts.history = await writeHistory(runDir, history);
      });
      timings.total = (performance.now() - started) / 1000;
      const manifest: RunManifest = {
        id,
        name,
        status: 'complete',
        createdAt,
        config,
        dataset: {
          name: dataset.name,
          source: dataset.source,
          rows: x.rows,
          columns: x.cols,
          sha256: dataset.sha256,
          label: dataset.label?.name ?? null,
          image: dataset.image ?? null,
          features: dataset.columns,
          metadata: dataset.metadata.map((m) => m.name),
        },
        prepare: { ...prepared.report },
        backend,
        versions: versions(),
        timings: timings as StageTimings,
        metrics: {
          reconstruction,
          ...mapped.metrics,
          trustworthiness: quality.trustworthiness,
          knnPreservation: quality.knnPreservation,
          labelAccuracy: quality.labelAccuracy,
        },
        artifacts,
        base: null,
        notes,
      };
      return manifest;
    });
    return { id, dir, manifest, skipped: false };
  } finally {
    model?.dispose();
  }
}

/** The configuration fields that decide a run's result (where runs are stored does not). */
export function configFingerprint(config: RunConfig): string {
  const { runsDir: _runsDir, ...rest } = config;
  void _runsDir;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  return JSON.stringify(sorted);
}

/** The newest complete run with the same name, configuration and input, if it is the newest of its name. */
async function findSameRun(store: RunStore, config: RunConfig, dataset: Dataset): Promise<RunManifest | null> {
  const name = config.name ?? dataset.name;
  const newest = (await store.list()).find((m) => m.name === name && m.base === null);
  if (!newest) return null;
  if (newest.dataset.sha256 !== dataset.sha256) return null;
  return configFingerprint(newest.config) === configFingerprint(config) ? newest : null;
}
