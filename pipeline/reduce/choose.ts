// Fits the run's reducer: the configured one, or under reducer auto the one that measures best.
//
// Auto, by measurement. PCA is fitted whenever it can reduce (it costs little); the autoencoder when reducing can
// pay for itself here (rows x width at least REDUCE_MIN_VALUES and the width at least REDUCE_MIN_RATIO x the
// code), there are at least AE_MIN_ROWS rows, and PCA does not already keep (nearly) every neighbourhood
// (AE_SKIP_ABOVE: the input is then (nearly) linear and training could only cost time). Each candidate's codes
// are compared with the prepared input on a held-out sample of at most AUTO_SAMPLE rows (the autoencoder's
// validation rows, which it never trained on, when there are HELD_OUT_MIN of them; else a seeded sample of all rows):
// trustworthiness@10, kNN preservation, and, when the run has labels, the 10-NN label agreement of the codes and
// how often a row's 10 nearest sampled neighbours share its label, in the codes and in the input.
// - Where the two rules below would keep the prepared columns, PCA is used when its code denoises them (t-SNE
//   on the columns would follow noise the code drops), even though reducing does not pay or keeps less than
//   KEEP_MIN. With labels, the labels say so: a sampled row's k nearest sampled neighbours share its label more
//   often in PCA's codes than in the input, by more than DENOISE_Z standard errors of the paired difference over
//   the sampled rows, and the codes leave out at least DENOISE_MIN_CUT of the input's neighbours with another label
//   (bench/QUALITY-NOTES.md, session 17: mlbench's DNA, 180 0/1 columns, +0.075 at 10 standard errors, a cut of
//   0.198, and its t-SNE maps on PCA-32 gain 0.059 label accuracy over 13 seeds). Without labels, the spectrum
//   says so: the code keeps less than NOISE_SHARE_MIN of the variance and the rest spreads over at least as many
//   components as the code holds (none larger than the smallest kept one: a flat bulk, as independent noise in
//   many columns gives, not a few strong directions PCA would lose). Width alone never decides.
// - When no reducer can pay for itself, none: t-SNE on the prepared columns costs no more than on codes and
//   keeps every neighbourhood a reducer could only lose.
// - Below KEEP_MIN trustworthiness every reducer loses too much and none is used.
// - Else, of the candidates within TRUST_TOLERANCE of the best trustworthiness (they keep the input's
//   neighbourhoods equally well), the one whose codes agree best with the labels; without labels, the
//   autoencoder (a trained autoencoder's codes give maps as trustworthy as PCA's with classes better apart on
//   image-like data: bench/QUALITY-NOTES.md), else the most trustworthy.
// Every figure, the time each candidate took and the reason go to the log and to manifest choices.reducer.
import { performance } from 'node:perf_hooks';
import { defaultConfig } from '../config.js';
import { InputError, throwIfAborted } from '../errors.js';
import { graphLabelAccuracy, rowLabelShares, sampleRows, neighbourPreservation } from '../metrics.js';
import { leastSampleRows, sampleQuality } from '../metrics-sample.js';
import { deriveSeed } from '../random.js';
import { knn } from '../tsne/index.js';
import type { Choice, ImageShape, Matrix, NeighborGraph, Preprocessing, ReducerName, StageHooks } from '../types.js';
import { resolveShiftOf } from './auto-augment.js';
import { resolveShape } from './auto-size.js';
import { REDUCERS } from './index.js';
import type { FitSettings, Reducer } from './reducer.js';

/** Most held-out rows on which the candidates' codes are compared with the input. */
export const AUTO_SAMPLE = 1000;
/** rows x width from which reducing the input before t-SNE pays for itself (the neighbour search's cost). */
export const REDUCE_MIN_VALUES = 1_000_000;
/** width / code size from which reducing pays for itself. */
export const REDUCE_MIN_RATIO = 2;
/** Trustworthiness@10 of the codes against the input (on the sample) a reducer must reach to be used. */
export const KEEP_MIN = 0.97;
/** Fewest rows to train an autoencoder candidate on. */
export const AE_MIN_ROWS = 1000;
/**
 * When PCA keeps at least this trustworthiness, the input is (nearly) linear: the autoencoder could not keep more,
 * and its training is most of a run's time, so it is not trained as a candidate.
 */
export const AE_SKIP_ABOVE = 0.999;
/**
 * Candidates whose trustworthiness is within this of the best keep the input's neighbourhoods equally well
 * (the spread of the figure between seeds on a 1,000-row sample is of this order); the labels, or the
 * autoencoder's better-separated codes, decide among them.
 */
export const TRUST_TOLERANCE = 0.005;
/** Fewest held-out rows to measure on; with fewer, a seeded sample of all rows is used (and the figures say so). */
export const HELD_OUT_MIN = 300;
/**
 * PCA denoises, by the labels, when its codes leave at least this share of the input's neighbours that carry
 * another label out (on the mean over the sampled rows: gain / (1 - the input's share))... The 1,000-row slices
 * of MNIST and Fashion-MNIST gain 0.067 and 0.041 of it (5 and 3.5 standard errors) and their maps do not gain
 * (Fashion-MNIST's lose 0.008 label accuracy); ionosphere's 0.116 and DNA's 0.198 do (bench/QUALITY-NOTES.md,
 * session 17). It also keeps the decision from flipping between row orders where PCA and the input agree
 * (satellite, digits: +0.002, standard error 0.001, on some row orders).
 */
export const DENOISE_MIN_CUT = 0.1;
/** ...and by more than this many standard errors of the paired per-row difference (the sample's noise). */
export const DENOISE_Z = 2;
/**
 * PCA denoises, without labels, when its code keeps less than this share of the variance (what it leaves out
 * then weighs more in every distance than what it keeps) and the rest spreads over at least as many components
 * as the code holds.
 */
export const NOISE_SHARE_MIN = 0.5;
/** Neighbourhood size of the measurement. */
const K = 10;

/** The configuration keys that shape or train the autoencoder (used only when it makes the codes). */
export const AUTOENCODER_KEYS = [
  'variant', 'layers', 'activation', 'loss', 'optimizer', 'epochs', 'batchSize', 'learningRate', 'validationSplit', 'patience',
  'sparsityPenalty', 'sparsityWeight', 'sparsityTarget', 'noise', 'noiseStd', 'noiseFraction', 'klWeight', 'augmentShift',
] as const;

export interface FittedRunReducer {
  reducer: Reducer;
  /** choices.reducer, choices.codeSize, choices.layers */
  choices: Record<string, Choice>;
}

interface Measured {
  name: ReducerName;
  reducer: Reducer;
  seconds: number;
  trustworthiness: number;
  knnPreservation: number;
  /** 10-NN label agreement of the codes on the sample; null without labels. */
  labelAgreement: number | null;
  /** How often the sampled rows' nearest neighbours share their label, in the codes and in the input; null without labels. */
  labelShare: LabelShare | null;
}

/** What fitRunReducer needs besides the fit settings. */
export interface RunReducerSettings extends Omit<FitSettings, 'codeSize' | 'layers' | 'epochs' | 'learningRate'> {
  /** Labels of the prepared rows (aligned with x), when the run has a label column: auto measures the codes' agreement with them. */
  labels?: ArrayLike<string | number | null> | null;
  /** The loader's image shape (null or absent: the rows are not images) and the scaling prepare applied: augmentShift needs them. */
  image?: ImageShape | null;
  scaling?: Preprocessing['kind'] | null;
}

/**
 * Fits the reducer of a run on the prepared rows x. `settings.codeSize`/`layers` may be auto.
 * Throws InputError when an explicit setting cannot fit the data; auto choices never fail.
 */
export async function fitRunReducer(
  x: Matrix,
  settings: RunReducerSettings,
  hooks: StageHooks & { log?: (m: string) => void } = {},
): Promise<FittedRunReducer> {
  const { config, labels = null, image = null, scaling = null, ...fitRest } = settings;
  const log = hooks.log ?? (() => {});
  const shape = resolveShape(config, x.cols, x.rows);
  // the autoencoder's input augmentation: resolved (and an explicit one checked) only where an autoencoder may train
  const usesAutoencoder = config.reducer === 'autoencoder' || config.reducer === 'auto';
  const augment = usesAutoencoder
    ? resolveShiftOf(config.augmentShift, x, image, scaling)
    : null;
  const shapeChoices: Record<string, Choice> = { ...shape.choices, ...(augment ? { augmentShift: augment.choice } : {}) };
  const fit: FitSettings = {
    ...fitRest,
    config,
    codeSize: shape.codeSize,
    layers: shape.layers,
    epochs: shape.epochs,
    learningRate: shape.learningRate,
    shift: augment?.shift ?? null,
  };
  // the autoencoder options that differ from their defaults (said unused when auto chooses another reducer)
  const defaults = defaultConfig();
  const aeSet = AUTOENCODER_KEYS.filter((key) => JSON.stringify(config[key]) !== JSON.stringify(defaults[key]));

  if (config.reducer !== 'auto') {
    checkExplicitCodeSize(config.codeSize, config.reducer, x);
    if (augment) log(`augment shift ${String(augment.choice.value)}: ${augment.choice.reason}`);
    const reducer = await REDUCERS[config.reducer].fit(x, fit, hooks);
    return {
      reducer,
      choices: { reducer: { value: config.reducer, auto: false, reason: 'set in the configuration' }, ...shapeChoices },
    };
  }
  if (config.codeSize !== 'auto') checkExplicitCodeSize(config.codeSize, 'autoencoder', x);

  const values = x.rows * x.cols;
  const pays = values >= REDUCE_MIN_VALUES && x.cols >= REDUCE_MIN_RATIO * shape.codeSize;
  const canReduce = x.cols >= 2 && shape.codeSize < x.cols && x.rows >= 4;

  // fit the candidates
  const fitted: { name: ReducerName; reducer: Reducer; seconds: number }[] = [];
  const failures: string[] = [];
  const consider = async (name: ReducerName): Promise<void> => {
    const t0 = performance.now();
    try {
      // the autoencoder candidate's training reports the train stage; PCA's fit before it would make that progress
      // run backwards (0.9, then the autoencoder's 0), so a PCA candidate fits quietly
      const own = name === 'pca' ? { ...hooks, onProgress: undefined } : hooks;
      fitted.push({ name, reducer: await REDUCERS[name].fit(x, fit, own), seconds: (performance.now() - t0) / 1000 });
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      failures.push(`${name} failed: ${(err as Error).message}`);
      log(`auto reducer: ${name} failed: ${(err as Error).message}`);
    }
    throwIfAborted(hooks.signal);
  };
  // PCA's trustworthiness decides whether the autoencoder is worth training: measured on a seeded sample first
  const firstSample = sampleRows(x.rows, Math.min(x.rows, AUTO_SAMPLE), deriveSeed(config.seed, 'auto-reducer'));
  if (canReduce) await consider('pca');
  let aeSkipped: string | null = null;
  if (canReduce && pays && x.rows >= AE_MIN_ROWS) {
    const pca = fitted.find((f) => f.name === 'pca');
    const pcaTrust = pca ? trustOn(sampleSpace(x, firstSample), pca.reducer) : NaN;
    if (pcaTrust >= AE_SKIP_ABOVE) {
      aeSkipped = `not trained: PCA already keeps trustworthiness ${pcaTrust.toFixed(4)} (at least ${AE_SKIP_ABOVE}), so the input is nearly linear`;
      log(`auto reducer: autoencoder ${aeSkipped}`);
    } else await consider('autoencoder');
  }

  // measure them on the same held-out rows
  const heldOut = fitted.find((f) => (f.reducer.report.heldOutRows?.length ?? 0) >= HELD_OUT_MIN)?.reducer.report.heldOutRows;
  const sample = heldOut
    ? heldOut.length > AUTO_SAMPLE
      ? Int32Array.from(sampleRows(heldOut.length, AUTO_SAMPLE, deriveSeed(config.seed, 'auto-reducer')), (i) => heldOut[i]!).sort()
      : heldOut
    : firstSample;
  const sampleLabels = labels ? Array.from(sample, (i) => labels[i] ?? null) : null;
  const labelled = sampleLabels ? new Set(sampleLabels.filter((v) => v !== null && !(typeof v === 'number' && Number.isNaN(v)))).size >= 2 : false;
  const space = sampleSpace(x, sample);
  // the input's own neighbour label shares on the sample, which each candidate's are compared with row by row
  const inputShares = labelled && space.xs.rows > space.k ? rowLabelShares(space.inputGraph(), sampleLabels!) : null;
  const measured: Measured[] = fitted.map((f) => {
    const { shares, ...kept } = keptOn(space, f.reducer, labelled ? sampleLabels : null);
    const labelShare = shares && inputShares ? pairedShare(shares, inputShares) : null;
    log(
      `auto reducer: ${f.reducer.report.description} keeps trustworthiness ${kept.trustworthiness.toFixed(4)}, kNN preservation ${kept.knnPreservation.toFixed(3)}` +
        (kept.labelAgreement !== null ? `, label agreement ${kept.labelAgreement.toFixed(3)}` : '') +
        (labelShare ? `, neighbours sharing the label ${labelShare.codes.toFixed(3)} (input ${labelShare.input.toFixed(3)}, se of the difference ${labelShare.se.toFixed(4)})` : '') +
        ` on ${sample.length} ${heldOut ? 'held-out ' : ''}rows (${f.seconds.toFixed(1)} s to fit)`,
    );
    return { name: f.name, reducer: f.reducer, seconds: f.seconds, ...kept, labelShare };
  });
  const pcaFitted = fitted.find((f) => f.name === 'pca');
  const spectrum = pcaFitted ? leftOutOf(pcaFitted.reducer) : null;

  const figures: Record<string, unknown> = {
    rows: x.rows,
    columns: x.cols,
    codeSize: shape.codeSize,
    sampleRows: sample.length,
    sample: heldOut ? 'the autoencoder\'s validation rows (never trained on)' : 'a seeded sample of all rows',
    k: Math.max(1, Math.min(K, sample.length - 1)),
    candidates: Object.fromEntries(
      measured.map((m) => [
        m.name,
        {
          trustworthiness: round(m.trustworthiness),
          knnPreservation: round(m.knnPreservation),
          ...(m.labelAgreement !== null ? { labelAgreement: round(m.labelAgreement) } : {}),
          ...(m.labelShare ? { labelShare: round(m.labelShare.codes), inputLabelShare: round(m.labelShare.input), labelShareSe: round(m.labelShare.se) } : {}),
          seconds: round(m.seconds),
          ...trainingFacts(m.reducer),
        },
      ]),
    ),
    ...(failures.length ? { failures } : {}),
    ...(aeSkipped ? { autoencoder: aeSkipped } : {}),
    ...(spectrum ? { pcaLeftOut: { varianceShare: round(spectrum.share), components: round(spectrum.components) } } : {}),
    thresholds: {
      keepMin: KEEP_MIN,
      denoiseMinCut: DENOISE_MIN_CUT,
      denoiseZ: DENOISE_Z,
      noiseShareMin: NOISE_SHARE_MIN,
      trustTolerance: TRUST_TOLERANCE,
      reduceMinValues: REDUCE_MIN_VALUES,
      reduceMinRatio: REDUCE_MIN_RATIO,
      aeMinRows: AE_MIN_ROWS,
      aeSkipAbove: AE_SKIP_ABOVE,
    },
  };
  const decision = decideReducer(measured, { rows: x.rows, columns: x.cols, codeSize: shape.codeSize, canReduce, pays, labelled, aeSkipped, pcaLeftOut: spectrum });
  const chosen = decision.name === 'none' ? null : measured.find((m) => m.name === decision.name)!;
  const reason = decision.reason;
  for (const m of measured) if (m !== chosen) m.reducer.dispose();
  const name: ReducerName = chosen ? chosen.name : 'none';
  const reducer = chosen ? chosen.reducer : await REDUCERS.none.fit(x, fit, hooks);
  figures.autoencoderOptionsUsed = name === 'autoencoder';
  if (aeSet.length > 0 && name !== 'autoencoder') figures.unusedOptions = aeSet;
  log(`auto reducer: ${name}: ${reason}`);
  if (aeSet.length > 0 && name !== 'autoencoder') log(`the autoencoder options ${aeSet.join(', ')} were not used: auto chose ${name}`);
  // the shift applies to the autoencoder's training only: said in the log when one trained, and marked unused when none was chosen
  if (augment) {
    const trained = fitted.some((f) => f.name === 'autoencoder');
    if (trained) log(`augment shift ${String(augment.choice.value)}: ${augment.choice.reason}`);
    if (name !== 'autoencoder') {
      const why = trained ? `auto chose ${name}, not the autoencoder it was for` : `no autoencoder was trained (auto chose ${name})`;
      shapeChoices.augmentShift = { ...augment.choice, reason: `${augment.choice.reason} (not used: ${why})` };
    }
  }
  return { reducer, choices: { reducer: { value: name, auto: true, reason, figures }, ...shapeChoices } };
}

/**
 * How a trained candidate trained (epochs run, the best one kept, trainer, threads, and its notes: a fallback to
 * one thread or to tfjs), for manifest choices.reducer.figures: a candidate auto did not choose is disposed, and
 * these facts are what tells two runs of one seed apart when their candidates differ. Empty for PCA.
 */
function trainingFacts(reducer: Reducer): { training?: Record<string, unknown> } {
  const r = reducer.report.reconstruction as Record<string, unknown> | null | undefined;
  if (!r || reducer.report.history.length === 0) return {};
  const facts: Record<string, unknown> = { epochs: reducer.report.history.length };
  for (const key of ['bestEpoch', 'trainer', 'workers', 'notes']) if (r[key] !== undefined && r[key] !== null) facts[key] = r[key];
  if (reducer.report.notes.length) facts.backendNotes = reducer.report.notes;
  return { training: facts };
}

/**
 * How often the sampled rows' nearest sampled neighbours share the row's label: per row the share of its k
 * neighbours (those with a label) that carry its label, averaged over the labelled sampled rows; in a candidate's
 * codes and in the input, on the same rows.
 */
export interface LabelShare {
  codes: number;
  input: number;
  /** codes - input: the mean of the per-row differences */
  gain: number;
  /** standard error of that mean (the per-row differences' sd / sqrt(rows)) */
  se: number;
}

/** A measured candidate, as decideReducer sees it. */
export interface CandidateFigures {
  name: ReducerName;
  trustworthiness: number;
  /** null without labels */
  labelAgreement: number | null;
  /** null or absent without labels */
  labelShare?: LabelShare | null;
}

/** What decideReducer needs to know of the input besides the candidates' figures. */
export interface DecisionContext {
  rows: number;
  columns: number;
  codeSize: number;
  /** a code of codeSize would reduce the input at all */
  canReduce: boolean;
  /** reducing pays for itself (REDUCE_MIN_VALUES, REDUCE_MIN_RATIO) */
  pays: boolean;
  /** the sample has labels of at least two classes (candidates then carry labelAgreement) */
  labelled: boolean;
  /** why the autoencoder was not trained, when it was not */
  aeSkipped: string | null;
  /**
   * What PCA's code leaves out: the share of the total variance outside its components, and the fewest components
   * that share needs when none is larger than the smallest kept one (left-out variance / smallest kept
   * component's). Null or absent when PCA was not fitted.
   */
  pcaLeftOut?: { share: number; components: number } | null;
}

/**
 * The rule of reducer auto (see the head of this file), pure: the reducer to use and one sentence saying why,
 * with the figures it decided on. Never throws; 'none' when no candidate qualifies.
 */
export function decideReducer(measured: readonly CandidateFigures[], ctx: DecisionContext): { name: ReducerName; reason: string } {
  const { rows, columns, codeSize } = ctx;
  const best = [...measured].sort((a, b) => b.trustworthiness - a.trustworthiness)[0];
  if (!ctx.canReduce) {
    return { name: 'none', reason: `the input has ${columns} column${columns === 1 ? '' : 's'}; a code of ${codeSize} would not reduce it, so t-SNE runs on the prepared columns` };
  }
  // where the rule below would keep the prepared columns, PCA is taken when it denoises them
  const pca = measured.find((m) => m.name === 'pca');
  const denoise = pca ? denoiseCheck(pca, ctx) : null;
  const why = denoise ? `; ${denoise.reason}` : '';
  if ((!ctx.pays || !best || best.trustworthiness < KEEP_MIN) && denoise?.denoises) return { name: 'pca', reason: denoise.reason };
  if (!ctx.pays) {
    const values = rows * columns;
    return {
      name: 'none',
      reason:
        `t-SNE on the ${columns} prepared columns costs little here (${rows} x ${columns} = ${values.toLocaleString('en-US')} values, ` +
        `below ${REDUCE_MIN_VALUES.toLocaleString('en-US')}${columns < REDUCE_MIN_RATIO * codeSize ? `, or under ${REDUCE_MIN_RATIO} x the code size` : ''}), ` +
        `and keeps every neighbourhood${best ? `; ${best.name} would keep trustworthiness ${best.trustworthiness.toFixed(4)}` : ''}${why}`,
    };
  }
  if (!best || best.trustworthiness < KEEP_MIN) {
    return {
      name: 'none',
      reason: best
        ? `the best reducer (${best.name}) keeps trustworthiness ${best.trustworthiness.toFixed(4)} of the input's neighbourhoods, below ${KEEP_MIN}: t-SNE runs on the prepared columns${why}`
        : 'no reducer could be fitted: t-SNE runs on the prepared columns',
    };
  }
  const near = measured.filter((m) => m.trustworthiness >= best.trustworthiness - TRUST_TOLERANCE);
  const narrower = ` with ${columns / codeSize >= 10 ? 'a far' : 'a'} narrower input for t-SNE (${codeSize} of ${columns} columns)`;
  const trustOf = (m: CandidateFigures): string => `${m.name} ${m.trustworthiness.toFixed(4)}`;
  const equally = `${near.map(trustOf).join(' and ')} keep the input's neighbourhoods equally well (trustworthiness within ${TRUST_TOLERANCE}); `;
  if (near.length === 1) {
    const other = measured.find((m) => m !== best);
    return {
      name: best.name,
      reason:
        `${best.name} keeps trustworthiness ${best.trustworthiness.toFixed(4)} of the input's neighbourhoods (at least ${KEEP_MIN})` +
        (other ? ` against ${other.trustworthiness.toFixed(4)} for ${other.name}, more than ${TRUST_TOLERANCE} apart` : ctx.aeSkipped ? ` (the autoencoder was ${ctx.aeSkipped})` : '') +
        narrower,
    };
  }
  if (ctx.labelled) {
    // the labels decide: the codes whose neighbours share the row's label most often (the autoencoder on a tie)
    const chosen = [...near].sort((a, b) => (b.labelAgreement ?? 0) - (a.labelAgreement ?? 0) || (a.name === 'autoencoder' ? -1 : 1))[0]!;
    const other = near.find((m) => m !== chosen)!;
    return {
      name: chosen.name,
      reason:
        equally +
        `${chosen.name}'s codes agree ${chosen.labelAgreement === other.labelAgreement ? 'as well' : 'better'} with the labels (10-NN label agreement ` +
        `${(chosen.labelAgreement ?? NaN).toFixed(3)} against ${(other.labelAgreement ?? NaN).toFixed(3)} for ${other.name})` +
        narrower,
    };
  }
  const chosen = near.find((m) => m.name === 'autoencoder') ?? best;
  return {
    name: chosen.name,
    reason:
      equally +
      `without labels to tell them apart, ${chosen.name}` +
      (chosen.name === 'autoencoder' ? ', trained to be used (its codes separate groups better on image-like data, bench/QUALITY-NOTES.md),' : '') +
      narrower,
  };
}

/**
 * Whether PCA's codes denoise the prepared columns (the head of this file), with the clause that says why or
 * why not. Decides only when reducer auto would otherwise keep the prepared columns (decideReducer). With labels
 * the labels decide; without, the spectrum. Null when there is nothing to decide on.
 */
function denoiseCheck(pca: CandidateFigures, ctx: DecisionContext): { denoises: boolean; reason: string } | null {
  const { columns, codeSize } = ctx;
  if (ctx.labelled) {
    const s = pca.labelShare;
    if (!s || !Number.isFinite(s.gain)) return null;
    // the share of the input's other-label neighbours the codes leave out (0 when the input has none: nothing to cut)
    const cut = s.input < 1 ? s.gain / (1 - s.input) : 0;
    const figures =
      `a sampled row's nearest neighbours share its label ${s.codes.toFixed(3)} of the time in PCA's codes against ${s.input.toFixed(3)} in the input ` +
      `(${s.gain >= 0 ? '+' : ''}${s.gain.toFixed(3)}, standard error ${s.se.toFixed(4)}; ${Math.abs(cut).toFixed(3)} of the input's neighbours with another label ${cut >= 0 ? 'left out' : 'added'})`;
    const test = `at least ${DENOISE_MIN_CUT} of them left out and a gain over ${DENOISE_Z} standard errors`;
    if (cut >= DENOISE_MIN_CUT && s.gain > DENOISE_Z * s.se) {
      return {
        denoises: true,
        reason:
          `PCA's ${codeSize} components denoise the ${columns} prepared columns: ${figures}, ${test}, ` +
          `so t-SNE runs on the codes though they keep trustworthiness ${pca.trustworthiness.toFixed(4)} of the input's neighbourhoods`,
      };
    }
    return { denoises: false, reason: `PCA would not denoise: ${figures}, not ${test}` };
  }
  const left = ctx.pcaLeftOut;
  if (!left || !Number.isFinite(left.share) || !Number.isFinite(left.components)) return null;
  const leftPct = Math.round(1000 * left.share) / 10; // the two percentages add up to 100 as printed
  const figures =
    `its ${codeSize} components keep ${(100 - leftPct).toFixed(1)}% of the variance and the ${leftPct.toFixed(1)}% left out spreads over at least ` +
    `${Math.floor(left.components)} components`;
  if (left.share > NOISE_SHARE_MIN && left.components >= codeSize) {
    return {
      denoises: true,
      reason:
        `PCA denoises the ${columns} prepared columns: ${figures} (none larger than the smallest kept), a flat bulk as independent noise in many columns gives ` +
        `(more than ${NOISE_SHARE_MIN} left out, over at least the code's ${codeSize} components), so t-SNE runs on the codes though they keep trustworthiness ${pca.trustworthiness.toFixed(4)} of the input's neighbourhoods`,
    };
  }
  return { denoises: false, reason: `PCA would not denoise: ${figures}, not more than ${NOISE_SHARE_MIN} left out over at least ${codeSize} components` };
}

/** The sampled rows candidates are measured on, gathered once, with their input-space neighbour graph (built once, on first use). */
interface SampleSpace {
  xs: Matrix;
  k: number;
  all: Int32Array;
  inputGraph(): NeighborGraph;
}

function sampleSpace(x: Matrix, sample: Int32Array): SampleSpace {
  const xs = gather(x, sample);
  const k = Math.max(1, Math.min(K, xs.rows - 1, Math.floor((2 * xs.rows - 2) / 3)));
  let graph: NeighborGraph | null = null;
  return { xs, k, all: Int32Array.from({ length: xs.rows }, (_, i) => i), inputGraph: () => (graph ??= knn(xs, k, { seed: 0 })) };
}

/**
 * Trustworthiness@k of the reducer's codes of the sampled rows against the rows themselves, within the sample
 * (metrics-sample.ts: the float32 SIMD distance kernel; 0.19 s for 1,000 rows of MNIST's 784 pixels, where the
 * plain float64 pass it replaced took 2.0 s, three times a run: session 19). NaN on a sample too small for k.
 */
function trustOn(space: SampleSpace, reducer: Reducer, codes: Matrix = reducer.encode(space.xs)): number {
  if (space.xs.rows < leastSampleRows(space.k)) return NaN;
  return sampleQuality(space.xs, null, codes, null, space.all, space.k).map.trustworthiness ?? NaN;
}

/**
 * What a reducer's codes keep of the input on the sampled rows: trustworthiness@10 and kNN preservation within
 * the sample, and the codes' 10-NN label agreement when labels (of the sampled rows, in order) are given.
 */
function keptOn(
  space: SampleSpace,
  reducer: Reducer,
  sampleLabels: ArrayLike<string | number | null> | null = null,
): { trustworthiness: number; knnPreservation: number; labelAgreement: number | null; shares: Float64Array | null } {
  const codes = reducer.encode(space.xs);
  const trustworthiness = trustOn(space, reducer, codes);
  if (space.xs.rows <= space.k) return { trustworthiness, knnPreservation: NaN, labelAgreement: null, shares: null };
  const codeGraph = knn(codes, space.k, { seed: 0 });
  return {
    trustworthiness,
    knnPreservation: mean(neighbourPreservation(space.inputGraph(), codeGraph)),
    labelAgreement: sampleLabels ? graphLabelAccuracy(codeGraph, sampleLabels) : null,
    shares: sampleLabels ? rowLabelShares(codeGraph, sampleLabels) : null,
  };
}

/** The codes' label shares against the input's on the same rows (rows NaN in either left out): means, their paired difference and its standard error. */
export function pairedShare(codes: Float64Array, input: Float64Array): LabelShare {
  let n = 0;
  let sc = 0;
  let si = 0;
  for (let i = 0; i < codes.length; i++) {
    if (Number.isNaN(codes[i]!) || Number.isNaN(input[i]!)) continue;
    n++;
    sc += codes[i]!;
    si += input[i]!;
  }
  const gain = n ? (sc - si) / n : NaN;
  let ss = 0;
  for (let i = 0; i < codes.length; i++) {
    if (Number.isNaN(codes[i]!) || Number.isNaN(input[i]!)) continue;
    const d = codes[i]! - input[i]! - gain;
    ss += d * d;
  }
  return { codes: n ? sc / n : NaN, input: n ? si / n : NaN, gain, se: n > 1 ? Math.sqrt(ss / (n - 1) / n) : NaN };
}

/** What a fitted PCA's code leaves out of the variance (DecisionContext.pcaLeftOut); null without its spectrum. */
function leftOutOf(reducer: Reducer): { share: number; components: number } | null {
  const spectrum = reducer.report.spectrum;
  if (!spectrum || !(spectrum.totalVariance > 0) || spectrum.componentVariance.length === 0) return null;
  let kept = 0;
  for (const v of spectrum.componentVariance) kept += v;
  const left = Math.max(0, spectrum.totalVariance - kept);
  const smallest = spectrum.componentVariance[spectrum.componentVariance.length - 1]!;
  return { share: left / spectrum.totalVariance, components: smallest > 0 ? left / smallest : left > 0 ? Infinity : 0 };
}

/**
 * An explicit code size that cannot fit the prepared rows is an InputError naming codeSize (checked before any
 * fitting starts; under reducer auto it must fit the autoencoder).
 */
export function checkExplicitCodeSize(codeSize: number | 'auto', reducer: ReducerName, x: { rows: number; cols: number }): void {
  if (codeSize === 'auto' || reducer === 'none') return;
  if (reducer === 'autoencoder' && codeSize >= x.cols) {
    throw new InputError(
      `the code size (${codeSize}) must be smaller than the input width (${x.cols} columns); choose --code-size below ${x.cols}, or leave it auto`,
      { field: 'codeSize' },
    );
  }
  const most = Math.min(x.cols, x.rows);
  if (reducer === 'pca' && codeSize > most) {
    throw new InputError(`PCA cannot find ${codeSize} components in ${x.rows} rows x ${x.cols} columns; choose --code-size at most ${most}, or leave it auto`, {
      field: 'codeSize',
    });
  }
}

function gather(x: Matrix, rows: Int32Array): Matrix {
  if (rows.length === x.rows) return x;
  const values = new Float32Array(rows.length * x.cols);
  for (let i = 0; i < rows.length; i++) values.set(x.values.subarray(rows[i]! * x.cols, (rows[i]! + 1) * x.cols), i * x.cols);
  return { rows: rows.length, cols: x.cols, values };
}

function mean(v: Float32Array): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return v.length ? s / v.length : NaN;
}

function round(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(4)) : v;
}
