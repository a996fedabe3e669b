// A run damaged while the server runs, after every endpoint of it has been served (and cached): each kind of
// file cut short, emptied or replaced. Every endpoint then answers 409 { code: "run_corrupt" } naming what is
// damaged (never a 500, an empty map, or an event stream saying complete), the run list leaves the run out,
// and once the file is whole again the run is served again.
import { execFileSync } from 'node:child_process';
import { open, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { listen, request, type Reply } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let base: string;
let close: () => Promise<void>;
let slowBase: string;
let closeSlow: () => Promise<void>;

/** Every endpoint of a run (the image run of the fixtures, with a PCA model and its preprocessing). */
const ENDPOINTS = [
  '',
  '/points',
  '/points?format=json',
  '/points/overview?rows=5',
  '/points/region?x0=-100&y0=-100&x1=100&y1=100',
  '/history',
  '/items/0',
  '/items/0/image.png',
  '/items/0/reconstruction.png',
  '/neighbors/0?k=2',
  '/neighbors/0?k=2&space=input',
  '/features/f2',
  '/events',
  'POST /decode',
];

function ask(id: string, endpoint: string): Promise<Reply> {
  return ask2(base, id, endpoint);
}

function ask2(at: string, id: string, endpoint: string): Promise<Reply> {
  if (endpoint.startsWith('POST ')) {
    return request(at, `/api/runs/${id}${endpoint.slice(5)}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rows: [0, 1] }) });
  }
  return request(at, `/api/runs/${id}${endpoint}`);
}

const listed = async (at: string): Promise<string[]> => (await request(at, '/api/runs')).json().map((r: { id: string }) => r.id);

beforeAll(async () => {
  runs = await tempRunsDir();
  const jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', ''] }) });
  // runCheckMs 0: a run's files are stamped again at every request, so each damage shows at once
  ({ base, close } = await listen(createApp({ runsDir: runs.dir, jobs, runCheckMs: 0, log: () => {} })));
  // and with a stamp trusted for a while, as `latentmap serve` runs (1 s)
  ({ base: slowBase, close: closeSlow } = await listen(createApp({ runsDir: runs.dir, jobs, runCheckMs: 300, log: () => {} })));
});

afterAll(async () => {
  await close();
  await closeSlow();
  await runs.cleanup();
});

/** Damages one file of a run: cuts it to `keep` of its bytes, or writes `bytes` over it. */
type Damage = { file: string; keep: number } | { file: string; bytes: string };

const CASES: [string, Damage, RegExp][] = [
  ['manifest cut short', { file: 'manifest.json', keep: 0.5 }, /its manifest\.json is not valid JSON/],
  ['manifest null', { file: 'manifest.json', bytes: 'null' }, /its manifest\.json is not a run manifest/],
  ['points 0 bytes', { file: 'points.arrow', keep: 0 }, /its points\.arrow is empty \(0 bytes\)/],
  ['points cut short', { file: 'points.arrow', keep: 0.6 }, /its points\.arrow cannot be read \(/],
  ['codes cut short', { file: 'codes.arrow', keep: 0.6 }, /its codes\.arrow cannot be read \(/],
  ['data cut short', { file: 'data.arrow', keep: 0.9 }, /its data\.arrow cannot be read \(/],
  ['feature names replaced', { file: 'features.arrow', bytes: 'name\nf0\n' }, /its features\.arrow cannot be read \(not an Arrow IPC file\)/],
  ['history cut short', { file: 'history.json', keep: 0.5 }, /its history\.json is not valid JSON/],
  ['preprocessing cut short', { file: 'model/preprocessing.json', keep: 0.5 }, /its model\/preprocessing\.json is not valid JSON/],
  ['PCA model emptied', { file: 'model/pca.json', keep: 0 }, /its model\/pca\.json is empty \(0 bytes\)/],
];

describe('a run damaged while the server runs', () => {
  for (const [i, [what, damage, problem]] of CASES.entries()) {
    it(`is corrupt on every endpoint and unlisted, then served again once mended: ${what}`, async () => {
      const id = `dmg${i}`;
      await writeFixtureRun(runs.dir, { id, rows: 12, image: { width: 4, height: 4, channels: 1 }, pca: true, seed: i });
      for (const e of ENDPOINTS) expect((await ask(id, e)).status, `${id}${e} before`).toBe(200);
      expect(await listed(base)).toContain(id);

      const file = path.join(runs.dir, id, damage.file);
      const whole = await readFile(file);
      await writeFile(file, 'keep' in damage ? whole.subarray(0, Math.floor(whole.length * damage.keep)) : damage.bytes);
      for (const e of ENDPOINTS) {
        const r = await ask(id, e);
        expect(r.status, `${id}${e}: ${r.text.slice(0, 300)}`).toBe(409);
        expect(r.headers['content-type'], `${id}${e}`).toMatch(/^application\/json/);
        const body = r.json();
        expect(body.code, `${id}${e}`).toBe('run_corrupt');
        expect(body.error, `${id}${e}`).toMatch(new RegExp(`^run ${id} is corrupt: ${problem.source}.*; remove it \\(latentmap prune\\) or write it again$`));
        expect(body.error).not.toContain(runs.dir);
      }
      expect(await listed(base)).not.toContain(id);

      await writeFile(file, whole);
      for (const e of ENDPOINTS) expect((await ask(id, e)).status, `${id}${e} mended`).toBe(200);
      expect(await listed(base)).toContain(id);
    });
  }

  it('emptied within the time a run check is trusted, is never served as an empty map (a fresh tester got 200, 0 rows, cached for a year)', async () => {
    const id = 'race';
    await writeFixtureRun(runs.dir, { id, rows: 12, image: { width: 4, height: 4, channels: 1 }, pca: true });
    // a run check trusted for a minute: only the read itself can notice the damage
    const jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', ''] }) });
    const trusting = await listen(createApp({ runsDir: runs.dir, jobs, runCheckMs: 60_000, log: () => {} }));
    try {
      expect((await ask2(trusting.base, id, '/points?format=json')).status).toBe(200);
      await writeFile(path.join(runs.dir, id, 'points.arrow'), '');
      const r = await ask2(trusting.base, id, '/points');
      expect(r.status, r.text.slice(0, 200)).toBe(409);
      expect(r.json().code).toBe('run_corrupt');
      expect(r.headers['cache-control'] ?? '').not.toMatch(/immutable/);
    } finally {
      await trusting.close();
    }
  });

  it('damaged right after its cached bodies were served, is 409 on the next request of each, and leaves the held list at once (a fresh tester got the cached JSON rows, 200 immutable, for a second)', async () => {
    // a run check trusted for a minute: a cached body must not be served on that trust
    const jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', ''] }) });
    const trusting = await listen(createApp({ runsDir: runs.dir, jobs, runCheckMs: 60_000, log: () => {} }));
    const cached = ['', '/points?format=json', '/points', '/points?columns=x,y', '/points/overview?rows=5', '/history', '/features/f2', '/items/0', '/items/0/image.png', '/neighbors/0?k=2'];
    try {
      for (const [i, file] of ['points.arrow', 'history.json', 'codes.arrow'].entries()) {
        const id = `stale${i}`;
        await writeFixtureRun(runs.dir, { id, rows: 12, image: { width: 4, height: 4, channels: 1 }, pca: true, seed: 40 + i });
        expect(await listed(trusting.base)).toContain(id);
        for (const e of cached) {
          // twice, and again compressed: every body and its variants are in the cache
          for (const enc of ['identity', 'gzip', 'br']) {
            const r = await request(trusting.base, `/api/runs/${id}${e}`, { headers: { 'accept-encoding': enc } });
            expect(r.status, `${id}${e} before`).toBe(200);
          }
        }
        expect((await request(trusting.base, `/api/runs/${id}/points?format=json`)).json()).toHaveLength(12);
        // the compressed variants arrive from the worker thread after the first answer: wait until one is served
        for (let tries = 0; ; tries++) {
          const r = await request(trusting.base, `/api/runs/${id}/points?format=json`, { headers: { 'accept-encoding': 'gzip' } });
          if (r.headers['content-encoding'] === 'gzip') break;
          expect(tries, 'the JSON body is never served compressed').toBeLessThan(50);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await writeFile(path.join(runs.dir, id, file), '');
        for (const e of cached) {
          for (const enc of ['identity', 'gzip', 'br']) {
            const r = await request(trusting.base, `/api/runs/${id}${e}`, { headers: { 'accept-encoding': enc } });
            expect(r.status, `${id}${e} (${enc}) after ${file} was emptied: ${r.text.slice(0, 120)}`).toBe(409);
            expect(r.json().code).toBe('run_corrupt');
            expect(r.json().error).toContain(`its ${file} is empty (0 bytes)`);
            expect(r.headers['cache-control'] ?? '').not.toMatch(/immutable/);
          }
        }
        // the list held for a minute is built again now that a request saw the damage
        expect(await listed(trusting.base)).not.toContain(id);
      }
    } finally {
      await trusting.close();
    }
  });

  it('is noticed within the time a run check is trusted, by every endpoint, and by the list built after it', async () => {
    const id = 'later';
    await writeFixtureRun(runs.dir, { id, rows: 12, image: { width: 4, height: 4, channels: 1 }, pca: true });
    for (const e of ENDPOINTS) expect((await ask2(slowBase, id, e)).status, `${id}${e} before`).toBe(200);
    expect(await listed(slowBase)).toContain(id);
    await writeFile(path.join(runs.dir, id, 'points.arrow'), '');
    await new Promise((r) => setTimeout(r, 400));
    for (const e of ENDPOINTS) expect((await ask2(slowBase, id, e)).status, `${id}${e}`).toBe(409);
    // the list held is answered while it is built again: the run leaves it with the next list built
    let calls = 0;
    while ((await listed(slowBase)).includes(id)) {
      expect(++calls, 'lists still showing the damaged run').toBeLessThan(50);
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  it('damaged in place keeping its size and putting its mtime back (touch -r), is still 409 on every endpoint: the stamp has the ctime, which no tool puts back', async () => {
    const jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', ''] }) });
    // a run check trusted for a minute: only the stamp compared before each answer can notice the damage
    const trusting = await listen(createApp({ runsDir: runs.dir, jobs, runCheckMs: 60_000, log: () => {} }));
    try {
      for (const [i, [file, at, bytes, problem]] of ([
        // the Arrow footer's closing magic, and the manifest's opening brace: same length, other bytes
        ['points.arrow', -6, 'XXXXXX', /its points\.arrow cannot be read/],
        ['manifest.json', 0, '[', /its manifest\.json is not valid JSON/],
      ] as const).entries()) {
        const id = `touched${i}`;
        await writeFixtureRun(runs.dir, { id, rows: 12, image: { width: 4, height: 4, channels: 1 }, pca: true, seed: 60 + i });
        for (const e of ENDPOINTS) expect((await ask2(trusting.base, id, e)).status, `${id}${e} before`).toBe(200);
        const target = path.join(runs.dir, id, file);
        const before = await stat(target);
        // its times kept aside on another file, as a tester does with touch -r
        const reference = `${runs.dir}/.times-${id}`;
        await writeFile(reference, '');
        execFileSync('touch', ['-r', target, reference]);
        // a moment later, so the ctime the write sets differs from the one the run was written with
        await new Promise((r) => setTimeout(r, 20));
        const fh = await open(target, 'r+');
        await fh.write(Buffer.from(bytes), 0, bytes.length, at < 0 ? before.size + at : at);
        await fh.close();
        execFileSync('touch', ['-r', reference, target]);
        const after = await stat(target);
        expect([after.ino, after.size, after.mtimeMs]).toEqual([before.ino, before.size, before.mtimeMs]);
        expect(after.ctimeMs).not.toBe(before.ctimeMs);
        for (const e of ENDPOINTS) {
          const r = await ask2(trusting.base, id, e);
          expect(r.status, `${id}${e} after ${file} was damaged in place: ${r.text.slice(0, 200)}`).toBe(409);
          expect(r.json().code).toBe('run_corrupt');
          expect(r.json().error).toMatch(problem);
        }
        expect(await listed(trusting.base)).not.toContain(id);
      }
    } finally {
      await trusting.close();
    }
  });
});
