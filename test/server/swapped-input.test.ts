// A file under a data root is checked when a run is submitted, but the job opens it only when its turn comes.
// Swapped in between for a symbolic link out of the data roots, it must not be followed: the job's own process
// checks the path again right before opening it (latentmap run --data-root) and opens the real path checked.
import { copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { DataRoots } from '../../server/data-roots.js';
import { defaultJobCommand } from '../../server/jobs/child.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir } from './fixtures.js';
import { listen, readEvents, request } from './http.js';

const IRIS = path.join(import.meta.dirname, '../../datasets/iris/iris.csv');
let runs: { dir: string; cleanup: () => Promise<void> };
let outside: { dir: string; cleanup: () => Promise<void> };
let dataRoot: string;
let gate: string;
let jobs: JobQueue;
let base: string;
let close: () => Promise<void>;
/** The server's log (the operator's): what a client is not told. */
const logged: string[] = [];

beforeAll(async () => {
  runs = await tempRunsDir();
  outside = await tempRunsDir();
  dataRoot = path.join(outside.dir, 'root');
  await mkdir(path.join(dataRoot, 'sub'), { recursive: true });
  const rows = Array.from({ length: 60 }, (_, i) => `user${i},pw-secret-${i},${1000 + i},${i % 7}`);
  await writeFile(path.join(outside.dir, 'secret.csv'), `user,password,uid,group\n${rows.join('\n')}\n`);
  gate = path.join(outside.dir, 'go');
  // The real job command, held until the test opens the gate: the time a job waits in the queue.
  jobs = new JobQueue({
    runsDir: runs.dir,
    log: (line) => logged.push(line),
    dataRoots: await DataRoots.open([dataRoot]),
    command: (j) => {
      const real = defaultJobCommand(j);
      return { file: '/bin/sh', args: ['-c', `while [ ! -e "${gate}" ]; do sleep 0.05; done; exec "$@"`, 'sh', real.file, ...real.args] };
    },
  });
  const app = createApp({ runsDir: runs.dir, jobs, dataRoots: await DataRoots.open([dataRoot]), checkGraceMs: 120_000, webRoot: '/nonexistent', log: () => {} });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
  await outside.cleanup();
});

async function submitHeld(file: string): Promise<string> {
  await rm(gate, { force: true });
  await copyFile(IRIS, path.join(dataRoot, 'sub', file));
  const r = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ input: `sub/${file}`, reducer: 'pca', codeSize: 2, iterations: 300, exaggerationIterations: 100, seed: 1 }) });
  expect(r.status, r.text).toBe(202);
  return r.json().id as string;
}

describe('a data-root file swapped while its job waits', () => {
  it('reads the file checked when nothing was swapped', async () => {
    const id = await submitHeld('kept.csv');
    await writeFile(gate, '');
    const last = (await readEvents(base, `/api/runs/${id}/events`)).events.at(-1)!;
    expect(last.data.error ?? null, JSON.stringify(last)).toBeNull();
    expect(last.data.status).toBe('complete');
    const points = (await request(base, `/api/runs/${id}/points?format=json`)).json();
    expect(points).toHaveLength(150);
  }, 120_000);

  it('refuses a file replaced by a symbolic link out of the data roots: the job fails on field input, reading nothing of it', async () => {
    const id = await submitHeld('swapped.csv');
    const file = path.join(dataRoot, 'sub', 'swapped.csv');
    await rm(file);
    await symlink(path.join(outside.dir, 'secret.csv'), file);
    await writeFile(gate, '');
    const last = (await readEvents(base, `/api/runs/${id}/events`)).events.at(-1)!;
    expect(last.data.status, JSON.stringify(last)).toBe('failed');
    expect(last.data.error).toContain('field "input"');
    // refused as any path a data root does not hold, named as the client named it: relative to its root
    expect(last.data.error).toContain("no readable file \"data-root:sub/swapped.csv\" under the server's data roots");
    const text = JSON.stringify(last) + (await request(base, '/api/jobs')).text + (await request(base, `/api/runs/${id}`)).text;
    expect(text).not.toContain('pw-secret');
    expect(text).not.toContain(outside.dir);
    expect((await request(base, `/api/runs/${id}/points?format=json`)).status).toBe(404);
    // the operator's log says which path was refused and why, as the server's own refusals do (data-roots.test.ts)
    const said = logged.filter((l) => l.startsWith(`job ${id} failed: `));
    expect(said, logged.join('\n')).toHaveLength(1);
    expect(said[0]).toMatch(/\(input "[^"]*swapped\.csv" refused: .+\)$/);
    expect(said[0]).toContain(`a symbolic link out of data root ${dataRoot}`);
    expect(said[0]).toContain(`(to ${path.join(outside.dir, 'secret.csv')})`);
  }, 120_000);
});
