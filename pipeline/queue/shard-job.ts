// One shard job of a sharded run: encode the shard's rows with the reference run's model and place them
// into its map (the t-SNE transform; the reference points never move), then write the shard's points and
// codes into the run's work directory beside the shards. A placed row depends only on itself and the
// reference run, so a shard gives the same points whichever worker took it and however often it ran.
// Outputs are written to a temporary name and renamed, so a retried or repeated job only ever replaces a
// whole file with the same bytes, and a job whose outputs exist does nothing.

import { readFile, rename, stat, unlink, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError, throwIfAborted } from '../errors.js';
import { loadDataset } from '../load/index.js';
import { loadRunModel, scaledRowsFor, type RunModel } from '../commands/model-of-run.js';
import { tsneOptions } from '../pipeline.js';
import { readCodes, readPoints, writeCodes, writePoints } from '../runs/artifacts.js';
import { TRANSFORM_DEFAULTS, tsneTransform } from '../tsne/index.js';
import type { Matrix, MetaColumn, RunManifest, StageHooks } from '../types.js';

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
}

export interface ShardResult {
  index: number;
  rows: number;
  /** Seconds spent on this shard (0 when its outputs already existed). */
  seconds: number;
  /** Whether the outputs existed already (a repeated job). */
  reused: boolean;
}

/** The files a shard job writes (relative names fixed here, the only place that spells them). */
export function shardOutputs(workDir: string, index: number): { points: string; codes: string } {
  const base = path.join(workDir, 'shards', String(index).padStart(6, '0'));
  return { points: `${base}.points.arrow`, codes: `${base}.codes.arrow` };
}

/** The reference run as a shard job needs it, loaded once per process and run. */
interface Reference {
  manifest: RunManifest;
  model: RunModel;
  codes: Matrix;
  embedding: Float32Array;
}

const references = new Map<string, Promise<Reference>>();

async function loadReference(dir: string): Promise<Reference> {
  const manifest = JSON.parse(await readFile(path.join(dir, 'manifest.json'), 'utf8')) as RunManifest;
  const model = await loadRunModel(dir, manifest);
  const codes = (await readCodes(path.join(dir, 'codes.arrow'))).codes;
  const points = await readPoints(path.join(dir, 'points.arrow'));
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
    (await ref.catch(() => null))?.model.dispose();
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

async function atomically(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`;
  try {
    await write(tmp);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}

/**
 * Runs one shard job. Bad rows in the shard (a missing value, other columns than the reference's) throw
 * InputError naming the shard, row and column; the job is not worth retrying then.
 */
export async function placeShard(job: ShardJob, hooks: StageHooks = {}): Promise<ShardResult> {
  const out = shardOutputs(job.workDir, job.index);
  if ((await exists(out.points)) && (await exists(out.codes))) {
    const rows = (await readPoints(out.points)).numRows;
    return { index: job.index, rows, seconds: 0, reused: true };
  }
  const t0 = performance.now();
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
  const dataset = await loadDataset({ dataset: null, input: job.shard, labelColumn: job.labelColumn, dataDir: null, limit: null });
  throwIfAborted(hooks.signal);
  const { scaled } = scaledRowsFor(dataset, manifest, ref.model.preprocessing);
  if (scaled.rows === 0) throw new InputError(`shard ${job.shard} has no rows`, { file: job.shard });
  hooks.onProgress?.(0.1, 'encode', { message: `encoding ${scaled.rows} rows` });
  const codes = ref.model.encode(scaled);
  const errors = ref.model.rowErrors ? ref.model.rowErrors(scaled) : null;
  throwIfAborted(hooks.signal);
  const placed = await tsneTransform(
    { x: ref.codes, embedding: ref.embedding },
    codes,
    tsneOptions(manifest.config),
    {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onProgress: (p) => hooks.onProgress?.(0.2 + 0.75 * p, 'tsne', { message: 'placing' }),
    },
    { ...TRANSFORM_DEFAULTS },
  );
  const n = scaled.rows;
  const index = Int32Array.from({ length: n }, (_, i) => i);
  const labelName = manifest.dataset.label;
  const label: MetaColumn | null = labelName ? (dataset.label?.name === labelName ? dataset.label : (dataset.metadata.find((c) => c.name === labelName) ?? null)) : null;
  const metadata = manifest.dataset.metadata.map((m) => dataset.metadata.find((c) => c.name === m)).filter((c): c is MetaColumn => Boolean(c));
  await mkdir(path.dirname(out.points), { recursive: true });
  await atomically(out.codes, (tmp) => writeCodes(tmp, codes, index));
  await atomically(out.points, (tmp) => writePoints(tmp, { index, embedding: placed.embedding, error: errors, label, metadata }));
  hooks.onProgress?.(1, 'write', { message: 'written' });
  return { index: job.index, rows: n, seconds: (performance.now() - t0) / 1000, reused: false };
}
