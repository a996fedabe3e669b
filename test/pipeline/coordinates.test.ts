// Kind 6 (layouts made elsewhere): --coordinates x,y is the map; the reducer and t-SNE are skipped.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../pipeline/config.js';
import { runPipeline } from '../../pipeline/pipeline.js';
import { readPoints } from '../../pipeline/runs/artifacts.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-coords-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('--coordinates', () => {
  it('uses two columns as the map, keeps the other features as codes, and writes a whole run', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => `${(i * 1.5).toFixed(1)},${(-i).toFixed(1)},${(i * 0.37) % 1},${(i * 0.71) % 2},${i % 3 ? 'a' : 'b'}`);
    const input = path.join(dir, 'umap.csv');
    await writeFile(input, `x,y,f1,f2,label\n${rows.join('\n')}\n`);
    const r = await runPipeline(resolveConfig({ input, coordinates: ['x', 'y'], runsDir: path.join(dir, 'runs'), backend: 'cpu' }));
    const pts = await readPoints(r.dir);
    expect(Array.from(pts.getChild('x')!.toArray() as Float32Array).slice(0, 3)).toEqual([0, 1.5, 3]);
    expect(Array.from(pts.getChild('y')!.toArray() as Float32Array).slice(0, 3)).toEqual([0, -1, -2]);
    expect(pts.getChild('label')!.get(0)).toBe('b');
    expect(pts.schema.fields.map((f) => f.name)).toEqual(['index', 'x', 'y', 'preservation', 'label']);
    expect(r.manifest.dataset.features).toEqual(['f1', 'f2']);
    expect(r.manifest.metrics.tsne).toMatchObject({ iterations: 0, engine: 'given', kl: null });
    expect(r.manifest.notes).toContain('map given by columns "x", "y" (--coordinates): reducer and t-SNE skipped');
    expect((await readdir(path.join(r.dir, 'model'))).sort()).toEqual(['preprocessing.json']);
  });

  it('works when the coordinates are the only numbers, and names a coordinate column the file lacks', async () => {
    const input = path.join(dir, 'xy.csv');
    await writeFile(input, `px,py,name\n${Array.from({ length: 10 }, (_, i) => `${i},${i * i},p${i}`).join('\n')}\n`);
    const r = await runPipeline(resolveConfig({ input, coordinates: ['px', 'py'], runsDir: path.join(dir, 'runs'), backend: 'cpu' }));
    expect(Array.from((await readPoints(r.dir)).getChild('y')!.toArray() as Float32Array).slice(0, 4)).toEqual([0, 1, 4, 9]);
    await expect(runPipeline(resolveConfig({ input, coordinates: ['px', 'qq'], runsDir: path.join(dir, 'runs') }))).rejects.toThrow(
      `${input}, field "coordinates": --coordinates names "qq", which the file does not have; its columns are: "px", "py", "name"`,
    );
  });
});
