// The training engine's second thread (see engine.ts). Both threads share one WebAssembly.Memory: weights,
// optimizer state, both gradients and both parts of each batch. Each step has two phases:
//   grad:   each thread runs forward and backward on its part of the batch into its own gradient array;
//   update: each thread applies the optimizer to its half of the parameters with the sum of both gradients
//           and rewrites the transposed weights of that half.
// Every parameter is updated by one fixed thread with the same arithmetic, so a seed gives the same weights
// whatever the timing. Synchronization is counters in an Int32Array (Atomics.wait / notify); the worker serves a
// request when the request counter changes, never merely when woken (a wake can arrive late: see post in threads.ts).
import type { Worker } from 'node:worker_threads';
import { awaitValue, post, startThread } from '../threads.js';
import type { MlpLayout } from './mlp.js';
import type { AutoencoderOptions } from './options.js';

/** Indices into the control array. */
export const CTRL = { request: 0, done: 1, rows: 2, command: 3, failed: 4, step: 5, batchRows: 6 } as const;
export const CMD = { grad: 1, update: 2, exit: 3, evaluate: 4 } as const;
/** A worker phase that takes longer than this is treated as a crash. */
const PHASE_TIMEOUT_MS = 120_000;

export interface WorkerData {
  options: AutoencoderOptions;
  layout: MlpLayout;
  memory: WebAssembly.Memory;
  control: Int32Array;
  /** [the worker's last scaled loss] */
  scalars: Float64Array;
  error: Uint8Array;
}

/** The parameter index where the worker's half of the optimizer update starts. */
export function updateSplit(count: number): number {
  return Math.floor(count / 2);
}

export class GradientWorker {
  private request = 0;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    private readonly data: WorkerData,
  ) {}

  /** Starts the worker on the shared memory; rejects if it cannot start. */
  static async start(options: AutoencoderOptions, layout: MlpLayout, memory: WebAssembly.Memory): Promise<GradientWorker> {
    const data: WorkerData = {
      options,
      layout,
      memory,
      control: new Int32Array(new SharedArrayBuffer(8 * 4)),
      scalars: new Float64Array(new SharedArrayBuffer(8)),
      error: new Uint8Array(new SharedArrayBuffer(4096)),
    };
    const worker = startThread(new URL('./gradient-worker.ts', import.meta.url), { workerData: data });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      const onExit = (code: number) => reject(new Error(`the training worker exited with code ${code} before it was ready`));
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.once('message', (m: unknown) => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (m === 'ready') resolve();
        else reject(new Error(`the training worker failed to start: ${String(m)}`));
      });
    });
    worker.on('error', () => undefined); // reported through the shared error buffer or the phase timeout
    return new GradientWorker(worker, data);
  }

  /** Starts the worker's forward and backward pass on its `rows` rows (already in memory) of a batch of batchRows. */
  beginGrad(rows: number, batchRows: number): void {
    this.data.control[CTRL.rows] = rows;
    this.data.control[CTRL.batchRows] = batchRows;
    this.send(CMD.grad);
  }

  /** Starts a forward-only evaluation of the worker's `rows` rows (see MlpPart.evaluate). */
  beginEvaluate(rows: number, withKl: boolean): void {
    this.data.control[CTRL.rows] = rows;
    this.data.control[CTRL.step] = withKl ? 1 : 0;
    this.send(CMD.evaluate);
  }

  /** Starts optimizer update number `step` of the second half of the parameters. */
  beginUpdate(step: number): void {
    this.data.control[CTRL.step] = step;
    this.send(CMD.update);
  }

  /** Blocks until the worker's phase is done; returns its loss (after a grad phase: scaled; after evaluate: the sum). */
  finish(): number {
    const c = this.data.control;
    if (!awaitValue(c, CTRL.done, this.request, PHASE_TIMEOUT_MS)) throw new Error('the training worker did not answer within 120 s');
    if (c[CTRL.failed]) {
      const error = this.data.error;
      const end = error.indexOf(0);
      throw new Error(`the training worker failed: ${new TextDecoder().decode(error.slice(0, end < 0 ? undefined : end))}`);
    }
    return this.data.scalars[0]!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.send(CMD.exit);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }

  private send(command: number): void {
    const c = this.data.control;
    c[CTRL.command] = command;
    this.request++;
    post(c, CTRL.request, this.request);
  }
}
