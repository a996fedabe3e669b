// The HTTP API and the viewer as an Express app. A factory: no listen here (server/main.ts listens).
import { fileURLToPath } from 'node:url';
import express from 'express';
import { RunStore } from '../pipeline/runs/store.js';
import { requireToken } from './auth.js';
import type { ServerContext } from './context.js';
import { apiNotFound, createErrorHandler } from './error-handler.js';
import { checkFile } from './file-check.js';
import { noBracketQueries } from './params.js';
import { HttpError } from './http-error.js';
import { DataRoots } from './data-roots.js';
import { DEFAULT_JOB_LIMITS, type JobLimits } from './job-limits.js';
import { JobQueue } from './jobs/queue.js';
import { publicManifest } from './public-manifest.js';
import { createRateBuckets, createRateLimiter, type RateLimitOptions } from './rate-limit.js';
import { readLimits } from './read-limit.js';
import { refuseMalformedPaths } from './malformed-paths.js';
import { workerModels, type Decoder, type Reconstructor } from './reconstruct.js';
import { MemoryBudget, SERVER_HEADROOM } from './memory-budget.js';
import { writesAllowed } from './read-only.js';
import { RunCache } from './run-cache.js';
import { RunList } from './run-list.js';
import { uploadsRoutes } from './routes/uploads.js';
import { DEFAULT_MAX_UPLOAD_BYTES, UploadStore, type UploadChecker } from './uploads.js';
import { WorkerPool } from './worker-pool.js';
import { datasetsRoutes } from './routes/datasets.js';
import { runOptionsRoutes } from './routes/run-options.js';
import { decodeRoutes } from './routes/decode.js';
import { eventsRoutes } from './routes/events.js';
import { featuresRoutes } from './routes/features.js';
import { finishRoutes } from './routes/finish.js';
import { healthRoutes } from './routes/health.js';
import { itemsRoutes } from './routes/items.js';
import { jobsRoutes } from './routes/jobs.js';
import { neighborsRoutes } from './routes/neighbors.js';
import { pointsRoutes } from './routes/points.js';
import { runsRoutes } from './routes/runs.js';
import { webRoutes } from './routes/web.js';
import { hostCheck, sameOriginWrites, securityHeaders } from './security.js';

export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../web/dist', import.meta.url));

export interface AppOptions {
  /** The runs directory served (and written by jobs started over the API). */
  runsDir: string;
  /** Bearer token every write (POST, DELETE) must carry. Default null: writes are open (loopback only). */
  token?: string | null;
  /** The job queue for POST /api/runs. Default: a queue of concurrency 1 over runsDir. */
  jobs?: JobQueue;
  /** The viewer's built files. Default <repo>/web/dist. */
  webRoot?: string;
  /** POST throttle per client address. Default: bursts of 10, then one every 5 s. */
  rateLimit?: RateLimitOptions;
  /** Largest request body, bytes. Default 64 kB. */
  bodyLimit?: number;
  /** Memory for cached run data, bytes. Default 512 MiB. */
  cacheBytes?: number;
  /**
   * Resident memory the server may use beside cacheBytes, bytes: past it, whatever else the process holds
   * (worker threads, requests in progress) is counted against the cache's budget (memory-budget.ts). Default
   * 200 MB; null: the cache counts only its own values.
   */
  memoryAllowance?: number | null;
  /** Directories runs started over HTTP may read files from (DataRoots.open). Default none. */
  dataRoots?: DataRoots;
  /** Largest upload, bytes, compressed or decompressed (a gzipped upload's content). Default 256 MiB. */
  maxUploadBytes?: number;
  /** What one job may use; runs estimated to need more are refused with 400. Default 4 GiB, 2 h. */
  jobLimits?: JobLimits;
  /**
   * How long POST /api/runs waits for the pre-start check of a file under a data root before it answers 202 and
   * the job reports the check's progress, ms. Default 2000.
   */
  checkGraceMs?: number;
  /** Expensive reads (images, neighbours, items, points as JSON) per client address. Default: bursts of 200, then 100 a second. */
  readRateLimit?: RateLimitOptions;
  /** Worker threads for CPU-heavy reads, per lane (worker-pool.ts: quick and slow tasks). Default one each. */
  workerThreads?: { quick?: number; slow?: number };
  /** Checks an upload's content. Default: the pipeline's loaders, in a worker thread. */
  checkUpload?: UploadChecker;
  /** Host names the server answers to (DNS-rebinding guard); null: any. Default null (serve() sets it on loopback). */
  allowedHosts?: string[] | null;
  /** Decodes rows with a run's model for reconstruction.png. Default: the run's saved autoencoder or PCA, in the worker thread. */
  reconstruct?: Reconstructor;
  /** Decodes codes with a run's model for POST /api/runs/:id/decode. Default: the run's saved autoencoder or PCA, in the worker thread. */
  decode?: Decoder;
  /**
   * How long the run list is held before the runs' stamps are compared again (it is answered meanwhile, and
   * built again at once when a request found a run damaged), and how long the lookups a request makes after
   * its first trust that first one's comparison, ms. Every request of a run compares the stamp of its files
   * (a stat of each, shared by the requests that came before the comparison began), so no answer of a run is
   * built from what was cached of it before its files were damaged. Default 1000.
   */
  runCheckMs?: number;
  /**
   * Why the runs directory cannot be written (read-only.ts runsDirReadOnly: serve() finds out at start), or null
   * (default): the server then serves its runs read-only, and every write is answered 503 with this reason.
   */
  readOnly?: string | null;
  /** Where server-side errors are logged. Default: stderr. */
  log?: (line: string) => void;
}

export type LatentmapApp = express.Express & {
  locals: {
    context: ServerContext;
    /** Ends every open event stream (shutdown). */
    endStreams: () => void;
    /** Releases loaded models and worker threads. */
    dispose: () => void;
  };
};

export function createApp(options: AppOptions): LatentmapApp {
  const store = new RunStore(options.runsDir);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const token = options.token ?? null;
  const readOnly = options.readOnly ?? null;
  const bodyLimit = options.bodyLimit ?? 64 * 1024;
  const dataRoots = options.dataRoots ?? DataRoots.none();
  const repo = fileURLToPath(new URL('..', import.meta.url));
  const hidden = [store.dir, ...dataRoots.paths(), repo.replace(/\/$/, ''), process.cwd()];
  const workers = new WorkerPool({ threads: options.workerThreads ?? {} });
  // Reconstructions (reconstruction.png, items) and decodes (POST /api/runs/:id/decode) load and run the run's
  // model in the worker thread.
  const models = workerModels((task) => workers.run(task));
  const maxUploadBytes = options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES;
  // The same limit bounds the decompressed content of a gzipped upload: a 1.5 MB gzip bomb must not make the
  // check decompress and parse a gigabyte.
  const checkUpload: UploadChecker =
    options.checkUpload ?? ((file, reading) => checkFile((task) => workers.run(task), file, { what: 'the upload', maxDecompressedBytes: maxUploadBytes, reading }));
  const memory = options.memoryAllowance === null ? null : new MemoryBudget({ allowance: options.memoryAllowance, headroom: SERVER_HEADROOM });
  const cache = new RunCache(store, options.cacheBytes, (m) => publicManifest(m, store.dir, dataRoots, hidden), (task) => workers.run(task), memory, options.runCheckMs ?? 1000);
  // expensive reads are counted before routing (read-limit.ts); the region route counts its own after its checks
  const reads = readLimits(createRateBuckets(options.readRateLimit ?? { capacity: 200, refillPerSecond: 100 }));
  const ctx: ServerContext = {
    store,
    cache,
    memory,
    // A run that is not complete, or whose files are damaged (the cache's check), is not listed: its own
    // endpoints answer why.
    runList: new RunList(store, (ids) => cache.summaries(ids), options.runCheckMs ?? 1000, () => cache.changes),
    jobs: options.jobs ?? new JobQueue({ runsDir: store.dir, log, dataRoots, maxDecompressedBytes: maxUploadBytes, readOnly }),
    uploads: new UploadStore(store.dir, maxUploadBytes, checkUpload),
    dataRoots,
    jobLimits: options.jobLimits ?? DEFAULT_JOB_LIMITS,
    checkGraceMs: options.checkGraceMs ?? 2000,
    workers,
    requireToken: requireToken(token),
    readOnly,
    writesAllowed: writesAllowed(readOnly),
    rateLimit: createRateLimiter(options.rateLimit),
    readLimit: reads.late,
    bodyLimit,
    reconstruct: options.reconstruct ?? models.reconstruct,
    decode: options.decode ?? models.decode,
    log,
    streams: new Set(),
  };
  void ctx.jobs.init().catch((err: unknown) => log(`job queue: ${(err as Error).message}`));
  if (readOnly === null) void ctx.uploads.cleanupPartial().catch(() => {});

  const app = express() as LatentmapApp;
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('json spaces', 0);
  app.locals.context = ctx;
  app.locals.dispose = () => {
    memory?.close();
    void workers.close();
  };
  app.locals.endStreams = () => {
    for (const res of ctx.streams) res.end();
    ctx.streams.clear();
  };

  app.use(securityHeaders);
  if (options.allowedHosts) app.use(hostCheck(options.allowedHosts));
  app.use(sameOriginWrites);
  app.use('/api', noBracketQueries);
  app.use(refuseMalformedPaths);
  app.use(reads.early);
  app.use(healthRoutes(ctx));
  app.use(datasetsRoutes(ctx));
  app.use(runOptionsRoutes(ctx));
  app.use(featuresRoutes(ctx));
  app.use(runsRoutes(ctx));
  app.use(jobsRoutes(ctx));
  app.use(finishRoutes(ctx));
  app.use(uploadsRoutes(ctx));
  app.use(pointsRoutes(ctx));
  app.use(itemsRoutes(ctx));
  app.use(neighborsRoutes(ctx));
  app.use(decodeRoutes(ctx));
  app.use(eventsRoutes(ctx));
  app.use('/api', apiNotFound);
  app.use(webRoutes(options.webRoot ?? DEFAULT_WEB_ROOT));
  app.use((req, _res, next) => next(new HttpError(404, `not found: ${req.path.slice(0, 200)}`)));
  app.use(createErrorHandler({ bodyLimit, log }));
  return app;
}
