import { mkdtemp, readdir, readFile, mkdir, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../pipeline/config.js';
import { InputError } from '../../../pipeline/errors.js';
import { RunStore, isValidRunId } from '../../../pipeline/runs/store.js';
import type { RunManifest } from '../../../pipeline/types.js';

function manifest(id: string, createdAt: string, name = 'demo'): RunManifest {
  return {
    id,
    name,
    status: 'complete',
    createdAt,
    config: defaultConfig(),
    dataset: { name: 'demo', source: 'test', rows: 1, columns: 1, sha256: 'x', label: null, image: null, features: ['a'], metadata: [] },
    prepare: {},
    backend: 'cpu',
    versions: {},
    timings: { load: 0, prepare: 0, train: 0, encode: 0, tsne: 0, total: 0 },
    metrics: { reconstruction: { loss: null, train: null, validation: null }, tsne: { kl: null, iterations: 0 }, trustworthiness: null, knnPreservation: null, labelAccuracy: null },
    artifacts: {},
    base: null,
    notes: [],
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('run ids', () => {
  it('accepts generated ids and refuses anything that could leave the runs directory', () => {
    const store = new RunStore(dir);
    expect(isValidRunId(store.newId('My Data.csv'))).toBe(true);
    for (const bad of ['..', '../x', 'a/b', '.tmp-x', '%2e%2e', 'a b', '', 'x'.repeat(121), 'a\\b']) {
      expect(isValidRunId(bad), bad).toBe(false);
      expect(() => store.path(bad)).toThrow(InputError);
    }
  });

  it('makes distinct ids for the same name at the same instant', () => {
    const store = new RunStore(dir);
    const now = new Date('2026-01-02T03:04:05Z');
    const ids = new Set(Array.from({ length: 50 }, () => store.newId('mnist', now)));
    expect(ids.size).toBe(50);
    expect([...ids][0]).toMatch(/^20260102-030405-mnist-[0-9a-f]{6}$/);
  });
});

describe('RunStore', () => {
  it('keeps a run invisible until commit, then lists it', async () => {
    const store = new RunStore(dir);
    const w = await store.begin('r1');
    await writeFile(path.join(w.dir, 'points.arrow'), 'x');
    expect(await store.list()).toEqual([]);
    expect(await store.get('r1')).toBeNull();
    const final = await w.commit(manifest('r1', '2026-01-01T00:00:00Z'));
    expect(final).toBe(path.join(dir, 'r1'));
    expect((await store.list()).map((m) => m.id)).toEqual(['r1']);
    expect((await readdir(dir)).filter((e) => e.startsWith('.tmp-'))).toEqual([]);
    expect((await readdir(final)).sort()).toEqual(['manifest.json', 'points.arrow']);
  });

  it('lists newest first and skips unreadable entries', async () => {
    const store = new RunStore(dir);
    for (const [id, t] of [['a', '2026-01-01T00:00:00Z'], ['b', '2026-03-01T00:00:00Z'], ['c', '2026-02-01T00:00:00Z']] as const) {
      const w = await store.begin(id);
      await w.commit(manifest(id, t));
    }
    await mkdir(path.join(dir, 'broken'));
    await writeFile(path.join(dir, 'broken', 'manifest.json'), '{not json');
    expect((await store.list()).map((m) => m.id)).toEqual(['b', 'c', 'a']);
  });

  it('refuses to begin a run whose id exists, so no job clobbers another', async () => {
    const store = new RunStore(dir);
    await (await store.begin('same')).commit(manifest('same', '2026-01-01T00:00:00Z'));
    await expect(store.begin('same')).rejects.toThrow(/already exists/);
  });

  it('two writers of the same id: the second commit fails and the first run stays whole', async () => {
    const store = new RunStore(dir);
    const a = await store.begin('twin');
    const b = await store.begin('twin');
    await writeFile(path.join(a.dir, 'who'), 'a');
    await a.commit(manifest('twin', '2026-01-01T00:00:00Z'));
    await writeFile(path.join(b.dir, 'who'), 'b');
    await expect(b.commit(manifest('twin', '2026-01-01T00:00:00Z'))).rejects.toThrow();
    expect((await store.get('twin'))?.id).toBe('twin');
    expect(await readFile(path.join(dir, 'twin', 'who'), 'utf8')).toBe('a');
    await b.abort();
    expect((await readdir(dir)).filter((e) => e.startsWith('.tmp-'))).toEqual([]);
  });

  it('write() commits what fill wrote, and leaves nothing when fill fails', async () => {
    const store = new RunStore(dir);
    const ok = await store.write('good', async (d) => {
      await writeFile(path.join(d, 'points.arrow'), 'x');
      return manifest('good', '2026-01-01T00:00:00Z');
    });
    expect(ok.dir).toBe(path.join(dir, 'good'));
    expect(ok.manifest.id).toBe('good');
    await expect(
      store.write('bad', async (d) => {
        await writeFile(path.join(d, 'points.arrow'), 'half');
        throw new Error('disk full');
      }),
    ).rejects.toThrow('disk full');
    expect(await readdir(dir)).toEqual(['good']);
  });

  it('abort removes the temporary directory', async () => {
    const store = new RunStore(dir);
    const w = await store.begin('gone');
    await w.abort();
    expect(await readdir(dir)).toEqual([]);
  });

  it('cleans temporary directories of dead writers but not of live ones', async () => {
    const store = new RunStore(dir);
    const live = await store.begin('live');
    const dead = path.join(dir, '.tmp-dead-999999999-abc123');
    await mkdir(dead);
    await writeFile(path.join(dead, '.owner'), JSON.stringify({ pid: 999999999, host: (await import('node:os')).hostname() }));
    const removed = await store.cleanupStale();
    expect(removed).toEqual(['.tmp-dead-999999999-abc123']);
    expect((await readdir(dir)).sort()).toEqual([path.basename(live.dir)]);
  });

  it('remove deletes a run atomically', async () => {
    const store = new RunStore(dir);
    await (await store.begin('old')).commit(manifest('old', '2026-01-01T00:00:00Z'));
    await store.remove('old');
    expect(await store.list()).toEqual([]);
    expect(await readdir(dir)).toEqual([]);
  });
});
