import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = path.join(import.meta.dirname, '../../bin/latentmap.js');
const JOB = ['--dataset', 'iris', '--code-size', '2', '--layers', '8', '--backend', 'cpu', '--log-format', 'json', '--json'];
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-crash-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Starts a run and kills it with SIGKILL once it reports the given stage. */
function killDuring(runs: string, stage: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'run', ...JOB, '--epochs', '200', '--iterations', '5000', '--runs-dir', runs], { stdio: ['ignore', 'pipe', 'pipe'] });
    let buf = '';
    child.stderr.on('data', (d: Buffer) => {
      buf += d.toString();
      for (const line of buf.split('\n').slice(0, -1)) {
        try {
          const e = JSON.parse(line);
          if (e.type === 'progress' && e.stage === stage) child.kill('SIGKILL');
        } catch {
          // partial line
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`run ended before reaching ${stage}`))));
  });
}

describe('crash safety', () => {
  it('kill -9 during training or t-SNE leaves no visible run', async () => {
    const runs = path.join(dir, 'killed');
    await mkdir(runs, { recursive: true });
    await killDuring(runs, 'train');
    await killDuring(runs, 'tsne');
    expect((await readdir(runs)).filter((e) => !e.startsWith('.'))).toEqual([]);
  });

  it('the next run removes hidden directories left by a killed writer', async () => {
    const runs = path.join(dir, 'stale');
    const stale = path.join(runs, '.tmp-20260101-000000-iris-abcdef-999999999-0a0b0c');
    await mkdir(stale, { recursive: true });
    await writeFile(path.join(stale, 'points.arrow'), 'half');
    await writeFile(path.join(stale, '.owner'), JSON.stringify({ pid: 999999999, host: (await import('node:os')).hostname() }));
    const r = spawnSync(process.execPath, [BIN, 'run', ...JOB, '--epochs', '2', '--iterations', '260', '--runs-dir', runs], { encoding: 'utf8', timeout: 120_000 });
    expect(r.status).toBe(0);
    const entries = await readdir(runs);
    expect(entries.filter((e) => e.startsWith('.'))).toEqual([]);
    expect(entries).toHaveLength(1);
  });

  it('two jobs writing the same runs directory at once both finish, each with its own run', async () => {
    const runs = path.join(dir, 'concurrent');
    const start = (): Promise<{ code: number | null; out: string }> =>
      new Promise((resolve) => {
        const c = spawn(process.execPath, [BIN, 'run', ...JOB, '--epochs', '2', '--iterations', '260', '--name', 'same', '--runs-dir', runs], { stdio: ['ignore', 'pipe', 'ignore'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', (code) => resolve({ code, out }));
      });
    const [a, b] = await Promise.all([start(), start()]);
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const ids = [JSON.parse(a.out).id, JSON.parse(b.out).id];
    expect(ids[0]).not.toBe(ids[1]);
    expect((await readdir(runs)).sort()).toEqual([...ids].sort());
  });
});
