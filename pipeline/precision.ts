// Large magnitudes before 32-bit training. A feature whose values float32 cannot hold (epoch-millisecond
// timestamps: 1.7e12, where float32 steps by 131,072) arrives with its float64 values (Dataset.precise); it is
// centred in float64 (its mean subtracted) before it is narrowed, so values one second apart stay apart, and
// the shift is folded into the saved preprocessing, which stays in the input's units for new rows. Float32 values
// written out as text take the fewest digits that read back to the same float32 (shortestFloat32).
import type { Dataset, Preprocessing } from './types.js';

export interface Centred {
  /** The dataset with each precise column replaced by (value - shift), in float32. */
  dataset: Dataset;
  /** Per feature column: the float64 shift subtracted (0 for the others). */
  shifts: Float64Array;
  notes: string[];
}

export function centrePrecise(dataset: Dataset): Centred | null {
  const precise = dataset.precise;
  if (!precise || precise.size === 0) return null;
  const { rows, cols } = dataset.matrix;
  const values = dataset.matrix.values.slice();
  const shifts = new Float64Array(cols);
  const names: string[] = [];
  for (const [c, wide] of precise) {
    let sum = 0;
    let n = 0;
    for (let r = 0; r < rows; r++) {
      const v = wide[r]!;
      if (v === v) {
        sum += v;
        n++;
      }
    }
    const shift = n > 0 ? Math.round(sum / n) : 0;
    shifts[c] = shift;
    for (let r = 0; r < rows; r++) values[r * cols + c] = wide[r]! - shift;
    names.push(`"${dataset.columns[c]}" (around ${shift.toPrecision(4)})`);
  }
  const note = `${names.join(', ')} ${names.length === 1 ? 'holds values' : 'hold values'} too large for 32-bit floats to keep apart: centred in 64-bit before scaling`;
  return { dataset: { ...dataset, matrix: { rows, cols, values } }, shifts, notes: [note] };
}

/** Preprocessing of centred columns expressed in the input's own units (the shift added back to offset and fill). */
export function uncentre(p: Preprocessing, shifts: Float64Array): Preprocessing {
  return {
    ...p,
    offset: p.offset.map((o, c) => o + shifts[c]!),
    ...(p.fill ? { fill: p.fill.map((f, c) => f + shifts[c]!) } : {}),
  };
}

/** The shortest decimal that Math.fround maps back to v (v must be a float32 value). */
export function shortestFloat32(v: number): number {
  if (!Number.isFinite(v)) return v;
  for (let p = 6; p < 9; p++) {
    const c = Number(v.toPrecision(p));
    if (Math.fround(c) === v) return c;
  }
  return Number(v.toPrecision(9));
}
