import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../pipeline/cli.js';
import { defaultConfig } from '../../pipeline/config.js';
import { RunStore } from '../../pipeline/runs/store.js';
import type { RunManifest } from '../../pipeline/types.js';

const BIN = path.join(import.meta.dirname, '../../bin/latentmap.js');
let dir: string;

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), tty: false, env: {}, stdout: () => out, stderr: () => err };
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('latentmap help', () => {
  it('lists the commands and documents every run flag with its default', async () => {
    const io = capture();
    expect(await main(['--help'], io)).toBe(0);
    for (const c of ['run', 'serve', 'datasets', 'transform', 'reconstruct', 'sample', 'prune']) expect(io.stdout()).toContain(`  ${c}`);
    const run = capture();
    expect(await main(['run', '--help'], run)).toBe(0);
    for (const f of ['--code-size', '--layers', '--tsne-engine', '--runs-dir', '--backend', '--config', '--json', '--if-changed', '--log-format']) {
      expect(run.stdout()).toContain(f);
    }
    expect(run.stdout()).toContain('(default auto)');
  });

  it('exits 2 with one line for no command or an unknown one', async () => {
    const io = capture();
    expect(await main(['frobnicate'], io)).toBe(2);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toMatch(/unknown command "frobnicate"/);
  });
});

describe('latentmap run with bad configuration', () => {
  const cases: [string, string[], RegExp][] = [
    ['an unknown flag', ['--code-sise', '8'], /unknown option --code-sise.*did you mean --code-size/],
    ['a value of the wrong type', ['--code-size', 'abc'], /field "codeSize".*whole number/],
    ['a number not written in decimals', ['--max-decompressed-bytes', '0x10', '--dataset', 'iris'], /--max-decompressed-bytes must be a whole number from 1 to \d+, got "0x10"/],
    ['an out-of-range value', ['--perplexity', '-3'], /field "perplexity"/],
    ['a flag without its value', ['--epochs'], /--epochs needs a value/],
    ['a t-SNE step size past any input\'s automatic one', ['--dataset', 'iris', '--tsne-learning-rate', '1e308'], /field "tsneLearningRate": must be at most 100000000, got 1e\+308: /],
    ['an autoencoder step size too small to move the weights', ['--dataset', 'iris', '--learning-rate', '1e-300'], /field "learningRate": must be at least 0.000001, got 1e-300: /],
    ['a validation split that leaves training fewer rows than validation', ['--dataset', 'iris', '--validation-split', '0.999999'], /field "validationSplit": must be at most 0.5, got 0.999999: /],
    ['an unknown enum value', ['--variant', 'magic'], /one of plain, sparse, denoising, vae, residual/],
    ['a dataset that does not exist', ['--dataset', 'nope'], /nope/],
    ['an input file that does not exist', ['--input', '/nonexistent/x.csv'], /x\.csv/],
    ['an explicit code size that cannot fit the data', ['--dataset', 'iris', '--code-size', '8'], /field "codeSize": the code size \(8\) must be smaller than the input width \(4 columns\)/],
    ['an explicit PCA code size beyond the columns', ['--dataset', 'iris', '--reducer', 'pca', '--code-size', '5'], /field "codeSize": PCA cannot find 5 components in 150 rows x 4 columns/],
    ['an explicit perplexity beyond what the rows allow', ['--dataset', 'iris', '--perplexity', '50'], /field "perplexity": perplexity 50 needs at least 151 rows .* the map has 150; use a perplexity of at most 49.66 or auto$/],
  ];
  for (const [what, args, message] of cases) {
    it(`${what}: exit 2, one line on stderr, nothing written`, async () => {
      const runs = path.join(dir, `runs-${what.replace(/\W+/g, '-')}`);
      const io = capture();
      expect(await main(['run', ...args, '--runs-dir', runs], io)).toBe(2);
      const lines = io.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^error: /);
      expect(lines[0]).toMatch(message);
      expect(await exists(runs)).toBe(false);
      expect(io.stdout()).toBe('');
    });
  }

  it('names the unknown key of a --config file, JSON or YAML', async () => {
    const json = path.join(dir, 'job.json');
    await writeFile(json, JSON.stringify({ dataset: 'iris', codeSzie: 2 }));
    const io = capture();
    expect(await main(['run', '--config', json], io)).toBe(2);
    expect(io.stderr()).toMatch(/unknown configuration key "codeSzie"; did you mean "codeSize"\? \(from job.json\)/);
    const yaml = path.join(dir, 'job.yaml');
    await writeFile(yaml, 'dataset: iris\nepochs: many\n');
    const io2 = capture();
    expect(await main(['run', '--config', yaml], io2)).toBe(2);
    expect(io2.stderr()).toMatch(/field "epochs".*whole number.*job.yaml/);
    // YAML reads 0x186a0 as a number; a config file's numbers follow the rule of numbers written as text
    const hex = path.join(dir, 'hex.yaml');
    await writeFile(hex, 'dataset: iris\nepochs: 0x186a0\n');
    const io4 = capture();
    expect(await main(['run', '--config', hex], io4)).toBe(2);
    expect(io4.stderr()).toMatch(/field "epochs": must be a whole number written in decimals \(like 200, 0.5 or 1e-3\), got "0x186a0" \(from hex.yaml\)/);
    const broken = path.join(dir, 'broken.json');
    await writeFile(broken, '{\n  "dataset": "iris",\n  "epochs": 3,,\n}');
    const io3 = capture();
    expect(await main(['run', '--config', broken], io3)).toBe(2);
    expect(io3.stderr()).toMatch(/broken\.json:3:\d+: invalid JSON/);
  });

  it('flags override the --config file, whose relative paths are relative to the file', async () => {
    const jobDir = path.join(dir, 'jobs');
    await mkdir(jobDir, { recursive: true });
    await writeFile(path.join(jobDir, 'rows.csv'), 'a,b,c,kind\n' + Array.from({ length: 40 }, (_, i) => `${i % 7},${(i * 3) % 5},${i % 2},${i % 2 ? 'odd' : 'even'}`).join('\n'));
    const job = path.join(jobDir, 'job.yaml');
    await writeFile(job, 'input: rows.csv\nlabelColumn: kind\ncodeSize: 2\nlayers: [4]\nepochs: 50\niterations: 260\nbackend: cpu\nrunsDir: out\n');
    const io = capture();
    expect(await main(['run', '--config', job, '--epochs', '2', '--json'], io), io.stderr()).toBe(0);
    const result = JSON.parse(io.stdout());
    expect(result.manifest.config.epochs).toBe(2);
    expect(result.manifest.config.input).toBe(path.join(jobDir, 'rows.csv'));
    expect(result.dir.startsWith(path.join(jobDir, 'out'))).toBe(true);
    expect(result.manifest.dataset).toMatchObject({ rows: 40, columns: 3, label: 'kind' });
  });

  it('JSON log format reports the error as one JSON object', async () => {
    const io = capture();
    expect(await main(['run', '--log-format', 'json', '--code-size', '0', '--runs-dir', path.join(dir, 'x')], io)).toBe(2);
    const obj = JSON.parse(io.stderr().trim());
    expect(obj).toMatchObject({ type: 'error', exitCode: 2 });
    expect(obj.message).toMatch(/codeSize/);
  });
});

describe('latentmap serve with bad flags', () => {
  it('refuses hexadecimal, leading-zero and fractional numbers in every number flag, naming the flag, before serving', async () => {
    const runsDir = path.join(dir, 'serve-flags');
    for (const [flag, raw] of [['port', '0x10'], ['concurrency', '0x10'], ['max-job-memory', '0x10'], ['max-job-seconds', '010'], ['max-upload-bytes', '1_000'], ['max-job-seconds', '1.5']] as const) {
      const io = capture();
      const args = ['serve', '--runs-dir', runsDir, ...(flag === 'port' ? [] : ['--port', '0']), `--${flag}`, raw];
      expect(await main(args, io), `${flag} ${raw}`).toBe(2);
      expect(io.stderr()).toContain(`--${flag} must be a whole number`);
      expect(io.stderr()).toContain(JSON.stringify(raw));
    }
    // the PORT variable stands in for --port and follows the same rule
    const io = capture();
    expect(await main(['serve', '--runs-dir', runsDir], { ...io, env: { PORT: '0x10' } })).toBe(2);
    expect(io.stderr()).toContain('--port must be a whole number');
  });
});

describe('the JSON log while a large file loads', () => {
  it('shows the bytes read of the total live, before the error of a file refused at its end', async () => {
    // 10 MB of rows, then a byte that is not UTF-8 (the encoding was given): refused only once read to there
    const rows = Array.from({ length: 800_000 }, (_, i) => `${i},${(i * 7) % 1000}`).join('\n');
    const file = path.join(dir, 'late-error.csv');
    await writeFile(file, Buffer.concat([Buffer.from(`a,b\n${rows}\n`), Buffer.from([0x31, 0x2c, 0xff, 0x0a])]));
    const size = (await stat(file)).size;
    const io = capture();
    expect(await main(['run', '--input', file, '--encoding', 'utf-8', '--runs-dir', path.join(dir, 'late-runs'), '--log-format', 'json'], io)).toBe(2);
    const lines = io.stderr().trim().split('\n').map((l) => JSON.parse(l) as { type: string; stage?: string; bytes?: number; totalBytes?: number; message?: string });
    const loading = lines.filter((l) => l.type === 'progress' && l.stage === 'load' && l.bytes !== undefined);
    expect(loading.length, io.stderr()).toBeGreaterThan(0);
    expect(loading[0]!.totalBytes).toBe(size);
    expect(loading[0]!.bytes).toBeGreaterThan(0);
    expect(loading.at(-1)!.bytes).toBeLessThanOrEqual(size);
    expect(lines.at(-1)).toMatchObject({ type: 'error' });
    expect(lines.at(-1)!.message).toMatch(/line 800002/);
    // info lines stay held until the input is checked: only progress, then the error
    expect(lines.every((l) => l.type === 'progress' || l === lines.at(-1))).toBe(true);
  });
});

describe('unattended use', () => {
  it('--json prints one result object on failure too: ok false, the error and the exit code', async () => {
    const io = capture();
    const missing = path.join(dir, 'no-such.csv');
    expect(await main(['run', '--input', missing, '--runs-dir', path.join(dir, 'x'), '--json'], io)).toBe(2);
    expect(JSON.parse(io.stdout())).toEqual({ ok: false, command: 'run', error: `${missing}: file not found; check the path (relative paths start at the current directory)`, exitCode: 2 });
    const bad = capture();
    expect(await main(['transform', '--json', '--bogus'], bad)).toBe(2);
    expect(JSON.parse(bad.stdout())).toMatchObject({ ok: false, exitCode: 2, error: expect.stringMatching(/unknown option --bogus/) });
  });

  it('prune writes JSON log lines and warns when --name matches no run', async () => {
    const io = capture();
    const runs = path.join(dir, 'prune-empty');
    await mkdir(runs, { recursive: true });
    expect(await main(['prune', '--keep', '1', '--name', 'nightly', '--runs-dir', runs, '--log-format', 'json'], io)).toBe(0);
    const lines = io.stderr().trim().split('\n').map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'log', level: 'warn', message: `no run in ${runs} is named "nightly", so nothing was pruned (it holds no complete run)` });
    expect(lines.at(-1)).toMatchObject({ type: 'log', level: 'info', message: 'deleted 0 run(s), kept 0' });
  });

  it('prune prints its summary and the runs it deleted once (stdout), not again as log lines', async () => {
    const runs = path.join(dir, 'prune-text');
    const store = new RunStore(runs);
    for (const day of [1, 2, 3]) {
      const id = `nightly-${day}`;
      const m = { id, name: 'nightly', status: 'complete', createdAt: new Date(Date.UTC(2026, 0, day)).toISOString(), config: defaultConfig() } as unknown as RunManifest;
      await (await store.begin(id)).commit(m);
    }
    const io = capture();
    expect(await main(['prune', '--keep', '1', '--runs-dir', runs], io)).toBe(0);
    const both = io.stdout() + io.stderr();
    expect(io.stdout()).toBe('deleted 2 run(s), kept 1:\nnightly-2\nnightly-1\n');
    expect(both.split('deleted 2 run(s)').length - 1, both).toBe(1);
    expect(both.split('nightly-1').length - 1, both).toBe(1);
  });
});

describe('latentmap as a process', () => {
  it('runs a small job end to end: exit 0, one JSON result on stdout, JSON log lines on stderr', () => {
    const runs = path.join(dir, 'proc-runs');
    const r = spawnSync(
      process.execPath,
      [BIN, 'run', '--dataset', 'iris', '--code-size', '2', '--layers', '8', '--epochs', '3', '--iterations', '260', '--backend', 'cpu', '--runs-dir', runs, '--json', '--log-format', 'json'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    expect(r.stderr).not.toMatch(/"type":"error"/);
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    expect(r.stdout.trim().split('\n'), r.stdout.slice(0, 500)).toHaveLength(1);
    const result = JSON.parse(r.stdout);
    expect(result.id).toMatch(/iris/);
    expect(result.manifest.dataset.rows).toBe(150);
    const events = r.stderr.trim().split('\n').map((l) => JSON.parse(l));
    const stages = new Set(events.filter((e) => e.type === 'progress').map((e) => e.stage));
    for (const s of ['load', 'train', 'tsne']) expect(stages.has(s)).toBe(true);
    expect(events.every((e) => typeof e.time === 'string')).toBe(true);
  });

  it('exits 2 on bad input and leaves the earlier runs exactly as they were', async () => {
    const runs = path.join(dir, 'proc-runs');
    const before = (await readdir(runs)).sort();
    const bad = path.join(dir, 'ragged.csv');
    await writeFile(bad, 'a,b,c\n1,2,3\n4,5\n');
    const r = spawnSync(process.execPath, [BIN, 'run', '--input', bad, '--runs-dir', runs], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/ragged\.csv:3/);
    expect((await readdir(runs)).sort()).toEqual(before);
  });

  it('lists the built-in datasets with their availability', () => {
    const r = spawnSync(process.execPath, [BIN, 'datasets', '--json'], { encoding: 'utf8', timeout: 60_000 });
    expect(r.status).toBe(0);
    const list = JSON.parse(r.stdout) as { name: string; available: boolean }[];
    expect(list.map((d) => d.name)).toEqual(expect.arrayContaining(['mnist', 'fashion-mnist', 'iris', 'penguins']));
    expect(list.find((d) => d.name === 'mnist')!.available).toBe(true);
  });
});
