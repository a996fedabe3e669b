// A sharded run: the coordinator draws a seeded sample from every shard, makes the reference run from it
// with the ordinary pipeline (scaling, reducer, t-SNE, metrics), then has every shard placed into the
// reference map (shard-job.ts), by BullMQ workers on any number of machines when a queue is given, else
// in this process, and assembles the run. The run is written like any other: in a hidden directory,
// renamed into place only when every shard is in. The work files live in a hidden directory beside the
// shards (the storage the workers share) and are removed at the end.

import { cp, mkdir, rename, rm, stat } from 'node:fs/promises';
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InputError, throwIfAborted } from '../errors.js';
import { loadChoices, runPipeline, type PipelineHooks, type PipelineResult } from '../pipeline.js';
import { metaColumnFrom, readCodes, readPoints, writeCodes, writePoints } from '../runs/artifacts.js';
import { RunStore } from '../runs/store.js';
import { RUN_FILES } from '../runs/layout.js';
import { copyModelAndHistory } from '../runs/run-dir.js';
import type { MetaColumn, RunConfig, RunManifest } from '../types.js';
import { listShards } from './shards.js';
import { concatColumns, drawSample } from './sample.js';
import { placeShard, shardOutput, type ShardJob, type ShardResult } from './shard-job.js';
import { runOnQueue } from './dispatch.js';
import { DirectoryError } from '../make-dirs.js';
import { dirWriterAlive, fileServerNow, holdLock, type HeldLock } from '../runs/writer-lock.js';

/** Runs a sharded configuration (config.input: a directory or glob of shards) to one complete run. */
export async function runSharded(config: RunConfig, hooks: PipelineHooks = {}): Promise<PipelineResult> {
  const { onProgress, signal } = hooks;
  const log = hooks.log ?? (() => {});
  if (config.input === null) throw new InputError('a sharded run needs --input: a directory or glob of shard files', { field: 'input' });
  if (config.limit !== null) throw new InputError('--limit does not apply to sharded input; shards are placed whole', { field: 'limit' });
  const started = performance.now();
  const createdAt = new Date().toISOString();
  const shards = await listShards(config.input);
  const store = new RunStore(config.runsDir);
  for (const stale of await store.cleanupStale()) log(`removed stale temporary directory ${stale}`);
  const name = config.name ?? path.basename(config.input.replace(/[/\\][^/\\]*[*?][^/\\]*$/, '')).replace(/[/\\]+$/, '');
  const id = hooks.id ?? store.newId(name);
  // the queue is reached first: an unreachable Redis fails the run within seconds, not after the reference run
  if (config.queue) {
    const { openQueue } = await import('./dispatch.js');
    await (await openQueue(config.queue)).close();
  }
  await store.assertNew(id);
  const workDir = path.join(path.dirname(shards[0]!), `.latentmap-${id}`);
  const held = await claimWorkDir(workDir, id, log);
  // shards/ made here, once: the shard jobs write into it but never make it (shard-job.ts), so a job still running
  // after the run ended cannot bring the work directory back
  await mkdir(path.join(workDir, 'shards'));
  log(`${shards.length} shards in ${path.dirname(shards[0]!)}; work files in ${workDir}`);
  try {
    // 1. the seeded sample from every shard
    let t0 = performance.now();
    onProgress?.(0, 'load');
    const sampleFile = path.join(workDir, 'sample.arrow');
    const sample = await drawSample(shards, config.referenceRows, config.seed, { labelColumn: config.labelColumn, ...loadChoices(config) }, sampleFile, { onProgress, ...(signal ? { signal } : {}) });
    const sampleSeconds = (performance.now() - t0) / 1000;
    const totalRows = sample.shardRows.reduce((a, b) => a + b, 0);
    log(`sampled ${sample.rows} of ${totalRows} rows for the reference map (${sampleSeconds.toFixed(1)} s)`);

    // 2. the reference run: the ordinary pipeline on the sample
    t0 = performance.now();
    const reference = await runPipeline(
      // The sample is an Arrow file holding the features as the shards were read: its own columns, nothing to guess.
      { ...config, input: sampleFile, dataset: null, labelColumn: sample.label, header: 'auto', encoding: null, features: sample.columns, exclude: [], limit: null, queue: null, runsDir: path.join(workDir, 'reference'), name: `${name}-reference` },
      { ...hooks, id: 'reference', ifChanged: false },
    );
    const referenceSeconds = (performance.now() - t0) / 1000;
    throwIfAborted(signal);

    // 3. every shard placed into the reference map
    t0 = performance.now();
    const jobs: ShardJob[] = shards.map((shard, index) => ({ runId: id, workDir, referenceDir: reference.dir, shard, index, labelColumn: sample.label, header: config.header, encoding: config.encoding }));
    const results = config.queue ? await runOnQueue(config.queue, jobs, hooks) : await runHere(jobs, hooks);
    const placeSeconds = (performance.now() - t0) / 1000;

    // 4. the run: shard outputs in shard order, the reference run's model and history
    t0 = performance.now();
    const rm0 = reference.manifest;
    const { dir, manifest } = await store.write(id, async (runDir) => {
      onProgress?.(0, 'write');
      const rows = await assemble(jobs, rm0, runDir);
      await copyModelAndHistory(reference.dir, runDir);
      // the input's feature names (every shard's: one set of columns) as the reference run stored them; the
      // manifest lists every artifact of the reference run but data, so each must be here (a server refused the
      // run as corrupt when features.arrow was listed and missing)
      if (rm0.artifacts.features) await cp(path.join(reference.dir, rm0.artifacts.features), path.join(runDir, rm0.artifacts.features));
      const artifacts: Record<string, string> = { ...rm0.artifacts, points: RUN_FILES.points, codes: RUN_FILES.codes };
      delete artifacts.data;
      const workers = new Set(results.map((r) => r.worker));
      const shardSeconds = results.reduce((a, r) => a + r.seconds, 0);
      const shardCpu = results.every((r) => r.cpuSeconds !== undefined) ? results.reduce((a, r) => a + r.cpuSeconds!, 0) : null;
      const manifest: RunManifest = {
        ...rm0,
        id,
        name,
        createdAt,
        config,
        dataset: {
          ...rm0.dataset,
          name,
          source: config.input!,
          rows,
          sha256: createHash('sha256').update(sample.shardSha256.join('\n')).digest('hex'),
        },
        timings: {
          ...rm0.timings,
          load: sampleSeconds + rm0.timings.load,
          place: placeSeconds,
          write: (performance.now() - t0) / 1000,
          total: (performance.now() - started) / 1000,
        },
        metrics: {
          ...rm0.metrics,
          sharded: {
            shards: shards.map((s, i) => ({ file: path.basename(s), rows: sample.shardRows[i]!, seconds: results[i]!.seconds, cpuSeconds: results[i]!.cpuSeconds ?? null, worker: results[i]!.worker })),
            referenceRows: sample.rows,
            sampleSeconds,
            referenceSeconds,
            placeSeconds,
            workers: workers.size,
            rowsPerSecondPerWorker: shardSeconds > 0 ? rows / shardSeconds : null,
            // per CPU second of the workers' processes while they placed (the placing thread included): what a
            // worker does with the CPU it gets, whatever else shares the machine
            rowsPerCpuSecond: shardCpu ? rows / shardCpu : null,
            // shard jobs that ran again after an attempt whose lock had expired had written the outputs
            repeatedJobs: results.filter((r) => r.reused).length,
            queue: config.queue !== null,
          },
        },
        artifacts,
        base: null,
        notes: [
          ...rm0.notes,
          `sharded input: the map was made from ${sample.rows} rows sampled evenly from ${shards.length} shards (seed ${config.seed}); the other rows were placed into it (t-SNE transform); metrics are the reference map's`,
        ],
      };
      return manifest;
    });
    onProgress?.(1, 'write');
    log(`${rows(manifest)} rows from ${shards.length} shards placed by ${new Set(results.map((r) => r.worker)).size} worker(s) in ${placeSeconds.toFixed(1)} s`);
    return { id, dir, manifest, skipped: false };
  } finally {
    await held.release();
    await rm(workDir, { recursive: true, force: true });
  }
}

/**
 * Makes the run's work directory and holds a lock on it (writer-lock.ts), so one run at a time uses it: a second run
 * with the same id from the same shards is refused (InputError, field id) while the first lives, and the work files
 * a dead run left (killed, its host lost) are removed first, on any host sharing the storage. A dead run's directory
 * is moved aside (one rename: of two runs taking it over at once, one moves it) and removed only when what was moved
 * is the directory judged dead (its inode); a directory another run made meanwhile is put back, and that run wins.
 */
async function claimWorkDir(workDir: string, id: string, log: (m: string) => void): Promise<HeldLock> {
  for (let attempt = 0; ; attempt++) {
    try {
      await mkdir(workDir);
      return await holdLock(workDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new DirectoryError(workDir, err as NodeJS.ErrnoException);
    }
    const judged = await stat(workDir).catch(() => null);
    if (!judged) continue; // removed meanwhile: try to make it again
    const writer = await dirWriterAlive(workDir, await fileServerNow(path.dirname(workDir)));
    if (writer?.alive || attempt >= 3) {
      const by = writer?.lock?.host ? ` (process ${writer.lock.pid ?? '?'} on ${writer.lock.host}, since ${writer.lock.startedAt ?? '?'})` : '';
      throw new InputError(`a run with id ${id} is already being made from these shards${by}: its work files are in ${workDir}; give this run another --id`, { field: 'id' });
    }
    const aside = `${workDir}.dead-${process.pid}-${randomBytes(3).toString('hex')}`;
    try {
      await rename(workDir, aside);
    } catch {
      continue; // another run moved it first
    }
    const moved = await stat(aside);
    if (moved.ino !== judged.ino || moved.dev !== judged.dev) {
      // another run removed the dead directory and made its own meanwhile: that one is live, put it back
      await rename(aside, workDir).catch(() => {});
      continue;
    }
    log(`removed the work files of an earlier run with id ${id} that no longer runs (${workDir})`);
    await rm(aside, { recursive: true, force: true });
  }
}

function rows(m: RunManifest): number {
  return m.dataset.rows;
}

/** A shard result with the worker that produced it. */
export type PlacedShard = ShardResult & { worker: string };

/** This process as the only worker. */
async function runHere(jobs: ShardJob[], hooks: PipelineHooks): Promise<PlacedShard[]> {
  const out: PlacedShard[] = [];
  const worker = `${os.hostname()}:${process.pid}`;
  for (const job of jobs) {
    throwIfAborted(hooks.signal);
    const r = await placeShard(job, {
      ...(hooks.signal ? { signal: hooks.signal } : {}),
      onProgress: (p, _s, info) => hooks.onProgress?.((job.index + p) / jobs.length, 'tsne', { message: `shard ${job.index + 1}/${jobs.length}${info?.message ? `: ${info.message}` : ''}` }),
    });
    hooks.log?.(`shard ${job.index + 1}/${jobs.length} (${path.basename(job.shard)}): ${r.rows} rows placed in ${r.seconds.toFixed(1)} s`);
    out.push({ ...r, worker: r.placedBy ?? worker });
  }
  return out;
}

/** Concatenates the shards' points and codes (row index: the row's number across shards in order). */
async function assemble(jobs: ShardJob[], reference: RunManifest, runDir: string): Promise<number> {
  const parts = await Promise.all(jobs.map(async (j) => {
    const out = shardOutput(j.workDir, j.index);
    return { points: await readPoints(out), codes: (await readCodes(out)).codes };
  }));
  const n = parts.reduce((a, p) => a + p.points.numRows, 0);
  const cols = parts[0]!.codes.cols;
  const index = new Int32Array(n);
  const embedding = new Float32Array(2 * n);
  const codes = new Float32Array(n * cols);
  const hasError = parts.every((p) => p.points.getChild('error'));
  const error = hasError ? new Float32Array(n) : null;
  let o = 0;
  for (const p of parts) {
    const m = p.points.numRows;
    const xs = p.points.getChild('x')!.toArray() as Float32Array;
    const ys = p.points.getChild('y')!.toArray() as Float32Array;
    for (let i = 0; i < m; i++) {
      index[o + i] = o + i;
      embedding[2 * (o + i)] = xs[i]!;
      embedding[2 * (o + i) + 1] = ys[i]!;
    }
    if (error) error.set(p.points.getChild('error')!.toArray() as Float32Array, o);
    codes.set(p.codes.values, o * cols);
    o += m;
  }
  const column = (name: string): MetaColumn | null => {
    const got = parts.map((p) => metaColumnFrom(p.points, name));
    return got.every((c): c is MetaColumn => c !== null) ? concatColumns(got) : null;
  };
  const label = reference.dataset.label ? column('label') : null;
  const metadata = reference.dataset.metadata.map(column).filter((c): c is MetaColumn => c !== null);
  await writePoints(runDir, { index, embedding, error, label, metadata });
  await writeCodes(runDir, { rows: n, cols, values: codes }, index);
  return n;
}

