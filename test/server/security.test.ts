// The server under attack: what a run started over HTTP may read (built-ins, uploads, --data-root files
// only, checked before anything starts), uploads, size bounds, and the smaller defects of issue #13:
// unknown keys named like Object properties, deeply nested JSON, declared lengths over the limit, corrupt
// runs, a missing model, a job that cannot be recorded. No answer names a server path.
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { DataRoots } from '../../server/data-roots.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { listen, readEvents, request, type Reply } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let outside: { dir: string; cleanup: () => Promise<void> };
let dataRoot: string;
let base: string;
let close: () => Promise<void>;
let jobs: JobQueue;
const configs: string[] = [];

const json = { 'content-type': 'application/json' };

function expectNoServerPath(r: Reply): void {
  for (const p of [runs.dir, outside.dir, dataRoot, process.cwd()]) expect(r.text).not.toContain(p);
}

const post = (body: unknown): Promise<Reply> => request(base, '/api/runs', { method: 'POST', headers: json, body: JSON.stringify(body) });

beforeAll(async () => {
  runs = await tempRunsDir();
  outside = await tempRunsDir();
  dataRoot = path.join(outside.dir, 'root');
  await mkdir(path.join(dataRoot, 'sub'), { recursive: true });
  await writeFile(path.join(dataRoot, 'sub', 'ok.csv'), 'a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n1,3,5,y\n2,4,6,x\n');
  // Secrets outside the data root, and a symbolic link inside it that points at them.
  await writeFile(path.join(outside.dir, 'secret.csv'), 'user,password,uid\nroot,hunter2,0\nbob,swordfish,1\n');
  await writeFile(path.join(outside.dir, 'shadow'), 'root:$6$salt$hash:19000:0:99999:7:::\n');
  await symlink(path.join(outside.dir, 'secret.csv'), path.join(dataRoot, 'link.csv'));
  await writeFixtureRun(runs.dir, { id: 'good', rows: 30 });
  // Jobs never really start: the command records the configuration it was given and sleeps.
  jobs = new JobQueue({
    runsDir: runs.dir,
    command: (j) => {
      configs.push(j.configFile);
      return { file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] };
    },
    killGraceMs: 200,
    maxQueued: 1000,
  });
  const app = createApp({
    runsDir: runs.dir,
    jobs,
    dataRoots: await DataRoots.open([dataRoot]),
    maxUploadBytes: 4096,
    rateLimit: { capacity: 1000, refillPerSecond: 100 },
    webRoot: '/nonexistent',
    log: () => {},
  });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
  await outside.cleanup();
});

describe('what a run started over HTTP may read', () => {
  it('refuses every path outside the data roots with the same message whether it exists or not, before anything starts', async () => {
    const before = jobs.list().length;
    const probes: Record<string, unknown>[] = [
      { input: path.join(outside.dir, 'secret.csv') },
      { input: path.join(outside.dir, 'no-such.csv') },
      { input: '../secret.csv' },
      { input: '../no-such.csv' },
      { input: 'sub/../../secret.csv' },
      { input: 'link.csv' },
      { input: '/etc/passwd' },
      { input: 'sub/ok.csv\u0000.csv' },
      { dataDir: outside.dir },
      { dataDir: '/nonexistent-dir' },
      { dataset: '../../etc/passwd' },
    ];
    const messages = new Map<string, string>();
    for (const body of probes) {
      const r = await post(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expectNoServerPath(r);
      expect(r.text).not.toMatch(/hunter2|password|root:/);
      const field = Object.keys(body)[0]!;
      const msg = String(r.json().error).replace(/"[^"]*"/g, '""');
      if (messages.has(field)) expect(msg, JSON.stringify(body)).toBe(messages.get(field));
      messages.set(field, msg);
    }
    expect(jobs.list().length).toBe(before);
    const list = await request(base, '/api/jobs');
    expect(list.text).not.toMatch(/hunter2|password/);
  });

  it('starts a run on a file under a data root, giving the job its real path and clients only what they sent', async () => {
    const r = await post({ input: 'sub/ok.csv', reducer: 'pca', codeSize: 2 });
    expect(r.status, r.text).toBe(202);
    const id = r.json().id as string;
    const forJob = JSON.parse(await readFile(configs.at(-1)!, 'utf8'));
    expect(forJob.input).toBe(path.join(dataRoot, 'sub', 'ok.csv'));
    const job = await request(base, `/api/jobs/${id}`);
    expect(job.json().config.input).toBe('sub/ok.csv');
    expectNoServerPath(job);
    await request(base, `/api/runs/${id}`, { method: 'DELETE' });
  });

  it('shows no absolute path a client typed to the other readers of /api/jobs', async () => {
    const listed = jobs.list();
    expect(listed.length).toBeGreaterThan(0);
    const typed = { ...listed[0]!, config: { input: path.join(dataRoot, 'sub', 'ok.csv'), name: '/home/alice/x', features: ['a', '/srv/b'], epochs: 3 } };
    const shown = jobs.publicView(typed);
    // this queue is not told the data roots' public names, so the whole input path is <path>
    expect(shown.config).toEqual({ input: '<path>', name: '<path>', features: ['a', '<path>'], epochs: 3 });
    const list = await request(base, '/api/jobs');
    expect(list.text).not.toContain(dataRoot);
  });

  it('refuses configuration keys named like Object properties as unknown keys', async () => {
    for (const key of ['__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
      const r = await request(base, '/api/runs', { method: 'POST', headers: json, body: `{"${key}": {"input": "/etc/passwd"}, "dataset": "iris"}` });
      expect(r.status, key).toBe(400);
      expect(r.json().error).toContain(`unknown configuration key "${key}"`);
    }
  });
});

describe('request bodies', () => {
  it('answers a 10,000-level nested body with 400', async () => {
    const r = await request(base, '/api/runs', { method: 'POST', headers: json, body: `${'['.repeat(10_000)}${']'.repeat(10_000)}` });
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/nests deeper/);
  });

  it('refuses a declared Content-Length over the limit before reading the body', async () => {
    const url = new URL(base);
    const started = Date.now();
    const reply = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest({ host: url.hostname, port: url.port, path: '/api/uploads?name=big.csv', method: 'POST', headers: { 'content-length': String(10 * 1024 ** 3) } }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // Send a few bytes of the promised 10 GB and never the rest: the answer must not wait for it.
      req.write('a,b\n');
    });
    expect(reply.status).toBe(413);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(JSON.parse(reply.body).error).toMatch(/too large/);
  });
});

describe('uploads', () => {
  const upload = (name: string, body: string | Buffer): Promise<Reply> =>
    request(base, `/api/uploads?name=${encodeURIComponent(name)}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body });

  it('stores a checked CSV, lists it, lets a run name it, and deletes it', async () => {
    const r = await upload('flowers.csv', 'x,y,z,species\n1,2,3,a\n2,3,4,b\n3,4,5,a\n4,5,6,b\n');
    expect(r.status, r.text).toBe(201);
    const info = r.json();
    expect(info).toMatchObject({ name: 'flowers.csv', format: '.csv', rows: 4, columns: 3, label: 'species' });
    expect(info.id).toMatch(/^up-[0-9a-f]{16}$/);
    expectNoServerPath(r);
    expect((await request(base, '/api/uploads')).json().map((u: { id: string }) => u.id)).toContain(info.id);

    const run = await post({ upload: info.id, reducer: 'pca', codeSize: 2 });
    expect(run.status, run.text).toBe(202);
    const forJob = JSON.parse(await readFile(configs.at(-1)!, 'utf8'));
    expect(forJob).toMatchObject({ upload: info.id, name: 'flowers' });
    // A queued or running job reads it: not deletable until it ends.
    expect((await request(base, `/api/uploads/${info.id}`, { method: 'DELETE' })).status).toBe(409);
    await request(base, `/api/runs/${run.json().id}`, { method: 'DELETE' });
    expect((await request(base, `/api/uploads/${info.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await request(base, `/api/uploads/${info.id}`)).status).toBe(404);
    expect((await post({ upload: info.id })).status).toBe(400);
  });

  it('refuses bad content with the loader\'s message, a file over the limit, and unknown formats; nothing is kept', async () => {
    const bad = await upload('words.csv', 'a,b\nx,y\nz,w\n');
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatch(/words\.csv|numeric/);
    expectNoServerPath(bad);
    const big = await upload('big.csv', Buffer.alloc(10_000, 49));
    expect(big.status).toBe(413);
    expect((await upload('notes.exe', 'MZ')).status).toBe(400);
    const left = (await readdir(path.join(runs.dir, '.uploads'))).filter((n) => n.startsWith('.tmp-'));
    expect(left).toEqual([]);
  });
});

describe('sizes a request can choose', () => {
  it('refuses with 400 a run past any size bound of the schema, or whose estimate passes the memory or time limit, before anything starts', async () => {
    const before = jobs.list().length;
    const r = await post({ dataset: 'mnist', layers: [16000, 16000] });
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/memory.*--max-job-memory/);
    const schema = await post({ dataset: 'mnist', layers: [20000, 20000] });
    expect(schema.status).toBe(400);
    expect(schema.json().error).toMatch(/at most 16384/);
    expect((await post({ dataset: 'iris', codeSize: 100000 })).status).toBe(400);
    expect((await post({ dataset: 'iris', iterations: 10_000_000 })).status).toBe(400);
    for (const [key, value] of [['epochs', 100_001], ['limit', 100_000_001], ['perplexity', 1001], ['batchSize', 1_048_577], ['nNeighbors', 1001]] as const) {
      const r2 = await post({ dataset: 'iris', [key]: value });
      expect(r2.status, key).toBe(400);
      expect(r2.json().error, key).toMatch(/at most/);
    }
    // within every schema bound, but the estimated time passes --max-job-seconds (default 2 h)
    const slow = await post({ dataset: 'mnist', epochs: 100_000, layers: [2048, 1024] });
    expect(slow.status).toBe(400);
    expect(slow.json().error).toMatch(/would take about .*--max-job-seconds/);
    expect(jobs.list().length).toBe(before);
  });

  it('caps image scale by the picture size', async () => {
    await writeFixtureRun(runs.dir, { id: 'pics', rows: 5, image: { width: 28, height: 28, channels: 1 } });
    expect((await request(base, '/api/runs/pics/items/0/image.png?scale=16')).status).toBe(200);
    expect((await request(base, '/api/runs/pics/items/0/image.png?scale=17')).status).toBe(400);
    await writeFixtureRun(runs.dir, { id: 'big-pics', rows: 2, image: { width: 256, height: 256, channels: 1 } });
    const r = await request(base, '/api/runs/big-pics/items/0/image.png?scale=8');
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(/at most 4/);
  });
});

describe('runs written by the CLI on this or another machine', () => {
  it('show no path in free text (notes, choices, preparation, names) nor a queue password, in the manifest and the run list', async () => {
    const run = await writeFixtureRun(runs.dir, { id: 'cli-written', rows: 10 });
    const m = JSON.parse(await readFile(path.join(run.dir, 'manifest.json'), 'utf8'));
    m.name = '/home/alice/projects/secret-name';
    m.dataset.name = '/srv/other-host/private/clients.csv';
    m.notes = ['read 10 rows from /srv/other-host/private/clients.csv (2 dropped)', 'plain note, 1/2 of the rows'];
    m.choices = { scaling: { value: 'uniform', reason: 'columns of /mnt/nfs/x.csv share one unit' } };
    m.prepare = { source: '/var/lib/data/raw.csv', dropped: 2 };
    m.config.queue = 'redis://worker:s3cr3t-pass@queue.internal:6379';
    m.config.name = '/home/alice/projects/config-name';
    m.dataset.features = ['f0', 'f1', 'f2', 'f3', 'f4', '/odd/column'];
    await writeFile(path.join(run.dir, 'manifest.json'), JSON.stringify(m));
    const r = await request(base, '/api/runs/cli-written');
    expect(r.status).toBe(200);
    for (const secret of ['/home/alice', '/srv/other-host', '/mnt/nfs', '/var/lib/data', 's3cr3t-pass']) expect(r.text).not.toContain(secret);
    const shown = r.json();
    expect(shown.notes).toEqual(['read 10 rows from <path> (2 dropped)', 'plain note, 1/2 of the rows']);
    expect(shown.choices.scaling).toEqual({ value: 'uniform', reason: 'columns of <path> share one unit' });
    expect(shown.prepare).toEqual({ source: '<path>', dropped: 2 });
    expect(shown.config.queue).toBe('redis://queue.internal:6379');
    expect(shown.config.name).toBe('<path>');
    // column names are data: kept as written, so the features route still finds them
    expect(shown.dataset.features.at(-1)).toBe('/odd/column');
    const list = await request(base, '/api/runs');
    const entry = list.json().find((e: { id: string }) => e.id === 'cli-written');
    expect(entry).toMatchObject({ name: '<path>', dataset: '<path>' });
    expect(list.text).not.toMatch(/home\/alice|other-host/);
  });
});

describe('a corrupt run or a missing model', () => {
  it('reports a manifest of null as corrupt on every endpoint, /events included', async () => {
    await writeFixtureRun(runs.dir, { id: 'nullman', rows: 10 });
    await writeFile(path.join(runs.dir, 'nullman', 'manifest.json'), 'null');
    for (const p of ['', '/points', '/history', '/items/0', '/neighbors/0', '/events']) {
      const r = await request(base, `/api/runs/nullman${p}`);
      expect(r.status, p).toBe(500);
      expect(r.json().error, p).toMatch(/run nullman is corrupt/);
    }
  });

  it('reports a 0-byte points.arrow as corrupt, not as an empty map', async () => {
    await writeFixtureRun(runs.dir, { id: 'nopoints', rows: 10 });
    await writeFile(path.join(runs.dir, 'nopoints', 'points.arrow'), '');
    for (const p of ['/points', '/points?format=json', '/items/0']) {
      const r = await request(base, `/api/runs/nopoints${p}`);
      expect(r.status, p).toBe(500);
      expect(r.json().error, p).toMatch(/run nopoints is corrupt: its points/);
    }
  });

  it('reports a cut-short data.arrow as corrupt on items, pictures and features, naming no path', async () => {
    const run = await writeFixtureRun(runs.dir, { id: 'cutdata', rows: 40, image: { width: 4, height: 4, channels: 1 } });
    const file = path.join(run.dir, 'data.arrow');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (const p of ['/items/3', '/items/3/image.png', '/features/f2']) {
      const r = await request(base, `/api/runs/cutdata${p}`);
      expect(r.status, p).toBe(500);
      expect(r.json().error, p).toBe('run cutdata is corrupt: its stored input values cannot be read; remove it (latentmap prune) or write it again');
      expectNoServerPath(r);
    }
  });

  it('answers 404 for reconstruction.png of a run without a saved model', async () => {
    const r = await request(base, '/api/runs/pics/items/0/reconstruction.png');
    expect(r.status).toBe(404);
    expect(r.json().error).toMatch(/no saved model/);
  });
});

describe('a job that cannot be recorded', () => {
  it('leaves no phantom job: 503, nothing listed, no event stream', async () => {
    // The job folder replaced by a file: every write into it fails, as on a full or read-only disk.
    const jobsDir = path.join(runs.dir, '.jobs');
    await rename(jobsDir, `${jobsDir}.away`);
    await writeFile(jobsDir, 'not a folder');
    try {
      const before = jobs.list().length;
      const r = await post({ dataset: 'iris' });
      expect(r.status).toBe(503);
      expect(r.json().error).toMatch(/could not record the job/);
      expectNoServerPath(r);
      expect(jobs.list().length).toBe(before);
    } finally {
      await rm(jobsDir, { force: true });
      await rename(`${jobsDir}.away`, jobsDir);
    }
  });
});

describe('events of a run that does not exist', () => {
  it('answers 404 without opening a stream', async () => {
    const r = await readEvents(base, '/api/runs/nothing-here/events');
    expect(r.status).toBe(404);
  });
});

afterAll(async () => {
  await rm(path.join(runs.dir, '.uploads'), { recursive: true, force: true });
});
