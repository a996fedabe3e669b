// Kinds 5 and 6: every Arrow/Parquet type is read right or refused naming the column and its type; an
// embedding column (fixed-size list, or a list of one length as Parquet stores it) is the feature matrix.
import { Decimal, Dictionary, Field, FixedSizeList, Float32, Float64, Int8, Int64, LargeUtf8, List, Struct, Int32, Table, TimestampMicrosecond, TimestampNanosecond, TimestampSecond, DateDay, Uint32, Uint64, Utf8, makeData, makeVector, vectorFromArray, type Vector } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadArrow } from '../../../pipeline/load/arrow.js';
import { loadParquet } from '../../../pipeline/load/parquet.js';
import { makeTempDir, writeArrow, writeParquetFile } from './fixtures.js';

const tmp = makeTempDir('latentmap-arrow-types-');
afterAll(() => tmp.cleanup());

const N = 6;
const base = (): Record<string, Vector> => ({ f: makeVector(Float64Array.from({ length: N }, (_, i) => i * 0.5)), g: makeVector(Float64Array.from({ length: N }, (_, i) => (i * 7) % 5)) });

async function metaOf(name: string, vec: Vector): Promise<unknown[]> {
  const d = await loadArrow(writeArrow(tmp.path(`${name}.arrow`), new Table({ ...base(), [name]: vec })));
  const m = [...d.metadata, ...(d.label ? [d.label] : [])].find((c) => c.name === name);
  expect(m, `${name} is metadata`).toBeDefined();
  return Array.from(m!.values as ArrayLike<unknown>);
}

describe('Arrow and Parquet types', () => {
  it('reads dictionaries with indices of every width, signed and unsigned, 64-bit included', async () => {
    const dictionary = vectorFromArray(['north', 'south', 'east'], new Utf8());
    const widths = [
      [new Int8(), Int8Array],
      [new Uint32(), Uint32Array],
      [new Int64(), BigInt64Array],
      [new Uint64(), BigUint64Array],
    ] as const;
    for (const [type, Arr] of widths) {
      const idx = (Arr as unknown as { from(a: unknown[]): ArrayLike<unknown> }).from([0, 1, 2, 0, 1, 2].map((i) => (Arr === BigInt64Array || Arr === BigUint64Array ? BigInt(i) : i)));
      const vec = makeVector(makeData({ type: new Dictionary(new Utf8(), type as never), length: N, nullCount: 0, data: idx as never, dictionary }));
      expect(await metaOf('label', vec), String(type)).toEqual(['north', 'south', 'east', 'north', 'south', 'east']);
    }
  });

  it('keeps 64-bit integers beyond 2^53 and decimals of any scale exact, and dates and timestamps to their unit', async () => {
    expect(await metaOf('account_id', makeVector(BigInt64Array.of(2n ** 60n, 2n ** 60n + 1n, 3n, 4n, 5n, 6n)))).toEqual(['1152921504606846976', '1152921504606846977', '3', '4', '5', '6']);
    const dec = makeVector(makeData({ type: new Decimal(3, 12, 128), length: 2, nullCount: 0, data: Uint32Array.of(123456, 0, 0, 0, 0xffffffff - 4, 0xffffffff, 0xffffffff, 0xffffffff) }));
    const d = await loadArrow(writeArrow(tmp.path('dec.arrow'), new Table({ price: dec, f: makeVector(Float64Array.of(1, 2)) })));
    expect(Array.from(d.matrix.values.subarray(0, 2))).toEqual([123.456, 1].map(Math.fround));
    const ts = (Type: typeof TimestampSecond | typeof TimestampMicrosecond | typeof TimestampNanosecond, base: bigint) =>
      makeVector(makeData({ type: new Type(), length: N, nullCount: 0, data: BigInt64Array.from({ length: N }, (_, i) => base + BigInt(i)) }));
    expect((await metaOf('s', ts(TimestampSecond, 1577836800n))).slice(0, 2)).toEqual(['2020-01-01T00:00:00Z', '2020-01-01T00:00:01Z']);
    expect((await metaOf('us', ts(TimestampMicrosecond, 1577836800000000n))).slice(0, 2)).toEqual(['2020-01-01T00:00:00.000000Z', '2020-01-01T00:00:00.000001Z']);
    expect((await metaOf('ns', ts(TimestampNanosecond, 1577836800000000000n))).slice(0, 2)).toEqual(['2020-01-01T00:00:00.000000000Z', '2020-01-01T00:00:00.000000001Z']);
    expect((await metaOf('day', vectorFromArray([0, 1, 2, 3, 4, 5].map((k) => new Date(Date.UTC(2020, 0, 1 + k))), new DateDay()))).slice(0, 2)).toEqual(['2020-01-01', '2020-01-02']);
    expect(await metaOf('big', vectorFromArray(['x', 'y', 'x', 'y', 'x', 'y'], new LargeUtf8()))).toEqual(['x', 'y', 'x', 'y', 'x', 'y']);
    const st = vectorFromArray(Array.from({ length: N }, (_, i) => ({ a: i, b: 'k' })), new Struct([new Field('a', new Int32()), new Field('b', new Utf8())]));
    expect((await metaOf('st', st))[1]).toBe('{"a":1,"b":"k"}');
  });

  it('reads an embedding column (fixed-size list in Arrow, list in Parquet) as the features, and refuses ragged ones', async () => {
    const rows = Array.from({ length: 8 }, (_, i) => [i, i * 2, i * 3, 1 - i]);
    const fixed = vectorFromArray(rows, new FixedSizeList(4, new Field('item', new Float32(), false)));
    const arrow = await loadArrow(writeArrow(tmp.path('emb.arrow'), new Table({ id: makeVector(Int32Array.from({ length: 8 }, (_, i) => i)), embedding: fixed })));
    expect(arrow.columns).toEqual(['embedding_0', 'embedding_1', 'embedding_2', 'embedding_3']);
    expect(Array.from(arrow.matrix.values.subarray(4, 8))).toEqual([1, 2, 3, 0]);
    const list = vectorFromArray(rows, new List(new Field('item', new Float64(), true)));
    const pq = await loadParquet(await writeParquetFile(tmp.path('emb.parquet'), new Table({ text: vectorFromArray(rows.map((_, i) => `doc ${i}`), new Utf8()), embedding: list })));
    expect(pq.columns).toEqual(['embedding_0', 'embedding_1', 'embedding_2', 'embedding_3']);
    expect(Array.from(pq.matrix.values.subarray(28, 32))).toEqual([7, 14, 21, -6]);
    expect(pq.notes).toContain('"embedding" (4 values per row) read as features: an embedding column');
    const ragged = vectorFromArray([[1, 2], [3], [4, 5], [6, 7]], new List(new Field('item', new Float64(), true)));
    const p = writeArrow(tmp.path('ragged.arrow'), new Table({ emb: ragged }));
    await expect(loadArrow(p)).rejects.toThrow(`${p}, field "emb": row 2 of column "emb" (List<Float64>) holds 1 values, the first rows 2`);
  });
});
