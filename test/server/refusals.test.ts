// Every refusal of the HTTP API over real HTTP: traversal, bad ids and indexes, bodies, tokens, rate limits,
// cross-origin writes, foreign Host headers; and no error ever carries a stack trace or a file path.
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { listen, request, type Reply } from './http.js';

const TOKEN = 'test-token-0123456789';
let runs: { dir: string; cleanup: () => Promise<void> };
let base: string;
let close: () => Promise<void>;
let jobs: JobQueue;
const started: string[][] = [];

function expectCleanError(r: Reply, status: number): void {
  expect(r.status, r.text).toBe(status);
  expect(r.headers['content-type']).toMatch(/^application\/json/);
  const body = r.json();
  expect(Object.keys(body)).toContain('error');
  expect(typeof body.error).toBe('string');
  expect(r.text).not.toMatch(/\bat .+\(.+:\d+:\d+\)|node_modules|\.ts:\d+/);
  expect(r.text).not.toContain(runs.dir);
  expect(r.text).not.toContain(process.cwd());
}

beforeAll(async () => {
  runs = await tempRunsDir();
  await writeFixtureRun(runs.dir, { id: 'run1', rows: 20 });
  // A queue whose jobs never really start (the command records its arguments and sleeps), so POSTs are cheap.
  jobs = new JobQueue({
    runsDir: runs.dir,
    concurrency: 1,
    command: (j) => {
      started.push([j.id]);
      return { file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] };
    },
    killGraceMs: 500,
  });
  const app = createApp({
    runsDir: runs.dir,
    token: TOKEN,
    jobs,
    webRoot: '/nonexistent-web-root',
    rateLimit: { capacity: 1000, refillPerSecond: 1 },
    log: () => {},
  });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
});

const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };

describe('path traversal and ids', () => {
  it('refuses traversal attempts, plain and percent-encoded, without touching files outside', async () => {
    const attempts = [
      '/api/runs/..%2F..%2Fetc/points',
      '/api/runs/..%2f..%2fetc%2fpasswd',
      '/api/runs/%2E%2E/points',
      '/api/runs/..%5C..%5Cwindows/points',
      '/api/runs/run1%2F..%2F..%2Fetc/history',
      '/api/runs/%2Fetc%2Fpasswd/items/0',
      '/api/runs/.jobs/points',
      '/api/runs/.tmp-run1-1/points',
    ];
    for (const p of attempts) {
      const r = await request(base, p);
      expect([400, 404], p).toContain(r.status);
      expectCleanError(r, r.status);
      expect(r.text).not.toContain('root:');
    }
    for (const p of ['/api/runs/../../etc/passwd', '/api/runs/../../../etc/points', '/../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const r = await request(base, p);
      expect([400, 404], p).toContain(r.status);
      expectCleanError(r, r.status);
      expect(r.text).not.toContain('root:');
    }
  });

  it('answers 400 for malformed ids and 404 for well-formed unknown ones', async () => {
    for (const id of ['a.b', '-leading-dash', 'x'.repeat(121), '%00', 'a%20b', '%E0%A4%A']) {
      expectCleanError(await request(base, `/api/runs/${id}`), 400);
    }
    expectCleanError(await request(base, '/api/runs/no-such-run'), 404);
    expectCleanError(await request(base, '/api/runs/no-such-run/points'), 404);
    expectCleanError(await request(base, '/api/runs/no-such-run/neighbors/0'), 404);
    expectCleanError(await request(base, '/api/runs/no-such-run/events'), 404);
  });
});

describe('row indexes', () => {
  it('refuses non-integer and negative indexes with 400', async () => {
    for (const idx of ['-1', '1.5', '1e3', 'abc', '0x10', '01', '%201', '99999999999']) {
      expectCleanError(await request(base, `/api/runs/run1/items/${idx}`), 400);
      expectCleanError(await request(base, `/api/runs/run1/neighbors/${idx}`), 400);
    }
  });

  it('answers 404 for an index past the last row', async () => {
    for (const p of ['/api/runs/run1/items/20', '/api/runs/run1/neighbors/20', '/api/runs/run1/items/2147483647']) {
      expectCleanError(await request(base, p), 404);
    }
    expect((await request(base, '/api/runs/run1/items/19')).status).toBe(200);
  });
});

describe('writes need the token', () => {
  it('refuses POST and DELETE without a token or with a wrong one', async () => {
    const body = JSON.stringify({ dataset: 'iris' });
    const none = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expectCleanError(none, 401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    for (const header of [`Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, 'Bearer ', `Basic ${TOKEN}`, TOKEN, `Bearer ${TOKEN} extra`]) {
      const r = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json', authorization: header }, body });
      expectCleanError(r, 401);
    }
    expectCleanError(await request(base, '/api/runs/run1', { method: 'DELETE' }), 401);
    expectCleanError(await request(base, '/api/runs/run1', { method: 'DELETE', headers: { authorization: 'Bearer nope' } }), 401);
    expect(started).toHaveLength(0);
  });

  it('accepts a write with the right token', async () => {
    const r = await request(base, '/api/runs', { method: 'POST', headers: auth, body: JSON.stringify({ dataset: 'iris', epochs: 2 }) });
    expect(r.status, r.text).toBe(202);
    const { id, status } = r.json();
    // Queued, and already started when the queue was idle.
    expect(['queued', 'running']).toContain(status);
    expect(r.headers.location).toBe(`/api/runs/${id}`);
    const del = await request(base, `/api/runs/${id}`, { method: 'DELETE', headers: auth });
    expect(del.status, del.text).toBe(200);
    expect(del.json()).toEqual({ id, status: 'cancelled' });
  });

  it('lets reads through without a token', async () => {
    expect((await request(base, '/api/runs/run1')).status).toBe(200);
  });
});

describe('request bodies', () => {
  it('answers 413 for a body over 64 kB', async () => {
    const big = JSON.stringify({ name: 'x'.repeat(70 * 1024) });
    expectCleanError(await request(base, '/api/runs', { method: 'POST', headers: auth, body: big }), 413);
  });

  it('answers 400 for invalid JSON and for JSON that is not an object', async () => {
    for (const body of ['{"dataset": "iris",', '{dataset: iris}', '', 'null', '[1,2]', '"iris"']) {
      const r = await request(base, '/api/runs', { method: 'POST', headers: auth, body });
      expectCleanError(r, 400);
    }
  });

  it('answers 415 for a body that is not declared as JSON', async () => {
    const r = await request(base, '/api/runs', { method: 'POST', headers: { authorization: auth.authorization, 'content-type': 'text/plain' }, body: '{}' });
    expectCleanError(r, 415);
  });

  it('names unknown configuration keys and bad values', async () => {
    const unknown = await request(base, '/api/runs', { method: 'POST', headers: auth, body: JSON.stringify({ dataset: 'iris', codesize: 8 }) });
    expectCleanError(unknown, 400);
    expect(unknown.json().error).toMatch(/unknown configuration key "codesize"; did you mean "codeSize"\?/);
    const bad = await request(base, '/api/runs', { method: 'POST', headers: auth, body: JSON.stringify({ epochs: -3 }) });
    expectCleanError(bad, 400);
    expect(bad.json().error).toMatch(/epochs/);
    const both = await request(base, '/api/runs', { method: 'POST', headers: auth, body: JSON.stringify({ dataset: 'iris', input: 'x.csv' }) });
    expectCleanError(both, 400);
  });

  it('refuses step sizes and splits that cannot make a useful run with 400 naming the field and why, before any job starts', async () => {
    const before = started.length;
    for (const [body, field, reason] of [
      [{ dataset: 'iris', tsneLearningRate: 1e308 }, 'tsneLearningRate', /must be at most 100000000, got 1e\+308: the largest step size a reference implementation chooses/],
      [{ dataset: 'iris', tsneLearningRate: '1e9' }, 'tsneLearningRate', /at most 100000000/],
      [{ dataset: 'iris', learningRate: 1e-300 }, 'learningRate', /must be at least 0.000001, got 1e-300: Adam and RMSprop move each weight/],
      [{ dataset: 'iris', validationSplit: 0.999999 }, 'validationSplit', /must be at most 0.5, got 0.999999: the model must train on at least as many rows as judge it/],
    ] as const) {
      const r = await request(base, '/api/runs', { method: 'POST', headers: auth, body: JSON.stringify(body) });
      expectCleanError(r, 400);
      expect(r.json().error).toMatch(new RegExp(`^field "${field}": `));
      expect(r.json().error).toMatch(reason);
    }
    expect(started.length).toBe(before);
  });

  it('refuses any runsDir, even the server’s own (an answer must not confirm its path), and writes nothing', async () => {
    for (const runsDir of ['/tmp/elsewhere', runs.dir]) {
      const r = await request(base, '/api/runs', { method: 'POST', headers: auth, body: JSON.stringify({ dataset: 'iris', runsDir }) });
      expectCleanError(r, 400);
      expect(r.json().error).toMatch(/runsDir/);
    }
  });
});

describe('a full queue', () => {
  it('answers 503 with Retry-After once maxQueued runs wait', async () => {
    const small = new JobQueue({
      runsDir: runs.dir,
      maxQueued: 2,
      killGraceMs: 500,
      command: () => ({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] }),
    });
    const other = await listen(createApp({ runsDir: runs.dir, jobs: small, log: () => {} }));
    try {
      const statuses: number[] = [];
      let last: Reply | null = null;
      for (let i = 0; i < 4; i++) {
        last = await request(other.base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"dataset":"iris"}' });
        statuses.push(last.status);
      }
      // One running, two waiting, the fourth refused.
      expect(statuses).toEqual([202, 202, 202, 503]);
      expectCleanError(last!, 503);
      expect(last!.headers['retry-after']).toBe('30');
    } finally {
      await small.close();
      await other.close();
    }
  });
});

describe('cancelling', () => {
  it('answers 404 for an unknown run and 409 for a complete one', async () => {
    expectCleanError(await request(base, '/api/runs/never-was', { method: 'DELETE', headers: auth }), 404);
    const r = await request(base, '/api/runs/run1', { method: 'DELETE', headers: auth });
    expectCleanError(r, 409);
    expect(await readdir(runs.dir)).toContain('run1');
  });
});

describe('cross-site and host checks', () => {
  it('refuses writes from another origin even with the token', async () => {
    const r = await request(base, '/api/runs', { method: 'POST', headers: { ...auth, origin: 'http://evil.example' }, body: '{}' });
    expectCleanError(r, 403);
  });

  it('refuses writes a browser marks as from another site even without an Origin, and takes its own page\'s', async () => {
    for (const site of ['cross-site', 'same-site']) {
      const r = await request(base, '/api/uploads?name=a.csv', { method: 'POST', headers: { ...auth, 'sec-fetch-site': site }, body: 'a,b\n1,2\n' });
      expectCleanError(r, 403);
    }
    const own = await request(base, '/api/runs', { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'sec-fetch-site': 'same-origin' }, body: '{"dataset": "nope"}' });
    expect(own.status).toBe(400); // past the origin check: the body is judged
  });

  it('refuses requests for another host name when allowedHosts is set', async () => {
    const other = await listen(createApp({ runsDir: runs.dir, jobs, allowedHosts: ['127.0.0.1', 'localhost'], log: () => {} }));
    try {
      expectCleanError(await request(other.base, '/api/runs', { headers: { host: 'evil.example:80' } }), 421);
      expect((await request(other.base, '/api/runs', { headers: { host: 'localhost:1234' } })).status).toBe(200);
      expect((await request(other.base, '/api/runs')).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('internal failures', () => {
  it('answer 500 with a bare message: no stack trace, no file path', async () => {
    const app = createApp({
      runsDir: runs.dir,
      jobs,
      log: () => {},
      reconstruct: async () => {
        throw new Error(`ENOENT: no such file or directory, open '${runs.dir}/run1/model/weights.bin' at /work/main/server/x.ts:12:3`);
      },
    });
    const other = await listen(app);
    try {
      // The fixture is no image dataset, so reconstruction.png refuses it first; items swallow the failure.
      const item = await request(other.base, '/api/runs/run1/items/0');
      expect(item.status).toBe(200);
      expect(item.json().reconstruction).toBeNull();
      await writeFixtureRun(runs.dir, { id: 'imgrun', rows: 4, image: { width: 2, height: 2, channels: 1 } });
      const r = await request(other.base, '/api/runs/imgrun/items/0/reconstruction.png');
      expectCleanError(r, 500);
      expect(r.json()).toEqual({ error: 'internal error' });
    } finally {
      await other.close();
    }
  });

  it('log an internal failure with its stack, a corrupt run by its message, and never a deliberate 503 busy refusal', async () => {
    const logged: string[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const app = createApp({
      runsDir: runs.dir,
      jobs,
      log: (line) => logged.push(line),
      decode: async (_dir, manifest) => {
        await held;
        return { rows: 1, cols: manifest.dataset.columns, values: new Float32Array(manifest.dataset.columns) };
      },
      reconstruct: async () => {
        throw new Error('model exploded');
      },
    });
    const other = await listen(app);
    try {
      const decode = () => request(other.base, '/api/runs/run1/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"rows":[1]}' });
      const first = [decode(), decode()];
      let busy: Reply;
      do busy = await decode();
      while (busy.status !== 503);
      expect(busy.headers['retry-after']).toBe('1');
      release();
      for (const r of await Promise.all(first)) expect(r.status).toBe(200);
      await writeFixtureRun(runs.dir, { id: 'imgrun2', rows: 4, image: { width: 2, height: 2, channels: 1 } });
      expectCleanError(await request(other.base, '/api/runs/imgrun2/items/0/reconstruction.png'), 500);
      await writeFile(path.join(runs.dir, 'imgrun2', 'points.arrow'), '');
      expect((await request(other.base, '/api/runs/imgrun2/points')).status).toBe(409);
      expect(logged.length).toBe(2);
      expect(logged[0]).toMatch(/model exploded\n\s+at /);
      expect(logged[1]).toMatch(/^error GET \/api\/runs\/imgrun2\/points: run imgrun2 is corrupt: .*; remove it/);
      expect(logged.join('\n')).not.toMatch(/busy/);
    } finally {
      await other.close();
    }
  });

  it('answers HEAD like GET without a body', async () => {
    const r = await request(base, '/api/runs/run1/points', { method: 'HEAD' });
    expect(r.status).toBe(200);
    expect(r.body.length).toBe(0);
    expect(Number(r.headers['content-length'])).toBeGreaterThan(0);
  });
});

describe('rate limit', () => {
  it('answers 429 with Retry-After once a client’s POST burst is spent', async () => {
    const app = createApp({ runsDir: runs.dir, jobs, rateLimit: { capacity: 3, refillPerSecond: 0.001 }, log: () => {} });
    const other = await listen(app);
    try {
      const statuses: number[] = [];
      let last: Reply | null = null;
      for (let i = 0; i < 5; i++) {
        last = await request(other.base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nope": 1}' });
        statuses.push(last.status);
      }
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
      expectCleanError(last!, 429);
      expect(Number(last!.headers['retry-after'])).toBeGreaterThan(0);
      // Reads are not limited.
      expect((await request(other.base, '/api/runs/run1')).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('refuses a write without the token before the rate limit: a tokenless flood from the same host leaves the token holder its burst', async () => {
    const app = createApp({ runsDir: runs.dir, jobs, token: 'sesame', rateLimit: { capacity: 3, refillPerSecond: 0.001 }, log: () => {} });
    const other = await listen(app);
    try {
      const post = (from: string, headers: Record<string, string> = {}) =>
        request(other.base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: '{"nope": 1}', localAddress: from });
      for (let i = 0; i < 6; i++) expect((await post('127.0.0.9')).status).toBe(401);
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await post('127.0.0.1', { authorization: 'Bearer sesame' })).status);
      expect(statuses).toEqual([400, 400, 400, 429]);
    } finally {
      await other.close();
    }
  });

  it('counts every loopback source address as one client: a fresh 127.x.y.z gets no fresh burst', async () => {
    const app = createApp({ runsDir: runs.dir, jobs, rateLimit: { capacity: 3, refillPerSecond: 0.001 }, log: () => {} });
    const other = await listen(app);
    try {
      const statuses: number[] = [];
      for (const from of ['127.0.0.1', '127.0.0.2', '127.9.8.7', '127.0.0.3', '127.200.0.1']) {
        const r = await request(other.base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"nope": 1}', localAddress: from });
        statuses.push(r.status);
      }
      expect(statuses).toEqual([400, 400, 400, 429, 429]);
    } finally {
      await other.close();
    }
  });
});

describe('expensive reads', () => {
  it('share one per-address budget (items, pictures, neighbours, features, decodes, points as JSON): 429 with Retry-After once spent; cheap reads are never limited', async () => {
    const app = createApp({ runsDir: runs.dir, jobs, readRateLimit: { capacity: 6, refillPerSecond: 0.001 }, log: () => {} });
    const other = await listen(app);
    try {
      const expensive = [
        () => request(other.base, '/api/runs/run1/items/1'),
        () => request(other.base, '/api/runs/run1/items/1/image.png'),
        () => request(other.base, '/api/runs/run1/neighbors/1?k=3'),
        () => request(other.base, '/api/runs/run1/features/f0'),
        () => request(other.base, '/api/runs/run1/points?format=json'),
        () => request(other.base, '/api/runs/run1/decode', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"rows":[1,2]}' }),
      ];
      const spent = await Promise.all(expensive.map((ask) => ask()));
      for (const r of spent) expect(r.status, r.text).not.toBe(429);
      for (const ask of expensive) {
        const r = await ask();
        expectCleanError(r, 429);
        expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      }
      // counted before routing (read-limit.ts), as Express routes them: any case, a trailing slash, HEAD, an
      // unknown run alike (the refusal is what is cheap to answer)
      for (const path of ['/api/runs/run1/ITEMS/1', '/api/runs/run1/items/1/', '/api/runs/run1/Neighbors/1?k=3', '/api/runs/nope/items/1', '/api/runs/run1/points/?format=json']) {
        expectCleanError(await request(other.base, path), 429);
      }
      // a malformed row index or run id is refused before it is counted (malformed-paths.ts): still a 400
      expectCleanError(await request(other.base, '/api/runs/run1/items/-1'), 400);
      expectCleanError(await request(other.base, '/api/runs/r.1/neighbors/1'), 400);
      expect((await request(other.base, '/api/runs/run1/items/1', { method: 'HEAD' })).status).toBe(429);
      for (const path of ['/api/health', '/api/runs', '/api/runs/run1', '/api/runs/run1/points', '/api/runs/run1/history']) {
        expect((await request(other.base, path)).status, path).toBe(200);
      }
    } finally {
      await other.close();
    }
  });
});
