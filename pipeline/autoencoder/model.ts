// The network: named dense layers (encoder, code, decoder, output), their seeded initialization, and the
// forward passes for training (with a hand-written dense gradient) and for inference (batched, no tape).
import * as tf from '@tensorflow/tfjs';
import { createRandom, deriveSeed } from '../random.js';
import type { Activation } from '../types.js';
import { LINEAR_IN, LINEAR_OUT, type AutoencoderOptions, type CodeActivation } from './options.js';

export type LayerActivation = Activation | CodeActivation;

/** One dense layer: y = act(x W + b), W is [in, out]. */
export interface DenseLayer {
  name: string;
  inputs: number;
  units: number;
  activation: LayerActivation;
  w: tf.Variable;
  b: tf.Variable;
}

export interface Network {
  encoder: DenseLayer[];
  /** The code layer (plain, sparse, denoising) or the mean of q(z|x) (vae). */
  code: DenseLayer;
  /** vae only: log-variance of q(z|x). */
  logVar: DenseLayer | null;
  decoder: DenseLayer[];
  /** Last layer; its activation is linear here, the loss applies sigmoid (bce) itself. */
  output: DenseLayer;
  /**
   * residual variant only: the linear path beside the nonlinear layers, code = code layer + linear_in(input),
   * output = output layer + linear_out(code); it starts as PCA (linear_in: the components and -mean x
   * components, linear_out: their transpose and the mean), and the code and output layers start at zero.
   */
  linear: { in: DenseLayer; out: DenseLayer } | null;
}

/** Layers in a fixed order (the order of weights in saved files and optimizer state). */
export function allLayers(net: Network): DenseLayer[] {
  return [...net.encoder, net.code, ...(net.logVar ? [net.logVar] : []), ...net.decoder, net.output, ...(net.linear ? [net.linear.in, net.linear.out] : [])];
}

/**
 * Layer shapes for the options, with Glorot-uniform weights (the Keras default) and zero biases, seeded; `init`
 * gives a layer's weights by name instead (a saved model; the residual variant's linear path, which must be given).
 * The residual variant's code and output layers start at zero, so the network starts as its linear path.
 */
export function buildNetwork(options: AutoencoderOptions, init?: Map<string, { w: Float32Array; b: Float32Array }>): Network {
  const random = createRandom(deriveSeed(options.seed, 'weights'));
  const residual = options.linearPath !== null;
  const make = (name: string, inputs: number, units: number, activation: LayerActivation, zero = false): DenseLayer => {
    let w: Float32Array;
    let b: Float32Array;
    const given = init?.get(name);
    if (given) {
      if (given.w.length !== inputs * units || given.b.length !== units) {
        throw new Error(`saved weights of layer ${name} do not fit ${inputs} x ${units}`);
      }
      w = given.w;
      b = given.b;
    } else if (zero) {
      w = new Float32Array(inputs * units);
      b = new Float32Array(units);
    } else {
      const limit = Math.sqrt(6 / (inputs + units));
      w = new Float32Array(inputs * units);
      for (let i = 0; i < w.length; i++) w[i] = (random() * 2 - 1) * limit;
      b = new Float32Array(units);
    }
    return {
      name,
      inputs,
      units,
      activation,
      // Unnamed: tfjs variable names are process-global, and several models may live side by side.
      w: tf.tidy(() => tf.variable(tf.tensor2d(w, [inputs, units]), true)),
      b: tf.tidy(() => tf.variable(tf.tensor1d(b), true)),
    };
  };
  const sizes = [options.inputSize, ...options.layers];
  const encoder: DenseLayer[] = [];
  for (let i = 1; i < sizes.length; i++) encoder.push(make(`enc_${i}`, sizes[i - 1]!, sizes[i]!, options.activation));
  const last = sizes[sizes.length - 1]!;
  const vae = options.variant === 'vae';
  const code = make(vae ? 'code_mean' : 'code', last, options.codeSize, options.codeActivation, residual);
  const logVar = vae ? make('code_logvar', last, options.codeSize, 'linear') : null;
  const back = [options.codeSize, ...[...options.layers].reverse()];
  const decoder: DenseLayer[] = [];
  for (let i = 1; i < back.length; i++) decoder.push(make(`dec_${i}`, back[i - 1]!, back[i]!, options.activation));
  const output = make('output', back[back.length - 1]!, options.inputSize, 'linear', residual);
  let linear: Network['linear'] = null;
  if (residual) {
    if (!init?.has(LINEAR_IN) || !init.has(LINEAR_OUT)) throw new Error('the residual variant needs its linear path (linear_in, linear_out) given');
    linear = { in: make(LINEAR_IN, options.inputSize, options.codeSize, 'linear'), out: make(LINEAR_OUT, options.codeSize, options.inputSize, 'linear') };
  }
  return { encoder, code, logVar, decoder, output, linear };
}

export function disposeNetwork(net: Network): void {
  for (const layer of allLayers(net)) {
    layer.w.dispose();
    layer.b.dispose();
  }
}

export function activate(z: tf.Tensor2D, activation: LayerActivation): tf.Tensor2D {
  switch (activation) {
    case 'linear':
      return z;
    case 'relu':
      return tf.relu(z);
    case 'elu':
      return tf.elu(z);
    case 'selu':
      return tf.selu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
  }
}

/**
 * Dense layer for training: forward x W + b, with a gradient that transposes explicitly.
 * (tfjs' own MatMul gradient multiplies with a transposed operand, which the wasm backend runs ~10x
 * slower than a plain product; transposing first and multiplying plainly is much faster.)
 */
const denseTrain = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [x, w, b, save] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x, w), b),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
      const g = dy as tf.Tensor2D;
      return [tf.matMul(g, tf.transpose(sw)), tf.matMul(tf.transpose(sx), g), tf.sum(g, 0)];
    },
  };
});

/**
 * The first layer's dense op for training: the input needs no gradient, and its transpose xT is
 * supplied (built in JavaScript while copying the batch), so no transpose of the widest matrix is needed.
 */
function denseInput(x: tf.Tensor2D, xT: tf.Tensor2D, w: tf.Variable, b: tf.Variable): tf.Tensor2D {
  const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [wIn, bIn] = args as [tf.Tensor2D, tf.Tensor1D];
    return {
      value: tf.add(tf.matMul(x, wIn), bIn),
      gradFunc: (dy: tf.Tensor) => [tf.matMul(xT, dy as tf.Tensor2D), tf.sum(dy, 0)],
    };
  });
  return op(w, b) as tf.Tensor2D;
}

export interface TrainForward {
  /** Pre-sigmoid (bce) or linear (mse) output. */
  logits: tf.Tensor2D;
  /** The code layer's activations (vae: the sampled z is used downstream; this is the mean). */
  code: tf.Tensor2D;
  /** vae only. */
  logVar: tf.Tensor2D | null;
}

/**
 * Training forward pass (inside a tape). x: [batch, inputSize] (noisy for denoising), xT its transpose.
 * eps: [batch, codeSize] standard normal draws for the vae's reparameterization (null otherwise).
 */
export function forwardTrain(net: Network, x: tf.Tensor2D, xT: tf.Tensor2D, eps: tf.Tensor2D | null): TrainForward {
  let h: tf.Tensor2D = x;
  let first = true;
  const apply = (layer: DenseLayer): tf.Tensor2D => {
    const z = first ? denseInput(x, xT, layer.w, layer.b) : (denseTrain(h, layer.w, layer.b) as tf.Tensor2D);
    first = false;
    return activate(z, layer.activation);
  };
  for (const layer of net.encoder) h = apply(layer);
  const beforeCode = h;
  let code = apply(net.code);
  if (net.linear) code = tf.add(code, denseInput(x, xT, net.linear.in.w, net.linear.in.b));
  let logVar: tf.Tensor2D | null = null;
  if (net.logVar) {
    if (!eps) throw new Error('the vae forward pass needs eps');
    logVar = denseTrain(beforeCode, net.logVar.w, net.logVar.b) as tf.Tensor2D;
    h = tf.add(code, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
  } else {
    h = code;
  }
  const z = h;
  for (const layer of net.decoder) h = apply(layer);
  let logits = denseTrain(h, net.output.w, net.output.b) as tf.Tensor2D;
  if (net.linear) logits = tf.add(logits, denseTrain(z, net.linear.out.w, net.linear.out.b) as tf.Tensor2D);
  return { logits, code, logVar };
}

function denseInfer(x: tf.Tensor2D, layer: DenseLayer): tf.Tensor2D {
  const fusedAct = layer.activation === 'relu' || layer.activation === 'linear' || layer.activation === 'sigmoid' || layer.activation === 'elu';
  if (fusedAct) {
    return tf.fused.matMul({ a: x, b: layer.w, bias: layer.b, activation: layer.activation as 'relu' | 'linear' | 'sigmoid' | 'elu' }) as tf.Tensor2D;
  }
  return activate(tf.add(tf.matMul(x, layer.w), layer.b), layer.activation);
}

/** Inference: rows → codes (vae: the means). No tape; call inside tf.tidy. */
export function encodeTensor(net: Network, x: tf.Tensor2D): tf.Tensor2D {
  let h = x;
  for (const layer of net.encoder) h = denseInfer(h, layer);
  const code = denseInfer(h, net.code);
  return net.linear ? tf.add(code, denseInfer(x, net.linear.in)) : code;
}

/** Inference: rows → log-variances of q(z|x) (vae only). */
export function logVarTensor(net: Network, x: tf.Tensor2D): tf.Tensor2D {
  if (!net.logVar) throw new Error('logVarTensor needs a vae');
  let h = x;
  for (const layer of net.encoder) h = denseInfer(h, layer);
  return denseInfer(h, net.logVar);
}

/** Inference: codes → output logits (pre-sigmoid for bce, values for mse). */
export function decodeLogits(net: Network, codes: tf.Tensor2D): tf.Tensor2D {
  let h = codes;
  for (const layer of net.decoder) h = denseInfer(h, layer);
  const out = denseInfer(h, net.output);
  return net.linear ? tf.add(out, denseInfer(codes, net.linear.out)) : out;
}
