// The worker's side of the queue (`latentmap worker --queue redis://...`): a BullMQ Worker that takes
// shard jobs of any run and places them (shard-job.ts). The processing runs on this process's event loop
// with the t-SNE placement in a worker thread, so BullMQ keeps renewing the job's lock meanwhile; a
// worker killed mid-shard stops renewing it, and another worker takes the job when the lock expires.

import { UnrecoverableError, Worker, type Job } from 'bullmq';
import { isInputError, type InputError } from '../errors.js';
import { parseQueueUrl, QUEUE_NAME } from './connection.js';
import { inputErrorReason, workerName } from './dispatch.js';
import { placeShard, releaseReferences, type ShardJob } from './shard-job.js';
import type { PlacedShard } from './coordinator.js';

export interface WorkerOptions {
  /** redis://host:port of the queue. */
  queue: string;
  /** Shard jobs this process runs at once. Default 1 (a shard job already uses two threads). */
  concurrency?: number;
  /** Seconds a job's lock lasts without renewal: how soon a dead worker's shard goes to another. Default 30. */
  lockSeconds?: number;
  /** Stops taking jobs (and finishes or abandons the current ones) when aborted. */
  signal?: AbortSignal;
  log?: (message: string) => void;
}

/** Serves shard jobs until the signal aborts; resolves when the worker has closed. */
export async function serveShards(options: WorkerOptions): Promise<{ jobs: number; rows: number }> {
  const log = options.log ?? (() => {});
  const lockDuration = Math.round(1000 * (options.lockSeconds ?? 30));
  const me = workerName();
  let jobs = 0;
  let rows = 0;
  const worker = new Worker<ShardJob, PlacedShard>(
    QUEUE_NAME,
    async (job: Job<ShardJob, PlacedShard>) => {
      const data = job.data;
      log(`shard ${data.index + 1} of run ${data.runId} (${data.shard}): started (attempt ${job.attemptsMade + 1})`);
      try {
        let last = 0;
        const r = await placeShard(data, {
          onProgress: (p) => {
            if (p - last >= 0.05 || p === 1) {
              last = p;
              void job.updateProgress(p).catch(() => undefined);
            }
          },
        });
        jobs++;
        rows += r.rows;
        log(`shard ${data.index + 1} of run ${data.runId}: ${r.rows} rows ${r.reused ? `already written by ${r.placedBy ?? 'an earlier attempt'}` : `in ${r.seconds.toFixed(1)} s`}`);
        // a repeated job's figures are the placing attempt's: count them for the worker that did the work
        return { ...r, worker: r.placedBy ?? me };
      } catch (err) {
        // bad rows will be bad on any worker: fail the job for good, naming what and where
        if (isInputError(err)) throw new UnrecoverableError(inputErrorReason(err as InputError));
        throw err;
      }
    },
    {
      connection: parseQueueUrl(options.queue),
      concurrency: options.concurrency ?? 1,
      lockDuration,
      stalledInterval: Math.max(1000, Math.round(lockDuration / 2)),
      maxStalledCount: 3,
    },
  );
  worker.on('error', (err) => log(`queue: ${err.message}`));
  await worker.waitUntilReady();
  log(`worker ${me} serving ${QUEUE_NAME} on ${options.queue}`);
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close();
  await releaseReferences(null);
  return { jobs, rows };
}
