// A run started over HTTP that names a label column, feature columns, excluded or coordinate columns its input
// does not have is a 400 naming the field and the columns the input has, before any job is queued: for a file
// under a data root (CSV and Arrow), an upload, and a built-in dataset. A run whose columns are there is queued.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Table, makeVector, tableToIPC, vectorFromArray, Utf8 } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { DataRoots } from '../../server/data-roots.js';
import { JobQueue } from '../../server/jobs/queue.js';
import { tempRunsDir } from './fixtures.js';
import { listen, request } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let root: string;
let base: string;
let close: () => Promise<void>;
let jobs: JobQueue;
const started: string[] = [];
const json = { 'content-type': 'application/json' };

const CSV = `height,width,depth,kind\n${Array.from({ length: 300 }, (_, i) => `${(i * 7) % 31},${(i * 11) % 29},${(i * 13) % 23},${i % 3 ? 'a' : 'b'}`).join('\n')}\n`;

beforeAll(async () => {
  runs = await tempRunsDir();
  root = `${runs.dir}-root`;
  await mkdir(root, { recursive: true });
  await writeFile(path.join(root, 'boxes.csv'), CSV);
  const n = 300;
  await writeFile(
    path.join(root, 'boxes.arrow'),
    tableToIPC(
      new Table({
        height: makeVector(Float32Array.from({ length: n }, (_, i) => (i * 7) % 31)),
        width: makeVector(Float32Array.from({ length: n }, (_, i) => (i * 11) % 29)),
        depth: makeVector(Float32Array.from({ length: n }, (_, i) => (i * 13) % 23)),
        kind: vectorFromArray(Array.from({ length: n }, (_, i) => (i % 3 ? 'a' : 'b')), new Utf8()),
      }),
      'file',
    ),
  );
  jobs = new JobQueue({
    runsDir: runs.dir,
    command: (j) => {
      started.push(j.id);
      return { file: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'] };
    },
    killGraceMs: 200,
  });
  const app = createApp({ runsDir: runs.dir, jobs, dataRoots: await DataRoots.open([root]), webRoot: '/nonexistent', log: () => {}, rateLimit: { capacity: 1000, refillPerSecond: 100 } });
  ({ base, close } = await listen(app));
});

afterAll(async () => {
  await jobs.close();
  await close();
  await runs.cleanup();
  await rm(root, { recursive: true, force: true });
});

async function submit(config: Record<string, unknown>): Promise<{ status: number; error: string | undefined }> {
  const r = await request(base, '/api/runs', { method: 'POST', headers: json, body: JSON.stringify({ reducer: 'pca', ...config }) });
  if (r.status === 400) expect(r.json().field, `the 400 names its field: ${r.text}`).toMatch(/^(labelColumn|features|exclude|coordinates)$/);
  return { status: r.status, error: r.status === 202 ? undefined : (r.json().error as string) };
}

async function jobCount(): Promise<number> {
  return ((await request(base, '/api/jobs')).json() as unknown[]).length;
}

/** Every refusal of `input` (a config naming the input), each a 400 naming field and columns, no job queued. */
async function expectRefusals(input: Record<string, unknown>, shown: string, columns: string): Promise<void> {
  const before = await jobCount();
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ labelColumn: 'colour' }, new RegExp(`field "labelColumn": label column "colour" not found; the columns are: ${columns}`)],
    [{ features: ['height', 'weight'] }, new RegExp(`field "features": --features names "weight", which the file does not have; its columns are: ${columns}`)],
    [{ exclude: ['mass'] }, new RegExp(`field "exclude": --exclude names "mass", which the file does not have; its columns are: ${columns}`)],
    [{ features: ['height', 'kind'], labelColumn: 'kind' }, /field "features": --features names "kind", which is the label column/],
  ];
  for (const [config, message] of cases) {
    const r = await submit({ ...input, ...config });
    expect(r.status, JSON.stringify(config)).toBe(400);
    expect(r.error).toMatch(message);
    expect(r.error).toContain(shown);
    expect(r.error).not.toContain(root);
    expect(r.error).not.toContain(runs.dir);
  }
  expect(await jobCount()).toBe(before);
}

const COLUMNS = '"height", "width", "depth", "kind"';

describe('columns a run names that its input lacks', () => {
  it('a CSV under a data root: 400 naming the field and the columns, no job queued', async () => {
    await expectRefusals({ input: 'boxes.csv' }, 'boxes.csv', COLUMNS);
  });

  it('an Arrow file under a data root: 400 from its schema, no job queued', async () => {
    await expectRefusals({ input: 'boxes.arrow' }, 'boxes.arrow', COLUMNS);
  });

  it('an upload: 400 naming the upload by its name, no job queued', async () => {
    const up = await request(base, '/api/uploads?name=boxes-upload.csv', { method: 'POST', body: CSV });
    expect(up.status, up.text).toBe(201);
    await expectRefusals({ upload: up.json().id }, 'boxes-upload.csv', COLUMNS);
  });

  it('a built-in dataset: 400 naming its columns, no job queued', async () => {
    const before = await jobCount();
    const r = await submit({ dataset: 'iris', labelColumn: 'colour' });
    expect(r.status).toBe(400);
    expect(r.error).toBe('iris, field "labelColumn": label column "colour" not found; the columns are: "sepal_length", "sepal_width", "petal_length", "petal_width", "species"');
    const f = await submit({ dataset: 'iris', features: ['sepal_length', 'stem_length'] });
    expect(f.status).toBe(400);
    expect(f.error).toMatch(/^iris, field "features": --features names "stem_length", which the file does not have; its columns are: "sepal_length"/);
    // coordinates: a built-in's loader does not take them, the check does
    const c = await submit({ dataset: 'iris', coordinates: ['x1', 'y1'] });
    expect(c.status).toBe(400);
    expect(c.error).toBe('iris, field "coordinates": --coordinates names "x1", which the data does not have');
    const cu = await submit({ input: 'boxes.csv', coordinates: ['height', 'breadth'] });
    expect(cu.status).toBe(400);
    expect(cu.error).toMatch(/^boxes\.csv, field "coordinates": .*"breadth"/);
    // a column named like a server file: refused like any other missing column, the path not echoed
    const p = await submit({ input: 'boxes.csv', labelColumn: '/etc/passwd', features: ['/etc/shadow'] });
    expect(p.status).toBe(400);
    expect(p.error).toMatch(/^boxes\.csv, field "labelColumn": label column "<path>" not found/);
    expect(await jobCount()).toBe(before);
  });

  it('queues a run whose label and feature columns are all there', async () => {
    const before = await jobCount();
    for (const config of [{ input: 'boxes.csv', labelColumn: 'kind', features: ['height', 'width'] }, { input: 'boxes.arrow', exclude: ['depth'] }, { dataset: 'iris', labelColumn: 'species', features: ['sepal_length', 'petal_width'] }]) {
      const r = await submit(config);
      expect(r.status, `${JSON.stringify(config)}: ${r.error}`).toBe(202);
    }
    expect(await jobCount()).toBe(before + 3);
  });
});
