import { describe, expect, it } from 'vitest';
import { CancelledError } from '../../../pipeline/errors.js';
import { createRandom } from '../../../pipeline/random.js';
import { encodeInChunks } from '../../../pipeline/reduce/encode-chunks.js';
import { fitPca, pcaReconstruct, pcaTransform } from '../../../pipeline/reduce/pca.js';
import { blockRowErrors } from '../../../pipeline/reduce/row-errors.js';
import type { Matrix } from '../../../pipeline/types.js';

const r = createRandom(11);
const x: Matrix = { rows: 1000, cols: 20, values: Float32Array.from({ length: 20000 }, () => r.normal()) };
const pca = fitPca(x, 5, 3);
// the pca reducer's encode and rowErrors (pipeline/reduce/pca-reducer.ts)
const reducer = {
  codeSize: 5,
  encode: (m: Matrix) => pcaTransform(pca, m),
  rowErrors: (m: Matrix) => blockRowErrors(m, (rows) => pcaReconstruct(pca, pcaTransform(pca, rows)), 'mse'),
};

describe('encodeInChunks', () => {
  it('gives the values of one encode and one rowErrors call, yielding to the event loop between chunks', async () => {
    let yielded = false;
    setImmediate(() => (yielded = true));
    const chunked = await encodeInChunks(reducer, x, undefined, 96);
    expect(yielded).toBe(true);
    expect(chunked.codes.rows).toBe(1000);
    expect(chunked.codes.cols).toBe(5);
    expect(Buffer.from(chunked.codes.values.buffer).equals(Buffer.from(reducer.encode(x).values.buffer))).toBe(true);
    expect(Buffer.from(chunked.errors!.buffer).equals(Buffer.from(reducer.rowErrors(x).buffer))).toBe(true);
  });

  it('encodes rows that fit one chunk in one call, and gives null errors for a reducer without a model', async () => {
    let yielded = false;
    setImmediate(() => (yielded = true));
    const none = { codeSize: 20, encode: (m: Matrix) => m, rowErrors: () => null };
    const one = await encodeInChunks(none, x);
    expect(yielded).toBe(false);
    expect(one.errors).toBeNull();
    expect(one.codes.values).toBe(x.values);
    const chunked = await encodeInChunks(none, x, undefined, 300);
    expect(chunked.errors).toBeNull();
    expect(Array.from(chunked.codes.values)).toEqual(Array.from(x.values));
  });

  it('stops between chunks when the signal aborts', async () => {
    const controller = new AbortController();
    let chunks = 0;
    const counting = { ...reducer, encode: (m: Matrix) => (++chunks === 2 && controller.abort(), reducer.encode(m)) };
    await expect(encodeInChunks(counting, x, controller.signal, 100)).rejects.toBeInstanceOf(CancelledError);
    expect(chunks).toBe(2);
  });
});
