// checkRun: what a run directory is (absent, not complete, corrupt and why, complete), read from its manifest,
// Arrow footers and JSON files; stampRun: the stamp that moves whenever a file looked at changes.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkRun, JSON_PARSE_BYTES, stampRun } from '../../../pipeline/runs/run-check.js';
import { tempRunsDir, writeFixtureRun } from '../../server/fixtures.js';

let runs: { dir: string; cleanup: () => Promise<void> };
beforeEach(async () => {
  runs = await tempRunsDir();
});
afterEach(async () => {
  await runs.cleanup();
});

async function editManifest(dir: string, edit: (m: Record<string, unknown>) => void): Promise<void> {
  const file = path.join(dir, 'manifest.json');
  const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(m);
  await writeFile(file, JSON.stringify(m));
}

describe('checkRun', () => {
  it('finds a whole run complete, with its manifest and every file it looked at', async () => {
    const run = await writeFixtureRun(runs.dir, { id: 'whole', rows: 9, pca: true });
    const c = await checkRun(run.dir, 'whole');
    expect(c.state).toBe('complete');
    expect(c.problem).toBeNull();
    expect(c.manifest!.dataset.rows).toBe(9);
    expect(c.files[0]).toBe('manifest.json');
    expect(c.files).toEqual(expect.arrayContaining(['points.arrow', 'codes.arrow', 'data.arrow', 'features.arrow', 'history.json', 'model/preprocessing.json', 'model/pca.json']));
    expect(c.stamp).toBe(await stampRun(run.dir, c.files));
  });

  it('tells a directory without a manifest (absent) from a run not complete', async () => {
    await mkdir(path.join(runs.dir, 'empty'));
    expect((await checkRun(path.join(runs.dir, 'empty'), 'empty')).state).toBe('absent');
    const run = await writeFixtureRun(runs.dir, { id: 'going', rows: 5 });
    await editManifest(run.dir, (m) => (m.status = 'running'));
    expect(await checkRun(run.dir, 'going')).toMatchObject({ state: 'incomplete', problem: null, manifest: null });
  });

  it('names the first damage it finds, inside the run only', async () => {
    const cases: [string, (dir: string) => Promise<void>, string][] = [
      ['manifest of another run', (d) => editManifest(d, (m) => (m.id = 'other')), 'its manifest.json is that of run "other", not of its directory'],
      ['manifest an array', (d) => writeFile(path.join(d, 'manifest.json'), '[]'), 'its manifest.json is not a run manifest'],
      ['points missing', (d) => rm(path.join(d, 'points.arrow')), 'its points.arrow is missing'],
      ['points of other rows', async (d) => writeFile(path.join(d, 'points.arrow'), await readFile(path.join(runs.dir, 'ref', 'points.arrow'))), 'its points hold 20 rows, its manifest says 8'],
      ['codes not Arrow', (d) => writeFile(path.join(d, 'codes.arrow'), 'ARROW1 and then nothing of the sort'), 'its codes.arrow cannot be read (the file is cut short (no Arrow footer))'],
      ['history cut', async (d) => writeFile(path.join(d, 'history.json'), (await readFile(path.join(d, 'history.json'))).subarray(0, 10)), 'its history.json is not valid JSON'],
      ['listed file missing', (d) => editManifest(d, (m) => ((m.artifacts as Record<string, string>).weights = 'model/weights.bin')), 'its model/weights.bin is missing (its manifest lists it)'],
      ['listed file empty', async (d) => {
        await editManifest(d, (m) => ((m.artifacts as Record<string, string>).weights = 'model/weights.bin'));
        await mkdir(path.join(d, 'model'), { recursive: true });
        await writeFile(path.join(d, 'model', 'weights.bin'), '');
      }, 'its model/weights.bin is empty (0 bytes)'],
    ];
    await writeFixtureRun(runs.dir, { id: 'ref', rows: 20 });
    for (const [i, [what, damage, problem]] of cases.entries()) {
      const run = await writeFixtureRun(runs.dir, { id: `c${i}`, rows: 8 });
      await damage(run.dir);
      const c = await checkRun(run.dir, `c${i}`);
      expect(c.state, what).toBe('corrupt');
      expect(c.problem, what).toBe(problem);
      expect(c.problem).not.toContain(runs.dir);
    }
  });

  it('reads a JSON file past JSON_PARSE_BYTES only at its ends: whole passes, cut short is corrupt', async () => {
    const run = await writeFixtureRun(runs.dir, { id: 'bigjson', rows: 5 });
    const big = JSON.stringify({ epochs: [], tsne: [], pad: 'x'.repeat(JSON_PARSE_BYTES + 10) });
    await writeFile(path.join(run.dir, 'history.json'), `${big}\n`);
    expect((await checkRun(run.dir, 'bigjson')).state).toBe('complete');
    await writeFile(path.join(run.dir, 'history.json'), big.slice(0, -3));
    expect(await checkRun(run.dir, 'bigjson')).toMatchObject({ state: 'corrupt', problem: 'its history.json is not valid JSON (cut short?)' });
  });
});

describe('stampRun', () => {
  it('stays while the files stay, and moves when any file looked at is written, removed or appears', async () => {
    const run = await writeFixtureRun(runs.dir, { id: 'st', rows: 5 });
    const { files, stamp } = await checkRun(run.dir, 'st');
    expect(await stampRun(run.dir, files)).toBe(stamp);
    const history = await readFile(path.join(run.dir, 'history.json'));
    await writeFile(path.join(run.dir, 'history.json'), history);
    const rewritten = await stampRun(run.dir, files);
    expect(rewritten).not.toBe(stamp);
    await writeFile(path.join(run.dir, 'transform.json'), '{}');
    expect(await stampRun(run.dir, files)).not.toBe(rewritten);
    await rm(path.join(run.dir, 'transform.json'));
    expect(await stampRun(run.dir, files)).toBe(rewritten);
  });
});
