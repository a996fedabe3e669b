// A Python job script (quality_peers.py, quality_metrics.py) kept running for a whole benchmark and fed one job
// at a time: each script's `--jobs -` reads tab-separated job lines from stdin and answers each with one JSON
// line on stdout, flushed. One process pays the imports (umap-learn and scikit-learn take 20 s on this loaded
// machine) once, as the older `--jobs FILE` did, while every answer arrives as soon as its job is done, so a
// benchmark can write its figures seed by seed and a run stopped early keeps what it finished.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** Most of a failed script's stderr that an error quotes (its end: where the traceback is). */
const STDERR_KEPT = 16_384;

export class JobPipe {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: { resolve: (value: unknown) => void; reject: (err: Error) => void }[] = [];
  private buffered = '';
  private stderr = '';
  private failure: Error | null = null;

  /**
   * Starts `command ...args` (the script with `--jobs -`). `env` is added to this process's environment.
   * Errors: a job's promise rejects when the process exits or fails before answering it, or answers with a
   * line that is not JSON; the error quotes the end of its stderr.
   */
  constructor(command: string, args: string[], env: Record<string, string> = {}) {
    this.child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.setEncoding('utf8');
    this.child.stderr.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.take(chunk));
    this.child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEPT);
    });
    this.child.on('error', (err) => this.fail(new Error(`${command} ${args.join(' ')}: ${err.message}`)));
    this.child.on('close', (code, signal) => this.fail(new Error(`${command} ${args.join(' ')} exited (${signal ?? `code ${code}`}) with ${this.waiting.length} job(s) unanswered: ${this.stderr}`)));
  }

  /** Sends one job (its fields, tab-joined into a line) and resolves with the script's JSON answer to it. */
  ask<T>(fields: (string | number)[]): Promise<T> {
    if (this.failure) return Promise.reject(this.failure);
    const answer = new Promise<T>((resolve, reject) => this.waiting.push({ resolve: resolve as (value: unknown) => void, reject }));
    this.child.stdin.write(`${fields.join('\t')}\n`);
    return answer;
  }

  /** Closes the script's stdin (it ends after its last answer) and waits for it to exit. */
  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('close', () => resolve()));
    this.child.stdin.end();
    await exited;
  }

  private take(chunk: string): void {
    this.buffered += chunk;
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (!line) continue;
      const next = this.waiting.shift();
      if (!next) continue; // an answer to no job: nothing waits for it
      try {
        next.resolve(JSON.parse(line));
      } catch {
        next.reject(new Error(`not a JSON answer: ${line.slice(0, 200)}`));
      }
    }
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(err);
  }
}
