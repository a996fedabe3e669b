// What every route file gets: the run store, the per-run cache, the job queue, options.
import type { RequestHandler, Response } from 'express';
import type { RunStore } from '../pipeline/runs/store.js';
import type { JobQueue } from './jobs/queue.js';
import type { Reconstructor } from './reconstruct.js';
import type { RunCache } from './run-cache.js';

export interface ServerContext {
  store: RunStore;
  cache: RunCache;
  jobs: JobQueue;
  /** Guards writes (POST/DELETE): checks the bearer token when the server has one. */
  requireToken: RequestHandler;
  /** Throttles POSTs per client address. */
  rateLimit: RequestHandler;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  reconstruct: Reconstructor;
  log: (line: string) => void;
  /** Open event streams, ended at shutdown. */
  streams: Set<Response>;
}
