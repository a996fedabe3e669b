// The training engine's network: the autoencoder's dense layers over one shared WebAssembly.Memory, with the
// forward pass, the objective and the backward pass written out by hand (matrix products in gemm.ts,
// element-wise work in JavaScript). It computes the same objective as objective.ts (which the tfjs path
// differentiates automatically): mean reconstruction loss + sparsity penalty (sparse) + weighted KL (vae).
//
// Memory layout, in floats: the shared part (weights in params.ts order, their transposes, one gradient per
// thread, the optimizer state), then one area per thread (its rows of the batch and its activations).
import { createAdam, createBce, createGemm, MAX_PAGES, type AdamKernel, type Bce, type Gemm } from './kernels.js';
import type { LayerActivation } from './model.js';
import { altersInputs, LINEAR_IN, LINEAR_OUT, type AutoencoderOptions } from './options.js';
import { optimizerStep, type OptimizerState } from './optimizer.js';

/** One dense layer's place in memory (offsets in floats). */
export interface LayerSpec {
  name: string;
  inputs: number;
  units: number;
  activation: LayerActivation;
  /** Weights [inputs x units] and bias [units] in the parameter array (params.ts order). */
  w: number;
  b: number;
  /** Offset of this layer's weights inside the transposed copy [units x inputs]. */
  wt: number;
}

export interface MlpLayout {
  layers: LayerSpec[];
  /** Indices into layers. */
  encoder: number[];
  code: number;
  logVar: number | null;
  decoder: number[];
  output: number;
  /** residual variant: the linear path's layers (indices into layers), the last two; null otherwise. */
  linear: { in: number; out: number } | null;
  /** Parameters from this offset on (the linear path's) learn at learningRate x rateScale; count when none do. */
  slowFrom: number;
  rateScale: number;
  /** Parameter count (weights and biases). */
  count: number;
  /** Weight count (the transposed copy's length). */
  weightCount: number;
  /** Rows of one thread's part of a batch, at most. */
  maxRows: number;
  threads: 1 | 2;
  optimizer: AutoencoderOptions['optimizer'];
  /** Float offsets of the shared arrays. */
  shared: { weights: number; transposed: number; grads: [number, number]; m: number; v: number };
  /** Float offsets of each thread's area. */
  parts: PartLayout[];
  /** Total floats. */
  floats: number;
}

export interface PartLayout {
  input: number;
  target: number;
  eps: number;
  /** Activations (post-activation; logits for the output layer), one per layer, [maxRows x units]. */
  act: number[];
  /** vae: the sampled code [maxRows x codeSize]. */
  sample: number;
  /**
   * Gradient scratch, two of [maxRows x widest], one [maxRows x codeSize] for the vae's log-variance and one
   * [maxRows x codeSize] for the residual's gradient through its linear path.
   */
  scratch: [number, number, number, number];
}

/** Layers in params.ts order (encoder, code, [logVar], decoder, output), as buildNetwork makes them. */
export function mlpLayout(options: AutoencoderOptions, maxRows: number, threads: 1 | 2): MlpLayout {
  const specs: Omit<LayerSpec, 'w' | 'b' | 'wt'>[] = [];
  const sizes = [options.inputSize, ...options.layers];
  const encoder: number[] = [];
  for (let i = 1; i < sizes.length; i++) encoder.push(specs.push({ name: `enc_${i}`, inputs: sizes[i - 1]!, units: sizes[i]!, activation: options.activation }) - 1);
  const last = sizes[sizes.length - 1]!;
  const vae = options.variant === 'vae';
  const code = specs.push({ name: vae ? 'code_mean' : 'code', inputs: last, units: options.codeSize, activation: options.codeActivation }) - 1;
  const logVar = vae ? specs.push({ name: 'code_logvar', inputs: last, units: options.codeSize, activation: 'linear' }) - 1 : null;
  const back = [options.codeSize, ...[...options.layers].reverse()];
  const decoder: number[] = [];
  for (let i = 1; i < back.length; i++) decoder.push(specs.push({ name: `dec_${i}`, inputs: back[i - 1]!, units: back[i]!, activation: options.activation }) - 1);
  const output = specs.push({ name: 'output', inputs: back[back.length - 1]!, units: options.inputSize, activation: 'linear' }) - 1;
  const residual = options.linearPath !== null;
  const linear = residual
    ? {
        in: specs.push({ name: LINEAR_IN, inputs: options.inputSize, units: options.codeSize, activation: 'linear' }) - 1,
        out: specs.push({ name: LINEAR_OUT, inputs: options.codeSize, units: options.inputSize, activation: 'linear' }) - 1,
      }
    : null;

  let count = 0;
  let weightCount = 0;
  const layers = specs.map((s) => {
    const spec: LayerSpec = { ...s, w: count, b: count + s.inputs * s.units, wt: weightCount };
    count += s.inputs * s.units + s.units;
    weightCount += s.inputs * s.units;
    return spec;
  });
  const slowFrom = linear ? layers[linear.in]!.w : count;

  // 16 floats (64 bytes) alignment for every array
  let top = 0;
  const take = (n: number) => {
    const at = top;
    top += Math.ceil(Math.max(n, 1) / 16) * 16;
    return at;
  };
  const shared = {
    weights: take(count),
    transposed: take(weightCount),
    grads: [take(count), threads === 2 ? take(count) : 0] as [number, number],
    m: take(options.optimizer === 'sgd' ? 0 : count),
    v: take(options.optimizer === 'adam' ? count : 0),
  };
  const D = options.inputSize;
  const C = options.codeSize;
  const widest = Math.max(D, C, ...options.layers);
  const parts: PartLayout[] = [];
  for (let t = 0; t < threads; t++) {
    parts.push({
      input: take(maxRows * D),
      target: take(altersInputs(options) ? maxRows * D : 0),
      eps: take(vae ? maxRows * C : 0),
      act: layers.map((l) => take(maxRows * l.units)),
      sample: take(vae ? maxRows * C : 0),
      scratch: [take(maxRows * widest), take(maxRows * widest), take(vae ? maxRows * C : 0), take(residual ? maxRows * C : 0)],
    });
  }
  return { layers, encoder, code, logVar, decoder, output, linear, slowFrom, rateScale: options.linearPath?.rateScale ?? 1, count, weightCount, maxRows, threads, optimizer: options.optimizer, shared, parts, floats: top };
}

/** A shared memory big enough for the layout. */
export function mlpMemory(layout: MlpLayout): WebAssembly.Memory {
  const pages = Math.ceil((layout.floats * 4) / 65536) + 1;
  if (pages > MAX_PAGES) throw new Error(`the training engine needs ${Math.ceil((pages * 64) / 1024)} MiB, more than its 1 GiB limit; use a smaller --batch-size or fewer/smaller layers`);
  return new WebAssembly.Memory({ initial: pages, maximum: MAX_PAGES, shared: true });
}

/** Views of the shared arrays (for the optimizer and for copying weights in and out). */
export function sharedViews(layout: MlpLayout, memory: WebAssembly.Memory) {
  const f = new Float32Array(memory.buffer);
  const s = layout.shared;
  const view = (at: number, n: number) => f.subarray(at, at + n);
  const state: OptimizerState = { m: view(s.m, layout.optimizer === 'sgd' ? 0 : layout.count), v: view(s.v, layout.optimizer === 'adam' ? layout.count : 0) };
  return {
    weights: view(s.weights, layout.count),
    grads: [view(s.grads[0], layout.count), layout.threads === 2 ? view(s.grads[1], layout.count) : null] as [Float32Array, Float32Array | null],
    state,
  };
}

/** Float views of thread t's input rows, clean targets (denoising) and the vae's draws. */
export function partViews(layout: MlpLayout, memory: WebAssembly.Memory, options: AutoencoderOptions, t: 0 | 1) {
  const f = new Float32Array(memory.buffer);
  const part = layout.parts[t]!;
  const D = options.inputSize;
  return {
    input: f.subarray(part.input, part.input + layout.maxRows * D),
    target: altersInputs(options) ? f.subarray(part.target, part.target + layout.maxRows * D) : null,
    eps: options.variant === 'vae' ? f.subarray(part.eps, part.eps + layout.maxRows * options.codeSize) : null,
  };
}

/**
 * Forward, objective and backward for one thread's part of a batch, over the shared memory. The caller fills
 * part.input (and target, eps) with `rows` rows, then calls step(); the gradient lands in this thread's
 * gradient array. Losses and gradients are scaled by rows / batchRows, so the two parts' gradients sum to the
 * batch's.
 */
export class MlpPart {
  private readonly f: Float32Array;
  private readonly gemm: Gemm;
  private readonly bce: Bce;
  private readonly adam: AdamKernel;
  private readonly views: ReturnType<typeof sharedViews>;
  private readonly part: PartLayout;
  private readonly grad: number;

  constructor(
    readonly layout: MlpLayout,
    memory: WebAssembly.Memory,
    private readonly options: AutoencoderOptions,
    readonly thread: 0 | 1,
  ) {
    this.f = new Float32Array(memory.buffer);
    this.gemm = createGemm(memory);
    this.bce = createBce(memory);
    this.adam = createAdam(memory);
    this.views = sharedViews(layout, memory);
    this.part = layout.parts[thread]!;
    this.grad = layout.shared.grads[thread];
  }

  /**
   * Optimizer update number `step` of parameters [from, to), then the transposes of the weights in that range.
   * The gradient is this thread's, plus the worker's when `summed` (the batch was split between the two).
   */
  update(step: number, from: number, to: number, summed: boolean): void {
    const { layout, options } = this;
    const s = layout.shared;
    const two = layout.threads === 2 && summed;
    // [from, to) in at most two ranges: before slowFrom at the learning rate, from it on at rateScale times it
    const ranges: [number, number, number][] = [];
    if (from < Math.min(to, layout.slowFrom)) ranges.push([from, Math.min(to, layout.slowFrom), options.learningRate]);
    if (Math.max(from, layout.slowFrom) < to) ranges.push([Math.max(from, layout.slowFrom), to, options.learningRate * layout.rateScale]);
    for (const [lo, hi, rate] of ranges) {
      if (options.optimizer === 'adam') {
        this.adam(s.weights, s.m, s.v, s.grads[0], two ? s.grads[1] : null, lo, hi, rate, step);
      } else {
        const v = this.views;
        optimizerStep(options.optimizer, rate, step, v.weights, v.state, v.grads[0], two ? v.grads[1] : null, lo, hi);
      }
    }
    this.transposeWeights(from, to);
  }

  /** Writes the transposes of layers' weights whose parameters lie in [from, to) (after an optimizer update). */
  transposeWeights(from: number, to: number): void {
    const { f, layout } = this;
    const w0 = layout.shared.weights;
    const t0 = layout.shared.transposed;
    for (const l of layout.layers) {
      const lo = Math.max(from, l.w);
      const hi = Math.min(to, l.b);
      if (lo >= hi) continue;
      const n = l.units;
      const rows = l.inputs;
      const src = w0 + l.w;
      const dst = t0 + l.wt;
      const e0 = lo - l.w;
      const e1 = hi - l.w;
      // whole rows r0..r1 (the first and last possibly partial), eight rows at a time so the strided
      // writes land in the same cache lines
      const r0 = Math.floor(e0 / n);
      const r1 = Math.ceil(e1 / n);
      for (let rb = r0; rb < r1; rb += 8) {
        const rEnd = Math.min(r1, rb + 8);
        for (let c = 0; c < n; c++) {
          const out = dst + c * rows;
          for (let r = rb; r < rEnd; r++) {
            const e = r * n + c;
            if (e >= e0 && e < e1) f[out + r] = f[src + e]!;
          }
        }
      }
    }
  }

  /** One part's forward and backward pass; returns its objective scaled by rows / batchRows. */
  step(rows: number, batchRows: number): number {
    const { layout, options, part } = this;
    const L = layout.layers;
    // forward
    let h = part.input;
    for (const i of layout.encoder) h = this.dense(L[i]!, h, part.act[i]!, rows);
    const before = h;
    const codeAct = this.dense(L[layout.code]!, before, part.act[layout.code]!, rows);
    if (layout.linear) this.denseAdd(L[layout.linear.in]!, part.input, codeAct, rows);
    let z = codeAct;
    if (layout.logVar !== null) {
      const lv = this.dense(L[layout.logVar]!, before, part.act[layout.logVar]!, rows);
      z = this.sample(codeAct, lv, rows);
    }
    h = z;
    for (const i of layout.decoder) h = this.dense(L[i]!, h, part.act[i]!, rows);
    const outLayer = L[layout.output]!;
    const logits = this.dense(outLayer, h, part.act[layout.output]!, rows);
    if (layout.linear) this.denseAdd(L[layout.linear.out]!, z, logits, rows);

    // objective and its gradient with respect to the logits
    const [s0, s1, s2, s3] = part.scratch;
    let loss = this.reconstruction(logits, s0, rows, batchRows);
    if (layout.linear) {
      // the linear path's output layer: its weights' gradient, and its share of the code's gradient (kept in s3
      // while the decoder's chain reuses s0)
      const lo = L[layout.linear.out]!;
      this.weightGrads(lo, z, s0, rows);
      this.inputGrad(lo, s0, s3, rows, false);
    }
    // backward through the decoder and the output layer
    let dz = s0;
    let spare = s1;
    const chain = [...layout.decoder, layout.output];
    for (let t = chain.length - 1; t >= 0; t--) {
      const layer = L[chain[t]!]!;
      const input = t > 0 ? part.act[chain[t - 1]!]! : z;
      this.weightGrads(layer, input, dz, rows);
      this.inputGrad(layer, dz, spare, rows, false);
      [dz, spare] = [spare, dz];
      if (t > 0) this.activationGrad(L[chain[t - 1]!]!.activation, part.act[chain[t - 1]!]!, dz, rows * L[chain[t - 1]!]!.units);
    }
    // dz now holds the gradient with respect to the decoder's input (the code, or the vae's sample)
    const code = L[layout.code]!;
    const C = code.units;
    if (layout.linear) {
      const { f } = this;
      for (let i = 0; i < rows * C; i++) f[dz + i] = f[dz + i]! + f[s3 + i]!;
    }
    if (layout.logVar !== null) {
      loss += this.vaeGrads(part.act[layout.code]!, part.act[layout.logVar]!, dz, s2, rows, batchRows);
    } else {
      if (options.sparsity) loss += this.sparsityGrad(codeAct, dz, rows, batchRows);
      this.activationGrad(code.activation, codeAct, dz, rows * C);
    }
    // backward through the code layer(s) into the encoder
    this.weightGrads(code, before, dz, rows);
    if (layout.linear) this.weightGrads(L[layout.linear.in]!, part.input, dz, rows);
    const hasEncoder = layout.encoder.length > 0;
    if (hasEncoder) this.inputGrad(code, dz, spare, rows, false);
    if (layout.logVar !== null) {
      const lvLayer = L[layout.logVar]!;
      this.weightGrads(lvLayer, before, s2, rows);
      if (hasEncoder) this.inputGrad(lvLayer, s2, spare, rows, true);
    }
    [dz, spare] = [spare, dz];
    for (let t = layout.encoder.length - 1; t >= 0; t--) {
      const layer = L[layout.encoder[t]!]!;
      this.activationGrad(layer.activation, part.act[layout.encoder[t]!]!, dz, rows * layer.units);
      const input = t > 0 ? part.act[layout.encoder[t - 1]!]! : part.input;
      this.weightGrads(layer, input, dz, rows);
      if (t > 0) {
        this.inputGrad(layer, dz, spare, rows, false);
        [dz, spare] = [spare, dz];
      }
    }
    return loss;
  }

  /**
   * Forward pass only, the vae through its mean code: the sum over the part's rows of each row's mean
   * reconstruction loss against its target (part.target when the model has one, else the input), plus with
   * withKl the vae's weighted KL term per row. (What the tfjs model's rowErrors and the validation loss compute.)
   */
  evaluate(rows: number, withKl: boolean): number {
    const { layout, options, part, f } = this;
    const L = layout.layers;
    let h = part.input;
    for (const i of layout.encoder) h = this.dense(L[i]!, h, part.act[i]!, rows);
    const before = h;
    const mean = this.dense(L[layout.code]!, before, part.act[layout.code]!, rows);
    if (layout.linear) this.denseAdd(L[layout.linear.in]!, part.input, mean, rows);
    h = mean;
    for (const i of layout.decoder) h = this.dense(L[i]!, h, part.act[i]!, rows);
    const logits = this.dense(L[layout.output]!, h, part.act[layout.output]!, rows);
    if (layout.linear) this.denseAdd(L[layout.linear.out]!, mean, logits, rows);
    const D = options.inputSize;
    // scale = 1 / D: each row's mean loss (the gradient written to the scratch area is not used)
    let sum = this.reconstruction(logits, part.scratch[0], rows, rows) * rows;
    if (withKl && layout.logVar !== null) {
      const lv = this.dense(L[layout.logVar]!, before, part.act[layout.logVar]!, rows);
      const n = rows * options.codeSize;
      let kl = 0;
      for (let i = 0; i < n; i++) {
        const m = f[mean + i]!;
        const v = f[lv + i]!;
        kl += 1 + v - m * m - Math.exp(v);
      }
      sum += (-0.5 * kl * (options.klWeight ?? 0)) / D;
    }
    return sum;
  }

  /** out = act(input W + b) for `rows` rows; returns out. */
  private dense(l: LayerSpec, input: number, out: number, rows: number): number {
    const { f } = this;
    const w = this.layout.shared.weights;
    const n = l.units;
    const b = w + l.b;
    const end = out + rows * n;
    // relu and linear layers are finished by the kernel (bias and relu applied as it stores)
    if (l.activation === 'relu' || l.activation === 'linear') {
      this.gemm(input, l.inputs, 1, w + l.w, n, out, n, rows, n, l.inputs, false, b, l.activation === 'relu');
      return out;
    }
    this.gemm(input, l.inputs, 1, w + l.w, n, out, n, rows, n, l.inputs, false);
    switch (l.activation) {
      case 'sigmoid':
        for (let r = out; r < end; r += n) for (let j = 0; j < n; j++) f[r + j] = 1 / (1 + Math.exp(-(f[r + j]! + f[b + j]!)));
        break;
      case 'tanh':
        for (let r = out; r < end; r += n) for (let j = 0; j < n; j++) f[r + j] = Math.tanh(f[r + j]! + f[b + j]!);
        break;
      case 'elu':
        for (let r = out; r < end; r += n) {
          for (let j = 0; j < n; j++) {
            const v = f[r + j]! + f[b + j]!;
            f[r + j] = v > 0 ? v : Math.expm1(v);
          }
        }
        break;
      case 'selu':
        for (let r = out; r < end; r += n) {
          for (let j = 0; j < n; j++) {
            const v = f[r + j]! + f[b + j]!;
            f[r + j] = v > 0 ? SELU_SCALE * v : SELU_SCALE * SELU_ALPHA * Math.expm1(v);
          }
        }
        break;
    }
    return out;
  }

  /** out += input W + b for `rows` rows (a linear layer added to another's output: the residual's linear path). */
  private denseAdd(l: LayerSpec, input: number, out: number, rows: number): void {
    const w = this.layout.shared.weights;
    const n = l.units;
    this.gemm(input, l.inputs, 1, w + l.w, n, out, n, rows, n, l.inputs, true, w + l.b);
  }

  /** dz *= act'(h), from the activation's output h (n values). */
  private activationGrad(activation: LayerActivation, h: number, dz: number, n: number): void {
    const { f } = this;
    switch (activation) {
      case 'linear':
        return;
      case 'relu':
        for (let i = 0; i < n; i++) if (!(f[h + i]! > 0)) f[dz + i] = 0;
        return;
      case 'sigmoid':
        for (let i = 0; i < n; i++) {
          const y = f[h + i]!;
          f[dz + i] = f[dz + i]! * y * (1 - y);
        }
        return;
      case 'tanh':
        for (let i = 0; i < n; i++) {
          const y = f[h + i]!;
          f[dz + i] = f[dz + i]! * (1 - y * y);
        }
        return;
      case 'elu':
        for (let i = 0; i < n; i++) {
          const y = f[h + i]!;
          if (!(y > 0)) f[dz + i] = f[dz + i]! * (y + 1);
        }
        return;
      case 'selu':
        for (let i = 0; i < n; i++) {
          const y = f[h + i]!;
          f[dz + i] = f[dz + i]! * (y > 0 ? SELU_SCALE : y + SELU_SCALE * SELU_ALPHA);
        }
        return;
    }
  }

  /** This thread's dW = inputᵀ dz and db = column sums of dz. */
  private weightGrads(l: LayerSpec, input: number, dz: number, rows: number): void {
    const { f } = this;
    const g = this.grad;
    const n = l.units;
    // Aᵀ: A[i][k] = input[k][i] → row stride 1, column stride inputs
    this.gemm(input, 1, l.inputs, dz, n, g + l.w, n, l.inputs, n, rows, false);
    const gb = g + l.b;
    for (let j = 0; j < n; j++) f[gb + j] = 0;
    for (let r = 0; r < rows; r++) {
      const row = dz + r * n;
      for (let j = 0; j < n; j++) f[gb + j] = f[gb + j]! + f[row + j]!;
    }
  }

  /** out (+)= dz Wᵀ (the gradient with respect to the layer's input), through the transposed copy. */
  private inputGrad(l: LayerSpec, dz: number, out: number, rows: number, accumulate: boolean): void {
    this.gemm(dz, l.units, 1, this.layout.shared.transposed + l.wt, l.inputs, out, l.inputs, rows, l.inputs, l.units, accumulate);
  }

  /** Mean loss over the batch's values (this part's sum / (batchRows D)); writes its gradient at out. */
  private reconstruction(logits: number, out: number, rows: number, batchRows: number): number {
    const { f, options } = this;
    const D = options.inputSize;
    const n = rows * D;
    const x = altersInputs(options) ? this.part.target : this.part.input;
    const scale = 1 / (batchRows * D);
    let sum = 0;
    if (options.loss === 'bce') {
      // row by row, so the kernel's float32 sums stay short; the rows add up in float64
      for (let r = 0; r < rows; r++) sum += this.bce(logits + r * D, x + r * D, out + r * D, D, scale);
    } else {
      for (let i = 0; i < n; i++) {
        const d = f[logits + i]! - f[x + i]!;
        sum += d * d;
        f[out + i] = 2 * d * scale;
      }
    }
    return sum * scale;
  }

  /** Adds the sparsity penalty's gradient (with respect to the code activations) to dz; returns the scaled penalty. */
  private sparsityGrad(code: number, dz: number, rows: number, batchRows: number): number {
    const { f } = this;
    const sp = this.options.sparsity!;
    const C = this.options.codeSize;
    const share = rows / batchRows;
    if (sp.penalty === 'l1') {
      // weight * mean over rows of sum |a|
      let sum = 0;
      const g = sp.weight / batchRows;
      for (let i = 0; i < rows * C; i++) {
        const a = f[code + i]!;
        sum += Math.abs(a);
        f[dz + i] = f[dz + i]! + (a > 0 ? g : a < 0 ? -g : 0);
      }
      return (sp.weight * sum) / batchRows;
    }
    // kl: weight * sum_j KL(rho || rhoHat_j), rhoHat_j the mean activation of unit j over this part's rows
    const rho = sp.target;
    const eps = 1e-6;
    let penalty = 0;
    for (let j = 0; j < C; j++) {
      let mean = 0;
      for (let r = 0; r < rows; r++) mean += f[code + r * C + j]!;
      mean /= rows;
      const clipped = mean < eps || mean > 1 - eps;
      const q = Math.min(1 - eps, Math.max(eps, mean));
      penalty += rho * Math.log(rho / q) + (1 - rho) * Math.log((1 - rho) / (1 - q));
      if (clipped) continue;
      const g = (sp.weight * share * (-rho / q + (1 - rho) / (1 - q))) / rows;
      for (let r = 0; r < rows; r++) f[dz + r * C + j] = f[dz + r * C + j]! + g;
    }
    return sp.weight * penalty * share;
  }

  /** vae: z = mean + exp(logVar / 2) eps into the sample area; returns its offset. */
  private sample(mean: number, logVar: number, rows: number): number {
    const { f } = this;
    const out = this.part.sample;
    const eps = this.part.eps;
    const n = rows * this.options.codeSize;
    for (let i = 0; i < n; i++) f[out + i] = f[mean + i]! + Math.exp(0.5 * f[logVar + i]!) * f[eps + i]!;
    return out;
  }

  /**
   * vae: from dz (gradient with respect to the sample) makes the gradients with respect to the mean (in place
   * in dz) and the log-variance (at dlv), the KL term's included; returns the scaled KL term.
   */
  private vaeGrads(mean: number, logVar: number, dz: number, dlv: number, rows: number, batchRows: number): number {
    const { f, options } = this;
    const n = rows * options.codeSize;
    const eps = this.part.eps;
    const w = options.klWeight ?? 0;
    const c = w / (options.inputSize * batchRows);
    let kl = 0;
    for (let i = 0; i < n; i++) {
      const m = f[mean + i]!;
      const lv = f[logVar + i]!;
      const e = Math.exp(lv);
      kl += 1 + lv - m * m - e;
      const d = f[dz + i]!;
      f[dlv + i] = d * 0.5 * Math.sqrt(e) * f[eps + i]! - 0.5 * c * (1 - e);
      f[dz + i] = d + c * m;
    }
    return -0.5 * kl * c;
  }
}

const SELU_SCALE = 1.0507009873554805;
const SELU_ALPHA = 1.6732632423543772;
