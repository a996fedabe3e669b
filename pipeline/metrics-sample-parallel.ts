// The headline quality figures (metrics-sample.ts) on two threads: this one takes the first half of the sampled
// rows, a helper thread (metrics-sample-worker.ts) the second, and their sums are added. Every sum is a whole
// number, so the figures are the ones sampleQuality gives on one thread, to the last bit. A run's 10,000-row
// sample of 784-column rows is about 8e10 multiply-adds of distance work (12 s on one core of the 2-core
// machine, session 19): split, about half, plus the helper's start (its module loads in a few hundred ms while
// this thread already works). Below PARALLEL_MIN_WORK the helper would cost more than it saves and one thread
// does it all; if the helper cannot start or fails, this thread does its half too (same figures).
import { addSums, sampleFigures, sampleSpaces, sampleSums, type SampleQuality, type SampleSpaces, type SampleSums } from './metrics-sample.js';
import { startThread } from './threads.js';
import { TILE } from './tsne/knn/exact.js';
import type { Matrix } from './types.js';

/** Distance work (sampled rows squared x the spaces' columns) from which the helper thread pays for its start. */
export const PARALLEL_MIN_WORK = 2e9;

const WORKER = new URL('./metrics-sample-worker.ts', import.meta.url);

/** What the helper thread is sent: the gathered sample and the rows [from, to) it sums. */
export interface SampleSumsRequest {
  spaces: SampleSpaces;
  from: number;
  to: number;
}

/**
 * sampleQuality's figures (same arguments, same errors: RangeError when the sample is too small for k), the
 * sampled rows split between this thread and a helper when the work is at least `opts.minWork` (default
 * PARALLEL_MIN_WORK). `opts.worker`: the helper's module (default metrics-sample-worker.ts; tests give one that fails).
 */
export async function sampleQualityParallel(
  input: Matrix,
  codes: Matrix | null,
  map: Matrix,
  labels: ArrayLike<string | number | null> | null,
  sample: Int32Array,
  k: number,
  opts: { minWork?: number; worker?: URL } = {},
): Promise<SampleQuality> {
  const spaces = sampleSpaces(input, codes, map, labels, sample, k);
  const s = spaces.input.rows;
  const work = s * s * (spaces.input.cols + spaces.map.cols + (spaces.codes?.cols ?? 0));
  if (work < (opts.minWork ?? PARALLEL_MIN_WORK) || s < 2 * TILE) return sampleFigures(sampleSums(spaces, 0, s), spaces);
  const mid = Math.ceil(s / 2 / TILE) * TILE;
  const helper = helperSums(opts.worker ?? WORKER, { spaces, from: mid, to: s });
  const own = sampleSums(spaces, 0, mid);
  const other = await helper.catch(() => sampleSums(spaces, mid, s));
  return sampleFigures(addSums(own, other), spaces);
}

/** The helper thread's sums, or a rejection when it cannot start, fails or exits without answering. */
function helperSums(module: URL, request: SampleSumsRequest): Promise<SampleSums> {
  return new Promise((resolve, reject) => {
    let worker;
    try {
      worker = startThread(module, { workerData: request });
    } catch (err) {
      reject(err as Error);
      return;
    }
    const w = worker;
    w.once('message', (sums: SampleSums) => {
      resolve(sums);
      void w.terminate();
    });
    w.once('error', reject);
    w.once('exit', (code) => reject(new Error(`the metrics helper thread exited (code ${code}) before answering`)));
  });
}
