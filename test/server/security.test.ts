// The server under attack: what a run started over HTTP may read (built-ins, uploads, --data-root files
// only, checked before anything starts), uploads, size bounds, and the smaller defects of issue #13:
// unknown keys named like Object properties, deeply nested JSON, declared lengths over the limit, corrupt
// runs, a missing model, a job that cannot be recorded. No answer names a server path.
import { mkdir, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { DataRoots } from '../../server/data-roots.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { storageError } from '../../server/uploads.js';
import { tempRunsDir, writeFixtureRun } from './fixtures.js';
import { listen, readEvents, request, type Reply } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let outside: { dir: string; cleanup: () => Promise<void> };
let dataRoot: string;
/** The server's log (the operator's). */
const serverLog: string[] = [];
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
    // submissions wait for the pre-start check however slow the machine (prestart-check.test.ts: when it does not)
    checkGraceMs: 120_000,
    rateLimit: { capacity: 1000, refillPerSecond: 100 },
    webRoot: '/nonexistent',
    log: (line) => serverLog.push(line),
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

  it('refuses a dataDir whose IDX files are symbolic links out of the data roots, and an IDX input whose labels file beside it is one', async () => {
    // The tester's /root/fm2: a real folder inside the data root, its files linked to a folder outside it.
    const names = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];
    const images = (n: number): Buffer => Buffer.concat([Buffer.from([0, 0, 8, 3, 0, 0, 0, n, 0, 0, 0, 28, 0, 0, 0, 28]), Buffer.alloc(n * 784, 7)]);
    const labels = (n: number): Buffer => Buffer.concat([Buffer.from([0, 0, 8, 1, 0, 0, 0, n]), Buffer.alloc(n, 1)]);
    await mkdir(path.join(outside.dir, 'fm'), { recursive: true });
    await mkdir(path.join(dataRoot, 'fm2'));
    await mkdir(path.join(dataRoot, 'fm-real'));
    for (const name of names) {
      const bytes = name.includes('images') ? images(4) : labels(4);
      await writeFile(path.join(outside.dir, 'fm', name), bytes);
      await writeFile(path.join(dataRoot, 'fm-real', name), bytes);
      await symlink(path.join(outside.dir, 'fm', name), path.join(dataRoot, 'fm2', name));
    }
    const before = jobs.list().length;
    const r = await post({ dataset: 'fashion-mnist', dataDir: 'fm2', reducer: 'pca' });
    expect(r.status, r.text).toBe(400);
    const refusal = (field: string, name: string) => `field "${field}": "${name}" is not a readable file inside the server's data roots (a symbolic link out of them, or to nothing), which runs started over HTTP cannot read`;
    expect(r.json().error).toBe(refusal('dataDir', 'train-images-idx3-ubyte'));
    expectNoServerPath(r);
    // The same files as links to nothing outside: refused alike (a dangling link once read as a missing file,
    // "fashion-mnist files not found", telling the client which files outside the roots exist).
    await mkdir(path.join(dataRoot, 'fm-dangling'));
    for (const name of names) await symlink(path.join(outside.dir, 'no-such', name), path.join(dataRoot, 'fm-dangling', name));
    const toNothing = await post({ dataset: 'fashion-mnist', dataDir: 'fm-dangling', reducer: 'pca' });
    expect(toNothing.status, toNothing.text).toBe(400);
    expect(toNothing.json()).toEqual(r.json());
    // The labels file the IDX loader would pick up beside an input.
    await mkdir(path.join(dataRoot, 'idx'));
    await writeFile(path.join(dataRoot, 'idx', 'train-images-idx3-ubyte'), images(4));
    await symlink(path.join(outside.dir, 'fm', 'train-labels-idx1-ubyte'), path.join(dataRoot, 'idx', 'train-labels-idx1-ubyte'));
    const idx = await post({ input: 'idx/train-images-idx3-ubyte', reducer: 'pca' });
    expect(idx.status, idx.text).toBe(400);
    expect(idx.json().error).toBe(refusal('input', 'train-labels-idx1-ubyte'));
    expectNoServerPath(idx);
    // a link out to nothing is refused alike: the answer does not tell whether what it points at exists
    // (an outside tester saw 202, the run without labels, when the target was missing)
    await mkdir(path.join(dataRoot, 'idx-dangling'));
    await writeFile(path.join(dataRoot, 'idx-dangling', 'train-images-idx3-ubyte'), images(4));
    await symlink(path.join(outside.dir, 'fm', 'no-such-file'), path.join(dataRoot, 'idx-dangling', 'train-labels-idx1-ubyte'));
    const dangling = await post({ input: 'idx-dangling/train-images-idx3-ubyte', reducer: 'pca' });
    expect(dangling.status, dangling.text).toBe(400);
    expect(dangling.json().error).toBe(idx.json().error);
    // the operator's log says where each leads (a verifier found these refusals missing from it)
    const said = serverLog.filter((l) => l.includes('train-labels-idx1-ubyte" refused'));
    expect(said.some((l) => l.includes(`it leads out of the data roots (to ${path.join(outside.dir, 'fm', 'train-labels-idx1-ubyte')})`))).toBe(true);
    expect(said.some((l) => l.includes('a symbolic link to nothing'))).toBe(true);
    // an absolute path, even "/", is echoed as <path>
    for (const input of ['/', '/etc', 'C:\\x.csv']) expect((await post({ input })).json().error).toContain('no readable file "<path>"');
    expect(jobs.list().length).toBe(before);
    // The same files really inside the root are read.
    const ok = await post({ dataset: 'fashion-mnist', dataDir: 'fm-real', reducer: 'pca' });
    expect(ok.status, ok.text).toBe(202);
    expect(JSON.parse(await readFile(configs.at(-1)!, 'utf8')).dataDir).toBe(path.join(dataRoot, 'fm-real'));
    await request(base, `/api/runs/${ok.json().id}`, { method: 'DELETE' });
  });

  it('shows no absolute path a client typed to the other readers of /api/jobs', async () => {
    const listed = jobs.list();
    expect(listed.length).toBeGreaterThan(0);
    const typed = { ...listed[0]!, config: { input: path.join(dataRoot, 'sub', 'ok.csv'), name: '/home/alice/x', features: ['a', '/srv/b'], epochs: 3 } };
    const shown = jobs.publicView(typed);
    // this queue is not told the data roots' public names, so an absolute input shows as its base name (as
    // manifests show one); a name's absolute paths are <path>; column names are shown as the client wrote them
    expect(shown.config).toEqual({ input: 'ok.csv', name: '<path>', features: ['a', '/srv/b'], epochs: 3 });
    const list = await request(base, '/api/jobs');
    expect(list.text).not.toContain(dataRoot);
  });

  it("shows a job's configuration on its event stream as /api/jobs does: an absolute input under a data root not as sent", async () => {
    const sent = path.join(dataRoot, 'sub', 'ok.csv');
    const r = await post({ input: sent, reducer: 'pca', codeSize: 2, name: 'evt' });
    expect(r.status, r.text).toBe(202);
    const id = r.json().id as string;
    const controller = new AbortController();
    const res = await fetch(`${base}/api/runs/${id}/events`, { signal: controller.signal });
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('event: state')) text += new TextDecoder().decode((await reader.read()).value);
    while (!/event: state\ndata: .*\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const state = JSON.parse(/event: state\ndata: (.*)\n/.exec(text)![1]!) as { config: { input: string } };
    expect(state.config.input).toBe('ok.csv'); // this queue knows no public names: the base name, as manifests show it
    expect(text).not.toContain(dataRoot);
    expect(text).not.toContain(outside.dir);
    await request(base, `/api/runs/${id}`, { method: 'DELETE' });
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
  it("answers an upload the server's disk cannot take with 503 (full, over quota, read-only), not as the client's fault", () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']) {
      const e = storageError(Object.assign(new Error(`${code}: write`), { code }));
      expect(e?.status).toBe(503);
      expect(e?.message).toBe(`could not store the upload (${code}); nothing was kept`);
      expect(e?.headers['Retry-After']).toBe('60');
    }
    // a client that stops sending is not a disk error
    expect(storageError(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }))).toBeNull();
    expect(storageError(new Error('premature close'))).toBeNull();
  });

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

  it('says the format it reads an upload as, by its content, when the name says another (Arrow bytes named .csv)', async () => {
    const arrow = Buffer.from(tableToIPC(tableFromArrays({ a: Float64Array.from({ length: 20 }, (_, i) => i + 0.5), b: Float64Array.from({ length: 20 }, (_, i) => i * i + 0.25) }), 'file'));
    const r = await upload('table.csv', arrow);
    expect(r.status, r.text).toBe(201);
    expect(r.json()).toMatchObject({ name: 'table.csv', format: '.arrow', rows: 20, columns: 2, note: 'table.csv holds Arrow data, not what its name says (.csv): read as .arrow' });
    const same = await upload('table.arrow', arrow);
    expect(same.json().format).toBe('.arrow');
    expect(same.json().note).toBeUndefined();
    const gz = await upload('t.csv.gz', gzipSync('x,y\n1,2\n2,3\n3,5\n4,4\n'));
    expect(gz.status, gz.text).toBe(201);
    expect(gz.json().format).toBe('.csv.gz');
    expect(gz.json().note).toBeUndefined();
    for (const u of [r, same, gz]) await request(base, `/api/uploads/${u.json().id}`, { method: 'DELETE' });
  });

  it('reads an upload as its query says (header, encoding: the run settings), checked by the same schema, and runs naming it read it so', async () => {
    // Latin-1 text without a header line: é is the byte 0xE9, not UTF-8
    const latin1 = Buffer.from('1.5,2,caf\xe9\n2.5,3,th\xe9\n3.5,4,caf\xe9\n4.5,6,th\xe9\n', 'latin1');
    const up = (query: string): Promise<Reply> =>
      request(base, `/api/uploads?name=menu.csv&${query}`, { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: latin1 });
    const r = await up('header=no&encoding=latin1');
    expect(r.status, r.text).toBe(201);
    const info = r.json();
    // all four lines are rows (a guessed header would have taken the first), two numeric columns
    expect(info).toMatchObject({ name: 'menu.csv', rows: 4, columns: 2, header: 'no', encoding: 'latin1' });
    expect((await request(base, `/api/uploads/${info.id}`)).json()).toMatchObject({ header: 'no', encoding: 'latin1' });
    // a run naming it reads it the same way; one that says otherwise is read its own way
    const same = await post({ upload: info.id, reducer: 'pca', codeSize: 1 });
    expect(same.status).toBe(202);
    expect(JSON.parse(await readFile(configs.at(-1)!, 'utf8'))).toMatchObject({ upload: info.id, header: 'no', encoding: 'latin1' });
    await request(base, `/api/runs/${same.json().id}`, { method: 'DELETE' });
    const own = await post({ upload: info.id, reducer: 'pca', codeSize: 1, header: 'auto', encoding: 'windows-1252' });
    expect(own.status).toBe(202);
    expect(JSON.parse(await readFile(configs.at(-1)!, 'utf8'))).toMatchObject({ header: 'auto', encoding: 'windows-1252' });
    await request(base, `/api/runs/${own.json().id}`, { method: 'DELETE' });
    // bad values are refused by the configuration's schema, naming the field; unknown parameters are named
    const bad = await up('header=maybe');
    expect(bad.status).toBe(400);
    expect(bad.json().error).toBe('field "header": must be one of auto, yes, no; got "maybe" (from query)');
    expect((await up('encoding=')).json().error).toBe('field "encoding": must be a non-empty string, got "" (from query)');
    expect((await up('header=no&header=yes')).json().error).toBe('field "header": give it once');
    const unknown = await up('delimiter=%3B');
    expect(unknown.status).toBe(400);
    expect(unknown.json().error).toBe('unknown query parameter "delimiter": POST /api/uploads takes name, header, encoding');
    // an encoding the loaders do not know, and CSV settings on a format without them
    expect((await up('encoding=klingon')).json().error).toMatch(/klingon/);
    const npy = await request(base, '/api/uploads?name=x.npy&header=no', { method: 'POST', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('\x93NUMPY') });
    expect(npy.status).toBe(400);
    expect(npy.json().error).toMatch(/applies to CSV\/TSV files/);
    // a run may set them for an upload, never for a built-in dataset
    const builtin = await post({ dataset: 'iris', header: 'no' });
    expect(builtin.status).toBe(400);
    expect(builtin.json().error).toMatch(/^field "header": applies only to an --input file or an upload/);
  });

  it('refuses bad content with the loader\'s message, a file over the limit, and unknown formats; nothing is kept', async () => {
    const bad = await upload('words.csv', 'a,b\nx,y\nz,w\n');
    expect(bad.status).toBe(400);
    expect(bad.json().error).toMatch(/words\.csv|numeric/);
    expectNoServerPath(bad);
    // an empty body and a truncated Arrow file: one clear line each, on field upload, nothing of the reader's insides
    const empty = await upload('empty.csv', '');
    expect(empty.status).toBe(400);
    expect(empty.json()).toMatchObject({ field: 'upload', error: expect.stringMatching(/^empty\.csv, field "upload": the upload is empty/) });
    const arrow = Buffer.from(tableToIPC(tableFromArrays({ a: Float64Array.from({ length: 50 }, (_, i) => i), b: Float64Array.from({ length: 50 }, (_, i) => i * i) }), 'file'));
    const cut = await upload('cut.arrow', arrow.subarray(0, Math.floor(arrow.length / 2)));
    expect(cut.status).toBe(400);
    expect(cut.json().field).toBe('upload');
    expect(cut.json().error).toMatch(/cut\.arrow.*truncated or corrupt/);
    expect(cut.json().error).not.toMatch(/Cannot read|properties|undefined|null/);
    const big = await upload('big.csv', Buffer.alloc(10_000, 49));
    expect(big.status).toBe(413);
    expect((await upload('notes.exe', 'MZ')).status).toBe(400);
    const left = (await readdir(path.join(runs.dir, '.uploads'))).filter((n) => n.startsWith('.tmp-'));
    expect(left).toEqual([]);
  });

  it('caps what a gzipped file under a data root may decompress to as uploads are capped (413), before anything starts', async () => {
    const rows = '1,2,3\n'.repeat(350_000);
    await writeFile(path.join(dataRoot, 'sub', 'bomb.csv.gz'), gzipSync(`a,b,c\n${rows}`, { level: 9 }));
    const before = jobs.list().length;
    const r = await post({ input: 'sub/bomb.csv.gz', reducer: 'pca' });
    expect(r.status, r.text).toBe(413);
    expect(r.json().error).toBe('the input "sub/bomb.csv.gz" decompresses to more than 4096 bytes, the most this server reads from one file (--max-upload-bytes)');
    expectNoServerPath(r);
    expect(jobs.list().length).toBe(before);
    // within the cap it is read
    await writeFile(path.join(dataRoot, 'sub', 'small.csv.gz'), gzipSync('a,b,c\n1,2,3\n4,5,6\n7,8,10\n2,2,2\n'));
    const ok = await post({ input: 'sub/small.csv.gz', reducer: 'pca', codeSize: 1 });
    expect(ok.status, ok.text).toBe(202);
    await request(base, `/api/runs/${ok.json().id}`, { method: 'DELETE' });
  });

  it('names the API routes and URLs in its messages as they are, and refuses numbers not written in decimals', async () => {
    const missing = await post({ upload: 'up-0123456789abcdef' });
    expect(missing.status).toBe(400);
    expect(missing.json().error).toBe('field "upload": no upload "up-0123456789abcdef" (list them with GET /api/uploads)');
    const url = await post({ input: 'http://127.0.0.1:1/x.csv' });
    expect(url.status).toBe(400);
    expect(url.json().error).toBe('field "input": no readable file "http://127.0.0.1:1/x.csv" under the server\'s data roots; give a path relative to a data root');
    // a server path a client typed is still not echoed
    expect((await post({ input: '/etc/passwd' })).json().error).not.toContain('/etc/passwd');
    for (const [field, value] of [['epochs', '0x186a0'], ['iterations', '1e3x'], ['perplexity', '0o17'], ['seed', '0123']] as const) {
      const r = await post({ dataset: 'iris', [field]: value });
      expect(r.status, `${field} ${value}`).toBe(400);
      expect(r.json().error).toMatch(new RegExp(`^field "${field}": must be a (whole )?number written in decimals`));
    }
  });

  it('refuses with 413 a gzipped upload whose content decompresses past --max-upload-bytes, and accepts one within it', async () => {
    // 2 MB of valid CSV rows, under the 4096-byte limit only while compressed (the tester's bomb.csv.gz in small).
    const rows = '1,2,3\n'.repeat(350_000);
    const bomb = gzipSync(`a,b,c\n${rows}`, { level: 9 });
    expect(bomb.length).toBeLessThan(4096);
    const r = await upload('bomb.csv.gz', bomb);
    expect(r.status, r.text).toBe(413);
    expect(r.json().error).toBe('the upload decompresses to more than 4096 bytes, the most this server reads from one file (--max-upload-bytes)');
    expectNoServerPath(r);
    // A gzipped Arrow file goes through the same cap (zlib's maxOutputLength).
    const arrow = await upload('bomb.arrow', gzipSync(Buffer.concat([Buffer.from('ARROW1\0\0'), Buffer.alloc(100_000)])));
    expect(arrow.status, arrow.text).toBe(413);
    const small = await upload('small.csv.gz', gzipSync('a,b,c\n1,2,3\n4,5,6\n7,8,10\n2,9,4\n'));
    expect(small.status, small.text).toBe(201);
    expect(small.json()).toMatchObject({ name: 'small.csv.gz', rows: 4, columns: 3 });
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

  it('refuses at submission what the pipeline would refuse once the input is loaded, naming the field and the shape', async () => {
    const before = jobs.list().length;
    // a code as wide as the input (784 columns of mnist; 3 feature columns of a data-root file)
    const wide = await post({ dataset: 'mnist', codeSize: '1e3' });
    expect(wide.status, wide.text).toBe(400);
    expect(wide.json().error).toMatch(/^field "codeSize": the code size \(1000\) must be smaller than the input width \(784 columns\)/);
    const file = await post({ input: 'sub/ok.csv', codeSize: 3 });
    expect(file.status, file.text).toBe(400);
    expect(file.json().error).toMatch(/^field "codeSize": .*\(3 columns\)/);
    const pca = await post({ input: 'sub/ok.csv', reducer: 'pca', codeSize: 4 });
    expect(pca.status, pca.text).toBe(400);
    expect(pca.json().error).toMatch(/^field "codeSize": PCA cannot find 4 components in 5 rows x 3 columns/);
    // tsne-js past its row limit: the 10,000 rows of the built-in mnist, or the rows --limit leaves
    const tsneJs = await post({ dataset: 'mnist', tsneEngine: 'tsne-js' });
    expect(tsneJs.status, tsneJs.text).toBe(400);
    expect(tsneJs.json().error).toMatch(/^field "tsneEngine": the tsne-js engine .* limited to 2,000 rows, got 10,000/);
    expect((await post({ dataset: 'mnist', tsneEngine: 'tsne-js', limit: 2001 })).json().error).toMatch(/got 2,001/);
    // a perplexity below one neighbour: no bandwidth has it (the map came out meaningless, without an error)
    for (const perplexity of ['5e-324', 0.5]) {
      const p = await post({ dataset: 'iris', perplexity });
      expect(p.status, String(perplexity)).toBe(400);
      expect(p.json().error).toMatch(/^field "perplexity": must be at least 1/);
    }
    // an explicit perplexity past what the rows allow, (rows - 1) / 3: 49.66 on iris's 150 (an outside tester saw
    // 1000 accepted from the New-run form and quietly lowered); the rows --limit leaves count
    const big = await post({ dataset: 'iris', perplexity: 1000 });
    expect(big.status, big.text).toBe(400);
    expect(big.json().error).toBe('field "perplexity": perplexity 1000 needs at least 3,001 rows (3 neighbours per unit of perplexity), but the map has 150; use a perplexity of at most 49.66 or auto');
    expect((await post({ dataset: 'mnist', perplexity: 50, limit: 150 })).json().error).toMatch(/^field "perplexity": perplexity 50 needs at least 151 rows .* has 150;/);
    expect(jobs.list().length).toBe(before);
    // within the rules: accepted (a list of features may one-hot encode more columns: the pipeline checks then)
    for (const ok of [{ dataset: 'mnist', tsneEngine: 'tsne-js', limit: 2000 }, { input: 'sub/ok.csv', codeSize: 2 }, { input: 'sub/ok.csv', codeSize: 3, features: ['a', 'b', 'c'] }, { dataset: 'iris', perplexity: 1 }, { dataset: 'iris', perplexity: 49.66 }]) {
      const r = await post(ok);
      expect(r.status, `${JSON.stringify(ok)}: ${r.text}`).toBe(202);
      await request(base, `/api/runs/${r.json().id}`, { method: 'DELETE' });
    }
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
      expect(r.status, p).toBe(409);
      expect(r.json(), p).toEqual({ code: 'run_corrupt', error: 'run nullman is corrupt: its manifest.json is not a run manifest; remove it (latentmap prune) or write it again' });
    }
  });

  it('reports a 0-byte points.arrow as corrupt, not as an empty map', async () => {
    await writeFixtureRun(runs.dir, { id: 'nopoints', rows: 10 });
    await writeFile(path.join(runs.dir, 'nopoints', 'points.arrow'), '');
    for (const p of ['/points', '/points?format=json', '/items/0']) {
      const r = await request(base, `/api/runs/nopoints${p}`);
      expect(r.status, p).toBe(409);
      expect(r.json().error, p).toMatch(/run nopoints is corrupt: its points/);
    }
  });

  it('reports an empty, a cut-short and a row-count-mismatched points.arrow as corrupt on every endpoint, /events included, and leaves the run unlisted', async () => {
    const cases: [string, (file: string) => Promise<void>, string][] = [
      ['ptsempty', (f) => writeFile(f, ''), 'its points.arrow is empty (0 bytes)'],
      ['ptscut', async (f) => writeFile(f, (await readFile(f)).subarray(0, 200)), 'its points.arrow cannot be read (the file is cut short (no Arrow footer))'],
      ['ptsrows', async (f) => writeFile(f, await readFile(path.join(runs.dir, 'good', 'points.arrow'))), 'its points hold 30 rows, its manifest says 12'],
    ];
    for (const [id, damage, what] of cases) {
      const run = await writeFixtureRun(runs.dir, { id, rows: 12 });
      await damage(path.join(run.dir, 'points.arrow'));
      const expected = `run ${id} is corrupt: ${what}; remove it (latentmap prune) or write it again`;
      for (const p of ['', '/points', '/points?format=json', '/history', '/items/0', '/neighbors/0', '/features/f2', '/events']) {
        const r = await request(base, `/api/runs/${id}${p}`);
        expect(r.status, `${id}${p}`).toBe(409);
        expect(r.json(), `${id}${p}`).toEqual({ code: 'run_corrupt', error: expected });
        expectNoServerPath(r);
      }
      const decode = await request(base, `/api/runs/${id}/decode`, { method: 'POST', headers: json, body: JSON.stringify({ rows: [0, 1] }) });
      expect(decode.status).toBe(409);
      expect(decode.json().error).toBe(expected);
    }
    const listed = (await request(base, '/api/runs')).json().map((e: { id: string }) => e.id);
    expect(listed).toContain('good');
    for (const [id] of cases) expect(listed).not.toContain(id);
  });

  it('reports an empty codes.arrow or data.arrow as corrupt on every endpoint, and leaves the run unlisted', async () => {
    for (const file of ['codes', 'data']) {
      const id = `empty${file}`;
      const run = await writeFixtureRun(runs.dir, { id, rows: 12 });
      await writeFile(path.join(run.dir, `${file}.arrow`), '');
      const expected = `run ${id} is corrupt: its ${file}.arrow is empty (0 bytes); remove it (latentmap prune) or write it again`;
      for (const p of ['', '/points', '/items/0', '/neighbors/0', '/events']) {
        const r = await request(base, `/api/runs/${id}${p}`);
        expect(r.status, `${id}${p}`).toBe(409);
        expect(r.json().error, `${id}${p}`).toBe(expected);
      }
      expect((await request(base, '/api/runs')).json().map((e: { id: string }) => e.id)).not.toContain(id);
    }
  });

  it('reports a cut-short data.arrow as corrupt on items, pictures and features, naming no path', async () => {
    const run = await writeFixtureRun(runs.dir, { id: 'cutdata', rows: 40, image: { width: 4, height: 4, channels: 1 } });
    const file = path.join(run.dir, 'data.arrow');
    const bytes = await readFile(file);
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    for (const p of ['/items/3', '/items/3/image.png', '/features/f2']) {
      const r = await request(base, `/api/runs/cutdata${p}`);
      expect(r.status, p).toBe(409);
      expect(r.json().error, p).toBe('run cutdata is corrupt: its data.arrow cannot be read (the file is cut short (no Arrow footer)); remove it (latentmap prune) or write it again');
      expectNoServerPath(r);
    }
  });

  it('answers 409 naming no path for reconstruction.png of a run whose model folder lacks model.json', async () => {
    const features = 6;
    const preprocessing = { kind: 'none' as const, features: Array.from({ length: features }, (_, c) => `f${c}`), offset: new Array(features).fill(0), scale: new Array(features).fill(1), fill: new Array(features).fill(0), missing: 'mean' as const, loss: 'mse' as const };
    const run = await writeFixtureRun(runs.dir, { id: 'halfmodel', rows: 8, features, image: { width: 3, height: 2, channels: 1 }, preprocessing });
    await expect(readdir(path.join(run.dir, 'model'))).resolves.toEqual(['preprocessing.json']);
    const r = await request(base, '/api/runs/halfmodel/items/0/reconstruction.png');
    expect(r.status, r.text).toBe(409);
    expect(r.json().code).toBe('run_corrupt');
    // What is missing is named inside the run (model/...), never by its server path.
    expect(r.json().error).toMatch(/^run halfmodel is corrupt: its saved model is incomplete or cannot be read \(model\/[a-z]+\.json[^)]*\); remove it \(latentmap prune\) or write it again$/);
    expectNoServerPath(r);
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
