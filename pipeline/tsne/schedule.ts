// The t-SNE optimization schedule: step size, momentum and exaggeration of each phase and the iterations, as
// the optimizer runs them, with the reason the manifest records (choices.tsneSchedule). Pure.
//
// Early exaggeration (12 for 250 iterations; below 600 rows n / 50, at least 4: see below) from the PCA
// initialization, then plain t-SNE up to 1000 iterations in all; learning rate max(200, n / early exaggeration) in
// both phases (Belkina et al. 2019, Nat. Commun.), momentum 0.5 then 0.8: the schedule of bhtsne and FIt-SNE (and
// openTSNE before 1.0). It was
// measured against the schedules the literature proposes for large maps (`npm run bench:tsne-schedule`, 250,000
// Fashion-MNIST rows, the autoencoder's codes, the same P and initialization for each; trustworthiness and 10-NN
// label accuracy within the run's 10,000-row sample, 10-NN label accuracy over all rows, CPU seconds):
//   this schedule                                          0.9791  0.7660  0.8248  275
//   openTSNE 1.x: n / 12 then n, momentum 0.8, 250 + 500    0.9777  0.7631  0.8227  255
//     (pavlin-policar/openTSNE b68b100, "Switch to lr=N/ex and momentum=.8")
//   exaggeration 2 after the early phase (n / 2), 750        0.9793  0.7671  0.7976  183
//     (Kobak & Berens 2019, Nat. Commun.: exaggeration for very large data sets)
//   early exaggeration for 500 of 1000 iterations          0.9789  0.7648  0.8197  320
//     (Linderman et al. 2019, Nat. Methods, Suppl. Fig. 6; Belkina et al. 2019: a longer early phase)
//   --exaggeration 2 --iterations 750 (this step size)     0.9790  0.7637  0.7978  206
// None keeps neighbourhoods or labels clearly better; exaggeration 2 costs a quarter to a third less at about the
// same trustworthiness and sampled label accuracy but blurs the finest neighbourhoods (all rows: 0.798). Within the
// sample the map already matches the input's own 10-NN vote (0.7642): at this size the sample's 10 nearest are
// about the 250 nearest of all rows, and the shifted images beyond 70,000 rows are harder to tell apart.
// Early exaggeration auto (the default): 12 from 600 rows, n / 50 below (at least 4). The early phase works when
// exaggeration x learning rate is near n (Linderman & Steinerberger 2019; Belkina et al. 2019, whence the rate
// n / 12), but the rate's floor 200 makes it 2,400 at any size below 2,400 rows: 11 n on glass's 214 rows, where the
// map then depends on the row order (10-NN label accuracy 0.575-0.673 over 20 orders). n / 50 keeps it at most 4 n
// (800 on glass; the floor 4 below 200 rows). Over five row orders of bench:quality's 14 tables (quality-seeds,
// bench/QUALITY-NOTES.md session 14) label accuracy +0.0045 on the mean, trustworthiness higher on 13 (breast-cancer
// -0.0004): glass 0.6195 -> 0.6362, iris 0.9560 -> 0.9587, zoo +0.018, crabs +0.025, no table down beyond its seed
// spread (wine -0.007, five-seed sd 0.011); the spread over row orders shrinks (glass sd 0.020 -> 0.004, sonar
// 0.055 -> 0.009). Over 20 orders glass +0.014 (0.6215 -> 0.6354), iris +0.007. Exaggeration 4 at every size loses
// vowel's 990 rows 0.020 over 20 orders, so large tables keep 12.
// Explicit options are obeyed: a learning rate for both phases, iterations, early exaggeration and its length,
// and an exaggeration after the early phase (openTSNE's `exaggeration`: larger packs clusters tighter).

import type { TsneOptions, TsneSchedule } from '../types.js';

/** Momentum during early exaggeration and after it (bhtsne, FIt-SNE). */
export const INITIAL_MOMENTUM = 0.5;
export const FINAL_MOMENTUM = 0.8;
/** The automatic learning rate's floor (bhtsne's 200). */
export const MIN_LEARNING_RATE = 200;
/** Early exaggeration of maps of at least EARLY_EXAGGERATION * ROWS_PER_EXAGGERATION rows (bhtsne, FIt-SNE, openTSNE). */
export const EARLY_EXAGGERATION = 12;
/** Below EARLY_EXAGGERATION * this many rows, early exaggeration auto is n / this (exaggeration x the floor rate <= 4 n). */
export const ROWS_PER_EXAGGERATION = 50;
/** The smallest automatic early exaggeration (the one measured on 100-200 rows). */
export const MIN_EARLY_EXAGGERATION = 4;

/** Early exaggeration auto for n rows: n / 50 between 4 and 12 (see the head of this file). Never throws. */
export function autoEarlyExaggeration(n: number): number {
  return Math.min(EARLY_EXAGGERATION, Math.max(MIN_EARLY_EXAGGERATION, n / ROWS_PER_EXAGGERATION));
}

/** The schedule for n rows: the automatic learning rate and early exaggeration chosen by n, everything else as given. Never throws. */
export function tsneSchedule(n: number, given: Pick<TsneOptions, 'iterations' | 'earlyExaggeration' | 'exaggerationIterations' | 'exaggeration' | 'learningRate'>): TsneSchedule {
  const autoEarly = given.earlyExaggeration === 'auto';
  const o = { ...given, earlyExaggeration: autoEarly ? autoEarlyExaggeration(n) : (given.earlyExaggeration as number) };
  const early = autoEarly
    ? o.earlyExaggeration === EARLY_EXAGGERATION
      ? `early exaggeration ${EARLY_EXAGGERATION}`
      : `early exaggeration ${round2(o.earlyExaggeration)} (auto: n / ${ROWS_PER_EXAGGERATION}, at least ${MIN_EARLY_EXAGGERATION}, below ${(EARLY_EXAGGERATION * ROWS_PER_EXAGGERATION).toLocaleString('en-US')} rows)`
    : `early exaggeration ${o.earlyExaggeration}`;
  const exaggeration = o.exaggeration ?? 1;
  const exaggerationIterations = Math.min(o.exaggerationIterations, o.iterations);
  const learningRate = o.learningRate ?? Math.max(MIN_LEARNING_RATE, n / o.earlyExaggeration);
  const rate = o.learningRate === null ? `max(${MIN_LEARNING_RATE}, n / ${o.earlyExaggeration}) = ${Math.round(learningRate)}` : `${learningRate} (as given)`;
  return {
    iterations: o.iterations,
    earlyExaggeration: o.earlyExaggeration,
    exaggerationIterations,
    exaggeration,
    earlyLearningRate: learningRate,
    learningRate,
    initialMomentum: INITIAL_MOMENTUM,
    finalMomentum: FINAL_MOMENTUM,
    reason:
      `${n.toLocaleString('en-US')} rows: learning rate ${rate} in both phases, momentum ${INITIAL_MOMENTUM} then ${FINAL_MOMENTUM}, ` +
      `${early} for ${exaggerationIterations} of ${o.iterations} iterations` +
      (exaggeration !== 1 ? `, exaggeration ${exaggeration} after it` : '') +
      ' (bhtsne and FIt-SNE; at 250,000 rows none of the large-map schedules of openTSNE 1.x, Kobak & Berens and Linderman et al. kept neighbourhoods or labels clearly better: pipeline/tsne/schedule.ts)',
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
