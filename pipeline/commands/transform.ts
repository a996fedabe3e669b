// `latentmap transform`: encode new rows with a run's saved model and place them into that run's map
// (the t-SNE or UMAP transform, after the base run's method: only the new points move). The result is a new run naming its base; it holds the
// base points (isNew false) followed by the new ones (isNew true), so it can be viewed on its own.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError, throwIfAborted } from '../errors.js';
import type { HeaderMode } from '../load/csv-header.js';
import { mapMethod, tsneOptions, umapOptions } from '../map.js';
import { selectRows, versions, type PipelineHooks, type PipelineResult } from '../pipeline.js';
import { metaColumnFrom, readCodes, readData, readPoints, writeCodes, writeData, writePoints } from '../runs/artifacts.js';
import { copyModelAndHistory, writeTransformRecord } from '../runs/run-dir.js';
import { RunStore } from '../runs/store.js';
import { manifestFeatureNames, writeFeatureNames } from '../runs/feature-names.js';
import { manifestSource } from '../runs/uploads.js';
import { TRANSFORM_DEFAULTS, tsneTransform } from '../tsne/index.js';
import { umapTransform } from '../umap/index.js';
import type { Matrix, MetaColumn, RunManifest } from '../types.js';
import { loadRunReducer } from '../reduce/index.js';
import { loadRowsFor, scaledRowsFor } from './new-rows.js';
import { resolveRun } from './resolve-run.js';

export interface TransformOptions {
  /** Base run id (in runsDir) or run directory. */
  run: string;
  input: string;
  /** Where the new run goes; null: the base run's runs directory. */
  runsDir: string | null;
  name: string | null;
  /** Label column of the new rows; null: the base run's label column when the file has it, else the usual names. */
  labelColumn: string | null;
  /** CSV/TSV: whether the first line names the columns; null or absent: as the base run read its input. */
  header?: HeaderMode | null;
  /** CSV/TSV text encoding; null or absent: as the base run read its input (its --encoding, else detected). */
  encoding?: string | null;
  /** Optimization iterations for the new points; null: the engine's default (250, as openTSNE's transform). */
  iterations: number | null;
  /** Perplexity of the new points' affinities to the map; null: the engine's default (5, local placement). */
  perplexity: number | null;
  /** UMAP runs: layout epochs for the new points; null: umap-learn's (100, or 30 beyond 10,000 new rows). */
  epochs?: number | null;
  id: string | null;
}

function concatMeta(base: MetaColumn | null, added: MetaColumn | null, nBase: number, nNew: number, name: string): MetaColumn | null {
  if (!base && !added) return null;
  if (base?.kind === 'number' && (added === null || added.kind === 'number')) {
    const v = new Float64Array(nBase + nNew).fill(NaN);
    v.set(base.values, 0);
    if (added) v.set(added.values, nBase);
    return { name, kind: 'number', values: v };
  }
  const toStr = (c: MetaColumn | null, n: number): (string | null)[] =>
    c === null ? new Array<string | null>(n).fill(null) : c.kind === 'string' ? c.values : Array.from(c.values, (x) => (Number.isNaN(x) ? null : String(x)));
  return { name, kind: 'string', values: [...toStr(base, nBase), ...toStr(added, nNew)] };
}

function concatRows(a: Matrix, b: Matrix): Matrix {
  const values = new Float32Array((a.rows + b.rows) * a.cols);
  values.set(a.values, 0);
  values.set(b.values, a.values.length);
  return { rows: a.rows + b.rows, cols: a.cols, values };
}

export async function transformRun(opts: TransformOptions, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  const log = hooks.log ?? (() => {});
  const { onProgress, signal } = hooks;
  const started = performance.now();
  const base = await resolveRun(opts.run, opts.runsDir);
  const bm = base.manifest;
  if (bm.config.coordinates) {
    throw new InputError(`run ${bm.id} took its map from columns ${bm.config.coordinates.join(',')} (--coordinates); it has no model to place new rows with`, { field: 'run' });
  }
  const method = mapMethod(bm.config);
  if (method === 'umap' && (opts.iterations !== null || opts.perplexity !== null)) {
    throw new InputError(`run ${bm.id} is a UMAP map: --iterations and --perplexity place points into a t-SNE map; use --epochs`, {
      field: opts.iterations !== null ? 'iterations' : 'perplexity',
    });
  }
  if (method === 'tsne' && opts.epochs != null) {
    throw new InputError(`run ${bm.id} is a t-SNE map: --epochs places points into a UMAP map; use --iterations`, { field: 'epochs' });
  }
  const store = new RunStore(opts.runsDir ?? base.runsDir);
  const timings: Record<string, number> = { load: 0, prepare: 0, train: 0, encode: 0 };
  const tick = (stage: string, t0: number): void => {
    timings[stage] = (performance.now() - t0) / 1000;
  };

  let t0 = performance.now();
  onProgress?.(0, 'load');
  // Read as the base run read its input. New rows need not carry the label: it is taken when present.
  const dataset = await loadRowsFor(bm, opts.input, { labelColumn: opts.labelColumn, header: opts.header ?? null, encoding: opts.encoding ?? null }, { signal });
  onProgress?.(1, 'load');
  tick('load', t0);
  for (const n of dataset.notes ?? []) log(n);
  log(`loaded ${dataset.matrix.rows} new rows from ${path.basename(opts.input)}`);

  const { reducer, preprocessing } = await loadRunReducer(base.dir, bm);
  try {
    t0 = performance.now();
    const { raw, scaled, metadata: newMetadata, note } = scaledRowsFor(dataset, bm, preprocessing);
    if (note) log(note);
    tick('prepare', t0);
    t0 = performance.now();
    onProgress?.(0, 'encode');
    const newCodes = reducer.encode(scaled);
    const newErrors = reducer.rowErrors(scaled);
    onProgress?.(1, 'encode');
    tick('encode', t0);
    throwIfAborted(signal);

    const basePoints = await readPoints(base.dir);
    const nBase = basePoints.numRows;
    const embedding = new Float32Array(nBase * 2);
    const xs = basePoints.getChild('x')!.toArray() as Float32Array;
    const ys = basePoints.getChild('y')!.toArray() as Float32Array;
    for (let i = 0; i < nBase; i++) {
      embedding[2 * i] = xs[i]!;
      embedding[2 * i + 1] = ys[i]!;
    }
    const baseCodes = (await readCodes(base.dir)).codes;

    t0 = performance.now();
    let placement: Record<string, number>;
    let placed: { embedding: Float32Array; notes: string[] };
    if (method === 'umap') {
      const r = await umapTransform({ x: baseCodes, embedding }, newCodes, umapOptions(bm.config), { onProgress, signal }, opts.epochs != null ? { epochs: opts.epochs } : {});
      placement = { epochs: r.epochs };
      placed = r;
    } else {
      const tsnePlacement = {
        iterations: opts.iterations ?? TRANSFORM_DEFAULTS.iterations,
        perplexity: opts.perplexity ?? TRANSFORM_DEFAULTS.perplexity,
      };
      placement = tsnePlacement;
      placed = await tsneTransform({ x: baseCodes, embedding }, newCodes, tsneOptions(bm.config), { onProgress, signal }, tsnePlacement);
    }
    tick(method, t0);
    for (const n of placed.notes) log(n);

    // The combined run: base rows then new rows. New rows are indexed after the base's largest index.
    const baseIndex = basePoints.getChild('index')!.toArray() as Int32Array;
    let maxIndex = -1;
    for (const v of baseIndex) maxIndex = Math.max(maxIndex, v);
    const nNew = raw.rows;
    const index = new Int32Array(nBase + nNew);
    index.set(baseIndex, 0);
    for (let i = 0; i < nNew; i++) index[nBase + i] = maxIndex + 1 + i;
    const allEmbedding = new Float32Array((nBase + nNew) * 2);
    allEmbedding.set(embedding, 0);
    allEmbedding.set(placed.embedding, nBase * 2);
    const isNew = new Uint8Array(nBase + nNew);
    isNew.fill(1, nBase);
    let error: Float32Array | null = null;
    const baseErr = basePoints.getChild('error');
    if (baseErr && newErrors) {
      error = new Float32Array(nBase + nNew);
      error.set(baseErr.toArray() as Float32Array, 0);
      error.set(newErrors, nBase);
    }
    // the base rows keep their neighbourhood preservation; the new rows have none (NaN: not part of the map's fit)
    let preservation: Float32Array | null = null;
    const basePres = basePoints.getChild('preservation');
    if (basePres) {
      preservation = new Float32Array(nBase + nNew).fill(NaN);
      preservation.set(basePres.toArray() as Float32Array, 0);
    }
    const all = Int32Array.from({ length: nNew }, (_, i) => i);
    const labelName = bm.dataset.label;
    const found = dataset.label?.name === labelName || opts.labelColumn ? dataset.label : newMetadata.find((c) => c.name === labelName);
    const newLabel = found ? selectRows(found, all) : null;
    const label = labelName ? concatMeta(metaColumnFrom(basePoints, 'label'), newLabel, nBase, nNew, labelName) : null;
    const metadata: MetaColumn[] = [];
    for (const m of bm.dataset.metadata) {
      const added = newMetadata.find((c) => c.name === m) ?? null;
      const col = concatMeta(metaColumnFrom(basePoints, m), added, nBase, nNew, m);
      if (col) metadata.push(col);
    }

    const name = opts.name ?? bm.name;
    const id = opts.id ?? store.newId(`${name}-transform`);
    const { dir, manifest } = await store.write(id, async (runDir) => {
      onProgress?.(0, 'write');
      const artifacts: Record<string, string> = { ...bm.artifacts };
      artifacts.points = await writePoints(runDir, { index, embedding: allEmbedding, error, preservation, label, metadata, isNew });
      artifacts.codes = await writeCodes(runDir, concatRows(baseCodes, newCodes), index);
      const baseData = await readData(base.dir);
      artifacts.data = await writeData(runDir, concatRows(baseData.values, raw), index);
      // The model is the base run's: copy it so the new run is self-contained (encode, reconstruct, images).
      await copyModelAndHistory(base.dir, runDir);
      artifacts.features = await writeFeatureNames(runDir, bm.dataset.features);
      artifacts.transform = await writeTransformRecord(runDir, { base: bm.id, input: manifestSource(dataset.source, store.dir), rows: nNew, method, ...placement, notes: placed.notes });
      onProgress?.(1, 'write');
      timings.total = (performance.now() - started) / 1000;
      const manifest: RunManifest = {
        ...bm,
        id,
        name,
        // The settings that made this run: the base's model and map, this input, this placement.
        config: { ...bm.config, name, input: dataset.source, dataset: null, perplexity: placement.perplexity, iterations: placement.iterations, exaggerationIterations: 0 },
        status: 'complete',
        createdAt: new Date().toISOString(),
        dataset: { ...bm.dataset, features: manifestFeatureNames(bm.dataset.features), rows: nBase + nNew, source: manifestSource(dataset.source, store.dir), sha256: dataset.sha256 },
        versions: versions(),
        timings: timings as RunManifest['timings'],
        metrics: { ...bm.metrics, transform: { newRows: nNew, ...placement } },
        artifacts,
        base: bm.id,
        notes: [...placed.notes],
      };
      return manifest;
    });
    return { id, dir, manifest, skipped: false };
  } finally {
    reducer.dispose();
  }
}

