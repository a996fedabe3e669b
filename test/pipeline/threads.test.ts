import { describe, expect, it } from 'vitest';
import { runInWorker } from '../../pipeline/threads.js';
import { isCancelled, isInputError, type InputError } from '../../pipeline/errors.js';
import type { Stage } from '../../pipeline/types.js';
import type { StageWorkerRequest } from '../fixtures/stage-worker.js';

const WORKER = new URL('../fixtures/stage-worker.ts', import.meta.url);
const run = <T>(req: StageWorkerRequest, hooks = {}, stage: Stage = 'umap') => runInWorker<T>(WORKER, req, hooks, stage);

describe('runInWorker (a whole stage in a worker thread)', () => {
  it("resolves with the worker's result and reports its progress under the caller's stage", async () => {
    const seen: [number, string, number | undefined][] = [];
    const sum = await run<number>({ kind: 'sum', values: [1, 2, 3.5] }, { onProgress: (p: number, s: string, info?: { iteration?: number }) => seen.push([p, s, info?.iteration]) });
    expect(sum).toBe(6.5);
    expect(seen).toEqual([[0.5, 'umap', 1]]);
  });

  it('keeps an InputError an InputError with its location, and names the stage of any other error', async () => {
    const input = await run({ kind: 'input-error' }).catch((e: unknown) => e);
    expect(isInputError(input)).toBe(true);
    expect((input as InputError).message).toContain('column "z" is not numeric');
    expect((input as InputError).location).toEqual({ file: 'data.csv', line: 3, column: 'z' });
    const crash = await run({ kind: 'crash' }, {}, 'tsne').catch((e: unknown) => e);
    expect(isInputError(crash)).toBe(false);
    expect((crash as Error).name).toBe('RangeError');
    expect((crash as Error).message).toBe('index out of range');
    expect((crash as Error).stack).toContain('(in the t-SNE worker)');
  });

  it('rejects, naming the stage, when the thread exits without answering', async () => {
    await expect(run({ kind: 'exit' })).rejects.toThrow('the UMAP worker exited with code 3 before finishing');
  });

  it('is cancelled by its signal, before starting and while running, and reports no progress after', async () => {
    const before = new AbortController();
    before.abort();
    await expect(run({ kind: 'slow', steps: 5 }, { signal: before.signal })).rejects.toSatisfy(isCancelled);
    const during = new AbortController();
    let after = 0;
    const err = await run({ kind: 'slow', steps: 500 }, {
      signal: during.signal,
      onProgress: (p: number) => {
        if (during.signal.aborted) after++;
        if (p >= 0.01) during.abort();
      },
    }).catch((e: unknown) => e);
    expect(isCancelled(err)).toBe(true);
    expect(after).toBe(0);
  });
});
