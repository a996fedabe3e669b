// `latentmap worker --queue redis://host:port`: serve shard jobs of sharded runs (pipeline/queue/) until
// SIGTERM or SIGINT, then finish the job in hand... or, on a second signal, stop at once (the job goes
// back to the queue when its lock expires).

import { parseQueueUrl } from '../queue/connection.js';
import { serveShards } from '../queue/worker.js';

export interface WorkerCommandOptions {
  queue: string;
  concurrency: number;
  lockSeconds: number;
  log: (message: string) => void;
}

/** Runs until a signal; returns the jobs and rows this process placed. */
export async function runWorker(opts: WorkerCommandOptions): Promise<{ jobs: number; rows: number }> {
  parseQueueUrl(opts.queue); // a bad URL is an InputError before anything starts
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (): void => {
    signals++;
    if (signals === 1) {
      opts.log('stopping: finishing the shard in hand (signal again to stop now)');
      controller.abort();
    } else process.exit(1);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await serveShards({ queue: opts.queue, concurrency: opts.concurrency, lockSeconds: opts.lockSeconds, signal: controller.signal, log: opts.log });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
