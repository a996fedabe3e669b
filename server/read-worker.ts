// The server's worker thread (started by worker-pool.ts through pipeline/threads.ts): runs the tasks of
// read-tasks.ts one at a time, replying with each result's buffers moved, not copied.
import { parentPort } from 'node:worker_threads';
import { runTaskSafely, transferables, type WorkerTask } from './read-tasks.js';

export type { WorkerReply, WorkerTask } from './read-tasks.js';

parentPort?.on('message', (msg: { seq: number; task: WorkerTask }) => {
  void runTaskSafely(msg.task).then((reply) => parentPort!.postMessage({ seq: msg.seq, reply }, transferables(reply)));
});
