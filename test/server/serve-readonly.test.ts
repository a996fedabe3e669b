// `latentmap serve` on a runs directory it cannot write (a read-only mount): it starts, says once in its log
// that writes are off and why, serves the runs there, and answers every write 503 naming the reason; a runs
// directory that is missing and cannot be made stops the start with that reason (not Node's ENOENT of mkdir).
// Needs a real read-only mount (test/fixtures/read-only-mount.ts): root only, skipped with the reason elsewhere.
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve, type RunningServer } from '../../server/main.js';
import { readOnlyMount } from '../fixtures/read-only-mount.js';
import { writeFixtureRun } from './fixtures.js';
import { request } from './http.js';

const mount = readOnlyMount('latentmap-ro-serve');

describe.skipIf(mount.skipped !== null)('serve on a read-only runs directory', () => {
  const runs = path.join(mount.dir, 'runs');
  const withJobs = path.join(mount.dir, 'with-jobs');
  const lines: string[] = [];
  let server: RunningServer | null = null;
  const listing = async (dir: string): Promise<string[]> => (await readdir(dir, { recursive: true })).sort();
  let before: string[];

  beforeAll(async () => {
    // a runs directory with one run and no .jobs yet (never served), and one whose server died with a job running
    await writeFixtureRun(runs, { id: 'kept', rows: 6 });
    await writeFixtureRun(withJobs, { id: 'other', rows: 6 });
    await mkdir(path.join(withJobs, '.jobs'));
    const cut = { id: 'cut-off', name: 'cut', status: 'running', createdAt: '2026-01-01T00:00:00.000Z', startedAt: '2026-01-01T00:00:01.000Z', finishedAt: null, error: null, progress: null, config: {} };
    await writeFile(path.join(withJobs, '.jobs', 'cut-off.json'), JSON.stringify({ ...cut, owner: { host: 'gone', pid: 1, instance: 'x' } }));
    before = await listing(mount.dir);
    mount.remount('ro');
    server = await serve({ runsDir: runs, port: 0, host: '127.0.0.1', token: null, handleSignals: false, log: (l) => lines.push(l) });
  });
  afterAll(async () => {
    await server?.close();
    mount.cleanup();
  });

  it('starts, saying once that writes are off and why, and serves the runs there', async () => {
    const notices = lines.filter((l) => /writes are off/.test(l));
    expect(notices).toEqual([`writes are off: the runs directory ${runs} cannot be written (the file system is read-only (EROFS)); serving its runs read-only, new runs, uploads and deletions answer 503`]);
    expect(lines.join('\n')).not.toMatch(/ENOENT/);
    const base = server!.url;
    expect((await request(base, '/api/health')).status).toBe(200);
    expect((await request(base, '/api/runs')).json().map((r: { id: string }) => r.id)).toEqual(['kept']);
    expect((await request(base, '/api/runs/kept')).status).toBe(200);
    const points = await request(base, '/api/runs/kept/points?format=json');
    expect(points.status).toBe(200);
    expect(points.json()).toHaveLength(6);
    expect((await request(base, '/api/runs/kept/neighbors/0?k=2')).status).toBe(200);
    expect((await request(base, '/api/jobs')).json()).toEqual([]);
    expect((await request(base, '/api/uploads')).json()).toEqual([]);
  });

  it('answers every write 503 naming the reason, logs none of them, and writes nothing', async () => {
    const base = server!.url;
    const json = { 'content-type': 'application/json' };
    const writes: [string, string, Record<string, string>, string | undefined][] = [
      ['POST', '/api/runs', json, JSON.stringify({ dataset: 'iris' })],
      ['DELETE', '/api/runs/kept', {}, undefined],
      ['POST', '/api/runs/kept/finish', {}, undefined],
      ['POST', '/api/uploads?name=a.csv', { 'content-type': 'text/csv' }, 'a,b\n1,2\n3,4\n5,6\n7,8\n'],
      ['DELETE', '/api/uploads/up-0123456789abcdef', {}, undefined],
    ];
    const logged = lines.length;
    for (const [method, p, headers, body] of writes) {
      const r = await request(base, p, { method, headers, ...(body === undefined ? {} : { body }) });
      expect(r.status, `${method} ${p}: ${r.text}`).toBe(503);
      expect(r.json(), `${method} ${p}`).toEqual({
        code: 'read_only',
        error: 'this server serves its runs read-only: its runs directory cannot be written (the file system is read-only (EROFS)), so new runs, uploads and deletions are off',
      });
      expect(r.headers['retry-after']).toBeUndefined();
    }
    // a POST that only reads is still answered
    expect((await request(base, '/api/runs/kept/decode', { method: 'POST', headers: json, body: JSON.stringify({ rows: [0, 1] }) })).status).toBe(200);
    expect(lines.length).toBe(logged);
    mount.remount('rw');
    try {
      expect(await listing(mount.dir)).toEqual(before);
    } finally {
      mount.remount('ro');
    }
  });

  it('reports the jobs a dead server left running as interrupted, without writing their records', async () => {
    const log: string[] = [];
    const s = await serve({ runsDir: withJobs, port: 0, host: '127.0.0.1', token: null, handleSignals: false, log: (l) => log.push(l) });
    try {
      const jobs = (await request(s.url, '/api/jobs')).json();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ id: 'cut-off', status: 'failed', error: expect.stringMatching(/^interrupted/) });
      expect(log.filter((l) => /writes are off/.test(l))).toHaveLength(1);
    } finally {
      await s.close();
    }
  });

  it('refuses to start on a runs directory that is missing and cannot be made, saying why', async () => {
    const missing = path.join(mount.dir, 'nope', 'runs');
    const err = await serve({ runsDir: missing, port: 0, host: '127.0.0.1', token: null, handleSignals: false, log: () => {} }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'InputError' });
    expect((err as Error).message).toBe(`field "runs-dir": the runs directory ${missing} cannot be made: the file system is read-only (EROFS) (at ${path.join(mount.dir, 'nope')})`);
  });
});
