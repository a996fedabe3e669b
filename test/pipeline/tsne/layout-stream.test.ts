// Watching the map form: t-SNE reports its layout so far every LAYOUT_EVERY iterations, and finishing early
// keeps the layout reached as the result (in this thread and in the worker thread).
import { describe, expect, it } from 'vitest';
import { LAYOUT_EVERY, tsne } from '../../../pipeline/tsne/index.js';
import type { TsneOptions } from '../../../pipeline/types.js';
import { blobs } from './fixtures.js';

const options: TsneOptions = {
  engine: 'bh',
  perplexity: 15,
  iterations: 200,
  theta: 0.5,
  earlyExaggeration: 12,
  exaggerationIterations: 50,
  learningRate: null,
  seed: 3,
};

describe('t-SNE layout stream', () => {
  it('reports the layout every LAYOUT_EVERY iterations and at the end, the last one the result', async () => {
    const { x } = blobs(150, 6, 3, 4);
    const seen: { iteration: number; layout: Float32Array }[] = [];
    const res = await tsne(x, options, { worker: false, onLayout: (layout, iteration) => seen.push({ iteration, layout }) });
    expect(seen.map((s) => s.iteration)).toEqual([...Array.from({ length: 200 / LAYOUT_EVERY }, (_, k) => (k + 1) * LAYOUT_EVERY), 200]);
    expect(Array.from(seen.at(-1)!.layout)).toEqual(Array.from(res.embedding));
    // the map moves between reports
    expect(Array.from(seen[0]!.layout)).not.toEqual(Array.from(seen[3]!.layout));
    // and reporting does not change the result
    const plain = await tsne(x, options, { worker: false });
    expect(Array.from(plain.embedding)).toEqual(Array.from(res.embedding));
  });

  for (const worker of [false, true]) {
    it(`finishing early keeps the layout reached as the result${worker ? ' (worker thread)' : ''}`, async () => {
      const { x } = blobs(150, 6, 3, 4);
      const finish = new AbortController();
      const seen: { iteration: number; layout: Float32Array }[] = [];
      const res = await tsne(x, { ...options, iterations: 5000 }, {
        worker,
        finishEarly: finish.signal,
        onLayout: (layout, iteration) => {
          seen.push({ iteration, layout });
          if (iteration === 100) finish.abort();
        },
      });
      // stopped after the request (the worker hears it at its next yield), far before the 5,000 asked for
      expect(res.iterations).toBeGreaterThanOrEqual(100);
      expect(res.iterations).toBeLessThan(5000);
      expect(res.notes.join(' ')).toMatch(new RegExp(`stopped early on request after ${res.iterations} of 5000 iterations`));
      expect(Number.isFinite(res.kl)).toBe(true);
      expect(res.klHistory.at(-1)).toEqual({ iteration: res.iterations, kl: res.kl });
      // the final report is the result
      expect(seen.at(-1)!.iteration).toBe(res.iterations);
      expect(Array.from(seen.at(-1)!.layout)).toEqual(Array.from(res.embedding));
    });
  }

  it('counts the auto engine\'s iterations, not the KL measured after an early stop, in its note', async () => {
    const { x } = blobs(150, 6, 3, 4);
    const finish = new AbortController();
    const res = await tsne(x, { ...options, engine: 'auto', iterations: 5000 }, {
      worker: false,
      finishEarly: finish.signal,
      onLayout: (_layout, iteration) => iteration === 100 && finish.abort(),
    });
    const used = /FFT gradient for (\d+) iterations, Barnes-Hut for (\d+)/.exec(res.notes.join(' '));
    expect(used, res.notes.join(' ')).not.toBeNull();
    expect(Number(used![1]) + Number(used![2])).toBe(res.iterations);
  });
});
