// Listens: creates the app, binds (127.0.0.1 by default), shuts down gracefully on SIGTERM/SIGINT.
// Flags and environment are read by the CLI (`latentmap serve`), which calls serve().
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isIP } from 'node:net';
import { InputError } from '../pipeline/errors.js';
import { createApp, type AppOptions } from './app.js';
import { DataRoots } from './data-roots.js';
import { DEFAULT_JOB_LIMITS, type JobLimits } from './job-limits.js';
import { readOnlyNotice, runsDirReadOnly } from './read-only.js';
import { DEFAULT_MAX_UPLOAD_BYTES } from './uploads.js';
import { JobQueue, type JobQueueOptions } from './jobs/queue.js';
import { SERVER_NODE_ENV } from './node-flags.js';

export interface ServeOptions {
  runsDir: string;
  port: number;
  /** Address to bind. Anything but loopback needs a token. */
  host: string;
  token: string | null;
  /** Jobs started over the API that may run at once. Default 1. */
  concurrency?: number;
  /** Directories runs started over HTTP may read files from (--data-root). Default none. */
  dataRoots?: string[];
  /** Largest upload, bytes, compressed or decompressed (--max-upload-bytes). Default 256 MiB. */
  maxUploadBytes?: number;
  /** What one job may use (--max-job-memory, --max-job-seconds). Default 4 GiB, 2 h. */
  jobLimits?: JobLimits;
  log?: (line: string) => void;
  /** Install SIGTERM/SIGINT handlers that close the server. Default true. */
  handleSignals?: boolean;
  /** Passed through to createApp. */
  app?: Partial<Omit<AppOptions, 'runsDir' | 'token' | 'jobs' | 'log'>>;
  /** The process a job runs (default: this Node running bin/latentmap.js run ...); see JobQueueOptions.command. */
  jobCommand?: JobQueueOptions['command'];
  /** How long in-flight responses may take to finish at shutdown, ms. Default 5000. */
  shutdownGraceMs?: number;
}

export interface RunningServer {
  url: string;
  server: Server;
  /** Stops accepting, finishes in-flight responses, ends event streams, stops running jobs (marked failed). */
  close(): Promise<void>;
  /** Resolves once the server has closed (after close() or a signal). */
  closed: Promise<void>;
}

export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const token = options.token === '' ? null : options.token;
  // a token of spaces guards nothing a client cannot guess, and a shell's quoting slip makes one easily
  if (token !== null && token.trim() === '') throw new InputError(`the token is only white space (${token.length} characters); give a secret (--token or LATENTMAP_TOKEN), or none on loopback`, { field: 'token' });
  if (!Number.isInteger(options.port) || options.port < 0 || options.port > 65535) {
    throw new InputError(`port must be a whole number from 0 to 65535, got ${options.port}`, { field: 'port' });
  }
  const loopback = isLoopback(options.host);
  if (!loopback && !token) {
    throw new InputError(
      `refusing to listen on ${options.host} without a token: anyone who can reach it could start runs. Set --token (or LATENTMAP_TOKEN), or bind 127.0.0.1`,
      { field: 'host' },
    );
  }
  const dataRoots = await DataRoots.open(options.dataRoots ?? []);
  // A runs directory that cannot be written is served read-only (writes answered 503), said once here.
  const readOnly = await runsDirReadOnly(options.runsDir);
  if (readOnly !== null) log(readOnlyNotice(options.runsDir, readOnly));
  const jobLimits = options.jobLimits ?? DEFAULT_JOB_LIMITS;
  const jobs = new JobQueue({
    runsDir: options.runsDir,
    concurrency: options.concurrency ?? 1,
    log,
    limits: jobLimits,
    dataRoots,
    // a job reads no more from a gzipped file than an upload may hold (the upload check and POST /api/runs
    // check it before, this holds while the job runs: the file may have changed, or be a dataDir's)
    maxDecompressedBytes: options.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES,
    readOnly,
    ...(options.jobCommand ? { command: options.jobCommand } : {}),
  });
  await jobs.init();
  const app = createApp({
    ...options.app,
    runsDir: options.runsDir,
    token,
    jobs,
    log,
    dataRoots,
    jobLimits,
    readOnly,
    ...(options.maxUploadBytes ? { maxUploadBytes: options.maxUploadBytes } : {}),
    // On loopback, answer only to loopback host names (a DNS-rebinding page cannot reach the API).
    allowedHosts: options.app?.allowedHosts ?? (loopback ? ['localhost', '127.0.0.1', '::1', options.host.replace(/^\[|\]$/g, '')] : null),
  });

  const { memory, cache } = app.locals.context;
  if (memory) {
    log(
      `memory: ${Math.round(cache.budget / 2 ** 20)} MiB for the run cache and ${Math.round(memory.allowance / 1e6)} MB for the server beside it; full garbage collections when past it: ` +
        (memory.canCollect ? 'on (Node started with --expose-gc)' : 'off (Node started without --expose-gc, which `latentmap serve` adds): the cache gives way alone') +
        `; allocator: ${Object.keys(SERVER_NODE_ENV).map((k) => `${k}=${process.env[k] ?? 'unset'}`).join(' ')}`,
    );
  }

  const server = createServer(app);
  server.keepAliveTimeout = 5000;
  server.headersTimeout = 20_000;
  server.requestTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (err.code === 'EADDRINUSE') reject(new InputError(`port ${options.port} is in use on ${options.host}; pick another with --port (0: any free port)`, { field: 'port' }));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') reject(new InputError(`cannot bind ${options.host}: no such local address`, { field: 'host' }));
      else reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(options.port, options.host);
  });

  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  const url = `http://${hostForUrl}:${addr.port}`;

  let resolveClosed!: () => void;
  const closed = new Promise<void>((r) => (resolveClosed = r));
  let closing: Promise<void> | null = null;
  const grace = options.shutdownGraceMs ?? 5000;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      const serverClosed = new Promise<void>((r) => server.close(() => r()));
      // Idle keep-alive connections go now; event streams would never end by themselves.
      server.closeIdleConnections();
      await jobs.close();
      const force = setTimeout(() => {
        for (const s of sockets) s.destroy();
      }, grace);
      force.unref();
      // Event streams end when their job does (jobs.close() finished them); end any left.
      app.locals.endStreams();
      // Connections become idle as their last response ends: close them as they do.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      server.closeIdleConnections();
      await serverClosed;
      clearInterval(sweep);
      clearTimeout(force);
      app.locals.dispose();
      detach();
      resolveClosed();
    })();
    return closing;
  };

  // The worker thread loads its code now, and the viewer opens the newest run first: parse and compress its
  // points now, not on the first request.
  void (async () => {
    await app.locals.context.workers.warm();
    const [newest] = await app.locals.context.store.list();
    if (newest) await app.locals.context.cache.pointsArrow(newest.id);
  })().catch((err: unknown) => log(`warming the cache: ${(err as Error).message}`));

  const onSignal = (signal: NodeJS.Signals): void => {
    log(`${signal}: shutting down`);
    void close();
  };
  const detach = (): void => {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  };
  if (options.handleSignals !== false) {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }

  return { url, server, close, closed };
}
