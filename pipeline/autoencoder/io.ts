// Save and load an autoencoder in TensorFlow.js layers format (model.json + weights.bin, loadable with
// tf.loadLayersModel), plus autoencoder.json (options, backend, history, summary). Plain file IO through
// tf.io.withSaveHandler / tf.io.fromMemory, so it works without tfjs-node.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { InputError } from '../errors.js';
import type { EpochRecord } from '../types.js';
import { TrainedAutoencoder, type Autoencoder } from './autoencoder.js';
import { allLayers, buildNetwork, type DenseLayer } from './model.js';
import type { AutoencoderOptions } from './options.js';
import { makeDirs } from '../make-dirs.js';

export const MODEL_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const OPTIONS_FILE = 'autoencoder.json';
const FORMAT_VERSION = 1;

interface OptionsFile {
  formatVersion: number;
  options: AutoencoderOptions;
  backend: string;
  history: EpochRecord[];
  summary: Record<string, number | string | null>;
}

/** Writes the model into dir (created if missing); returns the file names written, relative to dir. */
export async function saveAutoencoder(model: TrainedAutoencoder, dir: string): Promise<string[]> {
  const layersModel = toLayersModel(model);
  let artifacts: tf.io.ModelArtifacts | null = null;
  try {
    await layersModel.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
  } finally {
    layersModel.dispose();
  }
  const a = artifacts as tf.io.ModelArtifacts | null;
  if (!a || !a.weightSpecs || !a.weightData) throw new Error('the TensorFlow.js save handler received no weights');
  const weightData = tf.io.concatenateArrayBuffers(Array.isArray(a.weightData) ? a.weightData : [a.weightData]);
  const modelJson = {
    modelTopology: a.modelTopology,
    format: a.format ?? 'layers-model',
    generatedBy: a.generatedBy,
    convertedBy: a.convertedBy ?? null,
    weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: a.weightSpecs }],
  };
  const info: OptionsFile = {
    formatVersion: FORMAT_VERSION,
    options: model.options,
    backend: model.backend,
    history: model.history,
    summary: model.summary,
  };
  await makeDirs(dir);
  await writeFile(path.join(dir, WEIGHTS_FILE), new Uint8Array(weightData));
  await writeFile(path.join(dir, MODEL_FILE), JSON.stringify(modelJson));
  await writeFile(path.join(dir, OPTIONS_FILE), JSON.stringify(info, null, 2));
  return [MODEL_FILE, WEIGHTS_FILE, OPTIONS_FILE];
}

/** Loads a model saved by saveAutoencoder (or a run's model/ directory). */
export async function loadAutoencoder(dir: string): Promise<Autoencoder> {
  const read = async (name: string): Promise<Buffer> => {
    try {
      return await readFile(path.join(dir, name));
    } catch (err) {
      throw new InputError(`cannot read the saved autoencoder: ${path.join(dir, name)} is missing or unreadable; is this a run trained with --reducer autoencoder?`, {
        file: path.join(dir, name),
      }, { cause: err });
    }
  };
  const infoText = await read(OPTIONS_FILE);
  const modelText = await read(MODEL_FILE);
  const weights = await read(WEIGHTS_FILE);
  let info: OptionsFile;
  let modelJson: tf.io.ModelJSON;
  try {
    info = JSON.parse(infoText.toString('utf8')) as OptionsFile;
    modelJson = JSON.parse(modelText.toString('utf8')) as tf.io.ModelJSON;
  } catch (err) {
    throw new InputError(`the saved autoencoder in ${dir} is not valid JSON`, { file: dir }, { cause: err });
  }
  if (info.formatVersion !== FORMAT_VERSION) {
    throw new InputError(`unsupported autoencoder format version ${String(info.formatVersion)} (expected ${FORMAT_VERSION})`, {
      file: path.join(dir, OPTIONS_FILE),
    });
  }
  const buffer = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => [manifest.flatMap((g) => g.weights), buffer]);
  const layersModel = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  const init = new Map<string, { w: Float32Array; b: Float32Array }>();
  try {
    for (const layer of layersModel.layers) {
      const w = layer.getWeights();
      if (w.length !== 2) continue;
      init.set(layer.name, { w: w[0]!.dataSync() as Float32Array, b: w[1]!.dataSync() as Float32Array });
    }
  } finally {
    layersModel.dispose();
  }
  // models saved before the residual variant (or the shift augmentation) existed have no linearPath (shift)
  const options: AutoencoderOptions = { ...info.options, linearPath: info.options.linearPath ?? null, shift: info.options.shift ?? null };
  let net;
  try {
    net = buildNetwork(options, init);
  } catch (err) {
    throw new InputError(`the saved model does not fit its options: ${err instanceof Error ? err.message : String(err)}`, { file: path.join(dir, MODEL_FILE) }, { cause: err });
  }
  for (const layer of allLayers(net)) {
    if (!init.has(layer.name)) {
      allLayers(net).forEach((l) => (l.w.dispose(), l.b.dispose()));
      throw new InputError(`the saved model has no layer named ${layer.name}`, { file: path.join(dir, MODEL_FILE) });
    }
  }
  return new TrainedAutoencoder(options, net, info.backend, info.history, info.summary);
}

/** A tfjs-layers model with the same layers and weights (for the standard model.json format). */
function toLayersModel(model: TrainedAutoencoder): tf.LayersModel {
  const { net, options } = model;
  const dense = (layer: DenseLayer, activation: string) =>
    tf.layers.dense({ units: layer.units, activation: activation as 'linear', name: layer.name, inputShape: [layer.inputs] });
  const input = tf.input({ shape: [options.inputSize], name: 'input' });
  const apply = (layer: DenseLayer, x: tf.SymbolicTensor, activation: string = layer.activation) => {
    const l = dense(layer, activation);
    const y = l.apply(x) as tf.SymbolicTensor;
    l.setWeights([layer.w, layer.b]);
    return y;
  };
  let h = input;
  for (const layer of net.encoder) h = apply(layer, h);
  const outputActivation = options.loss === 'bce' ? 'sigmoid' : 'linear';
  const outputs: tf.SymbolicTensor[] = [];
  let code: tf.SymbolicTensor;
  if (net.linear) {
    // residual: code = code layer + linear_in(input); output = act(output layer + linear_out(code))
    const { in: lin, out: lout } = net.linear;
    code = tf.layers.add({ name: 'code_sum' }).apply([apply(net.code, h), apply(lin, input)]) as tf.SymbolicTensor;
    let d = code;
    for (const layer of net.decoder) d = apply(layer, d);
    const sum = tf.layers.add({ name: 'output_sum' }).apply([apply(net.output, d, 'linear'), apply(lout, code)]) as tf.SymbolicTensor;
    outputs.push(tf.layers.activation({ activation: outputActivation, name: 'reconstruction' }).apply(sum) as tf.SymbolicTensor);
  } else {
    code = apply(net.code, h);
    let d = code;
    for (const layer of net.decoder) d = apply(layer, d);
    outputs.push(apply(net.output, d, outputActivation));
  }
  outputs.push(code);
  if (net.logVar) outputs.push(apply(net.logVar, h));
  return tf.model({ inputs: input, outputs, name: `latentmap_${options.variant}_autoencoder` });
}
