// Malformed run ids, row indexes and undecodable path parameters are answered before routing (an outside
// tester's flood of them held /api/health at p99 100 ms), with exactly the answer their route gives: compared
// here against the same app with the early check taken out, so every request goes to its route.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type LatentmapApp } from '../../server/app.js';
import { DataRoots } from '../../server/data-roots.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { malformedPath } from '../../server/malformed-paths.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { listen, request, type Reply } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let roots: { dir: string; cleanup: () => Promise<void> };
let early: { base: string; close: () => Promise<void> };
let routed: { base: string; close: () => Promise<void> };
const jobQueues: JobQueue[] = [];

/** Run resources, as a client asks for them, for run `id` and row `index`. */
const RESOURCES = (id: string, index: string): string[] => [
  `/api/runs/${id}`,
  `/api/runs/${id}/`,
  `/api/runs/${id}/history`,
  `/api/runs/${id}/events`,
  `/api/runs/${id}/points`,
  `/api/runs/${id}/points?format=json`,
  `/api/runs/${id}/points/overview?rows=5`,
  `/api/runs/${id}/points/region?x0=0&y0=0&x1=1&y1=1`,
  `/api/runs/${id}/items/${index}`,
  `/api/runs/${id}/items/${index}/`,
  `/api/runs/${id}/items/${index}/image.png?scale=2`,
  `/api/runs/${id}/Items/${index}/reconstruction.png`,
  `/api/runs/${id}/neighbors/${index}?k=3`,
  `/API/RUNS/${id}/NEIGHBORS/${index}`,
  `/api/runs/${id}/features/f1`,
  `/api/jobs/${id}`,
];

const BAD_IDS = ['r.1', '..', '.', '-x', '%2Fetc%2Fpasswd', '%2E%2E', 'a%20b', 'x'.repeat(121), '%ZZ', '%E2%82', 'r1%00', '%C3%A9t%C3%A9'];
const BAD_INDEXES = ['-1', '1x', '1.5', '01', '+1', '2147483648', '99999999999', '%ZZ', '%31', '', ' 1'.replace(' ', '%20'), '0x10', '1e3'];

/** The app, optionally without the early check (the routes then refuse everything themselves). */
async function app(withEarlyCheck: boolean): Promise<LatentmapApp> {
  const jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', ''] }) });
  jobQueues.push(jobs);
  const a = createApp({
    runsDir: runs.dir,
    jobs,
    dataRoots: await DataRoots.open([roots.dir]),
    webRoot: '/nonexistent',
    readRateLimit: { capacity: 100_000, refillPerSecond: 100_000 },
    log: () => {},
  });
  if (!withEarlyCheck) {
    const stack = (a as unknown as { router: { stack: { name: string }[] } }).router.stack;
    const at = stack.findIndex((layer) => layer.name === 'refuseMalformedPaths');
    expect(at).toBeGreaterThan(0);
    stack.splice(at, 1);
  }
  return a;
}

const shape = (r: Reply) => ({ status: r.status, type: r.headers['content-type'], cache: r.headers['cache-control'], length: r.headers['content-length'], body: r.text });

beforeAll(async () => {
  runs = await tempRunsDir();
  roots = await tempRunsDir();
  await mkdir(path.join(roots.dir, 'sub'));
  await writeFixtureRun(runs.dir, { id: 'pics', rows: 5, image: { width: 4, height: 4, channels: 1 }, pca: true });
  early = await listen(await app(true));
  routed = await listen(await app(false));
});

afterAll(async () => {
  for (const j of jobQueues) await j.close();
  await early.close();
  await routed.close();
  await runs.cleanup();
  await roots.cleanup();
});

describe('malformed path parameters, refused before routing', () => {
  it('are recognised as their routes would refuse them, and nothing else is', () => {
    for (const id of BAD_IDS) {
      for (const p of RESOURCES(id, '0')) expect(malformedPath(p.split('?')[0]!), p).not.toBeNull();
    }
    for (const index of BAD_INDEXES.filter((i) => i !== '%31' && i !== '')) {
      for (const p of RESOURCES('pics', index).filter((q) => /items|neighbors/i.test(q))) expect(malformedPath(p.split('?')[0]!), p).not.toBeNull();
    }
    // well-formed, or not a run resource: left to the routers (which answer 200, 404 or their own 400)
    for (const p of [
      ...RESOURCES('pics', '0'),
      ...RESOURCES('pics', '%31'),
      '/api/runs/r.1/other',
      '/api/runs/r.1/items',
      '/api/runs/r.1/items/0/thumb.png',
      '/api/runs/r.1/neighbors/0/image.png',
      '/api/runs//items/0',
      '/api/runs/pics/items//',
      '/api/runs/r.1//',
      '/api/runs',
      '/api/health',
      '/api/uploads/r.1',
      '/apix/runs/r.1',
    ]) {
      expect(malformedPath(p.split('?')[0]!), p).toBeNull();
    }
  });

  it('answer exactly what their routes answer (status, headers, body), GET and HEAD', async () => {
    const paths = [...BAD_IDS.flatMap((id) => RESOURCES(id, '0')), ...BAD_INDEXES.flatMap((index) => RESOURCES('pics', index)), ...RESOURCES('r.1', '-1')];
    let refused = 0;
    for (const p of paths) {
      for (const method of ['GET', 'HEAD']) {
        const [a, b] = await Promise.all([request(early.base, p, { method }), request(routed.base, p, { method })]);
        expect(shape(a), `${method} ${p}`).toEqual(shape(b));
        if (a.status === 400) refused++;
      }
    }
    // every one is a 400 but the rows' resources with a good index ('%31' is 1) or none (a path of no route: 404)
    const indexRoutes = RESOURCES('pics', '0').filter((q) => /items|neighbors/i.test(q)).length;
    expect(refused).toBe(2 * (paths.length - RESOURCES('pics', '').length * BAD_INDEXES.length + indexRoutes * (BAD_INDEXES.length - 2)));
    const r = await request(early.base, '/api/runs/pics/items/1x/image.png');
    expect(r.json()).toEqual({ field: 'index', error: 'invalid row index "1x": use a non-negative whole number' });
    expect((await request(early.base, '/api/runs/r.1/points')).json()).toEqual({ error: `invalid run id "r.1": ids are letters, digits, '-' and '_' (at most 120 characters)` });
  });

  it('refuse the path parameters before the query: a bad id with an unknown parameter is about the id, on every route', async () => {
    for (const p of ['/api/runs/r.1/events?x=1', '/api/jobs/r.1?x=1', '/api/runs/r.1?x=1', '/api/runs/r.1/neighbors/0?kk=1']) {
      for (const base of [early.base, routed.base]) {
        const r = await request(base, p);
        expect(r.status, p).toBe(400);
        expect(r.json().error, p).toMatch(/^invalid run id "r\.1"/);
      }
    }
  });

  it('echo a path a client put in a run id as <path>, the same whether it names a data root, the runs directory or nothing of the server', async () => {
    const answers = new Set<string>();
    for (const dir of [roots.dir, path.join(roots.dir, 'sub'), runs.dir, '/nonexistent/dir', '/etc']) {
      for (const base of [early.base, routed.base]) {
        const r = await request(base, `/api/runs/${encodeURIComponent(dir)}`);
        expect(r.status).toBe(400);
        answers.add(r.text);
      }
    }
    expect([...answers]).toEqual([JSON.stringify({ error: `invalid run id "<path>": ids are letters, digits, '-' and '_' (at most 120 characters)` })]);
    // and a URL path outside the API that names a directory: not found, alike
    const notFound = new Set<string>();
    for (const dir of [roots.dir, runs.dir, '/nonexistent/dir']) notFound.add((await request(early.base, `${dir}/x.csv`)).text);
    expect(notFound.size).toBe(1);
  });

  it('do not use up a client\'s read limit: a refusal costs nothing to count', async () => {
    const jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', ''] }) });
    jobQueues.push(jobs);
    const limited = await listen(createApp({ runsDir: runs.dir, jobs, webRoot: '/nonexistent', readRateLimit: { capacity: 2, refillPerSecond: 0.01 }, log: () => {} }));
    try {
      for (let i = 0; i < 20; i++) expect((await request(limited.base, `/api/runs/pics/items/-${i}`)).status).toBe(400);
      expect((await request(limited.base, '/api/runs/pics/items/0')).status).toBe(200);
      expect((await request(limited.base, '/api/runs/pics/items/1')).status).toBe(200);
      expect((await request(limited.base, '/api/runs/pics/items/2')).status).toBe(429);
    } finally {
      await limited.close();
    }
  });
});
