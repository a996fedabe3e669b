import { describe, expect, it } from 'vitest';
import type { TsneOptions } from '../../../pipeline/types.js';
import { tsne, tsneTransform } from '../../../pipeline/tsne/index.js';
import { isInputError } from '../../../pipeline/errors.js';
import { blobs } from './fixtures.js';

const opts: TsneOptions = {
  engine: 'bh',
  perplexity: 15,
  iterations: 300,
  theta: 0.5,
  earlyExaggeration: 12,
  exaggerationIterations: 100,
  learningRate: null,
  seed: 3,
};

describe('tsneTransform', async () => {
  const { x, labels } = blobs(300, 6, 3, 1);
  const ref = await tsne(x, opts, { worker: false });
  const reference = { x, embedding: ref.embedding };

  it('places a copy of a reference row next to that row, without moving the reference', async () => {
    const before = ref.embedding.slice();
    const rows = [5, 100, 250];
    const values = new Float32Array(rows.length * 6);
    rows.forEach((r, t) => values.set(x.values.subarray(r * 6, r * 6 + 6), t * 6));
    const res = await tsneTransform(reference, { rows: rows.length, cols: 6, values }, opts, { worker: false });
    expect(ref.embedding).toEqual(before);
    expect(res.embedding.length).toBe(2 * rows.length);
    // typical distance from a point to its nearest map neighbour
    let typical = 0;
    for (let i = 0; i < 300; i++) {
      let best = Infinity;
      for (let j = 0; j < 300; j++) {
        if (i === j) continue;
        best = Math.min(best, Math.hypot(ref.embedding[2 * i]! - ref.embedding[2 * j]!, ref.embedding[2 * i + 1]! - ref.embedding[2 * j + 1]!));
      }
      typical += best / 300;
    }
    rows.forEach((r, t) => {
      const d = Math.hypot(res.embedding[2 * t]! - ref.embedding[2 * r]!, res.embedding[2 * t + 1]! - ref.embedding[2 * r + 1]!);
      expect(d).toBeLessThan(5 * typical + 1);
    });
  });

  it('puts new rows of a cluster inside that cluster', async () => {
    const fresh = blobs(30, 6, 3, 1); // same centres (same seed), new noise draws for the first rows
    const res = await tsneTransform(reference, fresh.x, opts, { worker: false });
    const centroid = (c: number) => {
      let sx = 0;
      let sy = 0;
      let k = 0;
      for (let i = 0; i < 300; i++) if (labels[i] === c) ((sx += ref.embedding[2 * i]!), (sy += ref.embedding[2 * i + 1]!), k++);
      return [sx / k, sy / k] as const;
    };
    const cs = [0, 1, 2].map(centroid);
    let right = 0;
    for (let t = 0; t < 30; t++) {
      const ds = cs.map(([cx, cy]) => Math.hypot(res.embedding[2 * t]! - cx, res.embedding[2 * t + 1]! - cy));
      if (ds.indexOf(Math.min(...ds)) === fresh.labels[t]) right++;
    }
    expect(right).toBe(30);
  });

  it('runs in the worker with the same result', async () => {
    const newX = { rows: 2, cols: 6, values: x.values.slice(0, 12) };
    const a = await tsneTransform(reference, newX, opts, { worker: false });
    const b = await tsneTransform(reference, newX, opts);
    expect(b.embedding).toEqual(a.embedding);
  });

  it('rejects rows with other columns or non-finite values', async () => {
    await expect(tsneTransform(reference, { rows: 1, cols: 5, values: new Float32Array(5) }, opts, { worker: false })).rejects.toSatisfy(isInputError);
    const bad = { rows: 2, cols: 6, values: new Float32Array(12) };
    bad.values[7] = Infinity;
    const err = await tsneTransform(reference, bad, opts, { worker: false }).catch((e: unknown) => e);
    expect(isInputError(err)).toBe(true);
    expect((err as Error).message).toMatch(/new row 1/);
  });
});
