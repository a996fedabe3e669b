// Kind 1: text encodings. Every CSV is read as the text it holds, or refused naming the first line that is
// not UTF-8; a character is never replaced silently.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { afterAll, describe, expect, it } from 'vitest';
import { loadCsv } from '../../../pipeline/load/csv.js';
import { loadDataset } from '../../../pipeline/load/index.js';
import { makeTempDir } from './fixtures.js';

const tmp = makeTempDir('latentmap-encodings-');
afterAll(() => tmp.cleanup());

function rowsWith(labels: string[], n = 30): string {
  const lines = ['x1,x2,label'];
  for (let i = 0; i < n; i++) lines.push(`${(i * 0.37) % 3},${(i * 0.91) % 5},${labels[i % labels.length]}`);
  return `${lines.join('\n')}\n`;
}

function write(name: string, bytes: Buffer): string {
  const p = tmp.path(name);
  writeFileSync(p, bytes);
  return p;
}

const distinct = (values: ArrayLike<unknown>): string[] => [...new Set(Array.from(values, String))].sort();

describe('text encodings', () => {
  it('decodes Latin-1 / Windows-1252 text, keeps Müller and Möller apart, and says what it did', async () => {
    const labels = ['Müller', 'Möller', 'Gödel', 'Ørsted', 'café “€5”'];
    for (const [enc, gz] of [['latin1', false], ['windows-1252', true]] as const) {
      const text = enc === 'latin1' ? rowsWith(labels.slice(0, 4)) : rowsWith(labels);
      const bytes = iconv.encode(text, enc);
      const d = await loadCsv(write(`legacy-${enc}.csv${gz ? '.gz' : ''}`, gz ? gzipSync(bytes) : bytes));
      expect(distinct(d.label!.values)).toEqual(distinct(enc === 'latin1' ? labels.slice(0, 4) : labels));
      expect(d.notes?.[0]).toMatch(/^decoded as ISO-8859-1\/Windows-1252 \(the file is not UTF-8: line 2 has byte 0x/);
    }
  });

  it('reads Central European Windows-1250 as an encoding in which every byte is a character, or refuses naming the line; never a U+FFFD', async () => {
    // an outside tester's file: chardet's top guess was Windows-1257, which has no "ź", and "Łódź" came out "£ód\uFFFD"
    const labels = ['Łódź', 'Kraków', 'Gdańsk', 'Wrocław', 'Poznań'];
    const p = write('polish-1250.csv', iconv.encode(rowsWith(labels, 60), 'windows-1250'));
    const d = await loadCsv(p);
    expect(distinct(d.label!.values)).toEqual(distinct(labels));
    expect(d.notes?.[0]).toMatch(/^decoded as (windows-1250|ISO-8859-2) \(the file is not UTF-8: line 2 has byte 0x/);
    // an encoding given that has no character for a byte: refused naming the line, not replaced
    await expect(loadCsv(p, { encoding: 'windows-1257' })).rejects.toThrow(/polish-1250\.csv:2 \(field "encoding"\)|polish-1250\.csv:2.*line 2 holds a byte that is no character in windows-1257/);
  });

  it('decodes UTF-16 with a byte-order mark, little- and big-endian', async () => {
    const text = rowsWith(['Müller', 'Möller', '東京']);
    for (const enc of ['utf-16le', 'utf-16be'] as const) {
      const body = iconv.encode(text, enc);
      const bom = enc === 'utf-16le' ? Buffer.from([0xff, 0xfe]) : Buffer.from([0xfe, 0xff]);
      const d = await loadCsv(write(`${enc}.csv`, Buffer.concat([bom, body])));
      expect(d.columns).toEqual(['x1', 'x2']);
      expect(distinct(d.label!.values)).toEqual(['Möller', 'Müller', '東京']);
      expect(d.notes?.[0]).toBe(`decoded as ${enc.toUpperCase()} (byte-order mark)`);
    }
  });

  it('restarts in the legacy encoding when the first non-UTF-8 byte comes after a megabyte of ASCII', async () => {
    const ascii = Array.from({ length: 120000 }, (_, i) => `${i % 7},${i % 11},plain`).join('\n');
    const text = `x1,x2,label\n${ascii}\n1,2,Müller\n`;
    const d = await loadCsv(write('late-latin1.csv', iconv.encode(text, 'latin1')));
    expect(d.matrix.rows).toBe(120001);
    expect(d.label!.values[120000]).toBe('Müller');
    expect(d.notes?.[0]).toMatch(/^decoded as .*\(line 120002 is the first that is not UTF-8 \(byte 0xFC\)/);
  });

  it('refuses a file that mixes UTF-8 and another encoding, naming the first bad line, near the start or far in', async () => {
    for (const lines of [30, 120000]) {
      const utf8 = Buffer.from(`x1,x2,label\n${Array.from({ length: lines }, (_, i) => `${i % 7},${i % 3},Müller`).join('\n')}\n`, 'utf8');
      const p = write(`mixed-${lines}.csv`, Buffer.concat([utf8, iconv.encode('1,2,Möller\n', 'latin1')]));
      await expect(loadDataset({ dataset: null, input: p, labelColumn: null, dataDir: null, limit: null })).rejects.toThrow(
        `${p}:${lines + 2}: line ${lines + 2} is not UTF-8 (byte 0xF6), though the lines before it are UTF-8 text; the file mixes encodings`,
      );
    }
  });

  it('with --encoding utf-8, names the line of the first byte that is not UTF-8, in the first block read too', async () => {
    const ascii = Buffer.from(`x1,x2,label\n${Array.from({ length: 250 }, (_, i) => `${i % 7},${i % 3},a`).join('\n')}\n`, 'utf8');
    const p = write('late-latin1-utf8.csv', Buffer.concat([ascii, iconv.encode('1,2,Müller\n', 'latin1')]));
    await expect(loadCsv(p, { encoding: 'utf-8' })).rejects.toThrow(`${p}:252: line 252 is not UTF-8 (byte 0xFC)`);
  });

  it('reads UTF-8 (with or without a BOM) without a note, and honours --encoding', async () => {
    const text = rowsWith(['Müller', 'Möller']);
    const plain = await loadCsv(write('utf8.csv', Buffer.from(text, 'utf8')));
    const bom = await loadCsv(write('utf8-bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')])));
    for (const d of [plain, bom]) {
      expect(distinct(d.label!.values)).toEqual(['Möller', 'Müller']);
      expect(d.notes).toBeUndefined();
    }
    const cyrillic = await loadCsv(write('cp1251.csv', iconv.encode(rowsWith(['Привет', 'мир']), 'windows-1251')), { encoding: 'windows-1251' });
    expect(distinct(cyrillic.label!.values)).toEqual(['Привет', 'мир'].sort());
    expect(cyrillic.notes?.[0]).toBe('read as windows-1251 (--encoding)');
    await expect(loadCsv(write('x.csv', Buffer.from(text)), { encoding: 'klingon' })).rejects.toThrow(/field "encoding": unknown text encoding "klingon"/);
  });
});
