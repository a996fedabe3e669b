// Composes the stages: load → prepare → reduce (a Reducer: autoencoder | pca | none, or auto's measured choice)
// → map (t-SNE or UMAP, or the map --coordinates gives) → quality → run directory.
// Emits (progress, stage); never prints and never exits (the CLI and the server's jobs do that).
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { throwIfAborted } from './errors.js';
import { loadDataset, type LoadOptions } from './load/index.js';
import { droppedRowsNote, planPrepare } from './prepare.js';
import { preparedInput } from './prepared-input.js';
import { centrePrecise, uncentre } from './precision.js';
import type { RunQuality } from './quality.js';
import { measureQuality } from './quality-stage.js';
import { deriveSeed } from './random.js';
import { fitRunReducer } from './reduce/choose.js';
import { checkInputFit } from './input-fit.js';
import { REDUCERS } from './reduce/index.js';
import type { Reducer } from './reduce/reducer.js';
import { writeCodes, writeData, writePoints } from './runs/artifacts.js';
import { writeHistory, writePreprocessing } from './runs/run-dir.js';
import { runFile } from './runs/layout.js';
import { manifestFeatureNames, writeFeatureNames } from './runs/feature-names.js';
import { RunStore } from './runs/store.js';
import { givenMap, takeCoordinates } from './coordinates.js';
import { findUploadFile, manifestSource } from './runs/uploads.js';
import { mapMethod, runMap, type MapStageResult } from './map.js';
import { decidePerplexity, DEFAULT_PERPLEXITY, planPerplexity } from './perplexity-auto.js';
import type {
  Choice,
  Dataset,
  History,
  MapRows,
  MetaColumn,
  ProgressFn,
  RunConfig,
  RunManifest,
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
  /**
   * Gzipped input: fail (InputError) once more than this many bytes have been decompressed, reading no further
   * (a server's job reads at most what an upload may hold). Default no cap.
   */
  maxDecompressedBytes?: number;
  /**
   * Checks the input file and data directory again right before they are opened and returns the paths to open
   * (their real paths), or throws an InputError: a server's job reads only inside the server's data roots, and
   * a file swapped for a symbolic link while the job waited must not be followed (`run --data-root`). Default:
   * the paths as configured.
   */
  confine?: (paths: { input: string | null; dataDir: string | null }) => Promise<{ input: string | null; dataDir: string | null }>;
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

  const loaded: Dataset = await timed(timings, 'load', onProgress, async () => {
    const configured = { input: config.input, dataDir: config.dataDir };
    const { input, dataDir } = hooks.confine ? await hooks.confine(configured) : configured;
    return loadDataset(
      { dataset: config.dataset, input: config.upload !== null ? await findUploadFile(config.runsDir, config.upload) : input, labelColumn: config.labelColumn, dataDir, limit: config.limit, ...loadChoices(config), ...(hooks.maxDecompressedBytes !== undefined ? { maxDecompressedBytes: hooks.maxDecompressedBytes } : {}) },
      { onProgress, signal },
    );
  });
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
  const t0 = performance.now();
  onProgress?.(0, 'prepare');
  const plan = planPrepare(centred?.dataset ?? dataset, { scaling: config.scaling, missing: config.missing, loss: config.loss });
  // the last check of the input before anything is written: the configuration must fit the kept rows (the
  // same rules the server checks at submission, input-fit.ts)
  if (!given) checkInputFit(config, { rows: plan.rowIndex.length, cols: dataset.matrix.cols });
  // The run is written in its hidden directory from here on (removed if anything below fails).
  const name = config.name ?? dataset.name;
  const runsDirIsNew = !existsSync(config.runsDir);
  const writer = await store.begin(hooks.id ?? store.newId(name));
  const id = writer.id;
  let committed = false;
  let reducer: Reducer | null = null;
  try {
    // One copy of the matrix: the original values of the kept rows go to the run's data file first, then the
    // dataset's own buffer is scaled in place (a centred dataset is already a copy; its original stays for the file).
    const tw = performance.now();
    const dataFile = await writeData(writer.dir, dataset.matrix, plan.rowIndex, plan.rowIndex);
    timings.write = (performance.now() - tw) / 1000;
    const prepared = { ...plan, matrix: plan.scale(true) };
    timings.prepare = (performance.now() - t0) / 1000 - timings.write;
    onProgress?.(1, 'prepare');
    if (centred) prepared.preprocessing = uncentre(prepared.preprocessing, centred.shifts);
    const x = prepared.matrix;
    if (prepared.report.droppedRows > 0) note(droppedRowsNote(prepared.report.droppedRows, prepared.report.droppedRows + x.rows));
    if (prepared.report.imputedValues > 0) note(`imputed ${prepared.report.imputedValues} missing values (--missing ${config.missing})`);
    const constant = prepared.report.constantColumns;
    if (constant.length > 0) {
      // named (the first few), in the log and the manifest's notes: a user asks which column carries nothing
      const names = constant.slice(0, 5).map((c) => JSON.stringify(c)).join(', ') + (constant.length > 5 ? ` and ${constant.length - 5} more` : '');
      note(`${constant.length === 1 ? 'column' : `${constant.length} columns`} ${names} ${constant.length === 1 ? 'is' : 'are'} constant: kept, ${constant.length === 1 ? 'it adds' : 'they add'} nothing to the distances`);
    }
    log(`prepared ${x.rows} rows, scaling ${String(prepared.report.scaling)}${prepared.report.scalingReason ? ` (auto: ${prepared.report.scalingReason})` : ''}`);

    // Reduce: the codes the map is made from (the configured reducer, or auto's measured choice; none when
    // --coordinates gives the map).
    const choices: Record<string, Choice> = { scaling: scalingChoice(config, prepared.report) };
    const labels = dataset.label ? selectRows(dataset.label, prepared.rowIndex) : null;
    if (given) {
      reducer = await REDUCERS.none.fit(x, { config, loss: prepared.loss, codeSize: x.cols, layers: [], epochs: 0 });
      choices.reducer = { value: 'none', auto: false, reason: 'the map is given by --coordinates' };
    } else {
      const fitted = await timed(timings, 'train', onProgress, () =>
        fitRunReducer(
          x,
          { config, loss: prepared.loss, labels: labels ? labels.values : null, image: dataset.image ?? null, scaling: prepared.preprocessing.kind },
          { onProgress, signal, log },
        ),
      );
      reducer = fitted.reducer;
      Object.assign(choices, fitted.choices);
    }
    const report = reducer.report;
    for (const n of report.notes) note(n);
    // the loss with the reducer that used it (prepare's is the autoencoder's, which auto may not choose; PCA's is mse)
    const loss = report.reconstruction?.loss;
    log(`reducer: ${report.description}${loss && !report.description.includes(loss) ? `, reconstruction loss ${loss}` : ''}`);
    const r = reducer;
    const [codes, errors] = await timed(timings, 'encode', onProgress, () => [r.encode(x), r.rowErrors(x)] as const);
    const history: History = { epochs: report.history, tsne: [] };
    throwIfAborted(signal);
    // The map works on the codes: the prepared input is released for it and read back for the metrics
    // (pipeline/prepared-input.ts; the same rows, bit for bit). For reducer none the codes are the input.
    const input = preparedInput(x, { dataFile: runFile(writer.dir, 'data'), plan: prepared, dataset, exact: !centred });
    if (codes !== x) {
      const freed = input.release();
      if (freed > 0) log(`released the prepared input (${Math.round(freed / 2 ** 20)} MB) for the map stage; the metrics read it back from ${dataFile}`);
    }

    // Map: t-SNE or UMAP on the codes, or the given one; with perplexity auto on a small labelled map, t-SNE at
    // each candidate perplexity, each map measured, the better kept (pipeline/perplexity-auto.ts).
    // Quality: the map against the prepared input; what the reducer and the map each kept.
    // A candidate map measured while another t-SNE pass follows reports itself as the end of the map stage, not as
    // the metrics stage: the map is still forming (a viewer keeps offering to watch it and to Stop, and a Stop then
    // keeps this map rather than being answered "already complete" and lost to the next pass).
    const measure = (embedding: Float32Array, next: number | null = null): Promise<RunQuality> => {
      const report: ProgressFn | undefined =
        next === null || !onProgress ? onProgress : () => onProgress(1, config.map, { message: `measuring this map; t-SNE at perplexity ${next} follows` });
      return timed(timings, 'metrics', report, () =>
        measureQuality(input, codes === x ? null : codes, embedding, labels ? labels.values : null, { k: 10, sample: config.metricsSample, seed: deriveSeed(config.seed, 'metrics') }, { onProgress: report, signal }),
      );
    };
    let mapped: MapStageResult;
    let quality: RunQuality;
    if (given) {
      mapped = givenMap(given, prepared.rowIndex, config.coordinates!);
      quality = await measure(mapped.embedding);
    } else {
      // the layouts say what the map's rows are (input rows when some were dropped, labels), for a viewer of the map forming
      const mapRows: MapRows = { index: prepared.report.droppedRows > 0 ? prepared.rowIndex : null, label: labels };
      const onLayout = hooks.onLayout ? (e: Float32Array, it: number, last: boolean) => hooks.onLayout!(e, it, last, mapRows) : undefined;
      // UMAP has no perplexity: one map with its own settings
      const plan = mapMethod(config) === 'tsne' ? planPerplexity(config.perplexity, x.rows, labels !== null) : null;
      if (plan && plan.candidates.length > 1) log(`perplexity auto: t-SNE at ${plan.candidates.join(' and ')}, the map that keeps the input's neighbourhoods and agrees best with the labels is kept`);
      const tries: { perplexity: number | null; mapped: MapStageResult; quality: RunQuality }[] = [];
      const candidates = plan ? plan.candidates : [null];
      for (const [k, perplexity] of candidates.entries()) {
        // Stop (finish early) keeps the map reached: no further candidate starts
        if (tries.length > 0 && hooks.finishEarly?.aborted) break;
        const m = await timed(timings, config.map, onProgress, () =>
          runMap(codes, plan?.auto && perplexity !== null ? { ...config, perplexity } : config, { onProgress, signal, onLayout, finishEarly: hooks.finishEarly }),
        );
        tries.push({ perplexity, mapped: m, quality: await measure(m.embedding, candidates[k + 1] ?? null) });
        throwIfAborted(signal);
      }
      // Stop pressed during a pass, or while a pass was measured with another to follow: the last map made is kept
      const stopped = candidates.length > 1 && hooks.finishEarly?.aborted === true;
      const pick = stopped
        ? { index: tries.length - 1, reason: `${tries[tries.length - 1]!.perplexity}: the map being made when Stop was pressed is kept` }
        : tries.length > 1 ? decidePerplexity(tries.map((t) => ({ perplexity: t.perplexity!, trustworthiness: t.quality.trustworthiness, labelAccuracy: t.quality.labelAccuracy }))) : null;
      const chosen = tries[pick?.index ?? 0]!;
      mapped = chosen.mapped;
      quality = chosen.quality;
      if (plan?.auto && chosen.perplexity !== null) {
        const reason = pick?.reason ?? plan.reason ?? `the standard ${DEFAULT_PERPLEXITY}`;
        choices.perplexity = {
          value: chosen.perplexity,
          auto: true,
          reason,
          figures: { rows: x.rows, candidates: Object.fromEntries(tries.map((t) => [String(t.perplexity), { trustworthiness: t.quality.trustworthiness, labelAccuracy: t.quality.labelAccuracy }])) },
        };
        log(`perplexity: ${reason}`);
      }
    }
    // nothing reads the prepared input after the metrics: the write stage goes without it
    input.drop();
    for (const n of mapped.notes) note(n);
    if (mapped.schedule) {
      choices.tsneSchedule = mapped.schedule;
      log(`t-SNE schedule: ${mapped.schedule.reason}`);
    }
    history.tsne = mapped.klHistory;
    log(mapped.summary);

    log(
      `map against the input: trustworthiness ${quality.trustworthiness.toFixed(4)}, kNN preservation ${quality.knnPreservation.toFixed(3)}` +
        (quality.labelAccuracy !== null ? `, label accuracy ${quality.labelAccuracy.toFixed(3)}` : '') +
        (quality.codes ? `; codes against the input: trustworthiness ${quality.codes.trustworthiness!.toFixed(4)}` : ''),
    );

    // Write: everything goes into the hidden directory, which is renamed into place only when complete.
    const runDir = writer.dir;
    const manifest = await (async () => {
      const artifacts: Record<string, string> = {};
      await timed(timings, 'write', onProgress, async () => {
        artifacts.points = await writePoints(runDir, {
          index: prepared.rowIndex,
          embedding: mapped.embedding,
          error: errors,
          preservation: quality.preservation,
          label: labels,
          metadata: dataset.metadata.map((c) => selectRows(c, prepared.rowIndex)),
        });
        // For reducer none the codes are the scaled rows themselves (neighbours and transform use them).
        artifacts.codes = await writeCodes(runDir, codes, prepared.rowIndex);
        artifacts.data = dataFile;
        artifacts.features = await writeFeatureNames(runDir, dataset.columns);
        artifacts.preprocessing = await writePreprocessing(runDir, prepared.preprocessing);
        Object.assign(artifacts, await r.save(runDir));
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
          source: manifestSource(dataset.source, config.runsDir),
          rows: x.rows,
          columns: x.cols,
          sha256: dataset.sha256,
          label: dataset.label?.name ?? null,
          image: dataset.image ?? null,
          features: manifestFeatureNames(dataset.columns),
          metadata: dataset.metadata.map((m) => m.name),
        },
        prepare: { ...prepared.report },
        backend: report.backend,
        versions: versions(),
        timings: timings as StageTimings,
        metrics: {
          reconstruction: report.reconstruction,
          ...mapped.metrics,
          trustworthiness: quality.trustworthiness,
          knnPreservation: quality.knnPreservation,
          labelAccuracy: quality.labelAccuracy,
          // the same vote in the input and in the codes, within the same sample: what labels and neighbourhoods
          // agree on before any map, at this sample's coarseness (pipeline/metrics-sample.ts)
          inputLabelAccuracy: quality.inputLabelAccuracy,
          codesLabelAccuracy: quality.codesLabelAccuracy ?? quality.inputLabelAccuracy,
          // for reducer none the codes are the input: the reducer kept everything, the map is judged once
          codes: quality.codes ?? { trustworthiness: 1, knnPreservation: 1 },
          mapVsCodes: quality.mapVsCodes ?? { trustworthiness: quality.trustworthiness, knnPreservation: quality.knnPreservation },
          // the figures above are measured within a seeded sample of `sample` rows; the per-row preservation of
          // points.arrow over every row, with k neighbours, its input neighbours found as inputNeighbours says
          // (pipeline/quality.ts)
          k: quality.k,
          inputNeighbours: quality.inputNeighbours,
          sample: quality.sample,
          sampleK: quality.sampleK,
          sampleScope: 'within',
        },
        choices,
        artifacts,
        base: null,
        notes,
      };
      return manifest;
    })();
    const dir = await writer.commit(manifest);
    committed = true;
    return { id, dir, manifest, skipped: false };
  } finally {
    reducer?.dispose();
    if (!committed) {
      await writer.abort();
      // a failed run leaves nothing behind: not even the runs directory it created (rmdir removes only an empty one)
      if (runsDirIsNew) await rmdir(config.runsDir).catch(() => {});
    }
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

/** choices.scaling: what prepare applied and why. */
function scalingChoice(config: RunConfig, report: { scaling: string; scalingReason?: string; scalingFigures?: Record<string, number> }): Choice {
  if (config.scaling !== 'auto') return { value: report.scaling, auto: false, reason: 'set in the configuration' };
  return { value: report.scaling, auto: true, reason: report.scalingReason ?? '', ...(report.scalingFigures ? { figures: report.scalingFigures } : {}) };
}

