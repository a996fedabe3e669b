// x^p for the layout's inner loop, where Math.pow costs more than all the rest of a sample's arithmetic
// (V8 computes it with fdlibm's correctly rounded pow, ~50 ns). A table of x^p at 256 points per octave
// over x in [2^-40, 2^40), read by the bits of x as a float32 and interpolated linearly: relative error
// about |p (p - 1)| / 8 * 2^-16 (2e-7 for umap-learn's b - 1 = -0.105), the precision of the float32
// arithmetic umap-learn's layout (numba, fastmath) uses. Outside that range Math.pow answers.
// Deterministic: the table is computed with Math.pow, the lookup with integer and float64 arithmetic.

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Mantissa bits that index the table (2^T entries per octave). */
const T = 8;
const SHIFT = 23 - T;
const FRAC = 1 / (1 << SHIFT);
/** Biased float32 exponents covered: [E0, E1). */
const E0 = 127 - 40;
const E1 = 127 + 40;
const LO = E0 << T;
const HI = E1 << T;

/** The table of x^p for one exponent p. */
export function powTable(p: number): Float64Array {
  const tab = new Float64Array(HI - LO + 1);
  for (let idx = 0; idx <= HI - LO; idx++) {
    const key = idx + LO;
    const e = (key >>> T) - 127;
    const m = 1 + (key & ((1 << T) - 1)) / (1 << T);
    tab[idx] = Math.pow(2, e * p) * Math.pow(m, p);
  }
  return tab;
}

/** x^p for x > 0 from powTable(p). */
export function tablePow(tab: Float64Array, p: number, x: number): number {
  f32[0] = x;
  const bits = u32[0]!;
  const key = bits >>> SHIFT;
  if (key < LO || key >= HI) return Math.pow(x, p);
  const idx = key - LO;
  const lo = tab[idx]!;
  return lo + (bits & ((1 << SHIFT) - 1)) * FRAC * (tab[idx + 1]! - lo);
}
