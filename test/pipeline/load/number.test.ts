import { describe, expect, it } from 'vitest';
import { NUM_INFINITE, NUM_MISSING, NUM_OK, NUM_TEXT, parsed, parseNumberBytes, parseNumberText } from '../../../pipeline/load/number.js';
import { createRandom } from '../../../pipeline/random.js';

function parseBytes(text: string): [number, number] {
  const buf = Buffer.from(`#${text}#`);
  const v = parseNumberBytes(buf, 1, buf.length - 1);
  return [v, parsed.status];
}

describe('parseNumberBytes', () => {
  it('agrees exactly with Number() on random decimals of every shape', () => {
    const rnd = createRandom(7);
    for (let i = 0; i < 20000; i++) {
      const intDigits = rnd.int(12);
      const fracDigits = rnd.int(12);
      let s = rnd() < 0.3 ? '-' : rnd() < 0.1 ? '+' : '';
      for (let k = 0; k < intDigits; k++) s += String(rnd.int(10));
      if (fracDigits > 0 || intDigits === 0) {
        s += '.';
        for (let k = 0; k < Math.max(fracDigits, intDigits === 0 ? 1 : 0); k++) s += String(rnd.int(10));
      }
      if (rnd() < 0.3) s += `e${rnd() < 0.5 ? '-' : ''}${rnd.int(40)}`;
      const [v, st] = parseBytes(s);
      expect(st, s).toBe(NUM_OK);
      expect(Object.is(v, Number(s)) || v === Number(s), s).toBe(true);
    }
  });

  it('reads long mantissas and big exponents through the exact fallback', () => {
    for (const s of ['3.14159265358979323846', '123456789012345678901234', '1e-300', '4.9e-324', '1.7976931348623157e308', '0.000000000000000000000000001']) {
      const [v, st] = parseBytes(s);
      expect(st).toBe(NUM_OK);
      expect(v).toBe(Number(s));
    }
  });

  it('trims spaces and reports missing markers, text and infinities', () => {
    expect(parseBytes('  2.5 ')).toEqual([2.5, NUM_OK]);
    for (const m of ['', '  ', 'NA', 'na', 'N/A', 'NaN', 'nan', 'null', 'NULL', '?']) expect(parseBytes(m)[1], m).toBe(NUM_MISSING);
    for (const t of ['abc', '1.2.3', '0x10', '1,5', '--1', 'e5', '.', '-', '1e', '12abc', 'Inf1']) expect(parseBytes(t)[1], t).toBe(NUM_TEXT);
    for (const inf of ['inf', '-inf', 'Infinity', '-Infinity', '1e999', '-1e400']) expect(parseBytes(inf)[1], inf).toBe(NUM_INFINITE);
  });

  it('parseNumberText gives the same statuses', () => {
    parseNumberText(' 7 ');
    expect(parsed.status).toBe(NUM_OK);
    parseNumberText('NA');
    expect(parsed.status).toBe(NUM_MISSING);
    parseNumberText('x');
    expect(parsed.status).toBe(NUM_TEXT);
  });
});
