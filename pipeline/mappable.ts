// What any input must have before any setting matters: enough rows (min-rows.ts) and at least one feature
// column that varies. prepare() applies both to the rows it keeps (after dropping rows with missing values);
// the server applies them to a file as it arrives (an upload) or is named (a file under a data root), so what
// the CLI refuses is a 400 there too, not a job that fails later.
import { InputError, type InputLocation } from './errors.js';
import { MIN_ROWS, tooFewRows } from './min-rows.js';
import type { Matrix } from './types.js';

/** The refusal for input whose every feature column holds one value (`min`: each column's value). */
export function everyColumnConstant(names: readonly string[], min: ArrayLike<number>, rows: number, where: InputLocation = {}): InputError {
  const shown = names.slice(0, 6).map((nm, c) => `"${nm}" = ${fmt(min[c]!)}`).join(', ');
  return new InputError(`every feature column is constant (${shown}${names.length > 6 ? ', ...' : ''}): all ${rows} rows are the same point, so there is nothing to map`, where);
}

/**
 * Throws tooFewRows for fewer than MIN_ROWS rows, and everyColumnConstant when no feature column of `matrix`
 * (row-major; NaN: missing, ignored) takes two values. A column with no value at all counts as constant.
 */
export function checkMappable(matrix: Matrix, names: readonly string[], where: InputLocation = {}): void {
  const { rows, cols, values } = matrix;
  if (rows < MIN_ROWS) throw tooFewRows(rows, where);
  const first = new Float64Array(cols).fill(NaN);
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) {
      const v = values[r * cols + c]!;
      if (Number.isNaN(v)) continue;
      if (Number.isNaN(first[c]!)) first[c] = v;
      else if (v !== first[c]) return;
    }
  }
  throw everyColumnConstant(names, first, rows, where);
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toPrecision(3);
}
