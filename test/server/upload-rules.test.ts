// Uploads pass the same bad-input rules as the CLI: a file the CLI refuses before any setting matters (fewer
// than 4 rows, every feature column constant) is a 400 naming what is wrong when it arrives, and nothing is kept;
// not a 201 and a run that fails later. The shared cases (/work/shared/cases) the CLI exits 2 on.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { main, type Io } from '../../pipeline/cli.js';
import { tempRunsDir } from './fixtures.js';
import { listen, request } from './http.js';

let runs: { dir: string; cleanup: () => Promise<void> };
let cliDir: { dir: string; cleanup: () => Promise<void> };
let base: string;
let close: () => Promise<void>;

const TINY_1 = 'a,b,c,d,e\n0.5,1.5,2.5,3.5,4.5\n';
const ALL_ZERO = `a,b,c,d,e\n${Array.from({ length: 200 }, () => '0,0,0,0,0').join('\n')}\n`;

beforeAll(async () => {
  runs = await tempRunsDir();
  cliDir = await tempRunsDir();
  ({ base, close } = await listen(createApp({ runsDir: runs.dir, webRoot: '/nonexistent', log: () => {} })));
});

afterAll(async () => {
  await close();
  await runs.cleanup();
  await cliDir.cleanup();
});

const upload = (name: string, body: string) => request(base, `/api/uploads?name=${name}`, { method: 'POST', body });

async function cliError(csv: string, name: string): Promise<{ code: number; err: string }> {
  const { writeFile } = await import('node:fs/promises');
  const file = path.join(cliDir.dir, name);
  await writeFile(file, csv);
  let err = '';
  const io: Io = { out: () => {}, err: (t) => void (err += t), tty: false, env: {} };
  const code = await main(['run', '--input', file, '--runs-dir', path.join(cliDir.dir, 'runs'), '--quiet'], io);
  return { code, err };
}

describe('uploads the CLI would refuse', () => {
  it('refuses a 1-row CSV with 400 stating the minimum row count, as the CLI does', async () => {
    const r = await upload('tiny_1.csv', TINY_1);
    expect(r.status, r.text).toBe(400);
    expect(r.json().error).toContain('a map needs at least 4 rows; the data has 1 row');
    expect(r.json().error).toContain('tiny_1.csv');
    const cli = await cliError(TINY_1, 'tiny_1.csv');
    expect(cli.code).toBe(2);
    expect(cli.err).toContain('a map needs at least 4 rows; the data has 1 row');
  });

  it('refuses an all-zero CSV with 400 saying every feature column is constant, as the CLI does', async () => {
    const r = await upload('all_zero.csv', ALL_ZERO);
    expect(r.status, r.text).toBe(400);
    expect(r.json().error).toContain('every feature column is constant ("a" = 0, "b" = 0, "c" = 0, "d" = 0, "e" = 0): all 200 rows are the same point');
    const cli = await cliError(ALL_ZERO, 'all_zero.csv');
    expect(cli.code).toBe(2);
    expect(cli.err).toContain('every feature column is constant ("a" = 0');
  });

  it('refuses a multipart form (a browser form, curl -F) with 415 saying to send the file itself', async () => {
    const boundary = 'x-boundary-1';
    const body = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="four.csv"\r\nContent-Type: text/csv\r\n\r\na,b\n0,5\n0,3\n0,8\n0,1\n\r\n--${boundary}--\r\n`;
    const r = await request(base, '/api/uploads?name=four.csv', { method: 'POST', body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } });
    expect(r.status, r.text).toBe(415);
    expect(r.json().error).toContain('send the file itself as the request body, not a multipart form');
    expect(r.json().error).toContain('curl --data-binary @data.csv');
  });

  it('keeps nothing of a refused upload and lists none, and takes 4 rows with one varying column', async () => {
    expect((await request(base, '/api/uploads')).json()).toEqual([]);
    const left = await readdir(path.join(runs.dir, '.uploads')).catch(() => []);
    expect(left.filter((n) => !n.startsWith('.'))).toEqual([]);
    const ok = await upload('four.csv', 'a,b\n0,5\n0,3\n0,8\n0,1\n');
    expect(ok.status, ok.text).toBe(201);
    expect(ok.json()).toMatchObject({ rows: 4, columns: 2, featureNames: ['a', 'b'] });
  });
});
