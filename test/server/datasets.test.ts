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
