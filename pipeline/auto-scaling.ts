// The automatic scaling (config scaling auto): keep the geometry where the columns share one unit, standardize
// where they do not. Pure; the constant is the knob to tune (bench:quality measures it).
//
// Columns share one unit when there are at least SHARED_MIN_COLUMNS varying columns and their spreads are alike:
// the median standard deviation of the non-constant columns is at least SHARED_SPREAD_RATIO of the largest.
// Pixels (quiet borders beside busy centres still leave the median high), counts, embeddings and PCA scores
// pass; millimetres beside grams (penguins: body mass spreads 100 times more than bill depth) do not. A table of
// a few measurements is standardized even when their spreads are alike (iris: four lengths in cm): with so few
// columns, one column's larger spread would decide most of every distance, and analysts compare such tables
// on standardized columns (iris kept in cm scored trustworthiness 0.967 against them). Values already in [0, 1]
// are kept as they are whatever the width (binary cross-entropy fits them).
// Image datasets always share one unit.
// Kept geometry means one offset and one scale for every column (uniform: the data's overall range onto
// [0, 1]), so distances keep their proportions; nothing at all when the values already lie in [0, 1].

/** Median column spread, as a share of the largest, from which the columns count as one unit. */
export const SHARED_SPREAD_RATIO = 0.1;
/** Fewest varying columns that count as one unit (embeddings, pixels, scores are wide; measurement tables narrow). */
export const SHARED_MIN_COLUMNS = 16;

export interface ScalingChoice {
  kind: 'uniform' | 'standardize';
  reason: string;
  figures: Record<string, number>;
}

/**
 * Chooses the scaling from each column's standard deviation (constant columns have 0); `inUnit`: every value
 * already lies in [0, 1] (such data are kept as they are, with binary cross-entropy, however few the columns).
 */
export function chooseScaling(sd: ArrayLike<number>, image: boolean, inUnit = false): ScalingChoice {
  const spreads = Array.from(sd).filter((s) => s > 0 && Number.isFinite(s)).sort((a, b) => a - b);
  if (image) return { kind: 'uniform', reason: 'an image dataset: every column is a pixel in one unit', figures: {} };
  if (spreads.length === 0) return { kind: 'uniform', reason: 'no column varies', figures: {} };
  const largest = spreads[spreads.length - 1]!;
  const median = spreads[Math.floor((spreads.length - 1) / 2)]!;
  const ratio = median / largest;
  const figures = { medianSd: round(median), largestSd: round(largest), ratio: round(ratio), threshold: SHARED_SPREAD_RATIO, columns: spreads.length, minColumns: SHARED_MIN_COLUMNS };
  if (ratio >= SHARED_SPREAD_RATIO && spreads.length < SHARED_MIN_COLUMNS && !inUnit) {
    return {
      kind: 'standardize',
      reason: `a table of ${spreads.length} varying column${spreads.length === 1 ? '' : 's'} (fewer than ${SHARED_MIN_COLUMNS}): each column is standardized, so no one measurement decides the distances`,
      figures,
    };
  }
  return ratio >= SHARED_SPREAD_RATIO
    ? { kind: 'uniform', reason: `the columns share one unit (median spread ${fmt(ratio)} of the largest, at least ${SHARED_SPREAD_RATIO}): the geometry is kept`, figures }
    : { kind: 'standardize', reason: `the columns do not share one unit (median spread ${fmt(ratio)} of the largest, below ${SHARED_SPREAD_RATIO}): each column is standardized`, figures };
}

function round(v: number): number {
  return Number(v.toPrecision(4));
}

function fmt(v: number): string {
  return v < 0.01 ? v.toExponential(1) : v.toFixed(2);
}
