// The training engine: the autoencoder's training steps on a shared WebAssembly memory, with the matrix products
// in our own SIMD kernel (gemm.ts), hand-written gradients (mlp.ts), a flat optimizer (optimizer.ts), and each
// batch split between this thread and a worker on the second core (parallel.ts). tfjs still builds, saves,
// loads and runs the model; only training runs here, because tfjs' wasm backend spent as much time repacking
// changed weights as multiplying (see gemm.ts), and its optimizer ran a dozen kernels per variable per step.
import type * as tf from '@tensorflow/tfjs';
import type { Matrix } from '../types.js';
import { MlpPart, mlpLayout, mlpMemory, partViews, sharedViews, type MlpLayout } from './mlp.js';
import type { AutoencoderOptions } from './options.js';
import { GradientWorker, updateSplit } from './parallel.js';
import { readParams, writeParams } from './params.js';
import { linearPathOffsets, tieMeanBias, tieMeanGradients, type LinearPathOffsets } from './residual.js';

/** Where fillPart writes one part of a batch. */
export interface PartBuffers {
  input: Float32Array;
  /** The input's transpose (the tfjs path's first-layer gradient); null when not needed. */
  inputT: Float32Array | null;
  /** Clean targets (denoising only; otherwise the input is the target). */
  target: Float32Array | null;
  eps: Float32Array | null;
}

export class TrainingEngine {
  private updates = 0;
  private readonly views: ReturnType<typeof sharedViews>;
  /** The residual variant's linear path (its input bias tied to its mean, see residual.ts); null otherwise. */
  private readonly tied: LinearPathOffsets | null;

  private constructor(
    private readonly options: AutoencoderOptions,
    readonly layout: MlpLayout,
    private readonly memory: WebAssembly.Memory,
    private readonly main: MlpPart,
    private readonly worker: GradientWorker | null,
    /** Why a second thread was wanted but not used (for the run's notes), else null. */
    readonly fallback: string | null,
  ) {
    this.views = sharedViews(layout, memory);
    this.tied = layout.linear ? linearPathOffsets(layout.count, options.inputSize, options.codeSize) : null;
  }

  /**
   * An engine for batches of at most batchRows rows, on `threads` threads, starting from the variables' values.
   * If the worker cannot start, it trains on one thread and says why in `fallback`.
   */
  static async start(options: AutoencoderOptions, vars: tf.Variable[], batchRows: number, threads: 1 | 2): Promise<TrainingEngine> {
    let layout = mlpLayout(options, Math.ceil(batchRows / threads), threads);
    let memory = mlpMemory(layout);
    let worker: GradientWorker | null = null;
    let fallback: string | null = null;
    if (threads === 2) {
      try {
        worker = await GradientWorker.start(options, layout, memory);
      } catch (err) {
        fallback = `the training worker could not start (${err instanceof Error ? err.message : String(err)}); trained on one thread`;
        layout = mlpLayout(options, batchRows, 1);
        memory = mlpMemory(layout);
      }
    }
    const main = new MlpPart(layout, memory, options, 0);
    const engine = new TrainingEngine(options, layout, memory, main, worker, fallback);
    readParams(vars, engine.views.weights);
    main.transposeWeights(0, layout.count);
    return engine;
  }

  get threads(): 1 | 2 {
    return this.worker ? 2 : 1;
  }

  /** The buffers of part t (0: this thread, 1: the worker). */
  part(t: 0 | 1): PartBuffers {
    return { ...partViews(this.layout, this.memory, this.options, t), inputT: null };
  }

  /** Rows of a batch of `rows` that this thread takes (the worker takes the rest). */
  firstPartRows(rows: number): number {
    return this.worker && rows >= 2 ? Math.ceil(rows / 2) : rows;
  }

  /**
   * One step on a batch of `rows` rows whose parts are already in the part buffers (firstPartRows(rows) in
   * part 0, the rest in part 1); returns the batch's objective.
   */
  step(rows: number): number {
    const mine = this.firstPartRows(rows);
    const w = this.worker;
    if (w && mine < rows) w.beginGrad(rows - mine, rows);
    let loss = this.main.step(mine, rows);
    const step = ++this.updates;
    const count = this.layout.count;
    const split = w !== null && mine < rows;
    if (split) loss += w.finish();
    if (this.tied) tieMeanGradients(this.tied, this.views.weights, this.views.grads[0], split ? this.views.grads[1] : null);
    if (split) {
      w.beginUpdate(step);
      this.main.update(step, 0, updateSplit(count), true);
      w.finish();
    } else {
      // one thread, or a one-row batch the worker had no part of (its gradient array is stale)
      this.main.update(step, 0, count, false);
    }
    if (this.tied) tieMeanBias(this.tied, this.views.weights);
    return loss;
  }

  /**
   * The mean over x's rows of each row's reconstruction loss against `target`'s row (default: itself), through
   * the current weights (the vae through its mean code), plus the vae's weighted KL term with withKl. Both
   * threads take part. With `rows`, only those rows of x (and of target), in that order, without copying x.
   */
  evaluate(x: Matrix, target: Matrix | null, withKl: boolean, rows: Int32Array | null = null): number {
    const D = this.options.inputSize;
    const max = this.layout.maxRows;
    const n = rows ? rows.length : x.rows;
    const parts: PartBuffers[] = this.worker ? [this.part(0), this.part(1)] : [this.part(0)];
    const copy = (dst: Float32Array, m: Matrix, from: number, to: number): void => {
      if (!rows) dst.set(m.values.subarray(from * D, to * D));
      else for (let i = from; i < to; i++) dst.set(m.values.subarray(rows[i]! * D, (rows[i]! + 1) * D), (i - from) * D);
    };
    const fill = (p: PartBuffers, from: number, to: number) => {
      copy(p.input, x, from, to);
      if (p.target) copy(p.target, target ?? x, from, to);
    };
    let sum = 0;
    for (let start = 0; start < n; start += max * parts.length) {
      const mid = Math.min(n, start + max);
      const end = Math.min(n, mid + (parts.length - 1) * max);
      fill(parts[0]!, start, mid);
      if (end > mid) {
        fill(parts[1]!, mid, end);
        this.worker!.beginEvaluate(end - mid, withKl);
      }
      sum += this.main.evaluate(mid - start, withKl);
      if (end > mid) sum += this.worker!.finish();
    }
    return n > 0 ? sum / n : NaN;
  }

  /** Copies the trained weights into the tfjs variables. */
  writeTo(vars: tf.Variable[]): void {
    writeParams(vars, this.views.weights);
  }

  /** A copy of the weights (early stopping's best). */
  snapshot(): Float32Array {
    return this.views.weights.slice();
  }

  /** Puts a snapshot back (and into the variables). */
  restore(snapshot: Float32Array, vars: tf.Variable[]): void {
    this.views.weights.set(snapshot);
    this.main.transposeWeights(0, this.layout.count);
    writeParams(vars, snapshot);
  }

  async close(): Promise<void> {
    await this.worker?.close();
  }
}
