import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JOBS_DIR, RUN_FILES, runFile } from '../../../pipeline/runs/layout.js';
import { newRunId, runIdProblem } from '../../../pipeline/runs/run-id.js';
import { assertRunId } from '../../../pipeline/runs/store.js';
import { runIdParam } from '../../../server/params.js';

const root = path.resolve(import.meta.dirname, '../../..');

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(path.join(root, dir), { withFileTypes: true })) {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(rel)));
    else if (e.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

describe('the run directory has one owner', () => {
  it('no module outside pipeline/runs spells a run file name', async () => {
    const names = [...Object.values(RUN_FILES).filter((n) => n.includes('.')), JOBS_DIR].map((n) => `'${n}'`);
    const offenders: string[] = [];
    for (const file of [...(await sources('pipeline')), ...(await sources('server'))]) {
      if (file.startsWith(`pipeline${path.sep}runs${path.sep}`)) continue;
      const text = await readFile(path.join(root, file), 'utf8');
      for (const n of names) if (text.includes(n)) offenders.push(`${file}: ${n}`);
    }
    expect(offenders).toEqual([]);
  });

  it('places every file inside the run directory', () => {
    for (const key of Object.keys(RUN_FILES) as (keyof typeof RUN_FILES)[]) {
      const p = runFile('/runs/r1', key);
      expect(path.relative('/runs/r1', p).startsWith('..')).toBe(false);
    }
    expect(runFile('/runs/r1', 'preprocessing')).toBe(path.join('/runs/r1', 'model', 'preprocessing.json'));
  });
});

describe('the run id rule', () => {
  it('refuses a bad id with one message, on the command line and over HTTP', () => {
    const message = runIdProblem('../etc');
    expect(message).toBe(`invalid run id "../etc": ids are letters, digits, '-' and '_' (at most 120 characters)`);
    expect(() => assertRunId('../etc')).toThrow(message!);
    expect(() => runIdParam('../etc')).toThrow(message!);
    expect(runIdProblem('20260102-030405-mnist-abcdef')).toBeNull();
  });

  it('names a run by time, a slug of its name and random hex', () => {
    expect(newRunId('Customers (EU).csv', new Date('2026-03-04T05:06:07Z'))).toMatch(/^20260304-050607-customers-eu-csv-[0-9a-f]{6}$/);
    expect(newRunId('***', new Date('2026-03-04T05:06:07Z'))).toMatch(/^20260304-050607-run-[0-9a-f]{6}$/);
  });
});
