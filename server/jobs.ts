// Runs started from the API: a queue (one at a time unless `concurrency` says otherwise). Each job is the
// CLI in a child process, so training never blocks the server and a crashing job cannot take it down.
// Progress comes from the CLI's JSON log lines on stderr. A small state file per job (runs/.jobs/<id>.json)
// lets a restarted server report a job cut off by a crash or restart as failed.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { JOBS_DIR } from '../pipeline/runs/layout.js';
import { isProcessAlive, isValidRunId, RunStore } from '../pipeline/runs/store.js';
import type { RunConfig } from '../pipeline/types.js';

export type JobStatus = 'queued' | 'running' | 'complete' | 'failed' | 'cancelled';

/** The latest progress report of a job (the CLI's progress line, minus its time stamp). */
export interface JobProgress {
  stage: string;
  /** Fraction of the stage done, in [0, 1]. */
  progress: number;
  elapsed?: number;
  epoch?: number;
  loss?: number;
  valLoss?: number | null;
  iteration?: number;
  kl?: number;
  message?: string;
}

export interface JobState {
  id: string;
  name: string;
  status: JobStatus;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Why a job failed or was cancelled. */
  error: string | null;
  progress: JobProgress | null;
  /** The configuration as posted (validated; runsDir is always the server's). */
  config: Partial<RunConfig>;
}

export type JobEvent =
  | { type: 'progress'; id: string; progress: JobProgress }
  | { type: 'log'; id: string; level: string; message: string }
  | { type: 'state'; job: JobState };

export interface JobCommand {
  file: string;
  args: string[];
}

export interface JobQueueOptions {
  /** The runs directory; job state lives in <runsDir>/.jobs. */
  runsDir: string;
  /** Jobs that may run at once. Default 1. */
  concurrency?: number;
  /**
   * The process to start for a job. Default: this Node with bin/latentmap.js run --config FILE --id ID
   * --runs-dir DIR --log-format json --json.
   */
  command?: (job: { id: string; configFile: string; runsDir: string }) => JobCommand;
  /** After SIGTERM, how long a cancelled job may take to exit before SIGKILL, ms. Default 5000. */
  killGraceMs?: number;
  /** Most jobs waiting in the queue; submit() refuses more (QueueFullError). Default 20. */
  maxQueued?: number;
  log?: (line: string) => void;
}

const BIN = fileURLToPath(new URL('../bin/latentmap.js', import.meta.url));
const REPO = path.dirname(path.dirname(BIN));

export function defaultJobCommand(job: { id: string; configFile: string; runsDir: string }): JobCommand {
  return {
    file: process.execPath,
    args: [BIN, 'run', '--config', job.configFile, '--id', job.id, '--runs-dir', job.runsDir, '--log-format', 'json', '--json'],
  };
}

/** submit() when the queue is full or shut down: the caller should try again later. */
export class QueueFullError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QueueFullError';
  }
}

/** A job file: the state, plus (while queued or running) which server owns it and the child's pid. */
type Persisted = JobState & { pid?: number; owner?: { host: string; pid: number; instance: string } };

interface Running {
  child: ChildProcess;
  cancelRequested: boolean;
  shutdown: boolean;
  lastError: string | null;
  tail: string[];
  exited: Promise<void>;
}

export class JobQueue {
  readonly store: RunStore;
  readonly jobsDir: string;
  private readonly concurrency: number;
  private readonly command: NonNullable<JobQueueOptions['command']>;
  private readonly killGraceMs: number;
  private readonly maxQueued: number;
  private readonly log: (line: string) => void;
  private readonly jobs = new Map<string, JobState>();
  private readonly queue: string[] = [];
  private readonly running = new Map<string, Running>();
  private readonly events = new EventEmitter();
  private closed = false;
  private ready: Promise<void> | null = null;
  /** Tells this queue's job files from those of another live server sharing the runs directory. */
  private readonly instance = randomBytes(6).toString('hex');

  constructor(options: JobQueueOptions) {
    this.store = new RunStore(options.runsDir);
    this.jobsDir = path.join(this.store.dir, JOBS_DIR);
    this.concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new Error('concurrency must be a whole number >= 1');
    this.command = options.command ?? defaultJobCommand;
    this.killGraceMs = options.killGraceMs ?? 5000;
    this.maxQueued = options.maxQueued ?? 20;
    this.log = options.log ?? (() => {});
    this.events.setMaxListeners(0);
  }

  /**
   * Loads the job files. Jobs a previous server left queued or running were cut off (crash or restart):
   * they are marked failed (or complete, when their run made it into place), and their temporary
   * directories are removed. Idempotent; called by the other methods.
   */
  init(): Promise<void> {
    this.ready ??= this.recover();
    return this.ready;
  }

  private async recover(): Promise<void> {
    await mkdir(this.jobsDir, { recursive: true });
    let names: string[] = [];
    try {
      names = await readdir(this.jobsDir);
    } catch {
      names = [];
    }
    for (const name of names) {
      const m = /^(.+)\.json$/.exec(name);
      if (!m || name.endsWith('.config.json') || !isValidRunId(m[1]!)) continue;
      let job: Persisted;
      try {
        job = JSON.parse(await readFile(path.join(this.jobsDir, name), 'utf8')) as Persisted;
      } catch {
        continue;
      }
      if (job.id !== m[1]) continue;
      const owner = job.owner;
      // Another server that is still alive (sharing this runs directory) owns it: leave it alone.
      const othersLive = owner !== undefined && owner.instance !== this.instance && owner.host === hostname() && isProcessAlive(owner.pid);
      if ((job.status === 'queued' || job.status === 'running') && !othersLive) {
        const was = job.status;
        if (was === 'running' && job.pid) killOrphan(job.pid, job.id);
        if (await this.store.exists(job.id)) {
          job.status = 'complete';
          job.error = null;
        } else {
          job.status = 'failed';
          job.error = `interrupted: the server stopped while this job was ${was}; start it again`;
        }
        job.finishedAt = new Date().toISOString();
        await this.save(job);
      }
      delete job.pid;
      delete job.owner;
      this.jobs.set(job.id, job);
    }
    const removed = await this.store.cleanupStale();
    if (removed.length) this.log(`removed ${removed.length} unfinished run director${removed.length === 1 ? 'y' : 'ies'}`);
  }

  private async save(job: JobState, pid?: number): Promise<void> {
    const file = path.join(this.jobsDir, `${job.id}.json`);
    const tmp = `${file}.${process.pid}.${this.instance}.tmp`;
    const live = job.status === 'queued' || job.status === 'running';
    const persisted: Persisted = { ...job };
    if (live) {
      persisted.owner = { host: hostname(), pid: process.pid, instance: this.instance };
      if (pid) persisted.pid = pid;
    }
    await writeFile(tmp, JSON.stringify(persisted));
    await rename(tmp, file);
  }

  /** Queues a run of `config` (already validated). Returns its state (status queued). */
  async submit(config: Partial<RunConfig>): Promise<JobState> {
    await this.init();
    if (this.closed) throw new QueueFullError('the server is shutting down; start the run again once it is back');
    if (this.queue.length >= this.maxQueued) {
      throw new QueueFullError(`${this.queue.length} runs are already waiting; try again when one has finished`);
    }
    const name = config.name ?? config.dataset ?? (config.input ? path.basename(config.input).replace(/\.[^.]*$/, '') : 'mnist');
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
    this.jobs.set(id, job);
    // The CLI resolves relative paths against the config file's folder; here they mean the server's working directory.
    const forCli: Partial<RunConfig> = { ...config };
    for (const k of ['input', 'dataDir'] as const) {
      const v = forCli[k];
      if (typeof v === 'string') forCli[k] = path.resolve(v);
    }
    delete forCli.runsDir;
    await writeFile(this.configFile(id), JSON.stringify(forCli, null, 2));
    await this.save(job);
    this.queue.push(id);
    this.emit({ type: 'state', job });
    this.pump();
    return job;
  }

  get(id: string): JobState | undefined {
    return this.jobs.get(id);
  }

  /** Every job this server knows, newest first. */
  list(): JobState[] {
    return [...this.jobs.values()].sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
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
      await this.finish(job, 'cancelled', 'cancelled before it started');
      return job;
    }
    const r = this.running.get(id);
    if (job.status === 'running' && r) {
      r.cancelRequested = true;
      this.stop(r);
      await r.exited;
    }
    return job;
  }

  /** Stops taking jobs; queued and running jobs are marked failed (interrupted) and their children killed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.init();
    for (const id of this.queue.splice(0)) {
      const job = this.jobs.get(id);
      if (job) await this.finish(job, 'failed', 'interrupted: the server shut down before this job started; start it again');
    }
    const waits: Promise<void>[] = [];
    for (const r of this.running.values()) {
      r.shutdown = true;
      this.stop(r);
      waits.push(r.exited);
    }
    await Promise.all(waits);
  }

  private stop(r: Running): void {
    if (r.child.exitCode !== null || r.child.signalCode !== null) return;
    r.child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (r.child.exitCode === null && r.child.signalCode === null) r.child.kill('SIGKILL');
    }, this.killGraceMs);
    timer.unref();
    void r.exited.then(() => clearTimeout(timer));
  }

  private configFile(id: string): string {
    return path.join(this.jobsDir, `${id}.config.json`);
  }

  private emit(e: JobEvent): void {
    const id = e.type === 'state' ? e.job.id : e.id;
    this.events.emit(id, e);
  }

  private async finish(job: JobState, status: JobStatus, error: string | null): Promise<void> {
    job.status = status;
    job.error = error === null ? null : this.scrub(error);
    job.finishedAt = new Date().toISOString();
    try {
      await this.save(job);
    } catch (err) {
      this.log(`could not save job state ${job.id}: ${(err as Error).message}`);
    }
    this.emit({ type: 'state', job });
  }

  /** Client-facing messages never carry the server's directories. */
  private scrub(message: string): string {
    return message.split(this.store.dir).join('<runs>').split(REPO).join('<app>');
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
    const cmd = this.command({ id: job.id, configFile: this.configFile(job.id), runsDir: this.store.dir });
    const env = { ...process.env };
    delete env.LATENTMAP_TOKEN;
    const child = spawn(cmd.file, cmd.args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let resolveExit!: () => void;
    const r: Running = {
      child,
      cancelRequested: false,
      shutdown: false,
      lastError: null,
      tail: [],
      exited: new Promise<void>((res) => (resolveExit = res)),
    };
    this.running.set(job.id, r);
    job.status = 'running';
    job.startedAt = new Date().toISOString();
    void this.save(job, child.pid).catch(() => {});
    this.emit({ type: 'state', job });

    let buffered = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line) this.onLine(job, r, line);
      }
      // A runaway line without newlines must not grow without bound.
      if (buffered.length > 1 << 20) buffered = buffered.slice(-4096);
    });
    child.stdout!.resume();
    child.on('error', (err) => {
      r.lastError = `could not start the job: ${err.message}`;
    });
    child.on('close', (code, signal) => {
      void this.onExit(job, r, code, signal).finally(() => {
        this.running.delete(job.id);
        resolveExit();
        this.pump();
      });
    });
  }

  private onLine(job: JobState, r: Running, line: string): void {
    let obj: Record<string, unknown> | null = null;
    if (line.startsWith('{')) {
      try {
        obj = JSON.parse(line) as Record<string, unknown>;
      } catch {
        obj = null;
      }
    }
    if (!obj) {
      // Keep the last plain lines for the failure message, but never stack frames.
      if (/^\s*at\s/.test(line) || /^\s*\^+\s*$/.test(line)) return;
      r.tail.push(line.slice(0, 500));
      if (r.tail.length > 20) r.tail.shift();
      return;
    }
    if (obj.type === 'progress' && typeof obj.stage === 'string' && typeof obj.progress === 'number') {
      const { type: _t, time: _time, ...rest } = obj;
      const progress = rest as unknown as JobProgress;
      job.progress = progress;
      this.emit({ type: 'progress', id: job.id, progress });
    } else if (obj.type === 'error' && typeof obj.message === 'string') {
      r.lastError = obj.message;
    } else if (obj.type === 'log' && typeof obj.message === 'string') {
      this.emit({ type: 'log', id: job.id, level: typeof obj.level === 'string' ? obj.level : 'info', message: this.scrub(obj.message) });
    }
  }

  private async onExit(job: JobState, r: Running, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const complete = code === 0 && (await this.store.exists(job.id));
    if (complete) {
      await this.finish(job, 'complete', null);
    } else if (r.shutdown) {
      await this.finish(job, 'failed', 'interrupted: the server shut down while this job was running; start it again');
    } else if (r.cancelRequested) {
      await this.finish(job, 'cancelled', 'cancelled');
    } else {
      const why =
        r.lastError ??
        (code === 0
          ? 'the job ended without writing its run'
          : `the job ${signal ? `was killed (${signal})` : `exited with code ${code}`}${r.tail.length ? `: ${r.tail[r.tail.length - 1]}` : ''}`);
      await this.finish(job, 'failed', why);
    }
    // The child is gone: its hidden temporary directory (if any) can go too.
    try {
      await this.store.cleanupStale();
    } catch {
      // best effort
    }
  }
}

/** Ends a job process left by a crashed server, if that pid is still our CLI for that job (Linux /proc check). */
function killOrphan(pid: number, id: string): void {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(id)) process.kill(pid, 'SIGTERM');
  } catch {
    // not running, or no /proc: nothing to do
  }
}
