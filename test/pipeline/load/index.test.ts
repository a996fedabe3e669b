import { writeFileSync } from 'node:fs';
import { tableFromArrays } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { detectFormat, loadDataset } from '../../../pipeline/load/index.js';
import { makeTempDir, writeArrow, writeIdxU8, writeNpy, writeParquetFile, writeText } from './fixtures.js';

const tmp = makeTempDir();
afterAll(() => tmp.cleanup());
const base = { dataset: null, labelColumn: null, dataDir: null, limit: null };

describe('loadDataset on files', () => {
  it('picks the loader by extension and by magic bytes', async () => {
    const t = tableFromArrays({ a: Float32Array.of(1, 2), b: Float32Array.of(3, 4) });
    const files = {
      csv: writeText(tmp.path('x.csv'), 'a,b\n1,3\n2,4\n'),
      tsvgz: writeText(tmp.path('x.tsv.gz'), 'a\tb\n1\t3\n2\t4\n', true),
      arrow: writeArrow(tmp.path('x.arrow'), t),
      stream: writeArrow(tmp.path('x.bin'), t, 'stream'),
      parquetNamedCsv: await writeParquetFile(tmp.path('actually-parquet.csv'), t),
      npy: writeNpy(tmp.path('x.npy'), '<f4', [2, 2], Float32Array.of(1, 3, 2, 4)),
      idx: writeIdxU8(tmp.path('x-idx2-ubyte'), [2, 2], Uint8Array.of(255, 0, 0, 255)),
      txt: writeText(tmp.path('x.dat'), 'a b\n'.replace(' ', ',') + '1,3\n2,4\n'),
    };
    expect((await detectFormat(files.parquetNamedCsv)).format).toBe('parquet');
    expect((await detectFormat(files.stream)).format).toBe('arrow');
    expect(await detectFormat(files.tsvgz)).toEqual({ format: 'csv', gzip: true });
    for (const [kind, input] of Object.entries(files)) {
      const d = await loadDataset({ ...base, input });
      expect(d.matrix.rows, kind).toBe(2);
      expect(d.matrix.cols, kind).toBe(2);
      if (kind !== 'idx') expect(Array.from(d.matrix.values), kind).toEqual([1, 3, 2, 4]);
      else expect(Array.from(d.matrix.values)).toEqual([1, 0, 0, 1]);
    }
    const limited = await loadDataset({ ...base, input: files.parquetNamedCsv, limit: 1 });
    expect(limited.matrix.rows).toBe(1);
  });

  it('bad requests and missing or empty files are InputErrors', async () => {
    await expect(loadDataset({ ...base, input: tmp.path('missing.csv') })).rejects.toThrow(/missing\.csv: file not found/);
    writeFileSync(tmp.path('empty.parquet'), '');
    await expect(loadDataset({ ...base, input: tmp.path('empty.parquet') })).rejects.toThrow(/empty\.parquet: the file is empty/);
    await expect(loadDataset({ ...base, dataset: 'iris', input: tmp.path('x.csv') })).rejects.toThrow(/either a dataset or an input file/);
    const { gzipSync } = await import('node:zlib');
    const { readFileSync } = await import('node:fs');
    writeFileSync(tmp.path('x.npy.gz'), gzipSync(readFileSync(writeNpy(tmp.path('plain.npy'), '<f4', [1, 1], Float32Array.of(1)))));
    await expect(loadDataset({ ...base, input: tmp.path('x.npy.gz') })).rejects.toThrow(/x\.npy\.gz: this is a gzipped \.npy file, which latentmap reads only uncompressed; decompress it first/);
    await expect(loadDataset({ ...base, input: null })).rejects.toThrow(/give a dataset name or an input file/);
    await expect(loadDataset({ ...base, dataset: 'iris', input: null, limit: 0 })).rejects.toThrow(/field "limit": must be a positive whole number/);
    await expect(loadDataset({ ...base, dataset: 'iris', input: null, labelColumn: 'colour' })).rejects.toThrow(/label column "colour" not found/);
  });
});

describe('an unnamed first column', () => {
  const rows = (first: (i: number) => string): string =>
    Array.from({ length: 30 }, (_, i) => `${first(i)},${((i * 0.37) % 3).toFixed(2)},${((i * 0.91) % 5).toFixed(2)},${i % 2 ? 'a' : 'b'}`).join('\n');
  it('is an index when it holds whole numbers going up (as pandas writes one, gaps and all), kept as metadata with a note', async () => {
    const d = await loadDataset({ ...base, input: writeText(tmp.path('pandas-index.csv'), `,x,y,label\n${rows((i) => String(i * 3 + 1))}\n`) });
    expect(d.columns).toEqual(['x', 'y']);
    expect(d.metadata.map((m) => m.name)).toContain('column_1');
    expect(d.notes).toContain('the unnamed first column ("column_1") holds whole numbers going up, as pandas writes its index, and is kept as metadata, not used as a feature; name it in --features to use it');
  });
  it('is a feature when it holds measurements (an outside tester saw 0.346, 4.905 ... dropped as an identifier "by name", a name the loader made up)', async () => {
    const d = await loadDataset({ ...base, input: writeText(tmp.path('unnamed-measure.csv'), `,x,y,label\n${rows((i) => ((i * 1.37) % 5).toFixed(3))}\n`) });
    expect(d.columns).toEqual(['column_1', 'x', 'y']);
    expect((d.notes ?? []).join(' ')).not.toMatch(/identifier|index/);
    // whole numbers that do not go up are measurements too (counts, scores)
    const counts = await loadDataset({ ...base, input: writeText(tmp.path('unnamed-counts.csv'), `,x,y,label\n${rows((i) => String((i * 7) % 11))}\n`) });
    expect(counts.columns).toEqual(['column_1', 'x', 'y']);
  });
});
