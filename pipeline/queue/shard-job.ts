// One shard job of a sharded run: encode the shard's rows with the reference run's model and place them
// into its map (the t-SNE transform; the reference points never move), then write the shard's points and
// codes into the run's work directory beside the shards. A placed row depends only on itself and the
// reference run, so a shard gives the same points whichever worker took it and however often it ran.
// A shard's outputs (points and codes, named as in a run directory) are written into a temporary directory
// renamed into place, so a retried or repeated job finds either nothing or the whole output, and a job
// whose output exists does nothing.

import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError, throwIfAborted } from '../errors.js';
import { loadRowsFor, scaledRowsFor } from '../commands/new-rows.js';
import type { HeaderMode } from '../load/csv-header.js';
import { loadRunReducer, type RunReducer } from '../reduce/index.js';
import { encodeInChunks } from '../reduce/encode-chunks.js';
import { mapMethod, tsneOptions, umapOptions } from '../map.js';
import { readCodes, readPoints, writeCodes, writePoints } from '../runs/artifacts.js';
import { withFeatureNames, type ManifestWithFeatures } from '../runs/feature-names.js';
import { readManifest } from '../runs/run-dir.js';
import { TRANSFORM_DEFAULTS, tsneTransform } from '../tsne/index.js';
import { umapTransform } from '../umap/index.js';
import type { Matrix, MetaColumn, StageHooks } from '../types.js';

/** What a queue job carries (JSON). Paths are as the coordinator sees the shared storage. */
export interface ShardJob {
  /** The run being made. */
  runId: string;
  /** The run's work directory beside the shards (holds reference/ and shards/). */
  workDir: string;
  /** The reference run directory (a complete run made from the sample). */
  referenceDir: string;
  /** The shard file. */
  shard: string;
  /** Its position in the run's shard order. */
  index: number;
  labelColumn: string | null;
  /** CSV/TSV shards: the run's --header/--no-header and --encoding (absent in jobs of older coordinators: auto). */
  header?: HeaderMode;
  encoding?: string | null;
}

export interface ShardResult {
  index: number;
  rows: number;
  /** Seconds spent on this shard (0 when its outputs already existed). */
  seconds: number;
  /**
   * CPU seconds this process used meanwhile (user + system, all its threads: the placing thread included;
   * process.cpuUsage). The job's own when the process runs one job at a time, as workers do by default.
   * 0 when the outputs already existed; absent in results of older workers.
   */
  cpuSeconds?: number;
  /** Whether the outputs existed already (a repeated job). */
  reused: boolean;
  /**
   * A repeated job's: the worker (host:pid) whose attempt wrote the outputs, whose seconds and cpuSeconds these
   * are (from the outputs' PLACED_FILE), so a shard's figures count once, for the process that did the work.
   */
  placedBy?: string;
}

/**
 * Beside a shard's outputs: who placed it and at what cost (JSON: rows, seconds, cpuSeconds, worker). A job runs
 * again after its outputs are written when the attempt that wrote them lost its lock (a worker whose event loop
 * stalled past --lock-seconds, or that died between the rename and reporting); that job reports these figures.
 */
export const PLACED_FILE = 'placed.json';

interface PlacedRecord {
  rows: number;
  seconds: number;
  cpuSeconds: number;
  worker: string;
}

/** The directory a shard job writes (its points and codes under the run directory's file names). */
export function shardOutput(workDir: string, index: number): string {
  return path.join(workDir, 'shards', String(index).padStart(6, '0'));
}

/** The reference run as a shard job needs it, loaded once per process and run. */
interface Reference {
  manifest: ManifestWithFeatures;
  model: RunReducer;
  codes: Matrix;
  embedding: Float32Array;
}

const references = new Map<string, Promise<Reference>>();

async function loadReference(dir: string): Promise<Reference> {
  const manifest = await withFeatureNames(dir, await readManifest(dir));
  const model = await loadRunReducer(dir, manifest);
  const codes = (await readCodes(dir)).codes;
  const points = await readPoints(dir);
  const xs = points.getChild('x')!.toArray() as Float32Array;
  const ys = points.getChild('y')!.toArray() as Float32Array;
  const embedding = new Float32Array(2 * xs.length);
  for (let i = 0; i < xs.length; i++) {
    embedding[2 * i] = xs[i]!;
    embedding[2 * i + 1] = ys[i]!;
  }
  return { manifest, model, codes, embedding };
}

/** Forgets (and disposes) cached reference runs other than `keep` (workers serve one run after another). */
export async function releaseReferences(keep: string | null = null): Promise<void> {
  for (const [dir, ref] of references) {
    if (dir === keep) continue;
    references.delete(dir);
    (await ref.catch(() => null))?.model.reducer.dispose();
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs one shard job. Bad rows in the shard (a missing value, other columns than the reference's) throw
 * InputError naming the shard, row and column; the job is not worth retrying then.
 */
export async function placeShard(job: ShardJob, hooks: StageHooks = {}): Promise<ShardResult> {
  const out = shardOutput(job.workDir, job.index);
  if (await exists(out)) {
    const rows = (await readPoints(out)).numRows;
    // outputs of an older worker have no record: their cost is unknown here (0)
    const record = await readFile(path.join(out, PLACED_FILE), 'utf8').then((t) => JSON.parse(t) as PlacedRecord, () => null);
    if (record) return { index: job.index, rows, seconds: record.seconds, cpuSeconds: record.cpuSeconds, reused: true, placedBy: record.worker };
    return { index: job.index, rows, seconds: 0, cpuSeconds: 0, reused: true };
  }
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await releaseReferences(job.referenceDir);
  let pending = references.get(job.referenceDir);
  if (!pending) {
    pending = loadReference(job.referenceDir);
    references.set(job.referenceDir, pending);
    pending.catch(() => references.delete(job.referenceDir));
  }
  const ref = await pending;
  const { manifest } = ref;
  hooks.onProgress?.(0.02, 'load', { message: 'loading' });
  const dataset = await loadRowsFor(manifest, job.shard, { labelColumn: job.labelColumn, header: job.header ?? null, encoding: job.encoding ?? null });
  throwIfAborted(hooks.signal);
  const { scaled, metadata: other } = scaledRowsFor(dataset, manifest, ref.model.preprocessing);
  if (scaled.rows === 0) throw new InputError(`shard ${job.shard} has no rows`, { file: job.shard });
  hooks.onProgress?.(0.1, 'encode', { message: `encoding ${scaled.rows} rows` });
  // in chunks, so the event loop keeps renewing the job's lock meanwhile (encode-chunks.ts)
  const { codes, errors } = await encodeInChunks(ref.model.reducer, scaled, hooks.signal);
  throwIfAborted(hooks.signal);
  // the map's own transform: t-SNE's (openTSNE's: perplexity 5, 250 iterations) or UMAP's
  const placeHooks = {
    ...(hooks.signal ? { signal: hooks.signal } : {}),
    onProgress: (p: number) => hooks.onProgress?.(0.2 + 0.75 * p, 'tsne', { message: 'placing' }),
  };
  const reference = { x: ref.codes, embedding: ref.embedding };
  const placed =
    mapMethod(manifest.config) === 'umap'
      ? await umapTransform(reference, codes, umapOptions(manifest.config), placeHooks, {})
      : await tsneTransform(reference, codes, tsneOptions(manifest.config), placeHooks, { ...TRANSFORM_DEFAULTS });
  const n = scaled.rows;
  const index = Int32Array.from({ length: n }, (_, i) => i);
  const labelName = manifest.dataset.label;
  const label: MetaColumn | null = labelName ? (dataset.label?.name === labelName ? dataset.label : (other.find((c) => c.name === labelName) ?? null)) : null;
  const metadata = manifest.dataset.metadata.map((m) => other.find((c) => c.name === m)).filter((c): c is MetaColumn => Boolean(c));
  const tmp = `${out}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    // not recursive: the coordinator made `shards` in the work directory and removes the whole directory when the
    // run ends (done, failed or cancelled); an attempt still placing then must not make it again beside the shards
    await mkdir(tmp).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') throw new Error(`the run's work directory ${job.workDir} is gone (the run ended: finished, failed or cancelled); shard ${job.index + 1} is not written`);
      throw err;
    });
    await writeCodes(tmp, codes, index);
    await writePoints(tmp, { index, embedding: placed.embedding, error: errors, label, metadata });
    const cpu = process.cpuUsage(cpu0);
    const record: PlacedRecord = { rows: n, seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6, worker: `${os.hostname()}:${process.pid}` };
    await writeFile(path.join(tmp, PLACED_FILE), JSON.stringify(record));
    // another attempt of the same job may have finished first: its output is the same, keep it
    await rename(tmp, out).catch(async (err: NodeJS.ErrnoException) => {
      if (!(await exists(out))) throw err;
    });
    hooks.onProgress?.(1, 'write', { message: 'written' });
    return { index: job.index, rows: n, seconds: record.seconds, cpuSeconds: record.cpuSeconds, reused: false };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
