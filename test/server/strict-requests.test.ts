// Smaller refusals a probe found answered as if nothing were wrong: bracketed query parameters read as absent,
// a run directory holding another run's manifest, an input path with a trailing slash, a token of spaces, and
// messages that repeat themselves (the 421's host list, a field named twice).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { DataRoots } from '../../server/data-roots.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { serve } from '../../server/main.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { listen, request } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let roots: { dir: string; cleanup: () => Promise<void> };
let jobs: JobQueue;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  runs = await tempRunsDir();
  roots = await tempRunsDir();
  await writeFile(path.join(roots.dir, 'ok.csv'), 'a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n1,3,5,y\n2,4,6,x\n');
  await mkdir(path.join(roots.dir, 'dir'));
  await writeFixtureRun(runs.dir, { id: 'pics', rows: 5, image: { width: 4, height: 4, channels: 1 } });
  await writeFixtureRun(runs.dir, { id: 'original', rows: 5 });
  await rename(path.join(runs.dir, 'original'), path.join(runs.dir, 'copied'));
  // jobs never start: the command sleeps
  jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] }), killGraceMs: 200 });
  const app = createApp({
    runsDir: runs.dir,
    jobs,
    dataRoots: await DataRoots.open([roots.dir]),
    allowedHosts: ['localhost', '127.0.0.1', '::1', '127.0.0.1'],
    checkGraceMs: 120_000,
    webRoot: '/nonexistent',
    log: () => {},
  });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
  await roots.cleanup();
});

describe('strict requests', () => {
  it('refuses bracketed query parameters with 400 naming them, instead of answering with the default', async () => {
    for (const p of ['/api/runs/pics/neighbors/0?k[]=1', '/api/runs/pics/items/0/image.png?scale[]=16', '/api/runs/pics/neighbors/0?k[a]=3']) {
      const r = await request(base, p);
      expect(r.status, p).toBe(400);
      expect(r.json().error).toMatch(/query parameter "k\[|query parameter "scale\[\]"/);
    }
    expect((await request(base, '/api/runs/pics/neighbors/0?k=2')).status).toBe(200);
  });

  it('reports a run directory whose manifest names another run as corrupt, and leaves it unlisted', async () => {
    const r = await request(base, '/api/runs/copied');
    expect(r.status).toBe(409);
    expect(r.json().error).toContain('run copied is corrupt: its manifest.json is that of run "original"');
    expect((await request(base, '/api/runs/copied/points?format=json')).status).toBe(409);
    expect((await request(base, '/api/runs')).json().map((m: { id: string }) => m.id)).not.toContain('copied');
  });

  it('refuses an input path with a trailing slash as it refuses a missing file', async () => {
    const post = (input: string) => request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input, reducer: 'pca', codeSize: 2 }) });
    const slash = await post('ok.csv/');
    expect(slash.status).toBe(400);
    expect(slash.json().error).toBe((await post('missing.csv/')).json().error.replace('missing.csv/', 'ok.csv/'));
    const ok = await post('ok.csv');
    expect(ok.status, ok.text).toBe(202);
    await request(base, `/api/runs/${ok.json().id}`, { method: 'DELETE' });
  });

  it('names each allowed host once in the 421', async () => {
    const r = await request(base, '/api/runs', { headers: { host: 'evil.example' } });
    expect(r.status).toBe(421);
    expect(r.json().error.match(/127\.0\.0\.1/g)).toHaveLength(1);
    expect(r.json().error).toContain('localhost, 127.0.0.1, ::1');
  });

  it('names the field once when a file check refuses a reading setting', async () => {
    const r = await request(base, '/api/uploads?name=x.npy&encoding=latin1', { method: 'POST', body: Buffer.from('\x93NUMPY') });
    expect(r.status).toBe(400);
    expect(r.json().error).toContain('field "encoding"');
    expect(r.json().error).not.toMatch(/field "[^"]*": .*field "/);
  });

  it('refuses a token of spaces before listening', async () => {
    await expect(serve({ runsDir: runs.dir, port: 0, host: '127.0.0.1', token: '   ', log: () => {} })).rejects.toThrow(/field "token": the token is only white space/);
  });
});
