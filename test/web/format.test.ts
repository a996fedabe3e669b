import { describe, expect, it } from 'vitest';
import { cellText, columnFormat, featurePairFormat, float32Text, formatCount, formatNumber, formatRange, formatRow, formatValue, statsOf, tickFormat, ungroupedColumn } from '../../web/src/format.js';
import type { PointColumn } from '../../web/src/points.js';

const col = (name: string, values: number[]) => {
  const v = Float64Array.from(values);
  return statsOf({ name, values: v, min: Math.min(...values), max: Math.max(...values) });
};

describe('format: one number formatter for the viewer', () => {
  it('writes a year-like integer column without grouping, every value alike (vintage, year)', () => {
    const vintage = col('vintage', [1990, 2001, 2014]);
    expect(ungroupedColumn(vintage)).toBe(true);
    const f = columnFormat(vintage);
    expect(`${f(1990)} / ${f(2014)}`).toBe('1990 / 2014');
    expect(f(2003.25)).toBe('2003.3'); // a brush bound between years
    expect(tickFormat([1990, 2019], 5, col('year', [1990, 2019]))(2000)).toBe('2000');
    // identifiers by name, whatever their range
    expect(columnFormat(col('user_id', [3, 15000]))(12345)).toBe('12345');
  });

  it('groups every value of an ordinary column the same way: no "2,900 – 5979" in one line', () => {
    const mass = col('body_mass_g', [2700, 2900, 5979.5, 6300]);
    expect(ungroupedColumn(mass)).toBe(false);
    const f = columnFormat(mass);
    expect([2900, 5979.4, 2700, 6300].map(f)).toEqual(['2,900', '5,979', '2,700', '6,300']);
    const counts = columnFormat(col('visits', [0, 25000]));
    expect(counts(12500)).toBe('12,500');
    // a small-valued column keeps the decimals its range needs, trailing zeros dropped
    const petal = columnFormat(col('petal_length', [1, 1.45, 6.9]));
    expect([1, 1.45, 6.9].map(petal)).toEqual(['1', '1.45', '6.9']);
  });

  it('ticks without scientific notation for ordinary magnitudes (penguin mass, proline), SI from a million', () => {
    const mass = tickFormat([3000, 5500], 5);
    expect([3000, 4000, 5500].map(mass)).toEqual(['3,000', '4,000', '5,500']);
    const proline = tickFormat([400, 1400], 5);
    expect([400, 1400].map(proline)).toEqual(['400', '1,400']);
    expect(tickFormat([0, 1], 5)(0.4)).toBe('0.4');
    expect(tickFormat([0, 5e6], 5)(2e6)).toBe('2M');
    for (const t of [3000, 5500, 400, 1400]) expect(tickFormat([t / 2, t * 2], 4, null, true)(t)).not.toMatch(/e/);
  });

  it('counts are grouped; single values keep 4 digits; data values as written', () => {
    expect(formatCount(3625)).toBe('3,625');
    expect(formatNumber(3625)).toBe('3,625');
    expect(formatNumber(0.123456)).toBe('0.123');
    expect(formatNumber(12.3456)).toBe('12.35');
    expect(formatNumber(1234567.8)).toBe('1,234,568');
    expect(formatNumber(null)).toBe('—');
    expect(formatValue(2007)).toBe('2007');
  });

  it('writes a feature and its reconstruction in one format, and a point column as its chart does (an outside tester saw "3650" beside "3,995")', () => {
    // penguins' body mass: both grouped
    const mass = featurePairFormat('body_mass_g', 3650);
    expect([mass(3650), mass(3995.2)]).toEqual(['3,650', '3,995']);
    // a year: both as written
    const year = featurePairFormat('year', 2007);
    expect([year(2007), year(2007.34)]).toEqual(['2007', '2007.3']);
    const inRange = featurePairFormat('measured', 1998);
    expect(inRange(1998)).toBe('1998');
    // an identifier by its name, whatever its size
    expect(featurePairFormat('user_id', 123456)(123456)).toBe('123456');
    // small and fractional values as formatNumber
    expect(featurePairFormat('flipper_length_mm', 181)(181)).toBe('181');
    expect(featurePairFormat('bill_depth_mm', 18.7)(18.72)).toBe('18.72');
    // the tooltip and the detail list: a numeric point column in its column's format; text as is
    const columns = [
      { name: 'body_mass_g', kind: 'number', values: new Float64Array([2700, 3650, 6300]), min: 2700, max: 6300 },
      { name: 'year', kind: 'number', values: new Float64Array([2007, 2008, 2009]), min: 2007, max: 2009 },
    ] as unknown as PointColumn[];
    expect(cellText(columns, 'body_mass_g', 3650)).toBe('3,650');
    expect(cellText(columns, 'year', 2008)).toBe('2008');
    expect(cellText(columns, 'species', 'Adelie')).toBe('Adelie');
    expect(cellText(columns, 'not charted', 3650)).toBe('3650');
  });

  it('never groups a row number or a column of row numbers; writes a range with "to", not a dash', () => {
    expect(formatRow(150000)).toBe('150000');
    expect(columnFormat(col('row', [0, 150000]))(150000)).toBe('150000');
    expect(columnFormat(col('source_index', [0, 150000]))(12345)).toBe('12345');
    expect(formatRange(-4.68712, 1.67803)).toBe('-4.687 to 1.678');
    expect(formatRange(1990, 2014, columnFormat(col('year', [1990, 2014])))).toBe('1990 to 2014');
  });

  it('writes negatives with the ASCII hyphen-minus, so a copied value reads back as a number', () => {
    for (const v of [-0.0123, -1.5, -2900, -12345]) {
      expect(formatNumber(v)).toMatch(/^-/);
      expect(Number(formatNumber(v).replace(/,/g, ''))).toBeCloseTo(v, 1);
    }
    const tick = tickFormat([-10, 10], 5);
    expect(tick(-5)).toBe('-5');
  });

  it('writes a float32 value as the shortest decimal that reads back as the same float32', () => {
    expect(float32Text(Math.fround(0.2))).toBe('0.2');
    expect(float32Text(0.20000000298023224)).toBe('0.2');
    expect(float32Text(Math.fround(1 / 3))).toBe('0.33333334');
    for (const v of [Math.fround(Math.PI), Math.fround(1e-7), Math.fround(123456.789), -Math.fround(0.1)]) {
      expect(Math.fround(Number(float32Text(v)))).toBe(v);
    }
    expect(float32Text(NaN)).toBe('NaN');
  });
});
