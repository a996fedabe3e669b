import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, CONFIG_SCHEMA, defaultConfig, flagName, keyFromFlag, parsePartialConfig, parseValue, resolveConfig } from '../../pipeline/config.js';
import { InputError } from '../../pipeline/errors.js';

describe('run configuration schema', () => {
  it('documents and defaults every field once', () => {
    const config = defaultConfig();
    for (const key of CONFIG_KEYS) {
      expect(CONFIG_SCHEMA[key].doc.length, key).toBeGreaterThan(10);
      expect(key in config).toBe(true);
    }
    expect(config.reducer).toBe('auto');
    expect(config.codeSize).toBe('auto');
    expect(config.layers).toBe('auto');
    expect(config.scaling).toBe('auto');
    expect(config.runsDir).toBe('./runs');
  });

  it('maps flags and keys both ways', () => {
    expect(flagName('tsneEngine')).toBe('tsne-engine');
    expect(keyFromFlag('code-size')).toBe('codeSize');
    for (const key of CONFIG_KEYS) expect(keyFromFlag(flagName(key))).toBe(key);
  });

  it('parses strings from flags into typed values', () => {
    expect(parseValue('codeSize', '16', '--code-size')).toBe(16);
    expect(parseValue('layers', '512, 64', '--layers')).toEqual([512, 64]);
    expect(parseValue('learningRate', '3e-4', '--learning-rate')).toBeCloseTo(3e-4);
    expect(parseValue('limit', 'null', '--limit')).toBeNull();
    expect(parseValue('codeSize', 'auto', '--code-size')).toBe('auto');
    expect(parseValue('layers', 'auto', '--layers')).toBe('auto');
    expect(parseValue('epochs', 'auto', '--epochs')).toBe('auto');
    expect(() => parseValue('batchSize', 'auto', '--batch-size')).toThrow(/field "batchSize": must be a whole number/);
  });

  it('reads numbers written as text only in decimal notation, the same rule for every numeric field', () => {
    expect(parseValue('epochs', '200', 'x')).toBe(200);
    expect(parseValue('epochs', ' 1e3 ', 'x')).toBe(1000);
    expect(parseValue('learningRate', '.5', 'x')).toBe(0.5);
    expect(parseValue('learningRate', '2.5E-3', 'x')).toBe(0.0025);
    expect(parseValue('minDist', '+0.25', 'x')).toBe(0.25);
    expect(parseValue('layers', '64, 1e1', 'x')).toEqual([64, 10]);
    for (const [key, text] of [
      ['epochs', '0x186a0'],
      ['epochs', '0o17'],
      ['epochs', '0b101'],
      ['epochs', '0123'],
      ['epochs', '1_000'],
      ['epochs', 'Infinity'],
      ['epochs', ''],
      ['epochs', '12abc'],
      ['learningRate', '0x1p-3'],
      ['learningRate', 'NaN'],
      ['layers', '256,0x80'],
    ] as const) {
      expect(() => parseValue(key, text, 'request body'), `${key}: ${text}`).toThrow(new RegExp(`field "${key}": must be a (list of positive )?(whole )?numbers?`));
    }
    expect(() => parseValue('epochs', '0x186a0', 'request body')).toThrow('field "epochs": must be a whole number written in decimals (like 200, 0.5 or 1e-3), got "0x186a0" (from request body)');
  });

  it('rejects wrong types and ranges with the field named', () => {
    const bad: [Parameters<typeof parseValue>[0], unknown, RegExp][] = [
      ['codeSize', '0', /at least 1/],
      ['codeSize', '3.5', /whole number/],
      ['codeSize', 'abc', /whole number/],
      ['variant', 'fancy', /one of plain, sparse, denoising, vae, residual/],
      ['layers', '256,-1', /positive whole numbers/],
      ['validationSplit', 1, /at most 0.5/],
      ['validationSplit', 0.999999, /at most 0.5, got 0.999999: the model must train on at least as many rows as judge it/],
      ['learningRate', 1e-300, /at least 0.000001, got 1e-300: Adam and RMSprop/],
      ['learningRate', 9e-7, /at least 0.000001/],
      ['tsneLearningRate', 1e308, /at most 100000000, got 1e\+308: the largest step size/],
      ['tsneLearningRate', 0, /greater than 0/],
      ['perplexity', 0, /at least 1/],
      ['perplexity', 0.99, /at least 1/],
      ['epochs', true, /whole number/],
      ['epochs', 0, /at least 1/],
      ['batchSize', 0, /at least 1/],
      ['learningRate', 0, /at least 0.000001/],
      ['layers', '8,0', /positive whole numbers/],
      ['sparsityTarget', 1, /less than 1/],
      ['sparsityWeight', -1, /at least 0/],
      ['noiseStd', 0, /greater than 0/],
      ['noiseFraction', 1, /less than 1/],
      ['klWeight', -0.1, /at least 0/],
      ['patience', -1, /at least 0/],
    ];
    for (const [key, value, message] of bad) {
      let err: unknown;
      try {
        parseValue(key, value, 'test');
      } catch (e) {
        err = e;
      }
      expect(err, `${key}=${String(value)}`).toBeInstanceOf(InputError);
      expect((err as InputError).message).toMatch(message);
      expect((err as InputError).message).toContain(`field "${key}"`);
    }
  });

  it('accepts the step sizes and splits at the edges of their bounds: the automatic t-SNE rate of the largest input, fine-tuning rates, half the rows held out', () => {
    expect(parseValue('tsneLearningRate', 1e8, 'test')).toBe(1e8);
    expect(parseValue('tsneLearningRate', '100000000 ', '--tsne-learning-rate')).toBe(1e8);
    expect(parseValue('learningRate', '1e-6', '--learning-rate')).toBe(1e-6);
    expect(parseValue('learningRate', 10, 'test')).toBe(10);
    expect(parseValue('validationSplit', 0.5, 'test')).toBe(0.5);
    expect(parseValue('validationSplit', 0, 'test')).toBe(0);
  });

  it('names an unknown key and suggests the closest known one', () => {
    expect(() => parsePartialConfig({ codesize: 8 }, 'job.json')).toThrow(/unknown configuration key "codesize"; did you mean "codeSize"\?/);
    expect(() => parsePartialConfig({ zzzzzzzz: 1 }, 'job.json')).toThrow(/unknown configuration key "zzzzzzzz" \(from job.json\)/);
    expect(() => parsePartialConfig([1, 2], 'body')).toThrow(/must be an object/);
  });

  it('layers later sources over earlier ones and fills defaults', () => {
    const c = resolveConfig(parsePartialConfig({ dataset: 'iris', epochs: 3 }, 'file'), { epochs: 5 });
    expect(c.dataset).toBe('iris');
    expect(c.epochs).toBe(5);
    expect(c.perplexity).toBe('auto');
  });

  it('defaults to mnist and refuses both a dataset and an input', () => {
    expect(resolveConfig().dataset).toBe('mnist');
    expect(() => resolveConfig({ dataset: 'iris', input: 'x.csv' })).toThrow(/either a dataset or an input/);
  });

  it('refuses a setting that would have no effect with the rest of the configuration', () => {
    expect(() => resolveConfig({ noiseStd: 0.5 })).toThrow(/field "noiseStd": applies only with --variant denoising and --noise gaussian/);
    expect(() => resolveConfig({ variant: 'denoising', noise: 'mask', noiseStd: 0.5 })).toThrow(/noiseStd/);
    expect(() => resolveConfig({ klWeight: 2, variant: 'sparse' })).toThrow(/field "klWeight": applies only with --variant vae \(this run uses sparse\)/);
    expect(() => resolveConfig({ reducer: 'pca', epochs: 3 })).toThrow(/field "epochs": applies only with --reducer autoencoder or auto \(this run uses pca\)/);
    // under auto the autoencoder's options stay accepted (they apply if auto chooses it)
    expect(resolveConfig({ epochs: 3, variant: 'denoising', noise: 'gaussian', noiseStd: 0.1 })).toMatchObject({ reducer: 'auto', epochs: 3 });
    expect(() => resolveConfig({ tsneEngine: 'fft', theta: 0.3 })).toThrow(/field "theta"/);
    expect(resolveConfig({ variant: 'denoising', noise: 'mask', noiseFraction: 0.3 }).noiseFraction).toBe(0.3);
    expect(resolveConfig({ variant: 'sparse', sparsityPenalty: 'l1', sparsityWeight: 0.01 }).sparsityWeight).toBe(0.01);
    expect(resolveConfig({ reducer: 'pca', codeSize: 8 }).codeSize).toBe(8);
  });

  it('refuses more exaggeration iterations than iterations', () => {
    expect(() => resolveConfig({ iterations: 100 })).toThrow(/exaggerationIterations|must not exceed iterations/);
  });
});
