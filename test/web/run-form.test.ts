import { describe, expect, it } from 'vitest';
import { formGroups } from '../../server/run-form.js';
import { faultyField, fieldProblem, fieldValue, inFormWords } from '../../web/src/ui/run-form.js';

// the fields exactly as GET /api/run-options serves them
const fields = formGroups().flatMap((g) => g.fields);
const field = (key: string) => fields.find((f) => f.key === key)!;

describe('New-run form values', () => {
  it('takes empty, auto and values in range; refuses others with one message naming the field and what it takes', () => {
    expect(fieldProblem(field('codeSize'), '')).toBeNull();
    expect(fieldProblem(field('codeSize'), 'auto')).toBeNull();
    expect(fieldProblem(field('codeSize'), '16')).toBeNull();
    expect(fieldProblem(field('codeSize'), '0')).toBe('Code size: 0 is out of range. Give a whole number from 1 to 4,096, or auto.');
    expect(fieldProblem(field('codeSize'), '2.5')).toBe('Code size: 2.5 is not a whole number. Give a whole number from 1 to 4,096, or auto.');
    expect(fieldProblem(field('batchSize'), 'many')).toBe('Batch size: “many” is not a number. Give a whole number from 1 to 1,048,576.');
    expect(fieldProblem(field('learningRate'), '1e-3')).toBeNull();
    expect(fieldProblem(field('learningRate'), '20')).toBe('Learning rate: 20 is out of range. Give a number from 0.000001 to 10, or auto.');
    expect(fieldProblem(field('minDist'), '-1')).toBe('Minimum distance (UMAP): -1 is out of range. Give a number from 0 to 100.');
    expect(fieldProblem(field('layers'), '64,abc')).toBe('Hidden layers: “abc” is not a whole number. Write whole numbers separated by commas, for example 256,128, or auto.');
    expect(fieldProblem(field('layers'), '256, 128')).toBeNull();
    expect(fieldProblem(field('layers'), '99999')).toBe('Hidden layers: 99999 is too large; each is at most 16,384.');
    // an empty entry is refused, not silently dropped; a negative or zero width is out of range, not "not a whole number"
    expect(fieldProblem(field('layers'), '256,,128')).toBe('Hidden layers: an entry is empty (two commas in a row, or a comma at an end). Write whole numbers separated by commas, for example 256,128, or auto.');
    expect(fieldProblem(field('layers'), '256,')).toMatch(/an entry is empty/);
    expect(fieldProblem(field('layers'), '-3')).toBe('Hidden layers: -3 is out of range; each is at least 1.');
    expect(fieldProblem(field('layers'), '128,0')).toBe('Hidden layers: 0 is out of range; each is at least 1.');
    expect(fieldProblem(field('layers'), '256 128')).toBeNull();
    expect(fieldProblem(field('reducer'), 'umap')).toBe('Reducer: choose one of auto, autoencoder, pca, none.');
  });

  it('sends only what differs from the defaults, typed, and always the dataset', () => {
    expect(fieldValue(field('codeSize'), 'auto')).toBeUndefined();
    expect(fieldValue(field('codeSize'), ' 8 ')).toBe(8);
    expect(fieldValue(field('batchSize'), '256')).toBeUndefined();
    expect(fieldValue(field('layers'), '256, 128')).toEqual([256, 128]);
    expect(fieldValue(field('dataset'), 'mnist')).toBe('mnist');
    expect(fieldValue(field('name'), '')).toBeUndefined();
  });

  it('rewords the server’s messages with the fields’ labels: no CLI flags, keys or request-body notes', () => {
    expect(inFormWords('field "codeSize": must be at least 1, got 0 (from request body)', fields)).toBe('must be at least 1, got 0');
    expect(inFormWords('field "theta": applies only with --tsne-engine bh or auto (Barnes-Hut); exact does not use it', fields)).toBe(
      'theta: applies only with “t-SNE engine” bh or auto (Barnes-Hut); exact does not use it',
    );
    expect(inFormWords('an explicit --code-size must be smaller than the input width; see --sparsity-target', fields)).toBe(
      'an explicit “Code size” must be smaller than the input width; see sparsity-target',
    );
    expect(inFormWords('must not exceed spread (1), got 2 for minDist', fields)).toBe('must not exceed spread (1), got 2 for “Minimum distance (UMAP)”');
    expect(faultyField('codeSize', fields)?.label).toBe('Code size');
    expect(faultyField('theta', fields)).toBeNull();
  });
});
