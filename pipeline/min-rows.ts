// The one rule on how few rows a map can be made of, for every reducer and every map method, stated once.
// t-SNE's affinities need at least 3 neighbours per point (openTSNE and scikit-learn refuse fewer), so a map
// needs 4 rows; prepare() checks it before any reducer runs, after rows with missing values were dropped.
import { InputError, type InputLocation } from './errors.js';

/** Fewest rows a map is made of. */
export const MIN_ROWS = 4;

/** The refusal for `rows` rows (`after` says why there are so few, e.g. "after dropping rows with missing values"). */
export function tooFewRows(rows: number, where: InputLocation = {}, after = ''): InputError {
  const have = rows === 0 ? 'no rows' : rows === 1 ? '1 row' : `${rows} rows`;
  return new InputError(`a map needs at least ${MIN_ROWS} rows; the data ${after ? `${after} ` : ''}has ${have}: add rows`, where);
}
