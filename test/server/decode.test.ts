// What a selection looks like (POST /api/runs/:id/decode) and a row's neighbours in input space
// (GET /api/runs/:id/neighbors/:index?space=input), over real HTTP on seeded fixture runs. Fixture runs have no
// trained model: a stand-in decoder (value f = f + code[f mod codeSize]) shows what the route does with one.
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Preprocessing } from '../../pipeline/types.js';
import { createApp } from '../../server/app.js';
import { maskOf } from '../../server/selection.js';
import { tempRunsDir, writeFixtureRun, type FixtureRun } from './fixtures.js';
import { listen, request } from './http.js';

let runsDir: { dir: string; cleanup: () => Promise<void> };
let base: string;
let close: () => Promise<void>;
let tab: FixtureRun;
let gappy: FixtureRun;
let images: FixtureRun;
const decodedCodes: Float32Array[] = [];

function preprocessing(features: number, scale: (c: number) => number): Preprocessing {
  return {
    kind: 'standardize',
    features: Array.from({ length: features }, (_, i) => `f${i}`),
    offset: Array.from({ length: features }, () => 1),
    scale: Array.from({ length: features }, (_, c) => scale(c)),
    fill: Array.from({ length: features }, () => 1),
    missing: 'mean',
    loss: 'mse',
  };
}

beforeAll(async () => {
  runsDir = await tempRunsDir();
  // column 0 spans 100x the others in input space once scaled: input-space neighbours follow it
  tab = await writeFixtureRun(runsDir.dir, { id: 'tab', rows: 200, codeSize: 5, features: 6, seed: 7, preprocessing: preprocessing(6, (c) => (c === 0 ? 0.01 : 1)) });
  const index = Int32Array.from({ length: 60 }, (_, i) => Math.floor(i / 2) * 3 + (i % 2));
  gappy = await writeFixtureRun(runsDir.dir, { id: 'gappy', rows: 60, index, seed: 8, preprocessing: preprocessing(6, () => 1) });
  images = await writeFixtureRun(runsDir.dir, { id: 'images', rows: 30, image: { width: 8, height: 6, channels: 1 }, seed: 9 });
  await writeFixtureRun(runsDir.dir, { id: 'pca-run', rows: 30, seed: 10, reducer: 'pca' });
  await writeFixtureRun(runsDir.dir, { id: 'none-run', rows: 30, image: { width: 8, height: 6, channels: 1 }, seed: 11, reducer: 'none' });
  const app = createApp({
    runsDir: runsDir.dir,
    log: () => {},
    reconstruct: async (_dir, _manifest, raw) => raw,
    decode: async (_dir, manifest, codes) => {
      decodedCodes.push(Float32Array.from(codes.values));
      const width = manifest.dataset.columns;
      return { rows: 1, cols: width, values: Float32Array.from({ length: width }, (_, f) => (manifest.dataset.image ? 0.5 : f) + codes.values[f % codes.cols]! / 100) };
    },
  });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await close();
  await runsDir.cleanup();
});

const post = (id: string, body: unknown, type = 'application/json') =>
  request(base, `/api/runs/${id}/decode`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : JSON.stringify(body) });

/** Column means of the rows at the given positions of a row-major matrix. */
function means(values: Float32Array, cols: number, positions: number[]): number[] {
  return Array.from({ length: cols }, (_, c) => positions.reduce((s, p) => s + values[p * cols + c]!, 0) / positions.length);
}

describe('POST /api/runs/:id/decode', () => {
  const chosen = [3, 10, 11, 50, 199];

  it('answers the mean of the rows and the decoding of their mean code, in the codes’ own column order', async () => {
    const r = await post('tab', { rows: chosen });
    expect(r.status, r.text).toBe(200);
    const a = r.json();
    expect(a).toMatchObject({ reducer: 'autoencoder', decodedBy: 'decoder', count: 5, image: null, meanImage: null, decodedImage: null });
    const meanCode = means(tab.codes, 5, chosen);
    a.code.forEach((v: number, c: number) => expect(v).toBeCloseTo(meanCode[c]!, 4));
    // the decoder was given exactly that code (not the cache's variance-ordered columns)
    Array.from(decodedCodes.at(-1)!).forEach((v, c) => expect(v).toBeCloseTo(meanCode[c]!, 4));
    means(tab.data, 6, chosen).forEach((m, f) => expect(a.mean[f]).toBeCloseTo(m, 4));
    a.decoded.forEach((v: number, f: number) => expect(v).toBeCloseTo(f + meanCode[f % 5]! / 100, 4));
    expect(a.features).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
  });

  it('says what sets the selection apart: the features and code units of largest standardized mean difference, with both means', async () => {
    const a = (await post('tab', { rows: chosen })).json();
    const rest = Array.from({ length: 200 }, (_, i) => i).filter((i) => !chosen.includes(i));
    const d = (values: Float32Array, cols: number, c: number) => {
      const col = (rows: number[]) => rows.map((r) => values[r * cols + c]!);
      const [x, y] = [col(chosen), col(rest)];
      const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
      const ss = (v: number[]) => v.reduce((s, t) => s + (t - mean(v)) ** 2, 0);
      return { d: (mean(x) - mean(y)) / Math.sqrt((ss(x) + ss(y)) / (x.length + y.length - 2)), meanIn: mean(x), meanOut: mean(y) };
    };
    const features = Array.from({ length: 6 }, (_, f) => ({ name: `f${f}`, ...d(tab.data, 6, f) })).sort((p, q) => Math.abs(q.d) - Math.abs(p.d));
    expect(a.separation.features.map((s: { name: string }) => s.name)).toEqual(features.map((f) => f.name));
    a.separation.features.forEach((s: { d: number; meanIn: number; meanOut: number }, k: number) => {
      expect(s.d).toBeCloseTo(features[k]!.d, 3);
      expect(s.meanIn).toBeCloseTo(features[k]!.meanIn, 4);
      expect(s.meanOut).toBeCloseTo(features[k]!.meanOut, 4);
    });
    const units = Array.from({ length: 5 }, (_, u) => ({ name: `unit ${u}`, ...d(tab.codes, 5, u) })).sort((p, q) => Math.abs(q.d) - Math.abs(p.d));
    expect(a.separation.units.map((s: { name: string }) => s.name)).toEqual(units.map((u) => u.name));
    a.separation.units.forEach((s: { d: number }, k: number) => expect(s.d).toBeCloseTo(units[k]!.d, 3));
    // a table has no heat map
    expect(a.separation.featureD).toBeNull();
  });

  it('gives image runs the difference of every pixel, for a heat map over the picture', async () => {
    const a = (await post('images', { rows: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9] })).json();
    expect(a.separation.featureD).toHaveLength(48);
    const top = a.separation.features[0];
    const at = images.manifest.dataset.features!.indexOf(top.name);
    expect(a.separation.featureD[at]).toBeCloseTo(top.d, 2);
    expect(Math.max(...a.separation.featureD.map((v: number | null) => Math.abs(v ?? 0)))).toBeCloseTo(Math.abs(top.d), 2);
    expect(a.separation.features).toHaveLength(12);
  });

  it('reads a mask as the same selection as the list of its rows', async () => {
    const byRows = (await post('tab', { rows: chosen })).json();
    const byMask = await post('tab', { mask: maskOf(chosen) });
    expect(byMask.status, byMask.text).toBe(200);
    expect(byMask.json()).toEqual(byRows);
  });

  it('maps index values to positions in gappy runs and refuses an index the run dropped', async () => {
    // index 4 is at position 3, index 7 at position 5
    const r = await post('gappy', { rows: [4, 7] });
    expect(r.status, r.text).toBe(200);
    means(gappy.data, 6, [3, 5]).forEach((m, f) => expect(r.json().mean[f]).toBeCloseTo(m, 4));
    const dropped = await post('gappy', { rows: [2] });
    expect(dropped.status).toBe(400);
    expect(dropped.json().error).toBe('run gappy has no row with index 2');
  });

  it('decodes a given code of the run’s size', async () => {
    const r = await post('tab', { code: [1, 2, 3, 4, 5] });
    expect(r.status, r.text).toBe(200);
    expect(r.json()).toMatchObject({ count: null, mean: null, code: [1, 2, 3, 4, 5] });
    expect(r.json().decoded[2]).toBeCloseTo(2.03, 5);
    const wrong = await post('tab', { code: [1, 2] });
    expect(wrong.status).toBe(400);
    expect(wrong.json().error).toBe('code: run tab has codes of 5 values; got 2');
  });

  it('draws both pictures for image runs, at four times their size, in one value range', async () => {
    const r = await post('images', { rows: [0, 1, 2] });
    expect(r.status, r.text).toBe(200);
    const a = r.json();
    for (const url of [a.meanImage, a.decodedImage]) {
      expect(url).toMatch(/^data:image\/png;base64,/);
      const img = PNG.sync.read(Buffer.from(url.split(',')[1], 'base64'));
      expect([img.width, img.height]).toEqual([32, 24]);
    }
    // the first decoded pixel is 0.5 + code[0] / 100, drawn in the [0, 1] range of the mean's values
    const img = PNG.sync.read(Buffer.from(a.decodedImage.split(',')[1], 'base64'));
    const first = 0.5 + means(images.codes, 4, [0, 1, 2])[0]! / 100;
    expect(Math.abs(img.data[0]! - 255 * first)).toBeLessThan(1.5);
  });

  it('says what stands in for a decoder in PCA runs and that reducer none has nothing to decode', async () => {
    const pca = (await post('pca-run', { rows: [1, 2] })).json();
    expect(pca.decodedBy).toBe('inverse transform');
    expect(pca.note).toMatch(/inverse transform/);
    const none = await post('none-run', { rows: [1, 2] });
    expect(none.status, none.text).toBe(200);
    expect(none.json()).toMatchObject({ reducer: 'none', decodedBy: null, decoded: null, decodedImage: null, code: null });
    expect(none.json().note).toMatch(/nothing to decode/);
    expect(none.json().meanImage).toMatch(/^data:image\/png/);
  });

  it('still answers the mean of the rows when the run’s model files are gone, saying why nothing was decoded', async () => {
    // the default decoder loads the run's saved model; fixture runs have none
    const bare = await listen(createApp({ runsDir: runsDir.dir, log: () => {} }));
    try {
      const r = await request(bare.base, '/api/runs/tab/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [1, 2] }) });
      expect(r.status, r.text).toBe(200);
      expect(r.json()).toMatchObject({ decoded: null, decodedBy: null, count: 2 });
      expect(r.json().note).toMatch(/^nothing decoded: .*autoencoder\.json is missing or unreadable/);
      expect(r.json().note).not.toContain(runsDir.dir);
      means(tab.data, 6, [1, 2]).forEach((m, f) => expect(r.json().mean[f]).toBeCloseTo(m, 4));
    } finally {
      await bare.close();
    }
  });

  it('loads and runs the model, and reads the chosen rows of data.arrow (every row once per run, for the rest), in the worker thread', async () => {
    // the default decoder: the run's saved PCA, loaded and applied in the worker thread, never on the event loop
    const pcaDir = await writeFixtureRun(runsDir.dir, { id: 'pca-model', rows: 50, codeSize: 4, features: 6, seed: 12, pca: true });
    const app = createApp({ runsDir: runsDir.dir, log: () => {} });
    const ctx = app.locals.context;
    const ops: string[] = [];
    const run = ctx.workers.run.bind(ctx.workers);
    ctx.workers.run = (task, ...rest) => {
      ops.push(task.op === 'model' ? `model:${task.apply}` : task.op);
      return run(task, ...rest);
    };
    const served = await listen(app);
    try {
      const r = await request(served.base, '/api/runs/pca-model/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [4, 9, 33] }) });
      expect(r.status, r.text).toBe(200);
      const a = r.json();
      expect(a.decodedBy).toBe('inverse transform');
      // what the same model decodes the same mean code to, in this thread
      const { createReconstructor } = await import('../../server/reconstruct.js');
      const here = createReconstructor();
      const manifest = (await ctx.cache.run('pca-model')).manifest;
      const want = await here.decode(path.join(runsDir.dir, 'pca-model'), manifest, { rows: 1, cols: 4, values: Float32Array.from(a.code) });
      here.dispose();
      Array.from(want.values).forEach((v, f) => expect(a.decoded[f]).toBeCloseTo(v, 4));
      means(pcaDir.data, 6, [4, 9, 33]).forEach((m, f) => expect(a.mean[f]).toBeCloseTo(m, 4));
      expect(ops).toEqual(expect.arrayContaining(['codes', 'moments', 'data-moments', 'model:decode']));
      expect(ops).not.toContain('data-matrix');
      // the selection's rows, and every row for the rest's figures; a second selection reads only its own rows
      expect(ops.filter((o) => o === 'data-moments')).toHaveLength(2);
      ops.length = 0;
      const again = await request(served.base, '/api/runs/pca-model/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [1, 2] }) });
      expect(again.status, again.text).toBe(200);
      expect(ops.filter((o) => o === 'data-moments')).toHaveLength(1);
    } finally {
      await served.close();
    }
  });

  it('decodes at most two selections at once; a third waits outside with 503 and Retry-After', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let started = 0;
    const app = createApp({
      runsDir: runsDir.dir,
      log: () => {},
      decode: async (_dir, manifest, codes) => {
        started++;
        await held;
        return { rows: 1, cols: manifest.dataset.columns, values: new Float32Array(manifest.dataset.columns).fill(codes.values[0]!) };
      },
    });
    const served = await listen(app);
    const ask = () => request(served.base, '/api/runs/tab/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [1, 2] }) });
    try {
      const first = [ask(), ask()];
      while (started < 2) await new Promise((r) => setTimeout(r, 10));
      const third = await ask();
      expect(third.status).toBe(503);
      expect(third.headers['retry-after']).toBe('1');
      expect(third.json().error).toMatch(/busy decoding/);
      release();
      for (const r of await Promise.all(first)) expect(r.status, r.text).toBe(200);
      expect((await ask()).status).toBe(200);
    } finally {
      await served.close();
    }
  });

  it('refuses malformed selections with a 4xx that names the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /exactly one of rows, mask, code \(got none\)/],
      [{ rows: [1], code: [1] }, /got rows and code/],
      [{ rows: [] }, /selection is empty/],
      [{ rows: [1, 'x'] }, /rows\[1\]: "x" is not a row index/],
      [{ rows: [200] }, /rows\[0\]: 200 is not a row index of this run \(whole numbers from 0 to 199\)/],
      [{ mask: 'not base64!' }, /mask: give the bit set as a base64 string/],
      [{ mask: Buffer.alloc(26).toString('base64') }, /mask: 26 bytes, but this run's 200 rows need at most 25/],
      [{ rowz: [1] }, /unknown field "rowz"/],
      [[1, 2], /send a JSON object/],
      [{ code: [1, null, 3, 4, 5] }, /code: give a non-empty array of finite numbers/],
    ];
    for (const [body, message] of cases) {
      const r = await post('tab', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.json().error).toMatch(message);
    }
    expect((await post('tab', 'rows=1', 'text/plain')).status).toBe(415);
    const empty = await post('tab', '');
    expect(empty.status).toBe(400);
    expect(empty.json().error).toBe('send the selection in the request body; a selection is {"rows": [...]}, {"mask": "<base64>"} or {"code": [...]}');
    // nested too deep: said in the selection's terms (an outside tester read "a run configuration is one flat object")
    const deep = await post('tab', JSON.parse(`{"rows":${'['.repeat(40)}${']'.repeat(40)}}`));
    expect(deep.status).toBe(400);
    expect(deep.json().error).toBe('request body nests deeper than 32 levels; a selection is {"rows": [...]}, {"mask": "<base64>"} or {"code": [...]}');
    expect((await post('no-such-run', { rows: [1] })).status).toBe(404);
  });
});

describe('GET /api/runs/:id/neighbors/:index?space=input', () => {
  /** Brute-force neighbours among the rows scaled by the run's preprocessing. */
  const inputSpace = (run: FixtureRun, scale: number[], row: number, k: number): number[] => {
    const d = run.features;
    const dist: [number, number][] = [];
    for (let j = 0; j < run.index.length; j++) {
      if (j === row) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += ((run.data[j * d + c]! - run.data[row * d + c]!) / scale[c]!) ** 2;
      dist.push([s, j]);
    }
    dist.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return dist.slice(0, k).map(([, j]) => run.index[j]!);
  };

  it('finds the nearest rows among the scaled input rows, not the codes', async () => {
    const r = await request(base, '/api/runs/tab/neighbors/17?k=8&space=input');
    expect(r.status, r.text).toBe(200);
    const body = r.json();
    expect(body.space).toBe('input');
    const want = inputSpace(tab, [0.01, 1, 1, 1, 1, 1], 17, 8);
    expect(body.neighbors.map((n: { index: number }) => n.index)).toEqual(want);
    const d = body.neighbors.map((n: { distance: number }) => n.distance);
    expect([...d].sort((a, b) => a - b)).toEqual(d);
    // the codes cluster by label; the scaled input does not: the two spaces give different neighbours
    const code = (await request(base, '/api/runs/tab/neighbors/17?k=8')).json();
    expect(code.space).toBe('code');
    expect(code.neighbors.map((n: { index: number }) => n.index)).not.toEqual(want);
  });

  it('answers index values in gappy runs', async () => {
    const r = await request(base, '/api/runs/gappy/neighbors/7?k=4&space=input');
    expect(r.status, r.text).toBe(200);
    expect(r.json().neighbors.map((n: { index: number }) => n.index)).toEqual(inputSpace(gappy, [1, 1, 1, 1, 1, 1], 5, 4));
  });

  it('says why a run without saved scaling has no input space, and refuses an unknown space', async () => {
    const r = await request(base, '/api/runs/images/neighbors/1?space=input');
    expect(r.status).toBe(404);
    expect(r.json().error).toMatch(/no saved preprocessing.*use space=code/);
    expect((await request(base, '/api/runs/tab/neighbors/1?space=map')).status).toBe(400);
  });
});
