// perplexity auto on a small labelled map runs t-SNE twice (pipeline/perplexity-auto.ts); the first map is
// measured before the second pass starts. That measurement is reported as the end of the map stage, not as the
// metrics stage: the map is still forming (a viewer keeps Stop and "Watch the map", which it takes away at the
// metrics stage), and a Stop pressed then keeps the first map instead of being lost to the second pass.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../pipeline/config.js';
import { runPipeline } from '../../pipeline/pipeline.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-passes-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('t-SNE at two perplexities (perplexity auto)', () => {
  it('reports the measurement between the passes as the map stage; the metrics stage comes once, after the last', async () => {
    const stages: string[] = [];
    const res = await runPipeline(resolveConfig({ dataset: 'iris', iterations: 300, runsDir: dir }), {
      onProgress: (_p, stage, info) => {
        const what = info?.message?.startsWith('measuring this map') ? `${stage} (measuring)` : stage;
        if (stages.at(-1) !== what) stages.push(what);
      },
    });
    expect(Object.keys((res.manifest.choices!.perplexity!.figures as { candidates: object }).candidates).sort()).toEqual(['10', '30']);
    const from = stages.indexOf('tsne');
    expect(stages.slice(from)).toEqual(['tsne', 'tsne (measuring)', 'tsne', 'metrics', 'write']);
  }, 120_000);

  it('keeps the first map when Stop comes while it is measured, and starts no second pass', async () => {
    const finish = new AbortController();
    const layouts: number[] = [];
    const res = await runPipeline(resolveConfig({ dataset: 'iris', iterations: 300, runsDir: dir }), {
      finishEarly: finish.signal,
      onLayout: (_e, iteration) => layouts.push(iteration),
      onProgress: (_p, stage, info) => {
        // what the server does on Stop: it asks the run to finish while the map stage is reported
        if (stage === 'tsne' && info?.message?.startsWith('measuring this map')) finish.abort();
      },
    });
    const ch = res.manifest.choices!.perplexity!;
    expect(ch.value).toBe(30);
    expect(ch.reason).toMatch(/Stop was pressed/);
    expect(Object.keys((ch.figures as { candidates: object }).candidates)).toEqual(['30']);
    // one pass of 300 iterations: the layouts never start again from iteration 0 (the last one comes twice, as the end)
    expect(layouts.every((it, k) => k === 0 || it >= layouts[k - 1]!)).toBe(true);
    expect(res.manifest.metrics.tsne!.iterations).toBe(300);
  }, 120_000);
});
