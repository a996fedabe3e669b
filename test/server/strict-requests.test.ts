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

  it('names the field of an encoding the loaders do not know (the check in the worker thread), as it names a bad header', async () => {
    const csv = Buffer.from('a,b,c\n1,2,3\n4,5,6\n7,8,9\n1,3,5\n');
    const klingon = await request(base, '/api/uploads?name=x.csv&encoding=klingon', { method: 'POST', body: csv });
    expect(klingon.status).toBe(400);
    expect(klingon.json()).toMatchObject({ field: 'encoding', error: expect.stringMatching(/^field "encoding": unknown text encoding "klingon"/) });
    const header = await request(base, '/api/uploads?name=x.csv&header=maybe', { method: 'POST', body: csv });
    expect(header.json()).toMatchObject({ field: 'header' });
    // a run naming a file under a data root with that encoding: the same field, not "input"
    const run = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: 'ok.csv', encoding: 'klingon', reducer: 'pca', codeSize: 2 }) });
    expect(run.status).toBe(400);
    expect(run.json()).toMatchObject({ field: 'encoding', error: expect.stringMatching(/^field "encoding": unknown text encoding "klingon"/) });
  });

  it('refuses a query parameter a run resource does not take, naming it as the field (as points/region does)', async () => {
    const unknown: [string, string][] = [
      ['/api/runs/pics/neighbors/0?kk=3', 'kk'],
      ['/api/runs/pics/neighbors/0?k=3&spaces=input', 'spaces'],
      ['/api/runs/pics/items/0?values=1', 'values'],
      ['/api/runs/pics/items/0/image.png?size=2', 'size'],
      ['/api/runs/pics/items/0/reconstruction.png?scale=1&x=2', 'x'],
      ['/api/runs/pics/points?formt=json', 'formt'],
      ['/api/runs/pics?full=1', 'full'],
      ['/api/runs/pics/history?a=b', 'a'],
      ['/api/runs/pics/features/f0?as=csv', 'as'],
      ['/api/runs/pics/points/overview?row=5', 'row'],
      ['/api/uploads?name=x.csv&delimiter=%3B', 'delimiter'],
      // and every other endpoint but /api/health
      ['/api/runs?x=1', 'x'],
      ['/api/jobs?status=running', 'status'],
      ['/api/jobs/pics?x=1', 'x'],
      ['/api/datasets?all=1', 'all'],
      ['/api/run-options?x=1', 'x'],
      ['/api/uploads?x=1', 'x'],
      ['/api/runs/pics/events?last=1', 'last'],
    ];
    for (const [p, field] of unknown) {
      const r = await request(base, p, p.startsWith('/api/uploads?name=') ? { method: 'POST', body: Buffer.from('a\n1\n') } : {});
      expect(r.status, p).toBe(400);
      expect(r.json(), p).toMatchObject({ field, error: expect.stringContaining(`unknown query parameter "${field}"`) });
    }
    // what each takes is still taken
    for (const p of ['/api/runs/pics/neighbors/0?k=3&space=code', '/api/runs/pics/items/0', '/api/runs/pics/items/0/image.png?scale=2', '/api/runs/pics/points?format=json', '/api/runs/pics/points?columns=index,x', '/api/runs/pics', '/api/runs/pics/history', '/api/runs', '/api/jobs', '/api/datasets', '/api/run-options', '/api/uploads', '/api/health?probe=1']) {
      expect((await request(base, p)).status, p).toBe(200);
    }
  });

  it('names the parameter as the field in every 400 about a query value', async () => {
    const bad: [string, string][] = [
      ['/api/runs/pics/neighbors/0?k=0', 'k'],
      ['/api/runs/pics/neighbors/0?k=abc', 'k'],
      ['/api/runs/pics/neighbors/0?space=latent', 'space'],
      ['/api/runs/pics/items/0/image.png?scale=99', 'scale'],
      ['/api/runs/pics/points?format=xml', 'format'],
      ['/api/runs/pics/points?columns=nope', 'columns'],
      ['/api/runs/pics/points?exclude=index,x,y,error,preservation,label', 'exclude'],
      ['/api/runs/pics/points/region?x0=1&y0=0&x1=0&y1=1', 'x1'],
      ['/api/runs/pics/points/region?x0=0&y0=0&x1=0x1&y1=1', 'x1'],
      ['/api/runs/pics/neighbors/0?k[]=1', 'k[]'],
    ];
    for (const [p, field] of bad) {
      const r = await request(base, p);
      expect(r.status, p).toBe(400);
      expect(r.json().field, `${p}: ${r.text}`).toBe(field);
    }
  });

  it('refuses a token of spaces before listening', async () => {
    await expect(serve({ runsDir: runs.dir, port: 0, host: '127.0.0.1', token: '   ', log: () => {} })).rejects.toThrow(/field "token": the token is only white space/);
  });
});
