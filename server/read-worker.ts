// The server's worker thread (started by worker-pool.ts through pipeline/threads.ts): runs the tasks of
// read-tasks.ts one at a time, replying with each result's buffers moved, not copied. A `memory` message is
// answered at once (between the awaits of a task in progress) with what this thread holds (ThreadMemory).
import { performance } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import type { ProgressEvent } from '../pipeline/types.js';
import { runTaskSafely, transferables, type WorkerTask } from './read-tasks.js';

export type { WorkerReply, WorkerTask } from './read-tasks.js';

/** Progress of a task is sent at most this often, ms. */
const PROGRESS_EVERY_MS = 250;

/** What one worker thread holds, bytes: its V8 heap, and the memory outside it its objects own (buffers). */
export interface ThreadMemory {
  heapUsed: number;
  heapTotal: number;
  /** Memory owned by the thread's objects outside the V8 heap, ArrayBuffers included. */
  external: number;
  arrayBuffers: number;
}

parentPort?.on('message', (msg: { seq: number; task: WorkerTask } | { memory: true }) => {
  if ('memory' in msg) {
    const { heapUsed, heapTotal, external, arrayBuffers } = process.memoryUsage();
    parentPort!.postMessage({ memory: { heapUsed, heapTotal, external, arrayBuffers } satisfies ThreadMemory });
    return;
  }
  // Progress (file checks) at most every PROGRESS_EVERY_MS: the loader reports every 1% of the file.
  let last = -Infinity;
  const progress = (p: ProgressEvent): void => {
    const now = performance.now();
    if (now - last < PROGRESS_EVERY_MS && p.progress < 1) return;
    last = now;
    parentPort!.postMessage({ seq: msg.seq, progress: p });
  };
  void runTaskSafely(msg.task, progress).then((reply) => parentPort!.postMessage({ seq: msg.seq, reply }, transferables(reply)));
});
