// The automatic scaling (config scaling auto): keep the geometry where the columns share one unit, standardize
// where they do not. Pure; the constant is the knob to tune (bench:quality measures it).
//
// Columns share one unit when their spreads are alike: the median standard deviation of the non-constant
// columns is at least SHARED_SPREAD_RATIO of the largest. Pixels (quiet borders beside busy centres still
// leave the median high), counts, embeddings and PCA scores pass; millimetres beside grams (penguins: body mass
// spreads 100 times more than bill depth) do not. Image datasets always share one unit.
// Kept geometry means one offset and one scale for every column (uniform: the data's overall range onto
// [0, 1]), so distances keep their proportions; nothing at all when the values already lie in [0, 1].

/** Median column spread, as a share of the largest, from which the columns count as one unit. */
export const SHARED_SPREAD_RATIO = 0.1;

export interface ScalingChoice {
  kind: 'uniform' | 'standardize';
  reason: string;
  figures: Record<string, number>;
}

/** Chooses the scaling from each column's standard deviation (constant columns have 0). */
export function chooseScaling(sd: ArrayLike<number>, image: boolean): ScalingChoice {
  const spreads = Array.from(sd).filter((s) => s > 0 && Number.isFinite(s)).sort((a, b) => a - b);
  if (image) return { kind: 'uniform', reason: 'an image dataset: every column is a pixel in one unit', figures: {} };
  if (spreads.length === 0) return { kind: 'uniform', reason: 'no column varies', figures: {} };
  const largest = spreads[spreads.length - 1]!;
  const median = spreads[Math.floor((spreads.length - 1) / 2)]!;
  const ratio = median / largest;
  const figures = { medianSd: round(median), largestSd: round(largest), ratio: round(ratio), threshold: SHARED_SPREAD_RATIO };
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
