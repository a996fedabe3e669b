// The automatic code size, layers and training length: fitted to the input's width and row count, explicit values obeyed.
import { describe, expect, it } from 'vitest';
import { autoencoderParameters, autoEpochs, EPOCHS_MAX, EPOCHS_MIN, resolveShape } from '../../pipeline/reduce/auto-size.js';

const auto = { codeSize: 'auto', layers: 'auto', epochs: 'auto', validationSplit: 0.1 } as const;

describe('resolveShape', () => {
  it('gives MNIST (10,000 x 784) a 256-128-32 model trained at most 40 epochs', () => {
    const s = resolveShape(auto, 784, 10000);
    expect(s).toMatchObject({ codeSize: 32, layers: [256, 128], epochs: 40 });
    expect(s.choices.epochs).toMatchObject({ value: 40, auto: true });
    expect(s.choices.epochs.reason).toContain('about 360,000 training samples over 9,000 training rows');
  });

  it('gives a 4-column table a code of 2 and a small model, and a small table a model within its parameter budget', () => {
    expect(resolveShape(auto, 4, 150)).toMatchObject({ codeSize: 2 });
    const s = resolveShape(auto, 60, 208);
    expect(autoencoderParameters(60, s.layers, s.codeSize)).toBeLessThanOrEqual(60 * 208);
  });

  it('trains the residual variant at 0.002 and the others at 0.005 under learning rate auto, and says why; obeys an explicit rate', () => {
    const residual = resolveShape({ ...auto, learningRate: 'auto', variant: 'residual' }, 784, 10000);
    expect(residual.learningRate).toBe(0.002);
    expect(residual.choices.learningRate).toMatchObject({ value: 0.002, auto: true });
    expect(residual.choices.learningRate.reason).toMatch(/residual variant/);
    expect(resolveShape({ ...auto, learningRate: 'auto', variant: 'denoising' }, 784, 10000).learningRate).toBe(0.005);
    const set = resolveShape({ ...auto, learningRate: 0.01, variant: 'residual' }, 784, 10000);
    expect(set.learningRate).toBe(0.01);
    expect(set.choices.learningRate).toMatchObject({ value: 0.01, auto: false, reason: 'set in the configuration' });
  });

  it('trains small tables longer and a million rows in a few passes, within [EPOCHS_MIN, EPOCHS_MAX]', () => {
    expect(autoEpochs(1000, 0.1)).toBe(EPOCHS_MAX);
    expect(autoEpochs(100_000, 0.1)).toBe(4);
    expect(autoEpochs(1_000_000, 0.1)).toBe(EPOCHS_MIN);
    expect(autoEpochs(20_000, 0)).toBe(18);
  });

  it('obeys explicit values and says they were set', () => {
    const s = resolveShape({ codeSize: 8, layers: [64], epochs: 12, validationSplit: 0.1 }, 784, 10000);
    expect(s).toMatchObject({ codeSize: 8, layers: [64], epochs: 12 });
    for (const key of ['codeSize', 'layers', 'epochs'] as const) expect(s.choices[key]).toEqual({ value: s[key], auto: false, reason: 'set in the configuration' });
  });
});
