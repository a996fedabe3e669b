import { describe, expect, it } from 'vitest';
import { autoencoderOptions } from '../../../pipeline/autoencoder/index.js';
import { defaultConfig } from '../../../pipeline/config.js';
import { InputError } from '../../../pipeline/errors.js';
import type { RunConfig } from '../../../pipeline/types.js';

const config = (o: Partial<RunConfig> = {}): RunConfig => ({ ...defaultConfig(), codeSize: 4, ...o });

function fieldOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).location.field;
  }
  throw new Error('expected an InputError');
}

describe('autoencoderOptions', () => {
  it('takes the configuration defaults and fills only the variant in use', () => {
    const o = autoencoderOptions(config(), 784, 'bce');
    expect(autoencoderOptions(defaultConfig(), 784, 'bce').codeSize).toBe(32);
    expect(o).toMatchObject({ variant: 'plain', inputSize: 784, codeSize: 4, layers: [256, 128], activation: 'relu', loss: 'bce' });
    expect(o).toMatchObject({ epochs: 25, batchSize: 256, learningRate: 0.002, validationSplit: 0.1, patience: 5, seed: 42 });
    expect(o.codeActivation).toBe('linear');
    expect(o.sparsity).toBeNull();
    expect(o.noise).toBeNull();
    expect(o.klWeight).toBeNull();
  });

  it('derives the code activation and parameters of each variant', () => {
    const kl = autoencoderOptions(config({ variant: 'sparse', sparsityWeight: 0.5, sparsityTarget: 0.1 }), 10, 'bce');
    expect(kl.codeActivation).toBe('sigmoid');
    expect(kl.sparsity).toEqual({ penalty: 'kl', weight: 0.5, target: 0.1 });
    expect(autoencoderOptions(config({ variant: 'sparse', sparsityPenalty: 'l1' }), 10, 'bce').codeActivation).toBe('relu');
    expect(autoencoderOptions(config({ variant: 'denoising', noise: 'mask', noiseFraction: 0.3 }), 10, 'mse').noise).toMatchObject({ kind: 'mask', fraction: 0.3 });
    const vae = autoencoderOptions(config({ variant: 'vae', klWeight: 0.5 }), 10, 'bce');
    expect(vae.klWeight).toBe(0.5);
    expect(vae.codeActivation).toBe('linear');
  });

  it('rejects a code size not smaller than the input width, naming codeSize', () => {
    expect(fieldOf(() => autoencoderOptions(config({ codeSize: 10 }), 10, 'bce'))).toBe('codeSize');
    expect(fieldOf(() => autoencoderOptions(config({ codeSize: 11 }), 10, 'bce'))).toBe('codeSize');
    expect(() => autoencoderOptions(config({ codeSize: 10 }), 10, 'bce')).toThrow(/smaller than the input width \(10 columns\)/);
  });

  it('rejects zero or negative sizes, naming the field', () => {
    expect(fieldOf(() => autoencoderOptions(config({ codeSize: 0 }), 10, 'bce'))).toBe('codeSize');
    expect(fieldOf(() => autoencoderOptions(config({ layers: [8, 0] }), 10, 'bce'))).toBe('layers');
    expect(fieldOf(() => autoencoderOptions(config({ layers: [-3] }), 10, 'bce'))).toBe('layers');
    expect(fieldOf(() => autoencoderOptions(config({ batchSize: 0 }), 10, 'bce'))).toBe('batchSize');
    expect(fieldOf(() => autoencoderOptions(config({ epochs: -1 }), 10, 'bce'))).toBe('epochs');
    expect(fieldOf(() => autoencoderOptions(config({ learningRate: 0 }), 10, 'bce'))).toBe('learningRate');
  });

  it('rejects variant parameters out of range, naming the field', () => {
    expect(fieldOf(() => autoencoderOptions(config({ variant: 'sparse', sparsityTarget: 1 }), 10, 'bce'))).toBe('sparsityTarget');
    expect(fieldOf(() => autoencoderOptions(config({ variant: 'sparse', sparsityWeight: -1 }), 10, 'bce'))).toBe('sparsityWeight');
    expect(fieldOf(() => autoencoderOptions(config({ variant: 'denoising', noiseStd: 0 }), 10, 'bce'))).toBe('noiseStd');
    expect(fieldOf(() => autoencoderOptions(config({ variant: 'denoising', noise: 'mask', noiseFraction: 1 }), 10, 'bce'))).toBe('noiseFraction');
    expect(fieldOf(() => autoencoderOptions(config({ variant: 'vae', klWeight: -0.1 }), 10, 'bce'))).toBe('klWeight');
  });

  it('rejects a configured loss that differs from the resolved one', () => {
    expect(fieldOf(() => autoencoderOptions(config({ loss: 'bce' }), 10, 'mse'))).toBe('loss');
  });
});
