import { describe, expect, it } from 'vitest';
import { categoricalPalette, encodeColumn, OKABE_ITO, packHex, quantile, TOL_QUALITATIVE, unpackHex } from '../../web/src/colors.js';
import { categoryColumn, numberColumn } from '../../web/src/points.js';

describe('colors', () => {
  it('packs hex colors in ImageData byte order (RGBA little-endian) and back', () => {
    const c = packHex('#E69F00');
    const bytes = new Uint8Array(Uint32Array.of(c).buffer);
    expect(Array.from(bytes)).toEqual([0xe6, 0x9f, 0x00, 0xff]);
    expect(unpackHex(c)).toBe('#e69f00');
    expect(packHex('#fff')).toBe(0xffffffff);
    expect(() => packHex('#12')).toThrow(/not a hex color/);
  });

  it('uses Okabe-Ito up to 8 classes, Tol\'s color-blind-safe schemes for 9 to 12, and distinct generated colors beyond', () => {
    expect(categoricalPalette(6)).toEqual(OKABE_ITO.slice(0, 6));
    expect(categoricalPalette(10)).toEqual(TOL_QUALITATIVE[10]);
    expect(categoricalPalette(12)).toEqual(TOL_QUALITATIVE[12]);
    // Tableau 10's red and green (classes 2 and 4 of MNIST) are gone
    expect(categoricalPalette(10)).not.toContain('#E15759');
    expect(categoricalPalette(10)).not.toContain('#59A14F');
    expect(categoricalPalette(13).slice(0, 12)).toEqual(TOL_QUALITATIVE[12]);
    const many = categoricalPalette(40);
    expect(many).toHaveLength(40);
    expect(new Set(many).size).toBe(40);
    for (const c of many) expect(c).toMatch(/^#[0-9a-f]{6}$/i);
  });

  it('colors each row by its category and missing values grey', () => {
    const enc = encodeColumn(categoryColumn('c', ['a', 'b', null, 'a']), 4);
    expect(enc.kind).toBe('category');
    expect(enc.colors[0]).toBe(enc.colors[3]);
    expect(enc.colors[0]).not.toBe(enc.colors[1]);
    expect(unpackHex(enc.colors[2])).toBe('#9a9a9a');
  });

  it('maps numbers through viridis over the 1st-99th percentile, log scale for skewed positive values', () => {
    const v = Float64Array.from({ length: 1000 }, (_, i) => i);
    const lin = encodeColumn(numberColumn('v', v), v.length);
    expect(lin.kind === 'number' && lin.log).toBe(false);
    expect(unpackHex(lin.colors[0])).toBe('#440154'); // viridis start
    expect(unpackHex(lin.colors[999])).toBe('#fde725'); // viridis end
    const skew = Float64Array.from({ length: 1000 }, (_, i) => Math.exp(i / 60));
    const log = encodeColumn(numberColumn('e', skew), skew.length);
    expect(log.kind === 'number' && log.log).toBe(true);
    const withNaN = encodeColumn(numberColumn('n', Float64Array.from([1, NaN, 3])), 3);
    expect(unpackHex(withNaN.colors[1])).toBe('#9a9a9a');
  });

  it('computes quantiles of finite values', () => {
    expect(quantile(Float64Array.from([5, 1, NaN, 3]), 0.5)).toBe(3);
    expect(quantile([], 0.5)).toBeNaN();
  });
});
