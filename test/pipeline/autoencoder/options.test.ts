import { describe, expect, it } from 'vitest';
import { autoencoderOptions } from '../../../pipeline/autoencoder/index.js';
import { defaultConfig } from '../../../pipeline/config.js';
import { InputError } from '../../../pipeline/errors.js';
import type { RunConfig } from '../../../pipeline/types.js';

// Single fields are checked by the schema (test/pipeline/config.test.ts); only cross-field rules are checked here.
const config = (o: Partial<RunConfig> = {}): RunConfig => ({ ...defaultConfig(), codeSize: 4, layers: [256, 128], epochs: 40, learningRate: 0.005, ...o });

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
  it('takes the configuration and fills only the variant in use', () => {
    // the default variant: the residual recipe of bench/QUALITY-NOTES.md (session 8): a linear path from PCA at 0.3x
    // the rate, squared error under loss auto even where prepare found the inputs fit for bce
    const d = autoencoderOptions(config(), 784, 'bce');
    expect(d).toMatchObject({ variant: 'residual', inputSize: 784, codeSize: 4, layers: [256, 128], activation: 'relu', loss: 'mse' });
    expect(d).toMatchObject({ epochs: 40, batchSize: 256, learningRate: 0.005, validationSplit: 0.1, patience: 10, seed: 42 });
    expect(d.linearPath).toEqual({ rateScale: 0.3 });
    expect(d.noise).toBeNull();
    const dn = autoencoderOptions(config({ variant: 'denoising' }), 784, 'bce');
    expect(dn).toMatchObject({ loss: 'bce', linearPath: null });
    expect(dn.noise).toEqual({ kind: 'mask', std: 0.2, fraction: 0.2 });
    const o = autoencoderOptions(config({ variant: 'plain' }), 784, 'bce');
    expect(o.codeActivation).toBe('linear');
    expect(o.sparsity).toBeNull();
    expect(o.noise).toBeNull();
    expect(o.klWeight).toBeNull();
  });

  it('takes the resolved shape when code size, layers, epochs and learning rate are auto, and needs it then', () => {
    const o = autoencoderOptions(defaultConfig(), 64, 'mse', { codeSize: 16, layers: [32], epochs: 7, learningRate: 0.002 });
    expect(o).toMatchObject({ codeSize: 16, layers: [32], epochs: 7, learningRate: 0.002 });
    expect(() => autoencoderOptions(defaultConfig(), 64, 'mse')).toThrow(/resolve the auto code size, layers, epochs and learning rate/);
    expect(() => autoencoderOptions(defaultConfig(), 64, 'mse', { codeSize: 16, layers: [32], epochs: 7 })).toThrow(/resolve the auto code size, layers, epochs and learning rate/);
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

  it('rejects an input of one column, naming reducer', () => {
    expect(fieldOf(() => autoencoderOptions(config({ codeSize: 1 }), 1, 'mse'))).toBe('reducer');
  });

  it('rejects a configured loss that differs from the resolved one', () => {
    expect(fieldOf(() => autoencoderOptions(config({ loss: 'bce' }), 10, 'mse'))).toBe('loss');
  });
});
