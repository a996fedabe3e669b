import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { manifestVersion } from '../../../pipeline/runs/run-dir.js';
import { runFile } from '../../../pipeline/runs/layout.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('manifestVersion (the stamp readers cache a run by)', () => {
  it('is null without a manifest, stable while the file is unchanged, and new when the run is written again', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'latentmap-rundir-'));
    const run = path.join(dir, 'r1');
    await mkdir(run);
    expect(await manifestVersion(run)).toBeNull();
    await writeFile(runFile(run, 'manifest'), '{"id":"r1"}\n');
    const first = await manifestVersion(run);
    expect(first).toMatch(/^\d+:[\d.]+:12$/);
    expect(await manifestVersion(run)).toBe(first);
    // Removed and written again under the same id (a new file, a longer manifest): a new stamp.
    await rm(run, { recursive: true });
    await mkdir(run);
    await writeFile(runFile(run, 'manifest'), '{"id":"r1","name":"again"}\n');
    const second = await manifestVersion(run);
    expect(second).not.toBeNull();
    expect(second).not.toBe(first);
  });
});
