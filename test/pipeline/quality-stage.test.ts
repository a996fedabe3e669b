import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isCancelled } from '../../pipeline/errors.js';
import { planPrepare, prepare } from '../../pipeline/prepare.js';
import { preparedInput } from '../../pipeline/prepared-input.js';
import { runQuality } from '../../pipeline/quality.js';
import { measureQuality } from '../../pipeline/quality-stage.js';
import { createRandom } from '../../pipeline/random.js';
import { writeData } from '../../pipeline/runs/artifacts.js';
import type { Dataset, Matrix } from '../../pipeline/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-quality-stage-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** n rows of d columns in three seeded clusters, labelled by cluster; codes: the first two columns; a noisy map of them. */
function fixture(n: number, d: number, seed: number): { dataset: Dataset; labels: string[]; codesOf: (x: Matrix) => Matrix; embeddingOf: (x: Matrix) => Float32Array } {
  const r = createRandom(seed);
  const values = new Float32Array(n * d);
  const labels: string[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels.push(`c${c}`);
    for (let j = 0; j < d; j++) values[i * d + j] = 4 * (j === c ? 1 : 0) + r.normal();
  }
  const dataset: Dataset = { name: 'clusters', source: '/data/clusters.csv', matrix: { rows: n, cols: d, values }, columns: Array.from({ length: d }, (_, j) => `f${j}`), metadata: [], sha256: 'x' };
  const codesOf = (x: Matrix): Matrix => ({ rows: x.rows, cols: 2, values: Float32Array.from({ length: 2 * x.rows }, (_, t) => x.values[Math.floor(t / 2) * x.cols + (t % 2)]!) });
  const embeddingOf = (x: Matrix): Float32Array => Float32Array.from({ length: 2 * x.rows }, (_, t) => x.values[Math.floor(t / 2) * x.cols + (t % 2)]! + 0.3 * r.normal());
  return { dataset, labels, codesOf, embeddingOf };
}

/** The run's data file written, the matrix scaled in place (as the pipeline does), and the same matrix prepared apart. */
async function released(n: number, name: string) {
  const f = fixture(n, 6, 5);
  const opts = { scaling: 'standardize', missing: 'mean', loss: 'auto' } as const;
  const expected = prepare(f.dataset, opts).matrix;
  const plan = planPrepare(f.dataset, opts);
  const runDir = path.join(dir, name);
  await mkdir(runDir);
  await writeData(runDir, f.dataset.matrix, plan.rowIndex, plan.rowIndex);
  const x = plan.scale(true);
  const input = preparedInput(x, { dataFile: path.join(runDir, 'data.arrow'), plan, dataset: f.dataset, exact: true });
  return { ...f, expected, x, input };
}

const options = { k: 10, sample: 500, seed: 3 };

describe('the metrics stage', () => {
  it('measures a released input in a worker thread, with the figures of the in-memory matrix, reporting progress', async () => {
    const { expected, input, labels, codesOf, embeddingOf } = await released(900, 'worker');
    const codes = codesOf(expected);
    const embedding = embeddingOf(expected);
    expect(input.release()).toBeGreaterThan(0);
    expect(input.readBack()).not.toBeNull();
    const progress: [number, string][] = [];
    const q = await measureQuality(input, codes, embedding, labels, options, { onProgress: (p, stage) => progress.push([p, stage]) });
    const here = await runQuality(expected, codes, embedding, labels, options);
    expect(q.trustworthiness).toBe(here.trustworthiness);
    expect(q.knnPreservation).toBe(here.knnPreservation);
    expect(q.labelAccuracy).toBe(here.labelAccuracy);
    expect(q.codes).toEqual(here.codes);
    expect(Array.from(q.preservation)).toEqual(Array.from(here.preservation));
    expect(q.trustworthiness).toBeGreaterThan(0.5);
    expect(q.sample).toBe(500);
    // the worker read the matrix itself: this thread still does not hold it
    expect(input.readBack()).not.toBeNull();
    expect(progress.every(([, s]) => s === 'metrics')).toBe(true);
    expect(progress.map(([p]) => p)).toEqual([...progress.map(([p]) => p)].sort((a, b) => a - b));
    expect(progress.at(-1)![0]).toBe(1);
    expect(progress.length).toBeGreaterThanOrEqual(4);
  });

  it('measures here, with the same figures, while this thread holds the matrix', async () => {
    const { expected, x, input, labels, codesOf, embeddingOf } = await released(300, 'held');
    const codes = codesOf(expected);
    const embedding = embeddingOf(expected);
    expect(input.readBack()).toBeNull();
    const q = await measureQuality(input, codes, embedding, labels, options);
    expect(x.values.length).toBe(300 * 6);
    expect(q.trustworthiness).toBe((await runQuality(expected, codes, embedding, labels, options)).trustworthiness);
  });

  it('is cancelled at once when the run is, stopping its worker', async () => {
    const { expected, input, labels, codesOf, embeddingOf } = await released(900, 'cancel');
    input.release();
    const controller = new AbortController();
    const started = performance.now();
    const pending = measureQuality(input, codesOf(expected), embeddingOf(expected), labels, options, {
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    const err = await pending.catch((e: unknown) => e);
    expect(isCancelled(err)).toBe(true);
    expect(performance.now() - started).toBeLessThan(20000);
  });
});
