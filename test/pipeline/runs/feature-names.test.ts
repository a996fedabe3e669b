// A run's feature names: in features.arrow always, in the manifest only while there are at most 1,000 of them
// (a 1,500 x 1,500 picture has 2.25 million: 37 MB of JSON in every manifest read); runs written before
// features.arrow (every name in the manifest) stay readable.
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../../pipeline/config.js';
import { runPipeline } from '../../../pipeline/pipeline.js';
import { compactManifest, MANIFEST_FEATURE_NAMES, parseCompactManifest, readFeatureNames, withFeatureNames } from '../../../pipeline/runs/feature-names.js';
import { readManifest } from '../../../pipeline/runs/run-dir.js';
import { reconstructRows } from '../../../pipeline/commands/reconstruct.js';
import type { RunManifest } from '../../../pipeline/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-feature-names-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A CSV of `rows` x `cols` seeded values, columns c0..c{cols-1}. */
async function wideCsv(name: string, rows: number, cols: number): Promise<string> {
  const file = path.join(dir, name);
  let s = 1;
  const header = Array.from({ length: cols }, (_, c) => `c${c}`).join(',');
  const lines = Array.from({ length: rows }, () => Array.from({ length: cols }, () => ((s = (s * 1103515245 + 12345) >>> 0) % 1000) / 100).join(','));
  await writeFile(file, `${header}\n${lines.join('\n')}\n`);
  return file;
}

describe('feature names of a run', () => {
  it('a run of 1,500 columns writes them to features.arrow and keeps the manifest small; reconstruct still names every column', async () => {
    const input = await wideCsv('wide.csv', 40, 1500);
    const runsDir = path.join(dir, 'runs');
    const r = await runPipeline(resolveConfig({ input, reducer: 'pca', codeSize: 3, iterations: 250, runsDir, backend: 'cpu', seed: 1 }));
    const onDisk = await readManifest(r.dir);
    expect(onDisk.dataset.columns).toBe(1500);
    expect(onDisk.dataset.features).toBeUndefined();
    expect(onDisk.artifacts.features).toBe('features.arrow');
    expect((await stat(path.join(r.dir, 'manifest.json'))).size).toBeLessThan(20_000);
    const names = await readFeatureNames(r.dir, onDisk);
    expect(names).toHaveLength(1500);
    expect(names.slice(0, 3)).toEqual(['c0', 'c1', 'c2']);
    expect(names.at(-1)).toBe('c1499');
    // the commands read a run with every name: reconstruct writes them as its output's header
    const output = path.join(dir, 'wide-reconstructed.csv');
    await reconstructRows({ run: r.id, runsDir, input, output, force: false });
    expect((await readFile(output, 'utf8')).split('\n')[0]!.split(',').slice(0, 1500)).toEqual(names);
  }, 120_000);

  it('a run of a few columns lists them in the manifest as well', async () => {
    const input = await wideCsv('narrow.csv', 40, 5);
    const r = await runPipeline(resolveConfig({ input, reducer: 'none', iterations: 250, runsDir: path.join(dir, 'runs'), backend: 'cpu', seed: 1 }));
    expect((await readManifest(r.dir)).dataset.features).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
    expect(await readFeatureNames(r.dir)).toEqual(['c0', 'c1', 'c2', 'c3', 'c4']);
  }, 60_000);

  it('reads the names of a run written before features.arrow from its manifest, and compacts such a manifest for readers', async () => {
    const runDir = path.join(dir, 'old-run');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(runDir, { recursive: true });
    const many = Array.from({ length: MANIFEST_FEATURE_NAMES + 1 }, (_, i) => `pixel_${i}`);
    const manifest = { id: 'old-run', dataset: { columns: many.length, features: many } } as unknown as RunManifest;
    await writeFile(path.join(runDir, 'manifest.json'), JSON.stringify(manifest));
    expect(await readFeatureNames(runDir)).toEqual(many);
    const compact = compactManifest(structuredClone(manifest));
    expect(compact.dataset.features).toBeUndefined();
    expect(compact.dataset.columns).toBe(many.length);
    // the commands get every name back
    expect((await withFeatureNames(runDir, compact)).dataset.features).toEqual(many);
    // a short list stays
    const few = { id: 'x', dataset: { features: ['a', 'b'] } } as unknown as RunManifest;
    expect(compactManifest(few).dataset.features).toEqual(['a', 'b']);
  });
});

describe('parseCompactManifest', () => {
  const manifest = (names: string[]): Record<string, unknown> => ({
    id: 'r',
    config: { features: ['a]"', 'b'], exclude: [], name: 'x "features": [1]' },
    notes: ['"dataset": {"features": [0]}'],
    dataset: { name: 'pics', rows: 3, features: names, metadata: ['m'], image: { width: 2, height: 2, channels: 1 } },
    artifacts: { points: 'points.arrow' },
  });

  it('gives what parsing whole and compacting gives, for long and short name lists, names of any characters, pretty or not', () => {
    const tricky = Array.from({ length: MANIFEST_FEATURE_NAMES * 3 }, (_, i) => [`p${i}`, 'a]b', 'c"d', 'e\\f', 'g,h', '{i}', '[j]', 'k: l', 'ünï'][i % 9]!);
    for (const names of [tricky, tricky.slice(0, 10), []]) {
      for (const text of [JSON.stringify(manifest(names)), JSON.stringify(manifest(names), null, 2)]) {
        const padded = `${text}${' '.repeat(70 * 1024)}`;
        const expected = compactManifest(JSON.parse(padded) as RunManifest);
        expect(parseCompactManifest(padded)).toEqual(expected);
      }
    }
    expect(parseCompactManifest(`${JSON.stringify(manifest(tricky))}${' '.repeat(70 * 1024)}`).config.features).toEqual(['a]"', 'b']);
  });

  it('throws as JSON.parse does on a manifest cut short, inside its names or after them', () => {
    const text = JSON.stringify(manifest(Array.from({ length: 20_000 }, (_, i) => `n${i}`)), null, 2);
    expect(() => parseCompactManifest(text.slice(0, text.length / 2))).toThrow(SyntaxError);
    expect(() => parseCompactManifest(text.slice(0, text.length - 20))).toThrow(SyntaxError);
  });
});
