// The process a job runs: by default this Node running `bin/latentmap.js run` with the job's config file.
// Starting it, stopping it (SIGTERM, then SIGKILL after a grace period), and ending an orphan a crashed
// server left behind. Knows nothing of queues or job records.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withoutServerEnv } from '../node-flags.js';

export interface JobCommand {
  file: string;
  args: string[];
}

/** What the command of a job is built from. */
export interface JobCommandInput {
  id: string;
  configFile: string;
  runsDir: string;
  /** V8 heap limit for the job, MB (--max-old-space-size); null: Node's default. */
  heapMb?: number | null;
  /** Most bytes a gzipped input may decompress to (the CLI's --max-decompressed-bytes); null: no cap. */
  maxDecompressedBytes?: number | null;
  /** The server's data roots (real paths): the job checks its input against them again right before opening it. */
  dataRoots?: readonly string[];
}

export const BIN = fileURLToPath(new URL('../../bin/latentmap.js', import.meta.url));
/** The repository (the child's working directory). */
export const REPO = path.dirname(path.dirname(BIN));

export function defaultJobCommand(job: JobCommandInput): JobCommand {
  return {
    file: process.execPath,
    args: [...(job.heapMb ? [`--max-old-space-size=${job.heapMb}`] : []), BIN, 'run', '--config', job.configFile, '--id', job.id, '--runs-dir', job.runsDir, '--log-format', 'json', '--json', ...(job.maxDecompressedBytes ? ['--max-decompressed-bytes', String(job.maxDecompressedBytes)] : []), ...(job.dataRoots ?? []).flatMap((dir) => ['--data-root', dir])],
  };
}

/** What a job may use while it runs; past either it is killed (SIGKILL) and `onLimit` says which. */
export interface ProcessLimits {
  /** Resident memory, bytes (checked every `everyMs`, Linux /proc). */
  maxRssBytes?: number | null;
  /** Wall-clock time, seconds. */
  maxSeconds?: number | null;
  everyMs?: number;
}

/** Resident set size of a process, bytes (Linux /proc), or null when unknown. */
export function rssOf(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

export interface JobProcess {
  readonly child: ChildProcess;
  /** Resolves once the process has exited and its pipes have closed. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM now, SIGKILL after graceMs if it is still running. */
  stop(graceMs: number): void;
  /** Whether the process has exited. */
  readonly done: boolean;
}

/**
 * Starts a job's process with stdin closed and stdout drained; `onStderr` gets stderr as text.
 * The server's token is not passed on. A process that cannot start still resolves `exited` (code null),
 * after `onStartError`.
 */
export function startJobProcess(
  cmd: JobCommand,
  handlers: {
    onStderr: (chunk: string) => void;
    onStartError: (err: Error) => void;
    onLimit?: (kind: 'memory' | 'time', detail: string) => void;
  },
  limits: ProcessLimits = {},
): JobProcess {
  // as `latentmap run` at a terminal: without the allocator settings the server's own Node was started with
  const env = withoutServerEnv(process.env);
  delete env.LATENTMAP_TOKEN;
  const child = spawn(cmd.file, cmd.args, { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', handlers.onStderr);
  child.stdout!.resume();
  child.on('error', handlers.onStartError);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal }));
  });
  const done = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const timers: NodeJS.Timeout[] = [];
  const overLimit = (kind: 'memory' | 'time', detail: string): void => {
    if (done()) return;
    handlers.onLimit?.(kind, detail);
    child.kill('SIGKILL');
  };
  if (limits.maxRssBytes && child.pid) {
    const pid = child.pid;
    const max = limits.maxRssBytes;
    timers.push(
      setInterval(() => {
        const rss = rssOf(pid);
        if (rss !== null && rss > max) overLimit('memory', `${Math.round(rss / 1024 ** 2)} MB`);
      }, limits.everyMs ?? 500),
    );
  }
  if (limits.maxSeconds) {
    const s = limits.maxSeconds;
    timers.push(setTimeout(() => overLimit('time', `${s} s`), s * 1000));
  }
  for (const t of timers) t.unref();
  void exited.then(() => timers.forEach((t) => clearTimeout(t)));
  return {
    child,
    exited,
    get done() {
      return done();
    },
    stop(graceMs) {
      if (done()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        if (!done()) child.kill('SIGKILL');
      }, graceMs);
      timer.unref();
      void exited.then(() => clearTimeout(timer));
    },
  };
}

/** Ends a job process left by a crashed server, if that pid is still our CLI for that job (Linux /proc check). */
export function killOrphan(pid: number, id: string): void {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes(id)) process.kill(pid, 'SIGTERM');
  } catch {
    // not running, or no /proc: nothing to do
  }
}
