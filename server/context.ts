// What every route file gets: the run store, the per-run cache, the job queue, options.
import type { RequestHandler, Response } from 'express';
import type { RunStore } from '../pipeline/runs/store.js';
import type { DataRoots } from './data-roots.js';
import type { JobLimits } from './job-limits.js';
import type { JobQueue } from './jobs/queue.js';
import type { MemoryBudget } from './memory-budget.js';
import type { Decoder, Reconstructor } from './reconstruct.js';
import type { RunCache } from './run-cache.js';
import type { RunList } from './run-list.js';
import type { UploadStore } from './uploads.js';
import type { WorkerPool } from './worker-pool.js';

export interface ServerContext {
  store: RunStore;
  cache: RunCache;
  /** The process's memory counted against the cache's budget (memory-budget.ts); null: the cache counts only its values. */
  memory: MemoryBudget | null;
  runList: RunList;
  jobs: JobQueue;
  uploads: UploadStore;
  /** The directories runs started over HTTP may read files from. */
  dataRoots: DataRoots;
  /** What one job may use (estimated before it starts, enforced while it runs). */
  jobLimits: JobLimits;
  /** How long a run's submission waits for the pre-start check of its input before the job reports it instead, ms. */
  checkGraceMs: number;
  /** CPU-heavy reads (PNG encoding, neighbour search, upload checks) run here, off the event loop. */
  workers: WorkerPool;
  /** Guards writes (POST/DELETE): checks the bearer token when the server has one. */
  requireToken: RequestHandler;
  /**
   * Why the runs directory cannot be written ("the file system is read-only (EROFS)"), or null: the server then
   * serves its runs read-only.
   */
  readOnly: string | null;
  /** Every route that writes passes this: 503 naming readOnly when the server serves its runs read-only (read-only.ts). */
  writesAllowed: RequestHandler;
  /** Throttles POSTs per client address. */
  rateLimit: RequestHandler;
  /**
   * Throttles expensive reads per client address, for a route that counts after its own checks (the region route).
   * Items, pictures, neighbours, features, decodes and points as JSON are counted before routing (read-limit.ts).
   */
  readLimit: RequestHandler;
  /** Largest accepted request body, bytes. */
  bodyLimit: number;
  reconstruct: Reconstructor;
  /** Codes → rows in the input's units, through the run's saved model. */
  decode: Decoder;
  log: (line: string) => void;
  /** Open event streams, ended at shutdown. */
  streams: Set<Response>;
}
