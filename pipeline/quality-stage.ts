// The metrics stage of a run: runQuality (quality.ts) on the prepared input, the codes and the map. When the run
// released the prepared input for the map stage, a worker thread (quality-worker.ts) reads it back from the data
// file and measures there: this thread stays free for progress and cancelling (the stage takes minutes at a
// million rows), and the read-back matrix and the searches' garbage go when the thread ends, instead of lingering
// in this thread's heap through the write stage. While this thread holds the matrix (reducer none, or an input
// the data file cannot give back exactly), it measures here: sending it would copy it.
import { runQuality, type QualityOptions, type RunQuality } from './quality.js';
import type { PreparedInput, ReadBack } from './prepared-input.js';
import { runInWorker } from './threads.js';
import type { Matrix, StageHooks } from './types.js';

/** What the quality worker is sent. */
export interface QualityRequest {
  readBack: ReadBack;
  codes: Matrix | null;
  embedding: Float32Array;
  labels: ArrayLike<string | number | null> | null;
  options: Omit<QualityOptions, 'inputMemory' | 'onProgress'>;
}

const WORKER = new URL('./quality-worker.ts', import.meta.url);

/**
 * The run's quality figures (runQuality's), in a worker thread when the input was released. Progress as
 * (fraction, 'metrics'); rejects with CancelledError when hooks.signal aborts (the worker is stopped).
 */
export async function measureQuality(
  input: PreparedInput,
  codes: Matrix | null,
  embedding: Float32Array,
  labels: ArrayLike<string | number | null> | null,
  options: Omit<QualityOptions, 'inputMemory' | 'onProgress'>,
  hooks: StageHooks = {},
): Promise<RunQuality> {
  const readBack = input.readBack();
  if (readBack) {
    const request: QualityRequest = { readBack, codes, embedding, labels: labels ? Array.from(labels) : null, options };
    return runInWorker<RunQuality>(WORKER, request, hooks, 'metrics');
  }
  const onProgress = hooks.onProgress ? (p: number) => hooks.onProgress!(p, 'metrics') : undefined;
  return runQuality(await input.get(), codes, embedding, labels, { ...options, inputMemory: input.memory, ...(onProgress ? { onProgress } : {}) });
}
