// Data parallelism on the second core: a worker thread holds a replica of the network, computes the gradient
// of its part of each batch, and hands it back through shared memory; the main thread adds it to its own
// part's gradient and applies the optimizer step, then publishes the new weights for the next step.
// Synchronization is two counters in an Int32Array over a SharedArrayBuffer (Atomics.wait / notify).
import { Worker } from 'node:worker_threads';
import type { AutoencoderOptions } from './options.js';

/** Indices into the control array. */
export const CTRL = { request: 0, done: 1, rows: 2, command: 3, failed: 4 } as const;
export const CMD = { step: 1, exit: 2 } as const;
/** A worker step that takes longer than this is treated as a crash. */
const STEP_TIMEOUT_MS = 120_000;

export interface SharedBuffers {
  control: Int32Array;
  /** [scale, loss] */
  scalars: Float64Array;
  weights: Float32Array;
  grads: Float32Array;
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

function shared(n: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
}

export class GradientWorker {
  private request = 0;
  private closed = false;

  private constructor(
    private readonly worker: Worker,
    readonly buffers: SharedBuffers,
  ) {}

  /** Starts a worker for batches of at most maxRows rows; rejects if it cannot start. */
  static async start(options: AutoencoderOptions, paramCount: number, maxRows: number): Promise<GradientWorker> {
    const D = options.inputSize;
    const buffers: SharedBuffers = {
      control: new Int32Array(new SharedArrayBuffer(8 * 4)),
      scalars: new Float64Array(new SharedArrayBuffer(2 * 8)),
      weights: shared(paramCount),
      grads: shared(paramCount),
      input: shared(maxRows * D),
      inputT: shared(maxRows * D),
      target: shared(options.noise ? maxRows * D : 0),
      eps: shared(options.variant === 'vae' ? maxRows * options.codeSize : 0),
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
    worker.on('error', () => undefined); // reported through the shared error buffer or the step timeout
    return new GradientWorker(worker, buffers);
  }

  /** Tells the worker to compute the gradient of its `rows` rows (already written to the buffers), scaled. */
  begin(rows: number, scale: number): void {
    const c = this.buffers.control;
    this.buffers.scalars[0] = scale;
    c[CTRL.rows] = rows;
    c[CTRL.command] = CMD.step;
    this.request++;
    Atomics.store(c, CTRL.request, this.request);
    Atomics.notify(c, CTRL.request);
  }

  /** Blocks until the worker's step is done; returns its (scaled) loss. Its gradient is in buffers.grads. */
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
    const c = this.buffers.control;
    c[CTRL.command] = CMD.exit;
    this.request++;
    Atomics.store(c, CTRL.request, this.request);
    Atomics.notify(c, CTRL.request);
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    const timer = setTimeout(() => void this.worker.terminate(), 5000);
    await exited;
    clearTimeout(timer);
  }
}
