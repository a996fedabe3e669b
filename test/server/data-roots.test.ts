// Paths a run started over HTTP names, refused alike: one inside a data root that is missing, unreadable, not a
// file or a symbolic link out of it answers exactly as one outside every root, so a client cannot find where a
// data root lies by guessing prefixes (an outside tester could: the answer named a path inside a root
// `data-root:...` and echoed one outside). The operator's log says why each was refused.
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { DataRoots, operatorNote } from '../../server/data-roots.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir } from './fixtures.js';
import { listen, request, type Reply } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let outside: { dir: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
let close: () => Promise<void>;
let jobs: JobQueue;
const logged: string[] = [];

const CSV = 'a,b,c,label\n1,2,3,x\n4,5,6,y\n7,8,9,x\n1,3,5,y\n2,4,6,x\n';
const isRoot = process.getuid?.() === 0;

const post = (body: unknown): Promise<Reply> =>
  request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...(body as object), reducer: 'pca', codeSize: 2 }) });

beforeAll(async () => {
  runs = await tempRunsDir();
  outside = await tempRunsDir();
  root = path.join(outside.dir, 'root');
  await mkdir(path.join(root, 'sub', 'dir.csv'), { recursive: true });
  await writeFile(path.join(root, 'sub', 'ok.csv'), CSV);
  await writeFile(path.join(root, 'sub', 'locked.csv'), CSV);
  await chmod(path.join(root, 'sub', 'locked.csv'), 0o000);
  await symlink(path.join(root, 'sub', 'gone.csv'), path.join(root, 'sub', 'dangling.csv'));
  await writeFile(path.join(outside.dir, 'secret.csv'), CSV);
  await symlink(path.join(outside.dir, 'secret.csv'), path.join(root, 'sub', 'out.csv'));
  execFileSync('mkfifo', [path.join(root, 'sub', 'fifo.csv')]);
  jobs = new JobQueue({ runsDir: runs.dir, command: () => ({ file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] }), killGraceMs: 200 });
  const app = createApp({
    runsDir: runs.dir,
    jobs,
    dataRoots: await DataRoots.open([root]),
    checkGraceMs: 120_000,
    rateLimit: { capacity: 1000, refillPerSecond: 100 },
    webRoot: '/nonexistent',
    log: (line) => logged.push(line),
  });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
  await outside.cleanup();
});

/** Inside the root but not readable as a file: missing, a directory, a dangling link, a FIFO, a link out, unreadable (not as root). */
const INSIDE = ['sub/missing.csv', 'sub/dir.csv', 'sub/dangling.csv', 'sub/fifo.csv', 'sub/out.csv', ...(isRoot ? [] : ['sub/locked.csv'])];
/** Outside every root: missing or existing, reached by `..` or absolute. */
const OUTSIDE = () => ['../secret.csv', '../missing.csv', 'sub/../../secret.csv', path.join(outside.dir, 'secret.csv'), path.join(outside.dir, 'missing.csv'), '/etc/passwd', '/nonexistent/x.csv'];

describe('refused input paths', () => {
  it('answer alike (status, field, message) whether inside a data root (missing, unreadable, not a file) or outside it; an absolute path is echoed as <path>', async () => {
    const absolute = new Set<string>();
    const relative = new Set<string>();
    for (const input of [...INSIDE, ...INSIDE.map((p) => path.join(root, p)), ...OUTSIDE()]) {
      const r = await post({ input });
      expect(r.status, input).toBe(400);
      expect(Object.keys(r.json()).sort(), input).toEqual(['error', 'field']);
      expect(r.json().field, input).toBe('input');
      expect(r.text, input).not.toContain(outside.dir);
      expect(r.text, input).not.toContain('data-root:');
      if (path.isAbsolute(input)) absolute.add(r.text);
      // a relative path is echoed as the client sent it, and only that differs
      else relative.add(JSON.stringify({ ...r.json(), error: String(r.json().error).replace(JSON.stringify(input), '"<sent>"') }));
    }
    expect([...absolute]).toEqual([JSON.stringify({ field: 'input', error: `field "input": no readable file "<path>" under the server's data roots; give a path relative to a data root` })]);
    expect([...relative]).toEqual([JSON.stringify({ field: 'input', error: `field "input": no readable file "<sent>" under the server's data roots; give a path relative to a data root` })]);
    // a directory refused alike too
    const dirs = new Set<string>();
    for (const dataDir of [path.join(root, 'sub', 'ok.csv'), path.join(root, 'nodir'), path.join(outside.dir, 'nodir'), outside.dir]) dirs.add((await post({ dataDir })).text);
    expect(dirs.size).toBe(1);
    expect(jobs.list()).toHaveLength(0);
    // the file that is readable is accepted
    const ok = await post({ input: 'sub/ok.csv' });
    expect(ok.status, ok.text).toBe(202);
    await request(base, `/api/runs/${ok.json().id}`, { method: 'DELETE' });
  });

  it("tell the operator's log why each was refused, naming the root", async () => {
    logged.length = 0;
    const cases: [string, RegExp][] = [
      ['sub/missing.csv', /input "sub\/missing\.csv" refused: does not exist under data root /],
      ['sub/dir.csv', /input "sub\/dir\.csv" refused: not a file \(under data root /],
      ['sub/out.csv', /input "sub\/out\.csv" refused: a symbolic link out of data root .* \(to .*secret\.csv\)/],
      ['../secret.csv', /input "\.\.\/secret\.csv" refused: outside data root /],
      ...(isRoot ? [] : [['sub/locked.csv', /input "sub\/locked\.csv" refused: cannot be read \(EACCES\) under data root /] as [string, RegExp]]),
    ];
    for (const [input, line] of cases) {
      await post({ input });
      const last = logged.at(-1) ?? '';
      expect(last, input).toMatch(line);
      expect(last).toContain(root);
      expect(last.startsWith('refused POST /api/runs: ')).toBe(true);
    }
  });

  it('are refused by DataRoots.resolve with the note for the operator as the error\'s cause', async () => {
    const roots = await DataRoots.open([root]);
    const err = await roots.resolve('sub/fifo.csv', 'input').catch((e: unknown) => e);
    expect((err as Error).message).toBe(`field "input": no readable file "sub/fifo.csv" under the server's data roots; give a path relative to a data root`);
    expect(operatorNote(err)).toMatch(/^input "sub\/fifo\.csv" refused: not a file \(under data root /);
    expect(await roots.resolve('sub/ok.csv', 'input')).toBe(path.join(root, 'sub', 'ok.csv'));
    const none = await DataRoots.none().resolve('/etc/passwd', 'input').catch((e: unknown) => e);
    expect((none as Error).message).toContain('(got "<path>")');
    expect(operatorNote(none)).toBe('input "/etc/passwd" refused: the server has no data root');
  });

  it.skipIf(isRoot)('refuse a file the server cannot read (skipped as root, which reads every file)', async () => {
    const r = await post({ input: 'sub/locked.csv' });
    expect(r.status).toBe(400);
    expect(r.json().error).toContain('no readable file "sub/locked.csv"');
  });
});
