import { describe, expect, it } from 'vitest';
import { CsvTokenizer, fieldText, type CsvSink } from '../../../pipeline/load/csv-tokenizer.js';
import { createRandom } from '../../../pipeline/random.js';

/** Tokenizes `bytes` fed in the given chunk sizes; returns rows of field strings and the line each row starts on. */
function tokenize(bytes: Buffer, chunk: (i: number) => number, delimiter = ','): { rows: string[][]; lines: number[] } {
  const rows: string[][] = [];
  const lines: number[] = [];
  let cur: string[] = [];
  const sink: CsvSink = {
    lane: null,
    field(_i, buf, s, e, _q, esc) {
      cur.push(fieldText(buf, s, e, esc));
    },
    row(_n, line) {
      rows.push(cur);
      lines.push(line);
      cur = [];
      return true;
    },
  };
  const tok = new CsvTokenizer(sink, delimiter.charCodeAt(0), 'test.csv');
  let pos = 0;
  let k = 0;
  while (pos < bytes.length) {
    const n = Math.max(1, chunk(k++));
    tok.push(Buffer.from(bytes.subarray(pos, pos + n)));
    pos += n;
  }
  tok.end();
  return { rows, lines };
}

/** RFC 4180 writer for the round trip. */
function writeCsv(rows: string[][], eol: string): string {
  return rows.map((r) => r.map((f) => (/[",\r\n]/.test(f) || f === '' ? `"${f.replaceAll('"', '""')}"` : f)).join(',')).join(eol) + eol;
}

describe('CsvTokenizer', () => {
  it('splits quoted fields with commas, doubled quotes and newlines', () => {
    const text = 'a,b,c\n1,"x, y","say ""hi"""\n2,"two\nlines",\n';
    const { rows, lines } = tokenize(Buffer.from(text), () => 1 << 20);
    expect(rows).toEqual([
      ['a', 'b', 'c'],
      ['1', 'x, y', 'say "hi"'],
      ['2', 'two\nlines', ''],
    ]);
    expect(lines).toEqual([1, 2, 3]);
  });

  it('handles CRLF, lone CR, a BOM, blank lines and a last line without newline', () => {
    const text = '\ufeffa,b\r\n1,2\r\n\r\n3,4\r5,6';
    const { rows, lines } = tokenize(Buffer.from(text), () => 1 << 20);
    expect(rows).toEqual([
      ['a', 'b'],
      ['1', '2'],
      ['3', '4'],
      ['5', '6'],
    ]);
    expect(lines).toEqual([1, 2, 4, 5]);
  });

  it('gives the same fields however the input is split into chunks (random round trips)', () => {
    const rnd = createRandom(3);
    const alphabet = ['a', 'b', '1', '.', ',', '"', '\n', '\r\n', ' ', 'é', '€'];
    for (let trial = 0; trial < 60; trial++) {
      const ncols = 1 + rnd.int(4);
      const rows: string[][] = [];
      for (let r = 0; r < 1 + rnd.int(8); r++) {
        const row: string[] = [];
        for (let c = 0; c < ncols; c++) {
          let f = '';
          const len = rnd.int(6);
          for (let k = 0; k < len; k++) f += alphabet[rnd.int(alphabet.length)];
          row.push(f);
        }
        // a row of one empty field is written as "" so it is not a blank line
        rows.push(row);
      }
      const bytes = Buffer.from(writeCsv(rows, rnd() < 0.5 ? '\n' : '\r\n'));
      const whole = tokenize(bytes, () => bytes.length);
      expect(whole.rows).toEqual(rows);
      const sizes = [1, 2, 3, 5];
      const split = tokenize(bytes, () => sizes[rnd.int(sizes.length)]!);
      expect(split.rows).toEqual(rows);
      expect(split.lines).toEqual(whole.lines);
    }
  });

  it('the fast lane stores plain decimals of numeric columns and hands everything else to field()', () => {
    const rnd = createRandom(5);
    const cells: string[][] = [];
    const kinds = ['12', '-0.5', '007', '.25', '3.', '1e3', ' 4', 'NA', '', 'x1', '"6"', '-', '1234567890.123456', '12345678901234567', '0.0071000000461936', '0.00000000000000000000001'];
    for (let r = 0; r < 300; r++) cells.push([kinds[rnd.int(kinds.length)]!, kinds[rnd.int(kinds.length)]!, 'txt']);
    const bytes = Buffer.from(cells.map((r) => r.join(',')).join('\n') + '\n');
    const values = new Float32Array(300 * 2).fill(-999);
    const slow: string[] = [];
    let row = 0;
    const lane = { slot: Int32Array.of(0, 1, -1), values, base: 0, hits: new Float64Array(3) };
    const sink: CsvSink = {
      lane,
      field(i, buf, s, e, _q, esc) {
        if (i < 2) slow.push(`${row}:${i}:${fieldText(buf, s, e, esc)}`);
      },
      row() {
        row++;
        lane.base = row * 2;
        return true;
      },
    };
    const tok = new CsvTokenizer(sink, 44, 't.csv');
    for (let p = 0; p < bytes.length; p += 7) tok.push(Buffer.from(bytes.subarray(p, p + 7)));
    tok.end();
    expect(row).toBe(300);
    const plain = /^-?(\d+\.?\d*|\.\d+)$/;
    let laneCells = 0;
    cells.forEach((r, ri) => {
      for (let c = 0; c < 2; c++) {
        const t = r[c]!;
        const tookSlowPath = slow.includes(`${ri}:${c}:${t.replace(/^"(.*)"$/, '$1')}`);
        if (!tookSlowPath) {
          // Only a plain decimal may skip field(), and then it is stored exactly.
          expect(plain.test(t), t).toBe(true);
          expect(values[ri * 2 + c], t).toBe(Math.fround(Number(t)));
          laneCells++;
        }
      }
    });
    // Most plain decimals do take the lane (7-byte chunks split a few of them).
    expect(laneCells).toBeGreaterThan(50);
    const expectedHits = laneCells;
    expect(lane.hits[0]! + lane.hits[1]!).toBe(expectedHits);
  });

  it('reads tab-separated fields', () => {
    expect(tokenize(Buffer.from('a\tb\n1\t"2\t3"\n'), () => 4, '\t').rows).toEqual([
      ['a', 'b'],
      ['1', '2\t3'],
    ]);
  });

  it('rejects an unclosed quote, naming the line it opened on', () => {
    expect(() => tokenize(Buffer.from('a,b\n1,2\n3,"oops\n4,5\n'), () => 3)).toThrow(/test\.csv:3: a quoted field starts on this line and is never closed/);
  });

  it('rejects text after a closing quote', () => {
    expect(() => tokenize(Buffer.from('a,b\n"x"y,2\n'), () => 100)).toThrow(/test\.csv:2: unexpected text after a closing quote/);
  });

  it('stops when the sink says so', () => {
    let n = 0;
    const tok = new CsvTokenizer({ lane: null, field() {}, row: () => ++n < 2 }, 44, 't.csv');
    tok.push(Buffer.from('a\n1\n2\n3\n'));
    expect(tok.done).toBe(true);
    expect(n).toBe(2);
  });
});
