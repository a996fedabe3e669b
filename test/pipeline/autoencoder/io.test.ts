import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { autoencoderOptions, loadAutoencoder, trainAutoencoder } from '../../../pipeline/autoencoder/index.js';
import { initBackend } from '../../../pipeline/backend.js';
import { isInputError } from '../../../pipeline/errors.js';
import { lowRank, testConfig } from './fixtures.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'latentmap-ae-io-'));
beforeAll(async () => {
  await initBackend('wasm');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = lowRank(200, 20, 3, 31);

describe('save and load', () => {
  for (const variant of ['plain', 'sparse', 'denoising', 'vae', 'residual'] as const) {
    it(`a reloaded ${variant} model gives the same codes, reconstructions and summary`, async () => {
      const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant, epochs: 2 }), 20, 'bce'));
      if (variant === 'residual') expect(ae.options.loss).toBe('mse');
      const out = path.join(dir, variant);
      const files = await ae.save(out);
      expect(files.sort()).toEqual(['autoencoder.json', 'model.json', 'weights.bin']);
      for (const f of files) expect(existsSync(path.join(out, f))).toBe(true);
      const before = tf.memory().numTensors;
      const loaded = await loadAutoencoder(out);
      expect(Array.from(loaded.encode(data).values)).toEqual(Array.from(ae.encode(data).values));
      expect(Array.from(loaded.reconstruct(data).values)).toEqual(Array.from(ae.reconstruct(data).values));
      expect(loaded.options).toEqual(ae.options);
      expect(loaded.history).toEqual(ae.history);
      expect(loaded.summary).toEqual(ae.summary);
      loaded.dispose();
      expect(tf.memory().numTensors).toBe(before);
      ae.dispose();
    });
  }

  for (const variant of ['denoising', 'residual'] as const)
  it(`model.json is a standard TF.js layers model whose output matches reconstruct() (${variant})`, async () => {
    const ae = await trainAutoencoder(data, autoencoderOptions(testConfig({ variant, epochs: 2 }), 20, 'bce'));
    const out = path.join(dir, `standard-${variant}`);
    await ae.save(out);
    const json = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]!.paths).toEqual(['./weights.bin']);
    const weights = readFileSync(path.join(out, 'weights.bin'));
    const artifacts = await tf.io.getModelArtifactsForJSON(json, async (m) => [
      m.flatMap((g) => g.weights),
      weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer,
    ]);
    const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    const [recon, code] = model.predict(tf.tensor2d(data.values, [200, 20])) as tf.Tensor[];
    const expected = ae.reconstruct(data).values;
    const got = recon!.dataSync();
    let maxDiff = 0;
    for (let i = 0; i < got.length; i++) maxDiff = Math.max(maxDiff, Math.abs(got[i]! - expected[i]!));
    expect(maxDiff).toBeLessThan(1e-5);
    expect(code!.shape).toEqual([200, 4]);
    tf.dispose([recon!, code!]);
    model.dispose();
    ae.dispose();
  });

  it('loading from a directory without a model is an input error naming the file', async () => {
    const err = await loadAutoencoder(path.join(dir, 'nothing-here')).catch((e: unknown) => e);
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/autoencoder\.json/);
  });
});
