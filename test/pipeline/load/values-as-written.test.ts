// Kind 3: values kept as written. Labels and metadata keep their text ("06075" is not 6075); identifier-like
// columns are kept out of the features with a note; --features / --exclude choose.
import { afterAll, describe, expect, it } from 'vitest';
import { loadDataset, type LoadOptions } from '../../../pipeline/load/index.js';
import { makeTempDir, writeText } from './fixtures.js';

const tmp = makeTempDir('latentmap-as-written-');
afterAll(() => tmp.cleanup());

const load = (input: string, more: Partial<LoadOptions> = {}) => loadDataset({ dataset: null, input, labelColumn: null, dataDir: null, limit: null, ...more });

function codes(n: number): string {
  const lines = ['f1,f2,label,county'];
  const labels = ['06075', '6075', '36061', '0601'];
  for (let i = 0; i < n; i++) lines.push(`${(i * 0.3) % 2},${(i * 0.7) % 3},${labels[i % 4]},${['00501', '10001', '02134'][i % 3]}`);
  return `${lines.join('\n')}\n`;
}

describe('values kept as written', () => {
  it('keeps labels and codes with leading zeros as text, apart from the numbers they resemble', async () => {
    const d = await load(writeText(tmp.path('codes.csv'), codes(24)));
    expect([...new Set(d.label!.values as string[])].sort()).toEqual(['0601', '06075', '36061', '6075']);
    expect(d.columns).toEqual(['f1', 'f2']);
    const county = d.metadata.find((m) => m.name === 'county')!;
    expect(county.kind).toBe('string');
    expect(county.values.slice(0, 3)).toEqual(['00501', '10001', '02134']);
    expect(d.notes).toEqual([expect.stringMatching(/^"county" holds codes written with leading zeros \(like "06075"\): kept as text exactly as written, not used as a feature/)]);
  });

  it('keeps metadata text such as 1.50 or 1e3 as written, and plain numbers as numbers', async () => {
    const d = await load(writeText(tmp.path('text.csv'), 'a,b,price,n,label\n1,2,1.50,3,x\n2,1,2.25,4,y\n3,0,1e3,5,x\n0,3,7,6,y\n'), { labelColumn: 'label', selection: { features: ['a', 'b'], exclude: [] } });
    const price = d.metadata.find((m) => m.name === 'price')!;
    expect(price).toEqual({ name: 'price', kind: 'string', values: ['1.50', '2.25', '1e3', '7'] });
    expect(d.metadata.find((m) => m.name === 'n')).toEqual({ name: 'n', kind: 'number', values: Float64Array.of(3, 4, 5, 6) });
  });

  it('leaves identifier-like columns out of the features, by name and by value, with a note', async () => {
    const rows = Array.from({ length: 12 }, (_, i) => `${1000 + i * 37},${i + 1},${(i * 0.31) % 1},${(i * 0.77) % 2},${i * 13 + 5}`);
    const d = await load(writeText(tmp.path('ids.csv'), `customer_id,row,x,z,visits\n${rows.join('\n')}\n`));
    expect(d.columns).toEqual(['x', 'z', 'visits']);
    expect(d.metadata.map((m) => m.name)).toEqual(['customer_id', 'row']);
    expect(d.notes).toEqual([expect.stringMatching(/^"customer_id", "row" look like identifiers \(by name\)/)]);
    // A column counting rows under another name is found by its values.
    const seq = Array.from({ length: 12 }, (_, i) => `${i},${(i * 0.31) % 1},${(i * 0.77) % 2}`);
    const s = await load(writeText(tmp.path('seq.csv'), `n,x,z\n${seq.join('\n')}\n`));
    expect(s.columns).toEqual(['x', 'z']);
    expect(s.notes).toEqual([expect.stringMatching(/^"n" counts rows \(whole numbers going up by one\) and is kept as metadata/)]);
  });

  it('--features and --exclude choose the features, and a name the file lacks is an error naming it', async () => {
    const p = writeText(tmp.path('choose.csv'), 'id,a,b,c,label\n1,1,2,3,x\n2,4,5,6,y\n3,7,8,9,x\n5,1,1,1,y\n');
    expect((await load(p, { selection: { features: ['id', 'b'], exclude: [] } })).columns).toEqual(['id', 'b']);
    expect((await load(p, { selection: { features: null, exclude: ['c'] } })).columns).toEqual(['a', 'b']);
    await expect(load(p, { selection: { features: ['a', 'nope'], exclude: [] } })).rejects.toThrow(`${p}, field "features": --features names "nope", which the file does not have; its columns are: "id", "a", "b", "c", "label"`);
    await expect(load(p, { selection: { features: null, exclude: ['zz'] } })).rejects.toThrow(/field "exclude": --exclude names "zz"/);
  });
});
