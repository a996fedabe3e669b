import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../pipeline/config.js';
import { runPipeline } from '../../pipeline/pipeline.js';
import { transformRun } from '../../pipeline/commands/transform.js';
import { reconstructRows } from '../../pipeline/commands/reconstruct.js';
import { InputError } from '../../pipeline/errors.js';
import type { RunConfig } from '../../pipeline/types.js';

let dir: string;
const small = (over: Partial<RunConfig> = {}): RunConfig => {
  const reducer = over.reducer ?? 'autoencoder';
  const model = reducer !== 'autoencoder' ? {} : { layers: [8], epochs: 5 };
  return resolveConfig({ dataset: 'iris', reducer, codeSize: 2, ...model, iterations: 300, runsDir: dir, backend: 'cpu', ...over });
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-pipeline-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('runPipeline on iris', () => {
  let result: Awaited<ReturnType<typeof runPipeline>>;
  const stages = new Set<string>();

  beforeAll(async () => {
    result = await runPipeline(small(), { onProgress: (_p, s) => stages.add(s) });
  });

  it('writes a complete run directory that apache-arrow reads back with one point per row', async () => {
    expect((await readdir(result.dir)).sort()).toEqual(['codes.arrow', 'data.arrow', 'features.arrow', 'history.json', 'manifest.json', 'model', 'points.arrow']);
    const points = tableFromIPC(await readFile(path.join(result.dir, 'points.arrow')));
    expect(points.numRows).toBe(150);
    expect(points.schema.fields.map((f) => f.name).slice(0, 6)).toEqual(['index', 'x', 'y', 'error', 'preservation', 'label']);
    const xs = points.getChild('x')!.toArray() as Float32Array;
    expect(xs.every((v) => Number.isFinite(v))).toBe(true);
    expect(Array.from(points.getChild('index')!.toArray() as Int32Array)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    const codes = tableFromIPC(await readFile(path.join(result.dir, 'codes.arrow')));
    expect(codes.numRows).toBe(150);
    expect((await readdir(path.join(result.dir, 'model'))).sort()).toEqual(expect.arrayContaining(['model.json', 'preprocessing.json']));
  });

  it('records the resolved configuration, dataset, backend, timings and metrics in the manifest', () => {
    const m = result.manifest;
    expect(m.status).toBe('complete');
    expect(m.config.codeSize).toBe(2);
    expect(m.config.perplexity).toBe('auto'); // iris is small and labelled: 30 and 10 are both measured
    expect([30, 10]).toContain(m.choices!.perplexity!.value);
    expect(m.dataset).toMatchObject({ name: 'iris', rows: 150, columns: 4, label: 'species' });
    expect(m.dataset.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(m.backend).toBe('cpu');
    for (const k of ['load', 'prepare', 'train', 'encode', 'tsne', 'total']) expect(m.timings[k]).toBeGreaterThanOrEqual(0);
    expect(m.metrics.reconstruction.train).toBeGreaterThan(0);
    expect(m.metrics.tsne?.iterations).toBe(300);
    expect(m.metrics.trustworthiness).toBeGreaterThan(0.8);
    expect(m.metrics.labelAccuracy).toBeGreaterThan(0.8);
    // the same vote among the input's and the codes' neighbours (iris: petal sizes separate setosa, mostly the others)
    expect(m.metrics.inputLabelAccuracy).toBeGreaterThan(0.9);
    expect(m.metrics.codesLabelAccuracy).toBeGreaterThan(0.8);
    // the t-SNE schedule it ran: explicit iterations obeyed, the learning rate and early exaggeration chosen for 150 rows, said why
    expect(m.choices!.tsneSchedule).toMatchObject({
      auto: true,
      value: { iterations: 300, exaggerationIterations: 250, earlyExaggeration: 4, exaggeration: 1, earlyLearningRate: 200, learningRate: 200, initialMomentum: 0.5, finalMomentum: 0.8 },
    });
    expect(m.choices!.tsneSchedule!.reason).toMatch(/^150 rows: learning rate max\(200, n \/ 4\) = 200 in both phases, momentum 0.5 then 0.8, early exaggeration 4 \(auto: n \/ 50, at least 4, below 600 rows\) for 250 of 300 iterations/);
  });

  it('reports progress for every stage and writes the training and KL history', async () => {
    for (const s of ['load', 'prepare', 'train', 'encode', 'tsne', 'write']) expect(stages.has(s), s).toBe(true);
    const history = JSON.parse(await readFile(path.join(result.dir, 'history.json'), 'utf8'));
    expect(history.epochs.length).toBeGreaterThan(0);
    expect(history.epochs[0]).toHaveProperty('loss');
    expect(history.tsne.length).toBeGreaterThan(0);
  });

  it('--if-changed returns the earlier run when nothing changed, and runs again when the config changed', async () => {
    const again = await runPipeline(small(), { ifChanged: true });
    expect(again.skipped).toBe(true);
    expect(again.id).toBe(result.id);
    const changed = await runPipeline(small({ seed: 7 }), { ifChanged: true });
    expect(changed.skipped).toBe(false);
    expect(changed.id).not.toBe(result.id);
  });

  it('transform places new rows without moving the base points', async () => {
    const input = path.join(dir, 'new-iris.csv');
    const src = (await readFile(path.join(import.meta.dirname, '../../datasets/iris/iris.csv'), 'utf8')).split(/\r?\n/);
    await writeFile(input, [src[0], ...src.slice(1, 6)].join('\n'));
    const t = await transformRun({ run: result.dir, input, runsDir: dir, name: null, labelColumn: null, iterations: 100, perplexity: null, id: null });
    expect(t.manifest.base).toBe(result.id);
    expect(t.manifest.metrics.transform).toEqual({ newRows: 5, iterations: 100, perplexity: 5 });
    // The manifest shows the transform's own settings, not the base run's.
    expect(t.manifest.config).toMatchObject({ input, dataset: null, perplexity: 5, iterations: 100 });
    expect(JSON.parse(await readFile(path.join(t.dir, 'transform.json'), 'utf8'))).toMatchObject({ base: result.id, input: path.basename(input), rows: 5, perplexity: 5, iterations: 100 }); // no server path in a run's files
    const before = tableFromIPC(await readFile(path.join(result.dir, 'points.arrow')));
    const after = tableFromIPC(await readFile(path.join(t.dir, 'points.arrow')));
    expect(after.numRows).toBe(155);
    const bx = before.getChild('x')!.toArray() as Float32Array;
    const ax = after.getChild('x')!.toArray() as Float32Array;
    expect(Array.from(ax.subarray(0, 150))).toEqual(Array.from(bx));
    const isNew = Array.from({ length: 155 }, (_, i) => after.getChild('isNew')!.get(i));
    expect(isNew.filter(Boolean).length).toBe(5);
    expect(Array.from(ax.subarray(150)).every((v) => Number.isFinite(v))).toBe(true);
  });

  it('reconstruct writes one row per input row in input units, keeping id, label and metadata, with its error', async () => {
    const input = path.join(dir, 'rows.csv');
    await writeFile(input, 'id,sepal_length,sepal_width,petal_length,petal_width,species,note\n007,5.1,3.5,1.4,0.2,setosa,first\n12,6.7,3.0,5.2,2.3,virginica,"a, b"\n');
    const output = path.join(dir, 'rec.csv');
    const r = await reconstructRows({ run: result.dir, input, output, runsDir: dir, force: false });
    expect(r.rows).toBe(2);
    const lines = (await readFile(output, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('species,id,note,sepal_length,sepal_width,petal_length,petal_width,reconstruction_error');
    expect(lines).toHaveLength(3);
    expect(lines[1]!.startsWith('setosa,007,first,')).toBe(true);
    expect(lines[2]!.startsWith('virginica,12,"a, b",')).toBe(true);
    const first = lines[1]!.split(',').slice(3).map(Number);
    expect(first).toHaveLength(5);
    expect(Math.abs(first[0]! - 5.1)).toBeLessThan(2.5);
    expect(first[4]).toBeGreaterThan(0);
    expect(Math.abs(first[4]! + Number(lines[2]!.split(',').at(-1)) - 2 * r.meanError)).toBeLessThan(1e-5);
  });
});

describe('runPipeline with bad input', () => {
  it('a code size not smaller than the input width fails before anything is written', async () => {
    const before = await readdir(dir);
    await expect(runPipeline(small({ codeSize: 4 }))).rejects.toThrow(/codeSize|code size/i);
    expect(await readdir(dir)).toEqual(before);
  });

  it('the tsne-js engine on more rows than it can map fails once the input is loaded, before training and before anything is written', async () => {
    const input = path.join(dir, '..', `${path.basename(dir)}-2001.csv`);
    await writeFile(input, `a,b,c\n${Array.from({ length: 2001 }, (_, i) => `${i % 7},${(i * 3) % 11},${(i * 5) % 13}`).join('\n')}\n`);
    const before = await readdir(dir);
    const stages = new Set<string>();
    const err = await runPipeline(resolveConfig({ input, reducer: 'autoencoder', layers: [8], epochs: 5, codeSize: 2, tsneEngine: 'tsne-js', runsDir: dir, backend: 'cpu' }), {
      onProgress: (_p, s) => stages.add(s),
    }).then(
      () => null,
      (e: unknown) => e as InputError,
    );
    expect(err).toBeInstanceOf(InputError);
    expect(err!.message).toMatch(/tsne-js engine .* limited to 2,000 rows, got 2,001/);
    expect(err!.location.field).toBe('tsneEngine');
    expect(stages.has('train')).toBe(false);
    expect(await readdir(dir)).toEqual(before);
    await rm(input);
  });
});

describe('reducers beside the autoencoder', () => {
  it('pca and none make complete runs too', async () => {
    const pca = await runPipeline(small({ reducer: 'pca' }));
    expect(pca.manifest.metrics.reconstruction.loss).toBe('mse');
    expect((await readdir(path.join(pca.dir, 'model'))).sort()).toEqual(['pca.json', 'preprocessing.json']);
    const none = await runPipeline(small({ reducer: 'none' }));
    const pts = tableFromIPC(await readFile(path.join(none.dir, 'points.arrow')));
    expect(pts.numRows).toBe(150);
    expect(pts.getChild('error')).toBeNull();
  });
});

describe('one copy of the matrix', () => {
  it('saves the original values of the kept rows in data.arrow, and scaling in place gives the codes of a file without the dropped rows', async () => {
    // iris with a missing value in rows 3 and 10 (dropped), standardized
    const src = (await readFile(path.join(import.meta.dirname, '../../datasets/iris/iris.csv'), 'utf8')).trim().split(/\r?\n/);
    const header = src[0]!;
    const body = src.slice(1);
    const holed = body.map((l, i) => (i === 3 || i === 10 ? l.replace(/^[^,]*/, '') : l));
    const withHoles = path.join(dir, 'iris-holes.csv');
    const without = path.join(dir, 'iris-kept.csv');
    await writeFile(withHoles, [header, ...holed].join('\n'));
    await writeFile(without, [header, ...body.filter((_, i) => i !== 3 && i !== 10)].join('\n'));
    const cfg = (input: string): RunConfig => small({ dataset: null, input, reducer: 'pca', scaling: 'standardize', missing: 'drop' });
    const a = await runPipeline(cfg(withHoles));
    const b = await runPipeline(cfg(without));

    const data = tableFromIPC(await readFile(path.join(a.dir, 'data.arrow')));
    const kept = Array.from({ length: 150 }, (_, i) => i).filter((i) => i !== 3 && i !== 10);
    expect(Array.from(data.getChild('index')!.toArray() as Int32Array)).toEqual(kept);
    const values = data.getChild('values')!;
    const numeric = (l: string): number[] => l.split(',').map(Number).filter((_, c) => header.split(',')[c] !== 'species');
    kept.forEach((r, i) => expect(Array.from(values.get(i)! as Float32Array)).toEqual(numeric(body[r]!).map(Math.fround)));

    const codes = async (d: string) => Array.from(tableFromIPC(await readFile(path.join(d, 'codes.arrow'))).getChild('code')!.data[0]!.children[0]!.values as Float32Array);
    expect(await codes(a.dir)).toEqual(await codes(b.dir));
  });
});

describe('a run that fails after prepare', () => {
  it('is cancelled in training and leaves nothing behind, not even the runs directory it created', async () => {
    const runsDir = path.join(dir, 'fresh-runs');
    const controller = new AbortController();
    const run = runPipeline(small({ runsDir }), {
      signal: controller.signal,
      onProgress: (_p, stage) => {
        if (stage === 'train') controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
    await expect(readdir(runsDir)).rejects.toThrow(/ENOENT/);
  });
});

describe('sample from a variational autoencoder run', () => {
  it('writes the requested number of generated rows, and refuses a non-vae run', async () => {
    const { sampleRows } = await import('../../pipeline/commands/sample.js');
    const vae = await runPipeline(small({ variant: 'vae' }));
    const output = path.join(dir, 'samples.csv');
    const r = await sampleRows({ run: vae.dir, count: 7, output, pngDir: null, seed: 1, runsDir: dir, force: false });
    expect(r.rows).toBe(7);
    const lines = (await readFile(output, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('sepal_length,sepal_width,petal_length,petal_width');
    expect(lines).toHaveLength(8);
    expect(lines.slice(1).every((l) => l.split(',').map(Number).every(Number.isFinite))).toBe(true);
    await expect(sampleRows({ run: vae.dir, count: 7, output, pngDir: null, seed: 1, runsDir: dir, force: false })).rejects.toThrow(/exists; pass --force/);
    // Without --output: into the runs directory, never the working directory.
    const dflt = await sampleRows({ run: vae.dir, count: 3, output: null, pngDir: null, seed: 2, runsDir: null, force: false });
    expect(dflt.output).toBe(path.join(path.dirname(vae.dir), 'samples', `${vae.id}-seed2-n3.csv`));
    expect((await readFile(dflt.output, 'utf8')).trim().split('\n')).toHaveLength(4);
    const plain = await runPipeline(small({ seed: 3 }));
    await expect(sampleRows({ run: plain.dir, count: 2, output: path.join(dir, 's2.csv'), pngDir: null, seed: 1, runsDir: dir, force: false })).rejects.toThrow(/not a variational autoencoder run/);
  });
});
