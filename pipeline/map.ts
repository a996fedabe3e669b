// The map stage: t-SNE or UMAP on the codes, as the configuration's `map` says. Both give n x 2 positions
// in input order; the stage is named after the method ('tsne' or 'umap'), and so are its timing
// (timings.tsne / timings.umap) and its metrics (metrics.tsne {kl, iterations, engine} / metrics.umap
// {epochs, a, b, edges, init}; metrics.tsne is null for a UMAP run).

import { DEFAULT_PERPLEXITY } from './perplexity-auto.js';
import { tsne } from './tsne/index.js';
import { umap } from './umap/index.js';
import type { Choice, MapMethod, Matrix, RunConfig, RunMetrics, StageHooks, TsneOptions, TsneSchedule, UmapOptions } from './types.js';

/** The t-SNE options of a run configuration (perplexity auto: the standard 30; the pipeline measures others). */
export function tsneOptions(config: RunConfig): TsneOptions {
  return {
    engine: config.tsneEngine,
    perplexity: config.perplexity === 'auto' ? DEFAULT_PERPLEXITY : config.perplexity,
    iterations: config.iterations,
    theta: config.theta,
    earlyExaggeration: config.earlyExaggeration,
    exaggerationIterations: config.exaggerationIterations,
    // runs saved before the exaggeration setting existed had none after the early phase
    exaggeration: config.exaggeration ?? 1,
    learningRate: config.tsneLearningRate,
    seed: config.seed,
  };
}

/** The UMAP options of a run configuration. */
export function umapOptions(config: RunConfig): UmapOptions {
  return {
    nNeighbors: config.nNeighbors,
    minDist: config.minDist,
    spread: config.spread,
    epochs: config.umapEpochs,
    negativeSampleRate: config.negativeSampleRate,
    learningRate: config.umapLearningRate,
    repulsionStrength: config.repulsionStrength,
    localConnectivity: config.localConnectivity,
    init: config.umapInit,
    seed: config.seed,
  };
}

/** The map method of a configuration; runs made before UMAP existed have no `map` and are t-SNE runs. */
export function mapMethod(config: Partial<RunConfig>): MapMethod {
  return config.map ?? 'tsne';
}

export interface MapStageResult {
  stage: MapMethod;
  /** n x 2, row-major. */
  embedding: Float32Array;
  /** t-SNE: KL every 50 iterations (history.tsne); UMAP: empty. */
  klHistory: { iteration: number; kl: number }[];
  metrics: Pick<RunMetrics, 'tsne' | 'umap'>;
  /** One line for the log. */
  summary: string;
  notes: string[];
  /** t-SNE: the schedule it ran (manifest choices.tsneSchedule); UMAP: absent. */
  schedule?: Choice;
}

/** Runs the configured map method on the codes (in a worker thread, cancellable, with progress). */
export async function runMap(codes: Matrix, config: RunConfig, hooks: StageHooks = {}): Promise<MapStageResult> {
  if (mapMethod(config) === 'umap') {
    const r = await umap(codes, umapOptions(config), hooks);
    return {
      stage: 'umap',
      embedding: r.embedding,
      klHistory: [],
      metrics: { tsne: null, umap: { epochs: r.epochs, a: r.a, b: r.b, edges: r.edges, init: r.init } },
      summary: `UMAP finished: ${r.epochs} epochs on ${r.edges} edges (a ${r.a.toFixed(4)}, b ${r.b.toFixed(4)})`,
      notes: r.notes,
    };
  }
  const r = await tsne(codes, tsneOptions(config), hooks);
  return {
    stage: 'tsne',
    embedding: r.embedding,
    klHistory: r.klHistory,
    metrics: { tsne: { kl: r.kl, iterations: r.iterations, engine: r.engine } as RunMetrics['tsne'] },
    summary: `t-SNE (${r.engine}) finished: KL ${r.kl.toFixed(4)} after ${r.iterations} iterations`,
    notes: r.notes,
    ...(r.schedule ? { schedule: scheduleChoice(r.schedule, config) } : {}),
  };
}

/**
 * choices.tsneSchedule: the schedule t-SNE ran (pipeline/tsne/schedule.ts), automatic when the learning rate was
 * left to it.
 */
function scheduleChoice(s: TsneSchedule, config: RunConfig): Choice {
  const { reason, ...value } = s;
  return { value, auto: config.tsneLearningRate === null, reason };
}
