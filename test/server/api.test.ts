// The read side of the HTTP API over real HTTP: every endpoint, caching, compression, security headers.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { FRESH_MIN_COMPRESS } from '../../server/cached-body.js';
import { tempRunsDir, writeFixtureRun, type FixtureRun } from './fixtures.js';
import { listen, readEvents, request } from './http.js';

let runsDir: { dir: string; cleanup: () => Promise<void> };
let webRoot: string;
let base: string;
let close: () => Promise<void>;
let plain: FixtureRun;
let images: FixtureRun;
let gappy: FixtureRun;

beforeAll(async () => {
  runsDir = await tempRunsDir();
  plain = await writeFixtureRun(runsDir.dir, { id: 'plain-run', rows: 300, codeSize: 5, seed: 3, createdAt: '2026-01-01T00:00:00.000Z' });
  images = await writeFixtureRun(runsDir.dir, { id: 'image_run', rows: 40, image: { width: 16, height: 12, channels: 1 }, seed: 4, createdAt: '2026-01-02T00:00:00.000Z' });
  // Rows 0..49 with every third input row dropped: indexes are not positions.
  const index = Int32Array.from({ length: 50 }, (_, i) => Math.floor(i / 2) * 3 + (i % 2));
  gappy = await writeFixtureRun(runsDir.dir, { id: 'gappy', rows: 50, index, seed: 5, createdAt: '2026-01-03T00:00:00.000Z' });
  webRoot = await mkdtemp(path.join(tmpdir(), 'latentmap-web-'));
  await writeFile(path.join(webRoot, 'index.html'), '<!doctype html><title>latentmap</title>');
  await writeFile(path.join(webRoot, 'main.js'), `console.log(${JSON.stringify('x'.repeat(4000))});`);
  // Fixture runs have no trained model: a stand-in decoder (1 - value) shows what the routes do with one.
  const app = createApp({
    runsDir: runsDir.dir,
    webRoot,
    log: () => {},
    reconstruct: async (_dir, _manifest, raw) => ({ ...raw, values: raw.values.map((v) => 1 - v) }),
  });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await close();
  await runsDir.cleanup();
  await rm(webRoot, { recursive: true, force: true });
});

describe('run listing and manifests', () => {
  it('answers health with status ok and job counts', async () => {
    const r = await request(base, '/api/health');
    expect(r.status).toBe(200);
    expect(r.json()).toMatchObject({ status: 'ok', jobs: { queued: 0, running: 0 } });
  });

  it('lists complete runs newest first as summaries, without long-lived caching', async () => {
    const r = await request(base, '/api/runs');
    expect(r.status).toBe(200);
    const runs = r.json();
    expect(runs.map((s: { id: string }) => s.id)).toEqual(['gappy', 'image_run', 'plain-run']);
    expect(runs[2]).toMatchObject({ id: 'plain-run', rows: 300, dataset: 'fixture', reducer: 'autoencoder', base: null });
    expect(String(r.headers['cache-control'])).not.toContain('immutable');
  });

  it('serves a manifest with a strong ETag and an immutable cache lifetime', async () => {
    const r = await request(base, '/api/runs/plain-run');
    expect(r.status).toBe(200);
    // As written, except the server's runs directory, which no answer names.
    expect(r.json()).toEqual({ ...plain.manifest, config: { ...plain.manifest.config, runsDir: '<runs>' } });
    expect(r.text).not.toContain(runsDir.dir);
    expect(r.headers.etag).toMatch(/^"[^"]+"$/);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers 304 to If-None-Match with the current ETag, also across encodings', async () => {
    // The first request of a body built in the worker thread is answered at once without compression; the
    // compressed variants follow from the thread pool.
    let first = await request(base, '/api/runs/plain-run/points', { headers: { 'accept-encoding': 'gzip' } });
    const plain = String(first.headers.etag);
    for (let i = 0; i < 100 && !String(first.headers.etag).endsWith('-gzip"'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      first = await request(base, '/api/runs/plain-run/points', { headers: { 'accept-encoding': 'gzip' } });
    }
    const tag = String(first.headers.etag);
    expect(tag).toMatch(/-gzip"$/);
    expect(tag.replace(/-gzip"$/, '"')).toBe(plain.replace(/-gzip"$/, '"'));
    expect(first.headers['content-encoding']).toBe('gzip');
    const again = await request(base, '/api/runs/plain-run/points', { headers: { 'if-none-match': tag, 'accept-encoding': 'gzip' } });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    const identity = await request(base, '/api/runs/plain-run/points', { headers: { 'if-none-match': tag } });
    expect(identity.status).toBe(304);
    const stale = await request(base, '/api/runs/plain-run/points', { headers: { 'if-none-match': '"something-else"' } });
    expect(stale.status).toBe(200);
  });

  it('serves the training history', async () => {
    const r = await request(base, '/api/runs/plain-run/history');
    expect(r.status).toBe(200);
    expect(r.json().epochs).toHaveLength(2);
    expect(r.json().tsne[0]).toEqual({ iteration: 50, kl: 1.2 });
  });
});

describe('points', () => {
  it('streams points as Arrow IPC with every row in input order', async () => {
    const r = await request(base, '/api/runs/plain-run/points');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/vnd.apache.arrow.stream');
    const table = tableFromIPC(r.body);
    expect(table.numRows).toBe(300);
    expect(table.schema.fields.map((f) => f.name)).toEqual(['index', 'x', 'y', 'error', 'label', 'name']);
    const x = table.getChild('x')!.toArray() as Float32Array;
    expect(x[7]).toBe(plain.embedding[14]);
    expect(table.getChild('index')!.get(299)).toBe(299);
  });

  it('answers ?format=json with row objects in input order', async () => {
    const r = await request(base, '/api/runs/gappy/points?format=json');
    expect(r.status).toBe(200);
    const rows = r.json();
    expect(rows).toHaveLength(50);
    expect(rows[3]).toEqual({
      index: gappy.index[3],
      x: expect.any(Number),
      y: expect.any(Number),
      error: expect.any(Number),
      label: gappy.labels[3],
      name: `row ${gappy.index[3]}`,
    });
    // Float32 columns are written in the fewest digits that read back to the same float32.
    for (let i = 0; i < 50; i++) {
      expect(Math.fround(rows[i].x)).toBe(gappy.embedding[2 * i]);
      expect(Math.fround(rows[i].y)).toBe(gappy.embedding[2 * i + 1]);
      expect(String(rows[i].x).replace(/^-?0?\.?/, '').length).toBeLessThanOrEqual(10);
    }
  });

  it('compresses points with gzip or brotli when accepted, to the same bytes', async () => {
    const identity = await request(base, '/api/runs/plain-run/points');
    const gz = await request(base, '/api/runs/plain-run/points', { headers: { 'accept-encoding': 'gzip' } });
    const br = await request(base, '/api/runs/plain-run/points', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(br.headers['content-encoding']).toBe('br');
    expect(gz.headers.vary).toContain('Accept-Encoding');
    expect(gunzipSync(gz.body).equals(identity.body)).toBe(true);
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
    expect(gz.body.length).toBeLessThan(identity.body.length);
  });

  it('compresses a feature column in the worker thread and then serves it as brotli, to the same bytes', async () => {
    const identity = await request(base, '/api/runs/plain-run/features/f5');
    expect(identity.status).toBe(200);
    // served as identity at once; the variants follow from the worker thread
    let br = await request(base, '/api/runs/plain-run/features/f5', { headers: { 'accept-encoding': 'br' } });
    for (let i = 0; i < 100 && br.headers['content-encoding'] !== 'br'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      br = await request(base, '/api/runs/plain-run/features/f5', { headers: { 'accept-encoding': 'br' } });
    }
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
    // the other columns of its block were compressed in the same task
    const other = await request(base, '/api/runs/plain-run/features/f4', { headers: { 'accept-encoding': 'br' } });
    expect(other.headers['content-encoding']).toBe('br');
    const otherIdentity = await request(base, '/api/runs/plain-run/features/f4');
    expect(brotliDecompressSync(other.body).equals(otherIdentity.body)).toBe(true);
    expect(other.body.length).toBeLessThan(otherIdentity.body.length);
  });

  it('compresses computed answers (neighbours) in the client’s preferred encoding, with matching ETags', async () => {
    const many = await tempRunsDir();
    await writeFixtureRun(many.dir, { id: 'many', rows: 1200, codeSize: 3, seed: 5 });
    const served = await listen(createApp({ runsDir: many.dir, log: () => {} }));
    try {
      const url = '/api/runs/many/neighbors/3?k=1000';
      const identity = await request(served.base, url);
      expect(identity.body.length).toBeGreaterThan(FRESH_MIN_COMPRESS);
      const br = await request(served.base, url, { headers: { 'accept-encoding': 'gzip;q=0.5, br' } });
      expect(br.headers['content-encoding']).toBe('br');
      expect(brotliDecompressSync(br.body).equals(identity.body)).toBe(true);
      expect(br.headers.etag).toBe(`${String(identity.headers.etag).slice(0, -1)}-br"`);
      const again = await request(served.base, url, { headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) } });
      expect(again.status).toBe(304);
    } finally {
      await served.close();
      await many.cleanup();
    }
  });

  it('sends answers that fit TCP\'s first round trip uncompressed', async () => {
    // an answer that fits TCP's first round trip is sent as it is: compressing it per request saves no time
    const item = await request(base, '/api/runs/image_run/items/3', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(item.body.length).toBeLessThan(FRESH_MIN_COMPRESS);
    expect(item.headers['content-encoding']).toBeUndefined();
    const jobs = await request(base, '/api/jobs', { headers: { 'accept-encoding': 'gzip, br' } });
    expect(jobs.headers['content-encoding']).toBeUndefined();
    expect(jobs.headers['cache-control']).toBe('no-store');
  });

  it('streams only the columns named, in that order, or every column but those excluded', async () => {
    const some = await request(base, '/api/runs/plain-run/points?columns=x,y,label');
    expect(some.status).toBe(200);
    const t = tableFromIPC(some.body);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['x', 'y', 'label']);
    expect(t.numRows).toBe(300);
    expect((t.getChild('y')!.toArray() as Float32Array)[7]).toBe(plain.embedding[15]);
    const rest = await request(base, '/api/runs/plain-run/points?exclude=x,y');
    const r = tableFromIPC(rest.body);
    expect(r.schema.fields.map((f) => f.name)).toEqual(['index', 'error', 'label', 'name']);
    expect(r.getChild('name')!.get(42)).toBe(tableFromIPC((await request(base, '/api/runs/plain-run/points')).body).getChild('name')!.get(42));
  });

  it('refuses a column the points lack, naming it and the ones they have, and columns with json', async () => {
    const r = await request(base, '/api/runs/plain-run/points?columns=x,y,colour');
    expect(r.status).toBe(400);
    expect(r.json().error).toBe('query parameter columns: the points have no column “colour” (they have: index, x, y, error, label, name)');
    expect((await request(base, '/api/runs/plain-run/points?exclude=index,x,y,error,label,name')).status).toBe(400);
    expect((await request(base, '/api/runs/plain-run/points?columns=x,x')).status).toBe(400);
    expect((await request(base, '/api/runs/plain-run/points?columns=x&exclude=y')).status).toBe(400);
    expect((await request(base, '/api/runs/plain-run/points?format=json&columns=x')).json().error).toMatch(/Arrow stream/);
  });

  it('refuses an unknown format', async () => {
    const r = await request(base, '/api/runs/plain-run/points?format=csv');
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/format/);
  });
});

describe('items', () => {
  it('returns a row’s point, metadata and original values', async () => {
    const r = await request(base, '/api/runs/plain-run/items/42');
    expect(r.status).toBe(200);
    const item = r.json();
    expect(item.index).toBe(42);
    expect(item.point).toMatchObject({ index: 42, label: plain.labels[42], name: 'row 42' });
    expect(item.features).toEqual(['f0', 'f1', 'f2', 'f3', 'f4', 'f5']);
    // float32 values in the fewest digits that read back to the same float32
    const stored = Array.from(plain.data.subarray(42 * 6, 43 * 6));
    expect(item.values.map(Math.fround)).toEqual(stored);
    expect(item.reconstruction.map(Math.fround)).toEqual(stored.map((v) => Math.fround(1 - v)));
    for (const v of [...item.values, ...item.reconstruction]) expect(String(v).replace(/^-|e.*$/g, '').replace('.', '').replace(/^0+/, '').length).toBeLessThanOrEqual(9);
    expect(item.image).toBeNull();
    expect(item.imageUrl).toBeNull();
  });

  it('looks rows up by their index value, not their position', async () => {
    // gappy holds indexes 0,1,3,4,6,7,...: 2 is not a row; 4 is the fourth row.
    expect((await request(base, '/api/runs/gappy/items/2')).status).toBe(404);
    const r = await request(base, '/api/runs/gappy/items/4');
    expect(r.status).toBe(200);
    expect(r.json().point.name).toBe('row 4');
    expect(r.json().values.map(Math.fround)).toEqual(Array.from(gappy.data.subarray(3 * 6, 4 * 6)));
  });

  it('draws an image row as a PNG of the dataset’s shape, optionally enlarged', async () => {
    const r = await request(base, '/api/runs/image_run/items/7/image.png');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(r.body);
    expect([png.width, png.height]).toEqual([16, 12]);
    // Pixel (x=2, y=1) is value 1*16+2 of row 7, in [0, 1] → * 255.
    expect(png.data[(1 * 16 + 2) * 4]).toBe(Math.round(images.data[7 * 192 + 18]! * 255));
    const big = PNG.sync.read((await request(base, '/api/runs/image_run/items/7/image.png?scale=3')).body);
    expect([big.width, big.height]).toEqual([48, 36]);
    const item = (await request(base, '/api/runs/image_run/items/7')).json();
    expect(item.imageUrl).toBe('/api/runs/image_run/items/7/image.png');
    expect(item.reconstructionUrl).toBe('/api/runs/image_run/items/7/reconstruction.png');
  });

  it('draws reconstruction.png from the model’s output in the original’s value range', async () => {
    const r = await request(base, '/api/runs/image_run/items/7/reconstruction.png?scale=2');
    expect(r.status, r.text).toBe(200);
    expect(r.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(r.body);
    expect([png.width, png.height]).toEqual([32, 24]);
    expect(png.data[0]).toBe(Math.round((1 - images.data[7 * 192]!) * 255));
  });

  it('has no image for a non-image dataset', async () => {
    for (const p of ['/api/runs/plain-run/items/1/image.png', '/api/runs/plain-run/items/1/reconstruction.png']) {
      const r = await request(base, p);
      expect(r.status).toBe(404);
      expect(r.json().error).toMatch(/not an image dataset/);
    }
  });
});

describe('neighbours', () => {
  const bruteForce = (run: FixtureRun, row: number, k: number): number[] => {
    const d = run.codeSize;
    const dist: [number, number][] = [];
    for (let j = 0; j < run.index.length; j++) {
      if (j === row) continue;
      let s = 0;
      for (let c = 0; c < d; c++) s += (run.codes[j * d + c]! - run.codes[row * d + c]!) ** 2;
      dist.push([s, j]);
    }
    dist.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    return dist.slice(0, k).map(([, j]) => run.index[j]!);
  };

  it('returns the k nearest rows in code space, nearest first (default k 10)', async () => {
    const r = await request(base, '/api/runs/plain-run/neighbors/17');
    expect(r.status).toBe(200);
    const body = r.json();
    expect(body.k).toBe(10);
    expect(body.neighbors.map((n: { index: number }) => n.index)).toEqual(bruteForce(plain, 17, 10));
    const d = body.neighbors.map((n: { distance: number }) => n.distance);
    expect([...d].sort((a, b) => a - b)).toEqual(d);
    // Same cluster: the fixture puts label l at codes around 10 * l.
    for (const n of body.neighbors) expect(plain.labels[n.index]).toBe(plain.labels[17]);
  });

  it('honours ?k= and answers with index values for gappy runs', async () => {
    const r = await request(base, '/api/runs/gappy/neighbors/7?k=4');
    expect(r.status).toBe(200);
    expect(r.json().neighbors.map((n: { index: number }) => n.index)).toEqual(bruteForce(gappy, 5, 4));
  });

  it('refuses k out of range', async () => {
    for (const k of ['0', '1001', '-1', '2.5', 'ten']) {
      const r = await request(base, `/api/runs/plain-run/neighbors/1?k=${k}`);
      expect(r.status, k).toBe(400);
    }
  });
});

describe('events of a complete run', () => {
  it('sends one state event saying complete and ends', async () => {
    const s = await readEvents(base, '/api/runs/plain-run/events', undefined, { 'accept-encoding': 'gzip, br' });
    expect(s.status).toBe(200);
    expect(s.contentType).toMatch(/^text\/event-stream/);
    expect(s.events).toEqual([{ event: 'state', data: { id: 'plain-run', status: 'complete' } }]);
    const head = await request(base, '/api/runs/plain-run/events', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers['content-type']).toMatch(/^text\/event-stream/);
  });
});

describe('viewer and headers', () => {
  it('serves the viewer at / with a content security policy and safety headers', async () => {
    const r = await request(base, '/');
    expect(r.status).toBe(200);
    expect(r.text).toContain('<title>latentmap</title>');
    const csp = String(r.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['referrer-policy']).toBe('no-referrer');
    expect(r.headers['x-powered-by']).toBeUndefined();
  });

  it('compresses static files when accepted', async () => {
    const r = await request(base, '/main.js', { headers: { 'accept-encoding': 'gzip' } });
    expect(r.status).toBe(200);
    expect(r.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(r.body).toString()).toContain('console.log');
  });

  it('answers 503 with a build hint when the viewer is not built', async () => {
    const empty = await mkdtemp(path.join(tmpdir(), 'latentmap-noweb-'));
    await mkdir(path.join(empty, 'sub'));
    const other = await listen(createApp({ runsDir: runsDir.dir, webRoot: path.join(empty, 'missing'), log: () => {} }));
    try {
      const r = await request(other.base, '/');
      expect(r.status).toBe(503);
      expect(r.json().error).toMatch(/npm run build/);
      // The API still works.
      expect((await request(other.base, '/api/runs/plain-run')).status).toBe(200);
    } finally {
      await other.close();
      await rm(empty, { recursive: true, force: true });
    }
  });

  it('answers JSON 404 for unknown API routes and unknown files', async () => {
    for (const p of ['/api/nothing', '/api/runs/plain-run/nothing', '/nothing.js']) {
      const r = await request(base, p);
      expect(r.status, p).toBe(404);
      expect(r.headers['content-type'], p).toMatch(/^application\/json/);
      expect(typeof r.json().error).toBe('string');
    }
  });
});
