// The coordinator's side of the queue: one BullMQ job per shard, with a job id made of the run id and
// the shard's position (adding it again is a no-op, so a restarted coordinator does not double the work),
// retried on failure and, when a worker dies holding it, handed to another worker once its lock expires
// (BullMQ's stalled-job check). The coordinator polls the jobs for progress and results; the run fails
// when a shard's job fails for good.

import os from 'node:os';
import { Job, Queue } from 'bullmq';
import { CancelledError, InputError, type InputLocation } from '../errors.js';
import type { PipelineHooks } from '../pipeline.js';
import { parseQueueUrl, QUEUE_NAME } from './connection.js';
import type { ShardJob } from './shard-job.js';
import type { PlacedShard } from './coordinator.js';

/** Attempts per shard job (a failure, or a worker dying holding the job, uses one). */
export const SHARD_ATTEMPTS = 5;
/** How long to wait for Redis before giving up (ms). */
const CONNECT_TIMEOUT_MS = 10000;
/** Polling interval for the jobs' states (ms). */
const POLL_MS = 300;
/** Marks a failure that retrying cannot mend (bad rows in a shard), in a job's failedReason. */
export const INPUT_ERROR_PREFIX = 'InputError: ';

/**
 * A shard job's failure reason for bad input (a worker's InputError): the prefix, then its reason and location as
 * JSON, so the coordinator raises the same error once (shardInputError), not its message inside another.
 */
export function inputErrorReason(err: InputError): string {
  return `${INPUT_ERROR_PREFIX}${JSON.stringify({ reason: err.reason ?? err.message, location: err.location ?? {} })}`;
}

/** The InputError a shard job failed with (inputErrorReason), located in `shard`; an older plain reason as it is. */
export function shardInputError(failedReason: string, shard: string): InputError {
  const text = failedReason.slice(INPUT_ERROR_PREFIX.length);
  try {
    const { reason, location } = JSON.parse(text) as { reason: string; location: InputLocation };
    if (typeof reason === 'string') return new InputError(reason, { ...location, file: shard });
  } catch {
    // a reason written before the JSON form: its text, located in the shard
  }
  return new InputError(text, { file: shard });
}

/** The id of a shard's job. */
export function shardJobId(job: ShardJob): string {
  return `${job.runId}-shard-${job.index}`;
}

/** Connects to the queue (or fails clearly within CONNECT_TIMEOUT_MS). */
export async function openQueue(url: string): Promise<Queue> {
  const queue = new Queue(QUEUE_NAME, { connection: parseQueueUrl(url) });
  queue.on('error', () => undefined); // connection errors surface through waitUntilReady and the calls below
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      queue.waitUntilReady(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`cannot reach the queue at ${url} within ${CONNECT_TIMEOUT_MS / 1000} s; is Redis running there?`)), CONNECT_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    await queue.close().catch(() => undefined);
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return queue;
}

/** Puts every shard job on the queue at `url` and waits until all are placed; results in shard order. */
export async function runOnQueue(url: string, jobs: ShardJob[], hooks: PipelineHooks): Promise<PlacedShard[]> {
  const log = hooks.log ?? (() => {});
  const queue = await openQueue(url);
  const ids = jobs.map(shardJobId);
  try {
    for (let i = 0; i < jobs.length; i++) {
      await queue.add('shard', jobs[i]!, {
        jobId: ids[i]!,
        attempts: SHARD_ATTEMPTS,
        backoff: { type: 'fixed', delay: 1000 },
        removeOnComplete: false,
        removeOnFail: false,
      });
    }
    log(`queued ${jobs.length} shard jobs on ${url} (queue ${QUEUE_NAME}); waiting for workers (latentmap worker --queue ${url})`);
    const results: (PlacedShard | null)[] = jobs.map(() => null);
    const progress = jobs.map(() => 0);
    let reported = 0;
    for (;;) {
      if (hooks.signal?.aborted) throw new CancelledError();
      for (let i = 0; i < jobs.length; i++) {
        if (results[i]) continue;
        // The state first, then the record: a job read before it completed would show no return value yet.
        const state = await queue.getJobState(ids[i]!);
        const job = await Job.fromId<ShardJob, PlacedShard>(queue, ids[i]!);
        if (!job || state === 'unknown') throw new Error(`the job of shard ${jobs[i]!.shard} vanished from the queue (was the queue emptied?)`);
        if (state === 'completed' && job.returnvalue) {
          results[i] = job.returnvalue;
          progress[i] = 1;
          const r = job.returnvalue;
          log(`shard ${i + 1}/${jobs.length} (${jobs[i]!.shard.split(/[/\\]/).pop()}): ${r.rows.toLocaleString('en-US')} rows placed by ${r.worker} in ${r.seconds.toFixed(1)} s${job.attemptsMade > 1 ? ` (attempt ${job.attemptsMade})` : ''}`);
        } else if (state === 'failed') {
          const reason = job.failedReason ?? 'unknown failure';
          if (reason.startsWith(INPUT_ERROR_PREFIX)) throw shardInputError(reason, jobs[i]!.shard);
          throw new Error(`shard ${jobs[i]!.shard} failed after ${job.attemptsMade} attempts: ${reason}`);
        } else if (typeof job.progress === 'number') {
          progress[i] = Math.min(0.99, job.progress);
        }
      }
      const done = results.filter(Boolean).length;
      const p = progress.reduce((a, b) => a + b, 0) / jobs.length;
      if (done !== reported || p > 0) {
        hooks.onProgress?.(p, 'tsne', { message: `${done}/${jobs.length} shards placed` });
        reported = done;
      }
      if (done === jobs.length) return results as PlacedShard[];
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    // the run's job records are of no further use; jobs still waiting (a cancelled run) are dropped
    for (const id of ids) {
      const job = await Job.fromId(queue, id).catch(() => undefined);
      await job?.remove().catch(() => undefined);
    }
    await queue.close();
  }
}

/** This machine and process, as a shard result names its worker. */
export function workerName(): string {
  return `${os.hostname()}:${process.pid}`;
}
