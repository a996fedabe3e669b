// Runs started from the API: a queue (one at a time unless `concurrency` says otherwise). Each job is the
// CLI in a child process (child.ts), so training never blocks the server and a crashing job cannot take it
// down; progress comes from the CLI's JSON log lines (cli-lines.ts); job records (records.ts) let a
// restarted server report a job cut off by a crash or restart as failed; what readers see of a job, public-view.ts.
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { RunStore } from '../../pipeline/runs/store.js';
import type { ProgressEvent, RunConfig } from '../../pipeline/types.js';
import { DataRoots } from '../data-roots.js';
import { defaultJobCommand, startJobProcess, type JobCommand, type JobCommandInput, type JobProcess } from './child.js';
import { lineSplitter, parseCliLine } from './cli-lines.js';
import { earlyFinish } from './early-finish.js';
import type { LayoutFrame } from '../../pipeline/layout-frame.js';
import { JobPublicView } from './public-view.js';
import { JobRecords, type JobState, type JobStatus } from './records.js';

export type { JobState, JobStatus } from './records.js';

export type JobEvent =
  | { type: 'progress'; id: string; progress: ProgressEvent }
  | { type: 'log'; id: string; level: string; message: string }
  | { type: 'layout'; id: string; frame: LayoutFrame }
  | { type: 'state'; job: JobState };

export interface JobQueueOptions {
  /** The runs directory; job records live in <runsDir>/.jobs. */
  runsDir: string;
  /** Jobs that may run at once. Default 1. */
  concurrency?: number;
  /**
   * The process to start for a job. Default: this Node with bin/latentmap.js run --config FILE --id ID
   * --runs-dir DIR --log-format json --json.
   */
  command?: (job: JobCommandInput) => JobCommand;
  /** After SIGTERM, how long a cancelled job may take to exit before SIGKILL, ms. Default 5000. */
  killGraceMs?: number;
  /** Most jobs waiting in the queue; submit() refuses more (QueueFullError). Default 20. */
  maxQueued?: number;
  /**
   * What one job may use: past maxBytes of resident memory or maxSeconds of wall-clock time it is killed
   * and fails saying which. The default command also gets a V8 heap limit of maxBytes. Default: none.
   */
  limits?: { maxBytes: number; maxSeconds: number } | null;
  /**
   * The server's data roots: named `data-root:` in client-facing messages, and the public names of the paths of
   * a job's configuration (public-manifest.ts publicPathName). Default: none.
   */
  dataRoots?: DataRoots;
  /**
   * Most bytes a job's gzipped input may decompress to: the job fails past it, reading no further (the server
   * passes its --max-upload-bytes, as uploads are capped). Default none.
   */
  maxDecompressedBytes?: number | null;
  /**
   * Why the runs directory cannot be written ("the file system is read-only (EROFS)"), or null (default): a queue
   * that cannot write reads the job records only (init), removes nothing, and refuses every job (JobStoreError).
   */
  readOnly?: string | null;
  log?: (line: string) => void;
}

/** submit() when the job's files cannot be written (full disk ...): nothing was queued. */
export class JobStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'JobStoreError';
  }
}

/** submit() when the queue is full or shut down: the caller should try again later. */
export class QueueFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueFullError';
  }
}

interface Running {
  proc: JobProcess;
  cancelRequested: boolean;
  shutdown: boolean;
  lastError: string | null;
  /** The operator's note on the job's error (its refusal's detail, for the server's log only). */
  operatorNote: string | null;
  /** Set when the job was killed for passing a limit. */
  limitError: string | null;
  tail: string[];
  exited: Promise<void>;
  /** The latest frame of the map forming (for a client that starts watching mid-run). */
  layout: LayoutFrame | null;
  /** Set once the map was asked to finish early. */
  finishRequested: boolean;
}

export class JobQueue {
  readonly store: RunStore;
  readonly records: JobRecords;
  private readonly concurrency: number;
  private readonly command: NonNullable<JobQueueOptions['command']>;
  private readonly killGraceMs: number;
  private readonly maxQueued: number;
  private readonly log: (line: string) => void;
  private readonly limits: JobQueueOptions['limits'];
  private readonly view: JobPublicView;
  private readonly maxDecompressedBytes: number | null;
  /** The server's data roots: the job's process checks its input against them again right before opening it. */
  private readonly dataRoots: DataRoots;
  private readonly jobs = new Map<string, JobState>();
  private readonly queue: string[] = [];
  /** Queued jobs whose input is still being checked (submit's `checked`): not in `queue` until it passes. */
  private readonly checking = new Set<string>();
  private readonly running = new Map<string, Running>();
  private readonly events = new EventEmitter();
  private closed = false;
  private ready: Promise<void> | null = null;
  /** Why the runs directory cannot be written, or null. */
  readonly readOnly: string | null;

  constructor(options: JobQueueOptions) {
    this.store = new RunStore(options.runsDir);
    this.records = new JobRecords(this.store, randomBytes(6).toString('hex'));
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new Error('concurrency must be a whole number >= 1');
    this.command = options.command ?? defaultJobCommand;
    this.killGraceMs = options.killGraceMs ?? 5000;
    this.maxQueued = options.maxQueued ?? 20;
    this.log = options.log ?? (() => {});
    this.limits = options.limits ?? null;
    this.dataRoots = options.dataRoots ?? DataRoots.none();
    this.view = new JobPublicView(this.store.dir, this.dataRoots);
    this.maxDecompressedBytes = options.maxDecompressedBytes ?? null;
    this.readOnly = options.readOnly ?? null;
    this.events.setMaxListeners(0);
  }

  /** The folder of job records. */
  get jobsDir(): string {
    return this.records.dir;
  }

  /**
   * Loads the job records (recovering those a previous server cut off) and removes the temporary
   * directories of dead writers. Idempotent; called by the other methods.
   */
  init(): Promise<void> {
    this.ready ??= this.recover();
    return this.ready;
  }

  private async recover(): Promise<void> {
    for (const job of await this.records.recover(this.readOnly !== null)) this.jobs.set(job.id, job);
    if (this.readOnly !== null) return;
    const removed = await this.store.cleanupStale();
    if (removed.length) this.log(`removed ${removed.length} unfinished run director${removed.length === 1 ? 'y' : 'ies'}`);
  }

  /**
   * Queues a run of `config` (already validated; what clients see of it). `forJob` is what the process
   * runs (default `config`; the server passes real paths there). Returns its state (status queued).
   * When the job cannot be recorded (full disk ...) nothing of it is left and the error is thrown.
   * `checked`: a check of the job's input still under way (the server's pre-start check of a big file): the job
   * is listed as queued, and waits for it before it may start; its progress is reported with progress(); when
   * it fails, so does the job, with its message (a bad input, naming the field).
   */
  async submit(config: Partial<RunConfig>, forJob: Partial<RunConfig> = config, checked: Promise<unknown> | null = null): Promise<JobState> {
    await this.init();
    if (this.closed) throw new QueueFullError('the server is shutting down; start the run again once it is back');
    if (this.readOnly !== null) throw new JobStoreError(`the runs directory cannot be written (${this.readOnly}); nothing was started`);
    const waiting = this.queue.length + this.checking.size;
    if (waiting >= this.maxQueued) {
      throw new QueueFullError(`${waiting} runs are already waiting; try again when one has finished`);
    }
    const name = forJob.name ?? forJob.dataset ?? (forJob.input ? path.basename(forJob.input).replace(/\.[^.]*$/, '') : forJob.upload ? 'upload' : 'mnist');
    let id = this.store.newId(name);
    while (this.jobs.has(id) || (await this.store.exists(id))) id = this.store.newId(name);
    const job: JobState = {
      id,
      name,
      status: 'queued',
      createdAt: new Date().toISOString(),
      startedAt: null,
      finishedAt: null,
      error: null,
      progress: null,
      config,
    };
    // The CLI resolves relative paths against the config file's folder; here they mean the server's working directory.
    const forCli: Partial<RunConfig> = { ...forJob };
    for (const k of ['input', 'dataDir'] as const) {
      const v = forCli[k];
      if (typeof v === 'string') forCli[k] = path.resolve(v);
    }
    delete forCli.runsDir;
    try {
      await this.records.writeConfig(id, forCli);
      await this.records.save(job);
    } catch (err) {
      // No phantom job: a job that could not be recorded was never queued.
      await this.records.remove(id).catch(() => {});
      throw new JobStoreError(`could not record the job (${(err as NodeJS.ErrnoException).code ?? 'error'}); nothing was started`, { cause: err });
    }
    this.jobs.set(id, job);
    this.emit({ type: 'state', job });
    if (checked) {
      this.checking.add(id);
      void checked.then(
        () => {
          if (this.checking.delete(id) && job.status === 'queued') this.enqueue(id);
        },
        (err: unknown) => {
          if (this.checking.delete(id) && job.status === 'queued') void this.finish(job, 'failed', err instanceof Error ? err.message : String(err));
        },
      );
    } else {
      this.enqueue(id);
    }
    return job;
  }

  private enqueue(id: string): void {
    this.queue.push(id);
    this.pump();
  }

  /** Progress of a queued job's pre-start check (submit's `checked`): kept as its progress and sent to its watchers. */
  progress(id: string, progress: ProgressEvent): void {
    const job = this.jobs.get(id);
    if (!job || job.status !== 'queued') return;
    job.progress = progress;
    this.emit({ type: 'progress', id, progress });
  }

  get(id: string): JobState | undefined {
    return this.jobs.get(id);
  }

  /** Every job this server knows, newest first. */
  list(): JobState[] {
    return [...this.jobs.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** A job as every reader sees it (/api/jobs, its event stream): public-view.ts. */
  publicView(job: JobState): JobState {
    return this.view.job(job);
  }

  /** Listens to one job's events; returns the unsubscribe function. */
  subscribe(id: string, listener: (e: JobEvent) => void): () => void {
    this.events.on(id, listener);
    return () => this.events.off(id, listener);
  }

  /**
   * Cancels a queued or running job. Resolves with its final state once the child has exited.
   * Returns null for an unknown job; a finished job is returned unchanged.
   */
  async cancel(id: string): Promise<JobState | null> {
    await this.init();
    const job = this.jobs.get(id);
    if (!job) return null;
    if (job.status === 'queued') {
      const at = this.queue.indexOf(id);
      if (at >= 0) this.queue.splice(at, 1);
      this.checking.delete(id);
      await this.finish(job, 'cancelled', 'cancelled before it started');
      return job;
    }
    const r = this.running.get(id);
    if (job.status === 'running' && r) {
      r.cancelRequested = true;
      r.proc.stop(this.killGraceMs);
      await r.exited;
    }
    return job;
  }

  /** The latest frame of a running job's map as it forms, or null. */
  layout(id: string): LayoutFrame | null {
    return this.running.get(id)?.layout ?? null;
  }

  /**
   * Asks a running job to end its t-SNE now and write the run with the layout reached (SIGUSR2 to the CLI).
   * ok when asked (or already asked); complete when its map has already finished forming (the run is on its
   * metrics or writing: nothing to stop, the finished map is kept); otherwise why not: the job is not running,
   * or its map has not started forming (only the t-SNE stage can finish early). See jobs/early-finish.ts.
   */
  finishEarly(id: string): { ok: true; complete?: string } | { ok: false; reason: string } {
    const job = this.jobs.get(id);
    const r = this.running.get(id);
    if (!job || job.status !== 'running' || !r) return { ok: false, reason: `job ${id} is not running${job ? ` (${job.status})` : ''}` };
    const answer = earlyFinish(id, job.progress?.stage);
    if (answer.kind === 'complete') return { ok: true, complete: answer.message };
    if (answer.kind === 'not-yet') return { ok: false, reason: answer.message };
    if (!r.finishRequested) {
      r.finishRequested = true;
      r.proc.child.kill('SIGUSR2');
    }
    return { ok: true };
  }

  /** Stops taking jobs; queued and running jobs are marked failed (interrupted) and their children killed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.init();
    const checking = [...this.checking];
    this.checking.clear();
    for (const id of [...this.queue.splice(0), ...checking]) {
      const job = this.jobs.get(id);
      if (job) await this.finish(job, 'failed', 'interrupted: the server shut down before this job started; start it again');
    }
    const waits: Promise<void>[] = [];
    for (const r of this.running.values()) {
      r.shutdown = true;
      r.proc.stop(this.killGraceMs);
      waits.push(r.exited);
    }
    await Promise.all(waits);
  }

  private emit(e: JobEvent): void {
    const id = e.type === 'state' ? e.job.id : e.id;
    this.events.emit(id, e);
  }

  private async finish(job: JobState, status: JobStatus, error: string | null, operatorNote: string | null = null): Promise<void> {
    // the operator's log says why a job failed in full (paths unscrubbed, a refusal's detail); clients get it scrubbed
    if (status === 'failed') this.log(`job ${job.id} failed: ${error ?? 'no reason given'}${operatorNote ? ` (${operatorNote})` : ''}`);
    job.status = status;
    job.error = error === null ? null : this.scrub(error);
    job.finishedAt = new Date().toISOString();
    try {
      await this.records.save(job);
    } catch (err) {
      this.log(`could not save job state ${job.id}: ${(err as Error).message}`);
    }
    this.emit({ type: 'state', job });
  }

  private scrub(message: string): string {
    return this.view.message(message);
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      const job = this.jobs.get(id);
      if (!job || job.status !== 'queued') continue;
      this.start(job);
    }
  }

  private start(job: JobState): void {
    const limits = this.limits;
    const cmd = this.command({
      id: job.id,
      configFile: this.records.configFile(job.id),
      runsDir: this.store.dir,
      heapMb: limits ? Math.max(256, Math.floor(limits.maxBytes / 1024 ** 2)) : null,
      maxDecompressedBytes: this.maxDecompressedBytes,
      dataRoots: this.dataRoots.realPaths(),
    });
    let r!: Running;
    const proc = startJobProcess(
      cmd,
      {
        onStderr: lineSplitter((line) => this.onLine(job, r, line)),
        onStartError: (err) => {
          r.lastError = `could not start the job: ${err.message}`;
        },
        onLimit: (kind, detail) => {
          r.limitError =
            kind === 'memory'
              ? `stopped: the job used ${detail} of memory, more than this server allows per job (${Math.round(limits!.maxBytes / 1024 ** 2)} MB, --max-job-memory); use smaller layers, a smaller code or fewer rows`
              : `stopped: the job ran longer than this server allows per job (${detail}, --max-job-seconds); use fewer epochs or iterations or fewer rows`;
        },
      },
      limits ? { maxRssBytes: limits.maxBytes, maxSeconds: limits.maxSeconds } : {},
    );
    r = { proc, cancelRequested: false, shutdown: false, lastError: null, operatorNote: null, limitError: null, tail: [], exited: proc.exited.then(() => {}), layout: null, finishRequested: false };
    this.running.set(job.id, r);
    job.status = 'running';
    job.startedAt = new Date().toISOString();
    void this.records.save(job, proc.child.pid).catch(() => {});
    this.emit({ type: 'state', job });
    r.exited = proc.exited.then(({ code, signal }) =>
      this.onExit(job, r, code, signal).finally(() => {
        this.running.delete(job.id);
        this.pump();
      }),
    );
  }

  private onLine(job: JobState, r: Running, text: string): void {
    const line = parseCliLine(text);
    if (!line) return;
    switch (line.kind) {
      case 'progress':
        job.progress = line.event;
        this.emit({ type: 'progress', id: job.id, progress: line.event });
        break;
      case 'layout':
        r.layout = line.frame;
        this.emit({ type: 'layout', id: job.id, frame: line.frame });
        break;
      case 'error':
        r.lastError = line.message;
        r.operatorNote = line.operator ?? null;
        break;
      case 'log':
        this.emit({ type: 'log', id: job.id, level: line.level, message: this.scrub(line.message) });
        break;
      case 'text':
        // Keep the last plain lines for the failure message.
        r.tail.push(line.line);
        if (r.tail.length > 20) r.tail.shift();
        break;
    }
  }

  private async onExit(job: JobState, r: Running, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const complete = code === 0 && (await this.store.exists(job.id));
    // The child is gone: its hidden temporary directory (if any) goes before the job is said to have ended, so
    // whoever sees it failed (a stopped job's half-written run) finds nothing of it left.
    try {
      await this.store.cleanupStale();
    } catch {
      // best effort
    }
    if (complete) {
      await this.finish(job, 'complete', null);
    } else if (r.shutdown) {
      await this.finish(job, 'failed', 'interrupted: the server shut down while this job was running; start it again');
    } else if (r.cancelRequested) {
      await this.finish(job, 'cancelled', 'cancelled');
    } else if (r.limitError) {
      await this.finish(job, 'failed', r.limitError);
    } else {
      // A heap exhausted below the limit reads as V8's own message: say what it means.
      const oom = r.tail.some((l) => /heap out of memory|Allocation failed/i.test(l));
      const why =
        (oom ? 'stopped: the job ran out of memory (its heap limit); use smaller layers, a smaller code or fewer rows' : null) ??
        r.lastError ??
        (code === 0
          ? 'the job ended without writing its run'
          : `the job ${signal ? `was killed (${signal})` : `exited with code ${code}`}${r.tail.length ? `: ${r.tail[r.tail.length - 1]}` : ''}`);
      await this.finish(job, 'failed', why, r.operatorNote);
    }
  }
}
