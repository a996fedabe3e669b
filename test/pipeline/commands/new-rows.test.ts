// transform and reconstruct read a new file as the run read its input: the run's own feature columns (chosen with
// --features / --exclude, or with identifier columns left out automatically), found by name in any order, and
// nothing else; header and encoding as the run's; a missing feature column is exit 2 naming it.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { readData } from '../../../pipeline/runs/artifacts.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main, type Io } from '../../../pipeline/cli.js';
import type { RunManifest } from '../../../pipeline/types.js';

let dir: string;
let runs: string;

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), tty: false, env: {}, stdout: () => out, stderr: () => err };
}

/** Runs the CLI in this process; returns the exit code and what it printed. */
async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capture();
  const code = await main(argv, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** A seeded table: three groups apart in a, b, c; zip codes with leading zeros; ids; a noise column. */
interface Row {
  id: string;
  zip: string;
  a: string;
  b: string;
  c: string;
  noise: string;
  grp: string;
  extra?: string;
  label?: string;
}

function rows(n: number, seed: number): Row[] {
  let s = seed;
  const rand = (): number => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const g = i % 3;
    return {
      id: String(1000 + i),
      zip: String(1000 + 37 * g + Math.floor(rand() * 5)).padStart(5, '0'),
      a: (g + rand()).toFixed(3),
      b: (2 * g + rand()).toFixed(3),
      c: (rand() - g).toFixed(3),
      noise: (rand() * 100).toFixed(2),
      grp: `g${g}`,
    };
  });
}

function csv(columns: (keyof Row)[], table: Row[]): string {
  return `${columns.join(',')}\n${table.map((r) => columns.map((c) => r[c] ?? '').join(',')).join('\n')}\n`;
}

const TRAIN = rows(60, 7);
/** New rows: c counts up by one (row-number-like), and the file has columns the runs never saw. */
const NEW: Row[] = rows(6, 99).map((r, i) => ({ ...r, c: String(i + 1), extra: (0.5 + i / 10).toFixed(2), label: `L${i}` }));

async function manifestOf(runDir: string): Promise<RunManifest> {
  return JSON.parse(await readFile(path.join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
}

/** The new rows' original feature values in a transform run (data.arrow, rows after the base's), row-major. */
async function newRowValues(runDir: string, base: number): Promise<number[][]> {
  const { values: m } = await readData(runDir);
  return Array.from({ length: m.rows - base }, (_, i) => Array.from(m.values.subarray((base + i) * m.cols, (base + i + 1) * m.cols)));
}

async function run(name: string, ...flags: string[]): Promise<{ dir: string; manifest: RunManifest }> {
  const input = path.join(dir, `${name}.csv`);
  await writeFile(input, csv(['id', 'zip', 'a', 'b', 'c', 'noise', 'grp'], TRAIN));
  const r = await cli('run', '--input', input, '--runs-dir', runs, '--name', name, '--reducer', 'pca', '--iterations', '250', '--seed', '3', '--quiet', ...flags);
  expect(r.code, r.stderr).toBe(0);
  const runDir = r.stdout.trim().split('\n')[1]!;
  return { dir: runDir, manifest: await manifestOf(runDir) };
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-newrows-'));
  runs = path.join(dir, 'runs');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('new rows are read as the run read its input', () => {
  it('--features (an identifier-like column made a feature): transform and reconstruct use exactly those columns, found by name', async () => {
    const base = await run('chosen', '--features', 'zip,a,b');
    expect(base.manifest.dataset.features).toEqual(['zip', 'a', 'b']);
    // The new file: other columns first, the features in another order, zip written with leading zeros.
    const messy = path.join(dir, 'messy.csv');
    await writeFile(messy, csv(['extra', 'b', 'label', 'noise', 'zip', 'id', 'c', 'a', 'grp'], NEW));
    const t = await cli('transform', '--run', base.dir, '--input', messy, '--runs-dir', runs, '--quiet');
    expect(t.code, t.stderr).toBe(0);
    const placed = t.stdout.trim().split('\n')[1]!;
    expect((await manifestOf(placed)).dataset.features).toEqual(['zip', 'a', 'b']);
    expect(await newRowValues(placed, 60)).toEqual(NEW.map((r) => [Number(r.zip), Math.fround(Number(r.a)), Math.fround(Number(r.b))]));

    const out = path.join(dir, 'chosen-rec.csv');
    const rec = await cli('reconstruct', '--run', base.dir, '--input', messy, '--output', out);
    expect(rec.code, rec.stderr).toBe(0);
    const [header, ...lines] = (await readFile(out, 'utf8')).trim().split('\n');
    // What identifies the rows first (kept as written: "00037"-style zips are features here, ids text-exact), then the run's features in its order.
    expect(header!.split(',')).toEqual(['label', 'extra', 'noise', 'id', 'c', 'grp', 'zip', 'a', 'b', 'reconstruction_error']);
    expect(lines.map((l) => l.split(',').slice(0, 6))).toEqual(NEW.map((r) => [r.label, r.extra, r.noise, r.id, r.c, r.grp]));
    // The same rows in a clean file (only the run's columns, in its order) reconstruct to the same values.
    const clean = path.join(dir, 'clean.csv');
    await writeFile(clean, csv(['zip', 'a', 'b'], NEW));
    const out2 = path.join(dir, 'clean-rec.csv');
    expect((await cli('reconstruct', '--run', base.dir, '--input', clean, '--output', out2)).code).toBe(0);
    const tail = (text: string): string[] => text.trim().split('\n').slice(1).map((l) => l.split(',').slice(-4).join(','));
    expect(tail(await readFile(out, 'utf8'))).toEqual(tail(await readFile(out2, 'utf8')));
  });

  it('--exclude and identifiers left out automatically: a feature column that counts up by one in the new file stays a feature', async () => {
    const base = await run('excluded', '--exclude', 'noise');
    // id and zip are left out (an identifier name; codes with leading zeros), noise by --exclude.
    expect(base.manifest.dataset.features).toEqual(['a', 'b', 'c']);
    const messy = path.join(dir, 'messy2.csv');
    await writeFile(messy, csv(['c', 'noise', 'zip', 'extra', 'a', 'id', 'grp', 'b'], NEW));
    const t = await cli('transform', '--run', base.dir, '--input', messy, '--runs-dir', runs, '--quiet');
    expect(t.code, t.stderr).toBe(0);
    const placed = t.stdout.trim().split('\n')[1]!;
    expect(await newRowValues(placed, 60)).toEqual(NEW.map((r) => [Math.fround(Number(r.a)), Math.fround(Number(r.b)), Number(r.c)]));
    // The base run's metadata columns (noise among them) carry the new rows' values, as written.
    const points = tableFromIPC(await readFile(path.join(placed, 'points.arrow')));
    const noise = points.getChild('noise')!;
    expect(Array.from({ length: 6 }, (_, i) => String(noise.get(60 + i)))).toEqual(NEW.map((r) => r.noise));
    const zip = points.getChild('zip')!;
    expect(Array.from({ length: 6 }, (_, i) => zip.get(60 + i))).toEqual(NEW.map((r) => r.zip));
  });

  it('a feature column missing from the new file: exit 2 naming it, nothing written', async () => {
    const base = await run('needs-b', '--features', 'a,b,c');
    const lacking = path.join(dir, 'lacking.csv');
    await writeFile(lacking, csv(['a', 'c', 'extra', 'grp'], NEW));
    const before = (await readdir(runs)).sort();
    const t = await cli('transform', '--run', base.dir, '--input', lacking, '--runs-dir', runs, '--quiet');
    expect(t.code).toBe(2);
    expect(t.stderr.trim().split('\n')).toHaveLength(1);
    expect(t.stderr).toMatch(/lacking\.csv, field "b": column "b" is missing, but the run was trained on it/);
    expect((await readdir(runs)).sort()).toEqual(before);
    const out = path.join(dir, 'lacking-rec.csv');
    const rec = await cli('reconstruct', '--run', base.dir, '--input', lacking, '--output', out);
    expect(rec.code).toBe(2);
    expect(rec.stderr).toMatch(/field "b": column "b" is missing/);
    expect(await exists(out)).toBe(false);
  });

  it("takes the run's explicit --header, says so, and lets --no-header override it", async () => {
    // A header of numbers over whole-number data: a guess could take it either way; the run said --header.
    const numbered = (n: number, seed: number): string => {
      let s = seed;
      const lines = ['1,2,3,4'];
      for (let i = 0; i < n; i++) lines.push(Array.from({ length: 4 }, (_, j) => ((s = (s * 69069 + 1) >>> 0) % 9) + (i % 3) * 10 + j).join(','));
      return `${lines.join('\n')}\n`;
    };
    const train = path.join(dir, 'numbered.csv');
    await writeFile(train, numbered(45, 5));
    const r = await cli('run', '--input', train, '--runs-dir', runs, '--header', '--reducer', 'pca', '--iterations', '250', '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const baseDir = r.stdout.trim().split('\n')[1]!;
    expect((await manifestOf(baseDir)).dataset.features).toEqual(['1', '2', '3', '4']);
    const fresh = path.join(dir, 'numbered-new.csv');
    await writeFile(fresh, numbered(5, 11));
    const out = path.join(dir, 'numbered-rec.csv');
    const rec = await cli('reconstruct', '--run', baseDir, '--input', fresh, '--output', out);
    expect(rec.code, rec.stderr).toBe(0);
    expect(rec.stderr).toMatch(/read with --header, as run \S+ read its input/);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(6);
    // --no-header: the names are col_1..col_4, which the run does not have by name; matched by position (the
    // names carry no meaning), the header line becomes a sixth row.
    const out2 = path.join(dir, 'numbered-rec2.csv');
    const rec2 = await cli('reconstruct', '--run', baseDir, '--input', fresh, '--output', out2, '--no-header');
    expect(rec2.code, rec2.stderr).toBe(0);
    expect(rec2.stderr).not.toMatch(/read with --header/);
    expect((await readFile(out2, 'utf8')).trim().split('\n')).toHaveLength(7);
  });

  it('reconstruct on a run whose automatic reducer chose none: exit 2 saying so, and the remedy it names works', async () => {
    const input = path.join(dir, 'auto.csv');
    await writeFile(input, csv(['a', 'b', 'c', 'grp'], TRAIN));
    const r = await cli('run', '--input', input, '--runs-dir', runs, '--iterations', '250', '--quiet');
    expect(r.code, r.stderr).toBe(0);
    const auto = r.stdout.trim().split('\n')[1]!;
    expect((await manifestOf(auto)).choices?.reducer).toMatchObject({ value: 'none', auto: true });
    const out = path.join(dir, 'auto-rec.csv');
    const rec = await cli('reconstruct', '--run', auto, '--input', input, '--output', out);
    expect(rec.code).toBe(2);
    expect(rec.stderr).toMatch(/--reducer auto chose none for this data\): it has no model to reconstruct with; make a run with --reducer pca or --reducer autoencoder/);
    expect(await exists(out)).toBe(false);
    const pca = await cli('run', '--input', input, '--runs-dir', runs, '--iterations', '250', '--reducer', 'pca', '--quiet');
    const again = await cli('reconstruct', '--run', pca.stdout.trim().split('\n')[1]!, '--input', input, '--output', out);
    expect(again.code, again.stderr).toBe(0);
    expect((await readFile(out, 'utf8')).trim().split('\n')).toHaveLength(61);
  });
});
