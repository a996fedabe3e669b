// Data parallelism on the second core. The parameters, the optimizer state and both threads' gradients live
// in shared memory. Each training step has two phases:
//   grad:   each thread loads the shared weights into its network and computes the gradient of its part of
//           the batch (this thread the first part, the worker the second) into its own gradient array;
//   update: each thread applies the optimizer to half of the parameters, with the sum of the two gradients.
// Every parameter is updated by one fixed thread with the same arithmetic, so a seed gives the same weights
// whatever the timing. Synchronization is counters in an Int32Array (Atomics.wait / notify).
import { Worker } from 'node:worker_threads';
import type { AutoencoderOptions } from './options.js';
import type { OptimizerState } from './optimizer.js';

/** Indices into the control array. */
export const CTRL = { request: 0, done: 1, rows: 2, command: 3, failed: 4, step: 5 } as const;
export const CMD = { grad: 1, update: 2, exit: 3 } as const;
/** A worker phase that takes longer than this is treated as a crash. */
const STEP_TIMEOUT_MS = 120_000;

export interface SharedBuffers {
  control: Int32Array;
  /** [scale of the worker's loss, the worker's scaled loss] */
  scalars: Float64Array;
  /** Every weight and bias (params.ts layout): the one copy the optimizer updates. */
  weights: Float32Array;
  /** The gradient of this thread's part of the batch. */
  grads0: Float32Array;
  /** The gradient of the worker's part. */
  grads1: Float32Array;
  state: OptimizerState;
  input: Float32Array;
  inputT: Float32Array;
  target: Float32Array;
  eps: Float32Array;
  error: Uint8Array;
}

export interface WorkerData {
  options: AutoencoderOptions;
  buffers: SharedBuffers;
}

/**
 * A worker script that registers tsx's loader and then imports the TypeScript module. (execArgv
 * ['--import', 'tsx'] does not install the loader in worker threads on Node 20 here.)
 */
function bootstrap(moduleUrl: string): string {
  const api = import.meta.resolve('tsx/esm/api');
  return `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(moduleUrl)}); });`;
}

/** A Float32Array over shared memory. */
export function sharedFloats(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4)).subarray(0, n);
}

export class GradientWorker {
  private request = 0;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly buffers: SharedBuffers,
  ) {}

  /**
   * Starts a worker for parts of at most maxRows rows. weights and state must be shared arrays (sharedFloats);
   * rejects if the worker cannot start.
   */
  static async start(options: AutoencoderOptions, weights: Float32Array, state: OptimizerState, maxRows: number): Promise<GradientWorker> {
    const D = options.inputSize;
    const count = weights.length;
    const buffers: SharedBuffers = {
      control: new Int32Array(new SharedArrayBuffer(8 * 4)),
      scalars: new Float64Array(new SharedArrayBuffer(2 * 8)),
      weights,
      grads0: sharedFloats(count),
      grads1: sharedFloats(count),
      state,
      input: sharedFloats(maxRows * D),
      inputT: sharedFloats(maxRows * D),
      target: sharedFloats(options.noise ? maxRows * D : 0),
      eps: sharedFloats(options.variant === 'vae' ? maxRows * options.codeSize : 0),
      error: new Uint8Array(new SharedArrayBuffer(4096)),
    };
    const data: WorkerData = { options, buffers };
    const worker = new Worker(bootstrap(new URL('./gradient-worker.ts', import.meta.url).href), { eval: true, workerData: data });
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      const onExit = (code: number) => reject(new Error(`the gradient worker exited with code ${code} before it was ready`));
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.once('message', (m: unknown) => {
        worker.off('error', onError);
        worker.off('exit', onExit);
        if (m === 'ready') resolve();
        else reject(new Error(`the gradient worker failed to start: ${String(m)}`));
      });
    });
    worker.on('error', () => undefined); // reported through the shared error buffer or the phase timeout
    return new GradientWorker(worker, buffers);
  }

  /** Tells the worker to compute the gradient of its `rows` rows (already in the buffers), its loss scaled by `scale`. */
  beginGrad(rows: number, scale: number): void {
    this.buffers.scalars[0] = scale;
    this.buffers.control[CTRL.rows] = rows;
    this.send(CMD.grad);
  }

  /** Tells the worker to apply optimizer update number `step` to the second half of the parameters. */
  beginUpdate(step: number): void {
    this.buffers.control[CTRL.step] = step;
    this.send(CMD.update);
  }

  /** Blocks until the worker's phase is done; returns its scaled loss (meaningful after a grad phase). */
  finish(): number {
    const c = this.buffers.control;
    const deadline = Date.now() + STEP_TIMEOUT_MS;
    while (Atomics.load(c, CTRL.done) !== this.request) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the gradient worker did not answer within 120 s');
      Atomics.wait(c, CTRL.done, Atomics.load(c, CTRL.done), Math.min(left, 1000));
    }
    if (c[CTRL.failed]) {
      const end = this.buffers.error.indexOf(0);
      const message = new TextDecoder().decode(this.buffers.error.slice(0, end < 0 ? undefined : end));
      throw new Error(`the gradient worker failed: ${message}`);
    }
    return this.buffers.scalars[1]!;
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
    const c = this.buffers.control;
    c[CTRL.command] = command;
    this.request++;
    Atomics.store(c, CTRL.request, this.request);
    Atomics.notify(c, CTRL.request);
  }
}

/** The parameter index where the worker's half of the optimizer update starts. */
export function updateSplit(count: number): number {
  return Math.floor(count / 2);
}
