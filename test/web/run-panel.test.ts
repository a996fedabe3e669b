import { describe, expect, it } from 'vitest';
import type { RunManifest } from '../../pipeline/types.js';
import { automaticChoices, mapSummary } from '../../web/src/ui/run-panel.js';

// choices as a default MNIST run writes them (shortened reasons), with the code size set explicitly
const choices = {
  scaling: { value: 'none', auto: true, reason: 'an image dataset: every column is a pixel in one unit' },
  reducer: { value: 'autoencoder', auto: true, reason: 'autoencoder codes agree better with the labels' },
  codeSize: { value: 16, auto: false, reason: 'set' },
  layers: { value: [256, 128], auto: true, reason: 'fitted to 784 columns' },
  epochs: { value: 100, auto: true, reason: 'about 360,000 training samples' },
  augmentShift: { value: 1, auto: true, reason: 'images inside their frame: 1.4% of rows reach the outer ring' },
  perplexity: { value: 30, auto: true, reason: '30 kept' },
  learningRate: { value: 0.002, auto: true, reason: 'residual variant' },
};
const manifest = (reducer: string): RunManifest =>
  ({ config: { reducer: 'auto' }, choices: { ...choices, reducer: { ...choices.reducer, value: reducer } } }) as unknown as RunManifest;

describe('run panel: automatic choices', () => {
  it('lists the automatic choices in order, with the image shift when the autoencoder made the codes', () => {
    expect(automaticChoices(manifest('autoencoder'))).toEqual([
      { key: 'reducer', value: 'autoencoder', reason: choices.reducer.reason },
      { key: 'scaling', value: 'none', reason: choices.scaling.reason },
      { key: 'layers', value: '256,128', reason: choices.layers.reason },
      { key: 'epochs', value: '100', reason: choices.epochs.reason },
      { key: 'augmentShift', value: '1', reason: choices.augmentShift.reason },
      { key: 'perplexity', value: '30', reason: choices.perplexity.reason },
    ]);
  });

  it("leaves out explicit settings, and the autoencoder's own options when PCA made the codes", () => {
    const keys = automaticChoices(manifest('pca')).map((c) => c.key);
    expect(keys).toEqual(['reducer', 'scaling', 'perplexity']);
    expect(keys).not.toContain('codeSize');
    const auto = (reducer: string) => ({ ...manifest(reducer), choices: { ...manifest(reducer).choices, codeSize: { value: 32, auto: true, reason: 'fitted' } } }) as RunManifest;
    expect(automaticChoices(auto('pca')).map((c) => c.key)).toEqual(['reducer', 'scaling', 'codeSize', 'perplexity']);
    expect(automaticChoices(auto('none')).map((c) => c.key)).toEqual(['reducer', 'scaling', 'perplexity']);
  });

  it('lists nothing for a run written before automatic choices', () => {
    expect(automaticChoices({ config: { reducer: 'pca' } } as unknown as RunManifest)).toEqual([]);
  });
});

describe('run panel: the map summary of a pane title', () => {
  it('names the method that made the map: t-SNE, UMAP, or the coordinates that came with the input', () => {
    const m = (config: Record<string, unknown>) => ({ config, metrics: { trustworthiness: 0.98412, labelAccuracy: 0.7891 } }) as unknown as RunManifest;
    expect(mapSummary(m({ map: 'tsne', coordinates: null }))).toBe('t-SNE · trust 0.984 · label acc 0.789');
    expect(mapSummary(m({ map: 'umap' }))).toBe('UMAP · trust 0.984 · label acc 0.789');
    // an outside tester saw "t-SNE" over a --coordinates run, where none ran
    expect(mapSummary(m({ map: 'tsne', coordinates: ['m1', 'm2'] }))).toBe('coordinates m1, m2 · trust 0.984 · label acc 0.789');
  });
});
