// Fits the run's reducer: the configured one, or under reducer auto the one that measures best.
//
// Auto, by measurement: PCA is fitted whenever it can reduce (it costs little), the autoencoder when a reducer
// can pay for itself here (rows x width at least REDUCE_MIN_VALUES and the width at least REDUCE_MIN_RATIO x
// the code), there are at least AE_MIN_ROWS rows, and PCA keeps less than AE_SKIP_ABOVE. On a seeded sample of AUTO_SAMPLE rows, each candidate's
// codes are compared with the prepared input: trustworthiness@10 and kNN preservation within the sample.
// - When no reducer can pay for itself, none: t-SNE on the prepared columns costs no more than on codes and
//   keeps every neighbourhood a reducer could only lose.
// - Else the candidate with the best trustworthiness (the autoencoder on a tie, as it was trained to be used),
//   when it reaches KEEP_MIN; below that every reducer loses too much and none is used.
// Every figure, the time each candidate took and the reason go to the log and to manifest choices.reducer.
import { performance } from 'node:perf_hooks';
import { defaultConfig } from '../config.js';
import { InputError, throwIfAborted } from '../errors.js';
import { sampleRows, sampledTrustworthiness, neighbourPreservation } from '../metrics.js';
import { deriveSeed } from '../random.js';
import { knn } from '../tsne/index.js';
import type { Choice, Matrix, ReducerName, StageHooks } from '../types.js';
import { resolveShape } from './auto-size.js';
import { REDUCERS } from './index.js';
import type { FitSettings, Reducer } from './reducer.js';

/** Rows on which the candidates' codes are compared with the input. */
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
 * When PCA keeps at least this trustworthiness, the autoencoder is not trained as a candidate: it could not keep
 * meaningfully more, and its training is most of a run's time (MNIST: PCA keeps 0.9975, a trained autoencoder 0.994).
 */
export const AE_SKIP_ABOVE = 0.995;
/** Neighbourhood size of the measurement. */
const K = 10;

/** The configuration keys that shape or train the autoencoder (used only when it makes the codes). */
export const AUTOENCODER_KEYS = [
  'variant', 'layers', 'activation', 'loss', 'optimizer', 'epochs', 'batchSize', 'learningRate', 'validationSplit', 'patience',
  'sparsityPenalty', 'sparsityWeight', 'sparsityTarget', 'noise', 'noiseStd', 'noiseFraction', 'klWeight',
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
}

/**
 * Fits the reducer of a run on the prepared rows x. `settings.codeSize`/`layers` may be auto.
 * Throws InputError when an explicit setting cannot fit the data; auto choices never fail.
 */
export async function fitRunReducer(
  x: Matrix,
  settings: Omit<FitSettings, 'codeSize' | 'layers'>,
  hooks: StageHooks & { log?: (m: string) => void } = {},
): Promise<FittedRunReducer> {
  const { config } = settings;
  const log = hooks.log ?? (() => {});
  const shape = resolveShape(config.codeSize, config.layers, x.cols, x.rows);
  const fit: FitSettings = { ...settings, codeSize: shape.codeSize, layers: shape.layers };
  // the autoencoder options that differ from their defaults (said unused when auto chooses another reducer)
  const defaults = defaultConfig();
  const aeSet = AUTOENCODER_KEYS.filter((key) => JSON.stringify(config[key]) !== JSON.stringify(defaults[key]));

  if (config.reducer !== 'auto') {
    checkExplicitCodeSize(config.codeSize, config.reducer, x);
    const reducer = await REDUCERS[config.reducer].fit(x, fit, hooks);
    return {
      reducer,
      choices: { reducer: { value: config.reducer, auto: false, reason: 'set in the configuration' }, ...shape.choices },
    };
  }
  if (config.codeSize !== 'auto') checkExplicitCodeSize(config.codeSize, 'autoencoder', x);

  const values = x.rows * x.cols;
  const pays = values >= REDUCE_MIN_VALUES && x.cols >= REDUCE_MIN_RATIO * shape.codeSize;
  const canReduce = x.cols >= 2 && shape.codeSize < x.cols && x.rows >= 4;
  const sample = sampleRows(x.rows, Math.min(x.rows, AUTO_SAMPLE), deriveSeed(config.seed, 'auto-reducer'));
  const xs = gather(x, sample);
  const k = Math.max(1, Math.min(K, xs.rows - 1, Math.floor((2 * xs.rows - 2) / 3)));
  const all = Int32Array.from({ length: xs.rows }, (_, i) => i);
  const inputGraph = xs.rows > k ? knn(xs, k, { seed: 0 }) : null;
  const measure = async (name: ReducerName): Promise<Measured | string> => {
    const t0 = performance.now();
    let reducer: Reducer;
    try {
      reducer = await REDUCERS[name].fit(x, fit, hooks);
    } catch (err) {
      if ((err as Error).name === 'AbortError') throw err;
      return `${name} failed: ${(err as Error).message}`;
    }
    const seconds = (performance.now() - t0) / 1000;
    const codes = reducer.encode(xs);
    const trust = sampledTrustworthiness(xs, [codes], k, all)[0]!;
    const pres = inputGraph ? mean(neighbourPreservation(inputGraph, knn(codes, k, { seed: 0 }))) : NaN;
    log(`auto reducer: ${reducer.report.description} keeps trustworthiness ${trust.toFixed(4)}, kNN preservation ${pres.toFixed(3)} on ${xs.rows} rows (${seconds.toFixed(1)} s)`);
    return { name, reducer, seconds, trustworthiness: trust, knnPreservation: pres };
  };

  const measured: Measured[] = [];
  const failures: string[] = [];
  const consider = async (name: ReducerName): Promise<void> => {
    const m = await measure(name);
    if (typeof m === 'string') {
      failures.push(m);
      log(`auto reducer: ${m}`);
    } else measured.push(m);
    throwIfAborted(hooks.signal);
  };
  if (canReduce) await consider('pca');
  const pca = measured.find((m) => m.name === 'pca');
  let aeSkipped: string | null = null;
  if (canReduce && pays && x.rows >= AE_MIN_ROWS) {
    if (pca && pca.trustworthiness >= AE_SKIP_ABOVE) {
      aeSkipped = `not trained: PCA already keeps trustworthiness ${pca.trustworthiness.toFixed(4)} (at least ${AE_SKIP_ABOVE})`;
      log(`auto reducer: autoencoder ${aeSkipped}`);
    } else await consider('autoencoder');
  }

  const figures: Record<string, unknown> = {
    rows: x.rows,
    columns: x.cols,
    codeSize: shape.codeSize,
    sampleRows: xs.rows,
    k,
    candidates: Object.fromEntries(
      measured.map((m) => [m.name, { trustworthiness: round(m.trustworthiness), knnPreservation: round(m.knnPreservation), seconds: round(m.seconds) }]),
    ),
    ...(failures.length ? { failures } : {}),
    ...(aeSkipped ? { autoencoder: aeSkipped } : {}),
    thresholds: { keepMin: KEEP_MIN, reduceMinValues: REDUCE_MIN_VALUES, reduceMinRatio: REDUCE_MIN_RATIO, aeMinRows: AE_MIN_ROWS, aeSkipAbove: AE_SKIP_ABOVE },
  };
  let chosen: Measured | null = null;
  let reason: string;
  const best = [...measured].sort((a, b) => b.trustworthiness - a.trustworthiness || (a.name === 'autoencoder' ? -1 : 1))[0];
  if (!canReduce) {
    reason = `the input has ${x.cols} column${x.cols === 1 ? '' : 's'}; a code of ${shape.codeSize} would not reduce it, so t-SNE runs on the prepared columns`;
  } else if (!pays) {
    reason =
      `t-SNE on the ${x.cols} prepared columns costs little here (${x.rows} x ${x.cols} = ${values.toLocaleString('en-US')} values, ` +
      `below ${REDUCE_MIN_VALUES.toLocaleString('en-US')}${x.cols < REDUCE_MIN_RATIO * shape.codeSize ? `, or under ${REDUCE_MIN_RATIO} x the code size` : ''}), ` +
      `and keeps every neighbourhood${best ? `; ${best.name} would keep trustworthiness ${best.trustworthiness.toFixed(4)}` : ''}`;
  } else if (!best || best.trustworthiness < KEEP_MIN) {
    reason = best
      ? `the best reducer (${best.name}) keeps trustworthiness ${best.trustworthiness.toFixed(4)} of the input's neighbourhoods, below ${KEEP_MIN}: t-SNE runs on the prepared columns`
      : 'no reducer could be fitted: t-SNE runs on the prepared columns';
  } else {
    chosen = best;
    const other = measured.find((m) => m !== best);
    reason =
      `${best.name} keeps trustworthiness ${best.trustworthiness.toFixed(4)} of the input's neighbourhoods (at least ${KEEP_MIN})` +
      (other ? ` against ${other.trustworthiness.toFixed(4)} for ${other.name}` : aeSkipped ? ` (the autoencoder was ${aeSkipped})` : '') +
      ` with ${x.cols / shape.codeSize >= 10 ? 'a far' : 'a'} narrower input for t-SNE (${shape.codeSize} of ${x.cols} columns)`;
  }
  for (const m of measured) if (m !== chosen) m.reducer.dispose();
  const name: ReducerName = chosen ? chosen.name : 'none';
  const reducer = chosen ? chosen.reducer : await REDUCERS.none.fit(x, fit, hooks);
  figures.autoencoderOptionsUsed = name === 'autoencoder';
  if (aeSet.length > 0 && name !== 'autoencoder') figures.unusedOptions = aeSet;
  log(`auto reducer: ${name}: ${reason}`);
  if (aeSet.length > 0 && name !== 'autoencoder') log(`the autoencoder options ${aeSet.join(', ')} were not used: auto chose ${name}`);
  return { reducer, choices: { reducer: { value: name, auto: true, reason, figures }, ...shape.choices } };
}

/**
 * An explicit code size that cannot fit the prepared rows is an InputError naming codeSize (checked before any
 * fitting starts; under reducer auto it must fit the autoencoder).
 */
export function checkExplicitCodeSize(codeSize: number | 'auto', reducer: ReducerName, x: Matrix): void {
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
