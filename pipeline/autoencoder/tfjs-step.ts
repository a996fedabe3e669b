// Training steps through tfjs' automatic differentiation, on one thread: the path for the native tensorflow
// backend (tfjs-node, itself multi-threaded), and the reference the engine (engine.ts) is checked against.
// The dense layers' gradients are hand-written (model.ts) and the optimizer is the flat one (optimizer.ts).
import * as tf from '@tensorflow/tfjs';
import type { PartBuffers } from './engine.js';
import type { Network } from './model.js';
import { objective } from './objective.js';
import { altersInputs, type AutoencoderOptions } from './options.js';
import { optimizerState, optimizerStep, type OptimizerState } from './optimizer.js';
import { paramCount, readGradients, readParams, writeParams } from './params.js';
import { linearPathOffsets, tieMeanBias, tieMeanGradients, type LinearPathOffsets } from './residual.js';

export class TfjsStepper {
  readonly threads = 1 as const;
  readonly fallback = null;
  private readonly weights: Float32Array;
  private readonly grads: Float32Array;
  private readonly state: OptimizerState;
  private readonly local: PartBuffers;
  private updates = 0;
  /** Parameters from here on (the residual's linear path, the last layers) learn at rateScale x the learning rate. */
  private readonly slowFrom: number;
  /** The residual variant's linear path (its input bias tied to its mean, see residual.ts); null otherwise. */
  private readonly tied: LinearPathOffsets | null;

  constructor(
    private readonly net: Network,
    private readonly vars: tf.Variable[],
    private readonly options: AutoencoderOptions,
    batchRows: number,
  ) {
    const count = paramCount(vars);
    const lin = net.linear;
    this.slowFrom = lin ? count - (lin.in.w.size + lin.in.b.size + lin.out.w.size + lin.out.b.size) : count;
    this.tied = lin ? linearPathOffsets(count, options.inputSize, options.codeSize) : null;
    this.weights = new Float32Array(count);
    this.grads = new Float32Array(count);
    this.state = optimizerState(options.optimizer, count);
    readParams(vars, this.weights);
    const n = batchRows * options.inputSize;
    this.local = {
      input: new Float32Array(n),
      inputT: new Float32Array(n),
      target: altersInputs(options) ? new Float32Array(n) : null,
      eps: options.variant === 'vae' ? new Float32Array(batchRows * options.codeSize) : null,
    };
  }

  part(): PartBuffers {
    return this.local;
  }

  firstPartRows(rows: number): number {
    return rows;
  }

  /** One step on the batch in the part buffers; the variables hold the new weights afterwards. */
  step(rows: number): number {
    const D = this.options.inputSize;
    const s = this.local;
    let loss = 0;
    tf.tidy(() => {
      const input = tf.tensor2d(s.input.subarray(0, rows * D), [rows, D]);
      const batch = {
        input,
        inputT: tf.tensor2d(s.inputT!.subarray(0, rows * D), [D, rows]),
        target: s.target ? tf.tensor2d(s.target.subarray(0, rows * D), [rows, D]) : input,
        eps: s.eps ? tf.tensor2d(s.eps.subarray(0, rows * this.options.codeSize), [rows, this.options.codeSize]) : null,
      };
      const { value, grads } = tf.variableGrads(() => objective(this.net, this.options, batch, 1), this.vars);
      readGradients(this.vars, grads, this.grads);
      loss = value.dataSync()[0]!;
    });
    if (this.tied) tieMeanGradients(this.tied, this.weights, this.grads, null);
    const step = ++this.updates;
    const { learningRate, optimizer } = this.options;
    const slow = this.slowFrom;
    optimizerStep(optimizer, learningRate, step, this.weights, this.state, this.grads, null, 0, slow);
    if (slow < this.weights.length) {
      optimizerStep(optimizer, learningRate * (this.options.linearPath?.rateScale ?? 1), step, this.weights, this.state, this.grads, null, slow, this.weights.length);
    }
    if (this.tied) tieMeanBias(this.tied, this.weights);
    writeParams(this.vars, this.weights);
    return loss;
  }

  writeTo(): void {
    // the variables are updated by every step
  }

  snapshot(): Float32Array {
    return this.weights.slice();
  }

  restore(snapshot: Float32Array, vars: tf.Variable[]): void {
    this.weights.set(snapshot);
    writeParams(vars, snapshot);
  }

  async close(): Promise<void> {}
}
