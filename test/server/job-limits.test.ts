// The pre-start estimate of a job's memory and time (server/job-limits.ts) and the field its refusal names.
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../../pipeline/config.js';
import { checkJobLimits, estimateJob } from '../../server/job-limits.js';

const GB = 1024 ** 3;

describe('job limits', () => {
  it("counts UMAP's neighbour graphs: 1,000 neighbours of 20,000 rows are refused before the run starts, naming nNeighbors", () => {
    const umap = resolveConfig({ dataset: 'fashion-mnist', limit: 20000, reducer: 'pca', map: 'umap', nNeighbors: 1000 });
    const e = estimateJob(umap, 70000, 784);
    expect(e.bytes).toBeGreaterThan(1 * GB);
    expect(e.detail).toContain('UMAP with 1000 neighbours');
    expect(() => checkJobLimits(umap, 70000, 784, { maxBytes: 1 * GB, maxSeconds: 3600 })).toThrow(
      expect.objectContaining({ location: { field: 'nNeighbors' }, message: expect.stringMatching(/would need about 1\.\d GB of memory .*fewer UMAP neighbours \(nNeighbors\)/) }),
    );
    // the default 15 neighbours of the same rows fit easily
    const small = resolveConfig({ dataset: 'fashion-mnist', limit: 20000, reducer: 'pca', map: 'umap' });
    expect(estimateJob(small, 70000, 784).bytes).toBeLessThan(0.6 * GB);
  });

  it('names the setting that adds the most: layers for a huge autoencoder, epochs for a long one', () => {
    const wide = resolveConfig({ dataset: 'mnist', reducer: 'autoencoder', layers: [16384, 16384] });
    expect(() => checkJobLimits(wide, 10000, 784, { maxBytes: 4 * GB, maxSeconds: 1e9 })).toThrow(expect.objectContaining({ location: { field: 'layers' } }));
    const long = resolveConfig({ dataset: 'mnist', reducer: 'autoencoder', epochs: 100000, patience: 0 });
    expect(() => checkJobLimits(long, 10000, 784, { maxBytes: 64 * GB, maxSeconds: 3600 })).toThrow(expect.objectContaining({ location: { field: 'epochs' } }));
    // the tester's cases: time refusals name the setting that makes the time, not another
    const wideSlow = resolveConfig({ dataset: 'mnist', reducer: 'autoencoder', layers: [16384] });
    expect(() => checkJobLimits(wideSlow, 10000, 784, { maxBytes: 64 * GB, maxSeconds: 600 })).toThrow(expect.objectContaining({ location: { field: 'layers' } }));
    const umapLong = resolveConfig({ dataset: 'mnist', reducer: 'pca', map: 'umap', umapEpochs: 100000 });
    expect(() => checkJobLimits(umapLong, 10000, 784, { maxBytes: 64 * GB, maxSeconds: 600 })).toThrow(expect.objectContaining({ location: { field: 'umapEpochs' } }));
    const umapWide = resolveConfig({ dataset: 'mnist', reducer: 'pca', map: 'umap', nNeighbors: 1000 });
    expect(() => checkJobLimits(umapWide, 10000, 784, { maxBytes: 64 * GB, maxSeconds: 60 })).toThrow(expect.objectContaining({ location: { field: 'nNeighbors' } }));
    const iters = resolveConfig({ dataset: 'mnist', reducer: 'pca', iterations: 100000 });
    expect(() => checkJobLimits(iters, 10000, 784, { maxBytes: 64 * GB, maxSeconds: 600 })).toThrow(expect.objectContaining({ location: { field: 'iterations' } }));
  });
});
