// Places new points into an existing map without moving the reference points (as openTSNE's transform):
// each new point gets affinities to its nearest reference rows, starts at the median position of those
// neighbours, and descends its own KL divergence against the fixed reference map. New points neither move
// the reference nor repel one another.

import type { Matrix, StageHooks, TsneOptions } from '../types.js';
import { InputError, throwIfAborted } from '../errors.js';
import { knnQuery } from './knn/index.js';
import { conditionalAffinities } from './affinities.js';
import { QuadTree } from './gradient-bh.js';
import { MIN_GAIN, stepPoint } from './optimize.js';
import { validateTsneInput } from './tsne.js';

export interface TransformOptions {
  /** Perplexity of the new points' affinities. Default 5 (openTSNE's transform default: local placement). */
  perplexity?: number;
  /** Optimization iterations. Default 250. */
  iterations?: number;
  /** Step size. Default 1. */
  learningRate?: number;
  /** Largest step of one point per iteration. Default 1 (in map units). */
  maxStepNorm?: number;
}

export const TRANSFORM_DEFAULTS: Required<TransformOptions> = {
  perplexity: 5,
  iterations: 250,
  learningRate: 1,
  maxStepNorm: 1,
};

export interface TransformResult {
  /** m x 2, row-major, for the new rows in input order. */
  embedding: Float32Array;
  notes: string[];
}

function median(values: number[]): number {
  const s = values.slice().sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h]! : (s[h - 1]! + s[h]!) / 2;
}

/**
 * From `options` the transform uses theta (Barnes-Hut accuracy of the repulsion from the reference map);
 * the map's perplexity and iteration count do not apply to placing new points, which follows openTSNE's
 * transform: perplexity 5 and 250 iterations unless `transform` says otherwise (recorded in `notes`).
 */
export async function tsneTransform(
  reference: { x: Matrix; embedding: Float32Array },
  newX: Matrix,
  options: TsneOptions,
  hooks: StageHooks = {},
  transform: TransformOptions = {},
): Promise<TransformResult> {
  const o = { ...TRANSFORM_DEFAULTS, ...transform };
  const nRef = reference.x.rows;
  if (reference.embedding.length !== 2 * nRef) {
    throw new InputError(`the reference map has ${reference.embedding.length / 2} points but ${nRef} rows`);
  }
  validateTsneInput(reference.x);
  if (newX.cols !== reference.x.cols) {
    throw new InputError(
      `the new rows have ${newX.cols} columns but the reference run has ${reference.x.cols}; transform rows with the same columns as the run's input`,
    );
  }
  const m = newX.rows;
  const notes: string[] = [`transform: perplexity ${o.perplexity}, ${o.iterations} iterations, reference points fixed`];
  if (m === 0) return { embedding: new Float32Array(0), notes };
  for (let t = 0; t < newX.values.length; t++) {
    if (!Number.isFinite(newX.values[t]!)) {
      throw new InputError(
        `new row ${Math.floor(t / newX.cols)} (0-based), column ${t % newX.cols} is ${newX.values[t]}; remove the row or impute missing values`,
        { column: t % newX.cols },
      );
    }
  }
  throwIfAborted(hooks.signal);
  let perplexity = o.perplexity;
  if (3 * perplexity > nRef) {
    perplexity = nRef / 3;
    notes.push(`transform perplexity lowered to ${Math.round(perplexity * 1000) / 1000}: the reference has ${nRef} rows`);
  }
  const k = Math.min(nRef, Math.max(1, Math.floor(3 * perplexity)));
  const graph = knnQuery(reference.x, newX, k);
  const cond = conditionalAffinities(graph, perplexity);
  hooks.onProgress?.(0.05, 'tsne', { message: 'transform: affinities' });

  const ref = Float64Array.from(reference.embedding);
  const tree = new QuadTree(ref, nRef);
  // initialization: coordinate-wise median of the neighbours' positions
  const y = new Float64Array(2 * m);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < m; i++) {
    xs.length = 0;
    ys.length = 0;
    for (let t = 0; t < k; t++) {
      const j = graph.indices[i * k + t]!;
      xs.push(ref[2 * j]!);
      ys.push(ref[2 * j + 1]!);
    }
    y[2 * i] = median(xs);
    y[2 * i + 1] = median(ys);
  }

  const update = new Float64Array(2 * m);
  const gains = new Float64Array(2 * m).fill(1);
  const rep = new Float64Array(2);
  const theta = options.theta;
  let lastYield = Date.now();
  for (let it = 0; it < o.iterations; it++) {
    const momentum = it < o.iterations / 4 ? 0.5 : 0.8;
    for (let i = 0; i < m; i++) {
      const px = y[2 * i]!;
      const py = y[2 * i + 1]!;
      rep[0] = 0;
      rep[1] = 0;
      const z = tree.force(px, py, -1, theta, rep, 0);
      let ax = 0;
      let ay = 0;
      for (let t = 0; t < k; t++) {
        const j = graph.indices[i * k + t]!;
        const dx = px - ref[2 * j]!;
        const dy = py - ref[2 * j + 1]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        const pq = cond.values[i * k + t]! * q;
        ax += pq * dx;
        ay += pq * dy;
      }
      const invZ = 1 / Math.max(z, Number.MIN_VALUE);
      stepPoint(i, ax - rep[0]! * invZ, ay - rep[1]! * invZ, update, gains, momentum, o.learningRate, MIN_GAIN, o.maxStepNorm);
      y[2 * i] = px + update[2 * i]!;
      y[2 * i + 1] = py + update[2 * i + 1]!;
    }
    if ((it + 1) % 10 === 0) hooks.onProgress?.(0.05 + (0.95 * (it + 1)) / o.iterations, 'tsne', { iteration: it + 1 });
    if (Date.now() - lastYield > 100) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = Date.now();
      throwIfAborted(hooks.signal);
    }
  }
  const embedding = Float32Array.from(y);
  for (let t = 0; t < embedding.length; t++) {
    if (!Number.isFinite(embedding[t]!)) throw new Error(`transform produced a non-finite coordinate for new row ${t >> 1}`);
  }
  return { embedding, notes };
}
