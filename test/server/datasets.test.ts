import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../server/app.js';
import { listen, request } from './http.js';

let dir: string;
let base: string;
let close: () => Promise<void>;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-datasets-'));
  ({ base, close } = await listen(createApp({ runsDir: dir, log: () => {} })));
});

afterAll(async () => {
  await close?.();
  await rm(dir, { recursive: true, force: true });
});

describe('GET /api/datasets', () => {
  it('lists the built-in datasets with their shape and availability, and no server path', async () => {
    const r = await request(base, '/api/datasets');
    expect(r.status).toBe(200);
    const { datasets } = r.json() as { datasets: { name: string; rows: number; columns: number; available: boolean; image: boolean; reason: string | null }[] };
    const iris = datasets.find((d) => d.name === 'iris')!;
    expect(iris).toMatchObject({ rows: 150, columns: 4, available: true, image: false, reason: null });
    expect(datasets.find((d) => d.name === 'mnist')).toMatchObject({ image: true, columns: 784 });
    for (const d of datasets) if (!d.available) expect(d.reason).toBe('not installed on this server');
    expect(r.text).not.toMatch(/\/usr\/|\/work\/|\/tmp\//);
  });
});

describe('GET /api/run-options', () => {
  type Field = { key: string; label: string; help: string; default: unknown; min: number | null; max: number | null; auto: boolean; values: string[] | null };
  const fields = async () => ((await request(base, '/api/run-options')).json() as { groups: { title: string; fields: Field[] }[] }).groups.flatMap((g) => g.fields);

  it('serves the New-run form’s fields with defaults and ranges from the configuration schema', async () => {
    const { CONFIG_SCHEMA } = await import('../../pipeline/config.js');
    const list = await fields();
    expect(list.map((f) => f.key)).toEqual(['dataset', 'limit', 'name', 'reducer', 'variant', 'codeSize', 'layers', 'activation', 'loss', 'epochs', 'batchSize', 'learningRate', 'map', 'tsneEngine', 'perplexity', 'iterations', 'nNeighbors', 'minDist', 'seed']);
    for (const f of list) {
      const spec = CONFIG_SCHEMA[f.key as keyof typeof CONFIG_SCHEMA] as { default: unknown; min?: number; max?: number; auto?: boolean; values?: readonly string[] };
      if (f.key !== 'dataset') expect(f.default, f.key).toEqual(spec.default);
      expect(f.min, f.key).toBe(spec.min ?? null);
      expect(f.max, f.key).toBe(spec.max ?? null);
      expect(f.auto, f.key).toBe(spec.auto === true);
      expect(f.values, f.key).toEqual(spec.values ?? null);
    }
    expect(list.find((f) => f.key === 'dataset')!.default).toBe('mnist');
  });

  it('says in the form’s words what each field does, its default (what auto decides) and its range, never a CLI flag or a repository file', async () => {
    const list = await fields();
    for (const f of list) {
      expect(f.help, f.key).not.toMatch(/--[a-z]|\.md\b|QUALITY|bench\//);
      if (f.key !== 'dataset' && f.key !== 'name') expect(f.help, f.key).toMatch(/Default: /);
    }
    const byKey = new Map(list.map((f) => [f.key, f]));
    expect(byKey.get('codeSize')!.label).toBe('Code size');
    expect(byKey.get('codeSize')!.help).toBe(
      'How many numbers each row is compressed to (for PCA: the number of components); it must be smaller than the number of input columns. Default: auto (fitted to the number of columns and rows). From 1 to 4,096, whole numbers.',
    );
    expect(byKey.get('batchSize')!.help).toBe('Rows per training step. Default: 256. From 1 to 1,048,576, whole numbers.');
    expect(byKey.get('activation')!.help).toMatch(/One of: relu, elu, selu, tanh, sigmoid, linear\.$/);
    expect(byKey.get('layers')!.help).toMatch(/Each from 1 to 16,384; at most 16 of them\.$/);
  });

  it('names the setting at fault in a refused run, so the form can show the message beside its field', async () => {
    const r = await request(base, '/api/runs', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ dataset: 'iris', codeSize: 0 }) });
    expect(r.status).toBe(400);
    expect(r.json()).toEqual({ field: 'codeSize', error: 'field "codeSize": must be at least 1, got 0 (from request body)' });
  });
});
