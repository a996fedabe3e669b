import { describe, expect, it } from 'vitest';
import { knn } from '../../../../pipeline/tsne/knn/index.js';
import { gatherRows } from '../../../../pipeline/tsne/knn/kernel.js';
import { createRandom, permutation } from '../../../../pipeline/random.js';
import { blobs } from '../fixtures.js';

describe('the approximate search renumbering rows inside the caller\'s memory', () => {
  it('gathers rows in place along the permutation\'s cycles, and the inverse puts them back', () => {
    const cols = 3;
    const n = 50;
    const values = Float32Array.from({ length: n * cols }, (_, t) => t);
    const order = permutation(n, createRandom(4));
    gatherRows(values, cols, order);
    for (let i = 0; i < n; i++) expect(Array.from(values.subarray(i * cols, (i + 1) * cols))).toEqual([0, 1, 2].map((c) => order[i]! * cols + c));
    const back = new Int32Array(n);
    for (let i = 0; i < n; i++) back[order[i]!] = i;
    gatherRows(values, cols, back);
    expect(Array.from(values)).toEqual(Array.from({ length: n * cols }, (_, t) => t));
  });

  it('finds the same graph as with a copy, and leaves the rows in their order in that memory', () => {
    const { x } = blobs(6000, 16, 5, 7);
    const copied = knn(x, 10, { seed: 2, method: 'approx' });
    const memory = new WebAssembly.Memory({ initial: Math.ceil(x.values.byteLength / 65536) });
    new Float32Array(memory.buffer, 0, x.values.length).set(x.values);
    const before = memory.buffer.byteLength;
    const inPlace = knn({ rows: x.rows, cols: x.cols, values: new Float32Array(memory.buffer, 0, x.values.length) }, 10, { seed: 2, method: 'approx', inPlace: memory });
    expect(Array.from(inPlace.indices)).toEqual(Array.from(copied.indices));
    expect(Array.from(inPlace.distances)).toEqual(Array.from(copied.distances));
    // the search's lists and buffers went into the same memory, after the rows: it grew by far less than a copy
    expect(memory.buffer.byteLength - before).toBeLessThan(x.values.byteLength / 2);
    expect(Array.from(new Float32Array(memory.buffer, 0, x.values.length))).toEqual(Array.from(x.values));
  });
});
