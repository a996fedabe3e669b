// The automatic scaling (config scaling auto): keep the geometry where the columns are one space, standardize
// where they are separate measurements. Pure; the constants are the knobs to tune (bench:quality measures them,
// on the built-ins, scikit-learn's tables and nine UCI tables: `npm run bench:quality -- --datasets mlbench`).
//
// In order:
// - Image datasets keep their geometry: every column is a pixel in one unit.
// - Columns in different units are standardized: the median spread (standard deviation) of the varying columns
//   is below SHARED_SPREAD_RATIO of the largest (penguins: body mass spreads 100 times more than bill depth).
// - A table of a few measurements (fewer than SHARED_MIN_COLUMNS varying columns) is standardized even when
//   their spreads are alike (iris: four lengths in cm): with so few columns, one column's larger spread would
//   decide most of every distance, and analysts compare such tables on standardized columns (iris kept in cm
//   scored trustworthiness 0.967 against them, standardized 0.990). Values already in [0, 1] are the exception
//   (proportions, probabilities: binary cross-entropy fits them); they go on to the rules below.
// - Two-valued columns (0/1 indicators, truth values) beside measurements are standardized: an indicator and a
//   count of legs are not one unit, whatever their spreads (a quarter or more of the varying columns take only
//   two values, and at least one column takes more; zoo: 15 truth values and legs 0-8, kept 0.943 / 0.801,
//   standardized as scikit-learn and umap-learn are judged). Columns that all take two values (votes, DNA
//   indicators) are one unit and go on to the rules below.
// - Wider data keep their geometry when standardizing could only harm it:
//   - the spreads are alike (the smallest at least ALIKE_SPREAD_RATIO of the largest): standardizing would
//     change little, and keeping the unit keeps distances as the user measured them;
//   - the data are sparse (at least SPARSE_SHARE of all values sit at their column's minimum: background pixels,
//     zero counts): standardizing would magnify the rare values of the quiet columns into outliers;
//   - the columns are centred coordinates (the median column mean is within CENTRED_MEAN_SD standard
//     deviations of 0: PCA scores, embeddings): their unequal spreads are the geometry (standardizing PCA
//     scores whitens them; Fashion-MNIST PCA-50 lost trustworthiness 0.993 -> 0.963 that way).
// - Otherwise the columns are separate measurements in one unit whose spreads differ (sonar: 60 band energies
//   in [0, 1] with spreads from 0.005 to 0.27): each column is standardized, as for any table.
// Kept geometry means one offset and one scale for every column (uniform: the data's overall range onto
// [0, 1]), so distances keep their proportions; nothing at all when the values already lie in [0, 1].

/** Median column spread, as a share of the largest, from which the columns count as one unit. */
export const SHARED_SPREAD_RATIO = 0.1;
/** Fewest varying columns that count as one space (embeddings, pixels, scores are wide; measurement tables narrow). */
export const SHARED_MIN_COLUMNS = 16;
/** Smallest column spread, as a share of the largest, from which spreads count as alike. */
export const ALIKE_SPREAD_RATIO = 0.1;
/** Share of the varying columns taking two values from which two-valued columns beside others count as mixed kinds. */
export const TWO_VALUED_SHARE = 0.25;
/** Share of all values at their column's minimum from which data count as sparse. */
export const SPARSE_SHARE = 0.25;
/** Median |column mean| / column spread up to which columns count as centred coordinates. */
export const CENTRED_MEAN_SD = 0.5;

/** Per-column statistics of the prepared values (before scaling), length = columns each. */
export interface ColumnSpread {
  /** Standard deviation; 0 for a constant column. */
  sd: ArrayLike<number>;
  /** Mean. */
  mean: ArrayLike<number>;
  /** Share of the rows (0..1) whose value equals the column's minimum. */
  atMin: ArrayLike<number>;
  /**
   * Share of the rows (0..1) whose value equals the column's maximum (a varying column whose shares at its
   * minimum and maximum sum to 1 takes two values). Optional: without it no column counts as two-valued.
   */
  atMax?: ArrayLike<number>;
}

export interface ScalingChoice {
  kind: 'uniform' | 'standardize';
  reason: string;
  figures: Record<string, number>;
}

/**
 * Chooses the scaling from the columns' statistics; `image`: the dataset is an image dataset; `inUnit`: every
 * value already lies in [0, 1]; `names`: the columns' names (the reason then names the widest-spread column).
 * Never throws.
 */
export function chooseScaling(stats: ColumnSpread, image: boolean, inUnit = false, names: readonly string[] = []): ScalingChoice {
  if (image) return { kind: 'uniform', reason: 'an image dataset: every column is a pixel in one unit', figures: {} };
  const varying: number[] = [];
  for (let c = 0; c < stats.sd.length; c++) {
    const s = stats.sd[c]!;
    if (s > 0 && Number.isFinite(s)) varying.push(c);
  }
  if (varying.length === 0) return { kind: 'uniform', reason: 'no column varies', figures: {} };
  const spreads = varying.map((c) => stats.sd[c]!).sort((a, b) => a - b);
  const largest = spreads[spreads.length - 1]!;
  const median = spreads[Math.floor((spreads.length - 1) / 2)]!;
  const ratio = median / largest;
  const smallestRatio = spreads[0]! / largest;
  let atMin = 0;
  for (let c = 0; c < stats.atMin.length; c++) atMin += stats.atMin[c]!;
  const sparse = atMin / stats.atMin.length;
  const centred = medianOf(varying.map((c) => Math.abs(stats.mean[c]!) / stats.sd[c]!));
  const atMax = stats.atMax;
  const twoValued = atMax ? varying.filter((c) => stats.atMin[c]! + atMax[c]! > 1 - 1e-9).length : 0;
  const figures = {
    medianSd: round(median),
    largestSd: round(largest),
    ratio: round(ratio),
    threshold: SHARED_SPREAD_RATIO,
    smallestRatio: round(smallestRatio),
    atMinimum: round(sparse),
    meanOverSd: round(centred),
    columns: spreads.length,
    minColumns: SHARED_MIN_COLUMNS,
    twoValued,
  };
  const standardize = (reason: string): ScalingChoice => ({ kind: 'standardize', reason, figures });
  const keep = (reason: string): ScalingChoice => ({ kind: 'uniform', reason, figures });
  if (ratio < SHARED_SPREAD_RATIO) {
    // the widest column, named: a label or an identifier read as a feature shows here (a 0-9 "digit" among pixels)
    const widest = varying.reduce((a, c) => (stats.sd[c]! > stats.sd[a]! ? c : a), varying[0]!);
    const next = spreads.length > 1 ? spreads[spreads.length - 2]! : null;
    const which = names[widest] !== undefined ? `; the largest is column ${JSON.stringify(names[widest])}'s, sd ${fmt(largest)}${next !== null ? `, the next ${fmt(next)}` : ''}` : '';
    return standardize(`the columns do not share one unit (median spread ${fmt(ratio)} of the largest, below ${SHARED_SPREAD_RATIO}${which}): each column is standardized`);
  }
  if (spreads.length < SHARED_MIN_COLUMNS && !inUnit) {
    return standardize(
      `a table of ${spreads.length} varying column${spreads.length === 1 ? '' : 's'} (fewer than ${SHARED_MIN_COLUMNS}): each column is standardized, so no one measurement decides the distances`,
    );
  }
  if (twoValued >= TWO_VALUED_SHARE * spreads.length && twoValued < spreads.length) {
    return standardize(
      `${twoValued} of the ${spreads.length} varying columns take two values (indicators, truth values) beside columns of measurements, which are not one unit: each column is standardized`,
    );
  }
  const unit = `the columns share one unit (median spread ${fmt(ratio)} of the largest)`;
  if (smallestRatio >= ALIKE_SPREAD_RATIO) return keep(`${unit} and their spreads are alike (the smallest ${fmt(smallestRatio)} of the largest): the geometry is kept`);
  if (sparse >= SPARSE_SHARE) {
    return keep(`${unit} and ${pct(sparse)} of the values sit at their column's minimum (pixels on a background, counts): the geometry is kept, as standardizing would magnify the quiet columns' rare values`);
  }
  if (centred <= CENTRED_MEAN_SD) {
    return keep(`${unit} and the columns are centred coordinates (median |mean| ${fmt(centred)} standard deviations, as PCA scores and embeddings): their unequal spreads are the geometry, kept`);
  }
  return standardize(
    `the columns share one unit but are separate measurements whose spreads differ (the smallest ${fmt(smallestRatio)} of the largest; neither sparse nor centred): each column is standardized`,
  );
}

function medianOf(v: number[]): number {
  if (v.length === 0) return 0;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor((s.length - 1) / 2)]!;
}

function round(v: number): number {
  return Number(v.toPrecision(4));
}

function fmt(v: number): string {
  return v < 0.01 ? v.toExponential(1) : v.toFixed(2);
}

function pct(v: number): string {
  return `${Math.round(v * 100)}%`;
}
