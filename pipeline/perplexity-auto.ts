// The automatic perplexity (config perplexity auto). Pure; the constants are the knobs (bench:quality measures
// them: `npm run bench:quality -- --datasets mlbench`).
//
// t-SNE's perplexity is the effective number of neighbours each point keeps; 30 is the field's default
// (van der Maaten & Hinton 2008; scikit-learn, openTSNE, FIt-SNE) and stays the default for large maps. On a
// small table it can be a large share of the data: 30 of crabs' 200 rows reach across its four classes
// (species x sex), which lie along one dominant size axis, and the map mixes them (10-NN label accuracy 0.26;
// umap-learn, with 15 neighbours, 0.36). So on labelled maps of at most AUTO_MAX_ROWS rows, t-SNE runs at
// DEFAULT_PERPLEXITY and at SMALL_PERPLEXITY, both maps are measured as the run measures its map
// (trustworthiness against the prepared input, 10-NN label accuracy in the map), and the smaller perplexity is
// kept only when it keeps the input's neighbourhoods as well (trustworthiness within TRUST_TOLERANCE) and its
// map agrees clearly better with the labels (by MIN_ACCURACY_GAIN; crabs in its file's order: trustworthiness 0.9943
// against 0.9954, leave-one-out accuracy 0.755 against 0.695; birthwt: 0.9620 against 0.9702, 0.677 against 0.635). Without
// labels, or beyond AUTO_MAX_ROWS rows (where 30 is a small share and a second t-SNE would cost more), it is 30.

/** The perplexity of every map that is not measured against a smaller one. */
export const DEFAULT_PERPLEXITY = 30;
/** The smaller candidate on small labelled maps. */
export const SMALL_PERPLEXITY = 10;
/** Most rows for which both perplexities are tried. */
export const AUTO_MAX_ROWS = 5000;
/**
 * Largest loss of trustworthiness (against the input) the smaller perplexity may cost: maps this close keep the
 * input's neighbourhoods equally well. 0.01 is about twice the spread of one table's trustworthiness between row
 * orders on tables of 50-200 rows (sd 0.002-0.006; painters 0.010) and issue #11's own tolerance against the peers.
 * It was 0.002 until session 19, which kept 30 wherever 10 cost more than the spread of the largest tables: over
 * 5-20 row orders of 25 labelled tables (bench/QUALITY-NOTES.md, session 19) 0.01 keeps 10 on more orders of
 * eight (birthwt 5 of 10: 5-fold 10-NN label accuracy +0.020, trustworthiness -0.003; state 6 more of 20: +0.006),
 * changes nothing on the others, and costs no table its trustworthiness target; mean +0.0015 label accuracy,
 * -0.0004 trustworthiness.
 */
export const TRUST_TOLERANCE = 0.01;
/**
 * Least gain in label accuracy for which the smaller perplexity is kept. The run's label accuracy is a
 * leave-one-out vote among each row's map neighbours, which favours tighter neighbourhoods wherever rows come
 * in near-copies: vowel's 15 speakers each say every vowel 6 times, and at 10 the map gathered each speaker's
 * repetitions (leave-one-out 0.906 -> 0.919) while separating the vowels worse across speakers (5-fold 0.386
 * -> 0.328). A real gain is larger: crabs 0.670 -> 0.745 (5-fold 0.26 -> 0.385). Over five row orders
 * (bench/quality-seeds.ts, session 12) vowel's gain was 0.013-0.022 and crabs' 0.035-0.080: at 0.02 one order of
 * vowel kept 10 (5-fold 0.339 against 0.422 at 30); at 0.03 crabs keeps 10 on every order and vowel never does.
 * Session 19 saw the same over ten orders: vowel's leave-one-out gain at 10 was 0.013-0.022 on every one and its
 * 5-fold accuracy 0.04-0.10 lower on every one; 0.02 would keep 10 on one (glass would gain 0.007 on the mean).
 */
export const MIN_ACCURACY_GAIN = 0.03;

export interface PerplexityPlan {
  /** Perplexities to run, the default first; one entry when nothing is to be measured. */
  candidates: number[];
  /** Whether the perplexity is chosen automatically (config perplexity auto). */
  auto: boolean;
  /** Why only the default runs (auto without a measurement), for the manifest's choices. */
  reason?: string;
}

/** Which perplexities a run tries; `configured`: the config's perplexity ('auto' or a number). Never throws. */
export function planPerplexity(configured: number | 'auto', rows: number, labelled: boolean): PerplexityPlan {
  if (configured !== 'auto') return { candidates: [configured], auto: false };
  if (!labelled) return { candidates: [DEFAULT_PERPLEXITY], auto: true, reason: `the standard ${DEFAULT_PERPLEXITY}: the run has no labels to compare maps with` };
  if (rows > AUTO_MAX_ROWS) {
    return { candidates: [DEFAULT_PERPLEXITY], auto: true, reason: `the standard ${DEFAULT_PERPLEXITY}: with ${rows.toLocaleString('en-US')} rows (more than ${AUTO_MAX_ROWS.toLocaleString('en-US')}) it is a small share of the data` };
  }
  return { candidates: [DEFAULT_PERPLEXITY, SMALL_PERPLEXITY], auto: true };
}

export interface PerplexityTry {
  perplexity: number;
  /** The map's trustworthiness@k against the prepared input. */
  trustworthiness: number;
  /** The map's k-NN label accuracy; null without labels. */
  labelAccuracy: number | null;
}

/**
 * Picks among measured maps (the default first): a later one wins only when its trustworthiness is within
 * TRUST_TOLERANCE of the best and its label accuracy exceeds the chosen map's by at least MIN_ACCURACY_GAIN. Returns the index and
 * a one-line reason. Throws only on an empty list (a programming error).
 */
export function decidePerplexity(tries: PerplexityTry[]): { index: number; reason: string } {
  if (tries.length === 0) throw new Error('decidePerplexity: no maps to choose from');
  const best = Math.max(...tries.map((t) => t.trustworthiness));
  // accuracies are shares of rows: a gain of exactly MIN_ACCURACY_GAIN (6 of 200 rows) must not fail on rounding
  const EPS = 1e-9;
  const lost = (t: PerplexityTry): number => best - t.trustworthiness;
  let index = 0;
  const refused: string[] = [];
  for (let i = 1; i < tries.length; i++) {
    const t = tries[i]!;
    const chosen = tries[index]!;
    if (t.labelAccuracy === null || chosen.labelAccuracy === null) continue;
    const gain = t.labelAccuracy - chosen.labelAccuracy;
    if (lost(t) > TRUST_TOLERANCE + EPS) refused.push(`${t.perplexity} lost ${lost(t).toFixed(4)} trustworthiness, more than ${TRUST_TOLERANCE}`);
    else if (gain < MIN_ACCURACY_GAIN - EPS) refused.push(`${t.perplexity} agreed with the labels ${gain >= 0 ? 'better by only' : 'worse by'} ${Math.abs(gain).toFixed(3)}, under ${MIN_ACCURACY_GAIN}`);
    else index = i;
  }
  const fig = (t: PerplexityTry): string => `${t.perplexity}: trustworthiness ${t.trustworthiness.toFixed(4)}${t.labelAccuracy !== null ? `, label accuracy ${t.labelAccuracy.toFixed(3)}` : ''}`;
  const all = tries.map(fig).join('; ');
  const c = tries[index]!;
  const reason =
    index === 0
      ? `the standard ${c.perplexity}: no smaller perplexity gave a map that agrees better with the labels (by ${MIN_ACCURACY_GAIN}) at trustworthiness within ${TRUST_TOLERANCE}${refused.length ? ` (${refused.join('; ')})` : ''} (${all})`
      : `${c.perplexity}: its map agrees better with the labels (by ${MIN_ACCURACY_GAIN} or more) at trustworthiness within ${TRUST_TOLERANCE} of the best (${all})`;
  return { index, reason };
}
