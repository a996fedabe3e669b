// Squared-distance blocks for the neighbour search, in WebAssembly SIMD (128-bit lanes): the plain
// JavaScript loops spend ~50-70 ns per 50-dimensional pair on this machine, the SIMD kernel a fraction.
// The module is a few hundred bytes assembled here (with pipeline/wasm-emit.ts; no toolchain needed) and
// compiled synchronously.
//
// Layout in the kernel's memory: rows of `stride` bytes (the dimension padded with zeros to a multiple
// of 16 bytes, so two float64 or four float32 per vector), lists of row numbers as int32, and an output
// of float64. block(values, stride, listA, na, listB, nb, out, tri) writes, for a < na (padded up to a
// multiple of four: the list must hold that many readable entries) and b < nb,
//   out[a * nb + b] = sum over dimensions of (row(listA[a]) - row(listB[b]))^2,
// with b starting at a0 + 1 when tri is 1, where a0 is the first row of a's group of four (the caller
// reads only b > a then). Four rows of A are measured against one row of B at a time (each B vector is
// loaded once for four pairs; four independent sums hide the add latency). candidates32 measures the
// same way but writes only the pairs within a per-row bound, compacted (see candidatesBody).

import type { Matrix } from '../../types.js';
import { I32, moduleBytes, sleb, uleb, V128, vec } from '../../wasm-emit.js';

/** Which element type the rows hold: float64 (f64x2 lanes, rounding like the scalar loops) or float32 (f32x4, twice the throughput). */
export type KernelPrecision = 'f64' | 'f32';

export interface DistanceKernel {
  readonly precision: KernelPrecision;
  readonly memory: WebAssembly.Memory;
  /** Byte stride of one row. */
  readonly stride: number;
  block(values: number, listA: number, na: number, listB: number, nb: number, out: number, tri: 0 | 1): void;
  /** float32 kernels only: see candidatesBody. Returns the number of records written. */
  candidates(values: number, listA: number, na: number, listB: number, nb: number, out: number, tri: 0 | 1, bounds: number): number;
}

// opcodes
const get = (i: number) => [0x20, ...uleb(i)];
const set = (i: number) => [0x21, ...uleb(i)];
const tee = (i: number) => [0x22, ...uleb(i)];
const i32c = (v: number) => [0x41, ...sleb(v)];
const add = [0x6a];
const mul = [0x6c];
const ltU = [0x49];
const geU = [0x4f];
const loadI32 = (offset: number) => [0x28, 2, ...uleb(offset)];
const simd = (op: number) => [0xfd, ...uleb(op)];
const v128Load = [...simd(0x00), 4, 0];
const storeF64 = (offset: number) => [0x39, 3, ...uleb(offset)];

function blockBody(precision: KernelPrecision): number[] {
  // params: 0 values, 1 stride, 2 listA, 3 na, 4 listB, 5 nb, 6 out, 7 tri
  // i32 locals: 8 a, 9 b, 10..13 ra0..ra3, 14 rb, 15 c, 16 outp, 17 nb8
  // v128 locals: 18..21 acc0..acc3, 22 vb, 23 t
  const [vsub, vmul, vadd] = precision === 'f64' ? [0xf1, 0xf2, 0xf0] : [0xe5, 0xe6, 0xe4];
  const zero = [...simd(0x0c), ...new Array(16).fill(0)];
  // horizontal sum of accumulator `acc` as an f64 on the stack
  const hsum = (acc: number): number[] =>
    precision === 'f64'
      ? [...get(acc), ...simd(0x21), 0, ...get(acc), ...simd(0x21), 1, 0xa0]
      : [
          ...get(acc), ...simd(0x1f), 0, ...get(acc), ...simd(0x1f), 1, 0x92,
          ...get(acc), ...simd(0x1f), 2, ...get(acc), ...simd(0x1f), 3, 0x92, 0x92, 0xbb,
        ];
  const rowPtr = (listOffset: number[]) => [...get(0), ...listOffset, ...get(1), ...mul, ...add];
  const accumulate = (ra: number, acc: number) => [
    ...get(acc),
    ...get(ra), ...get(15), ...add, ...v128Load,
    ...get(22), ...simd(vsub), ...tee(23), ...get(23), ...simd(vmul),
    ...simd(vadd), ...set(acc),
  ];
  const code: number[] = [
    // nb8 = nb * 8; a = 0
    ...get(5), ...i32c(8), ...mul, ...set(17),
    ...i32c(0), ...set(8),
    0x02, 0x40, 0x03, 0x40, // block, loop (rows of A, four at a time)
    ...get(8), ...get(3), ...geU, 0x0d, 1, // br_if exit when a >= na
    // ra_r = values + listA[a + r] * stride
    ...rowPtr([...get(2), ...get(8), ...i32c(4), ...mul, ...add, ...loadI32(0)]), ...set(10),
    ...rowPtr([...get(2), ...get(8), ...i32c(4), ...mul, ...add, ...loadI32(4)]), ...set(11),
    ...rowPtr([...get(2), ...get(8), ...i32c(4), ...mul, ...add, ...loadI32(8)]), ...set(12),
    ...rowPtr([...get(2), ...get(8), ...i32c(4), ...mul, ...add, ...loadI32(12)]), ...set(13),
    // b = tri ? a + 1 : 0  (tri * (a + 1))
    ...get(7), ...get(8), ...i32c(1), ...add, ...mul, ...set(9),
    0x02, 0x40, 0x03, 0x40, // block, loop (rows of B)
    ...get(9), ...get(5), ...geU, 0x0d, 1,
    ...rowPtr([...get(4), ...get(9), ...i32c(4), ...mul, ...add, ...loadI32(0)]), ...set(14),
    ...zero, ...set(18), ...zero, ...set(19), ...zero, ...set(20), ...zero, ...set(21),
    ...i32c(0), ...set(15),
    0x03, 0x40, // loop over 16-byte chunks
    ...get(14), ...get(15), ...add, ...v128Load, ...set(22),
    ...accumulate(10, 18), ...accumulate(11, 19), ...accumulate(12, 20), ...accumulate(13, 21),
    ...get(15), ...i32c(16), ...add, ...tee(15), ...get(1), ...ltU, 0x0d, 0,
    0x0b,
    // outp = out + (a * nb + b) * 8
    ...get(6), ...get(8), ...get(5), ...mul, ...get(9), ...add, ...i32c(8), ...mul, ...add, ...set(16),
    ...get(16), ...hsum(18), ...storeF64(0),
    ...get(16), ...get(17), ...add, ...tee(16), ...hsum(19), ...storeF64(0),
    ...get(16), ...get(17), ...add, ...tee(16), ...hsum(20), ...storeF64(0),
    ...get(16), ...get(17), ...add, ...hsum(21), ...storeF64(0),
    ...get(9), ...i32c(1), ...add, ...set(9),
    0x0c, 0, // br loop B
    0x0b, 0x0b,
    ...get(8), ...i32c(4), ...add, ...set(8),
    0x0c, 0, // br loop A
    0x0b, 0x0b,
    0x0b, // end of function
  ];
  const locals = vec([
    [...uleb(10), I32],
    [...uleb(6), V128],
  ]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

/**
 * candidates32(values, stride, listA, na, listB, nb, out, tri, bounds) -> count: like block32, but
 * instead of the whole block it writes only the pairs (a, b) with d <= bounds[listA[a]] or
 * d <= bounds[listB[b]] (bounds: float32 per row), as records of 8 bytes: float32 d, int32 a << 16 | b.
 * Requires na, nb < 65536.
 */
function candidatesBody(): number[] {
  // params: 0 values, 1 stride, 2 listA, 3 na, 4 listB, 5 nb, 6 out, 7 tri, 8 bounds
  // i32 locals: 9 a, 10 b, 11..14 ra0..ra3, 15 rb, 16 c, 17 outp
  // f32 locals: 18..21 bA0..bA3, 22 bB, 23 s
  // v128 locals: 24..27 acc0..acc3, 28 vb, 29 t
  const zero = [...simd(0x0c), ...new Array(16).fill(0)];
  const hsum32 = (acc: number): number[] => [
    ...get(acc), ...simd(0x1f), 0, ...get(acc), ...simd(0x1f), 1, 0x92,
    ...get(acc), ...simd(0x1f), 2, ...get(acc), ...simd(0x1f), 3, 0x92, 0x92,
  ];
  const listEntry = (list: number, index: number, offset: number) => [...get(list), ...get(index), ...i32c(4), ...mul, ...add, ...loadI32(offset)];
  const rowPtr = (entry: number[]) => [...get(0), ...entry, ...get(1), ...mul, ...add];
  const boundOf = (entry: number[]) => [...get(8), ...entry, ...i32c(4), ...mul, ...add, 0x2a, 2, 0];
  const accumulate = (ra: number, acc: number) => [
    ...get(acc),
    ...get(ra), ...get(16), ...add, ...v128Load,
    ...get(28), ...simd(0xe5), ...tee(29), ...get(29), ...simd(0xe6),
    ...simd(0xe4), ...set(acc),
  ];
  const emit = (r: number) => [
    ...hsum32(24 + r), ...set(23),
    // valid: a + r < na and (tri == 0 or b > a + r)
    ...get(9), ...i32c(r), ...add, ...get(3), ...ltU,
    ...get(7), 0x45, ...get(10), ...get(9), ...i32c(r), ...add, 0x4b, 0x72,
    0x71,
    // passes a bound
    ...get(23), ...get(18 + r), 0x5f, ...get(23), ...get(22), 0x5f, 0x72,
    0x71,
    0x04, 0x40, // if
    ...get(17), ...get(23), 0x38, 2, 0,
    ...get(17), ...get(9), ...i32c(r), ...add, ...i32c(16), 0x74, ...get(10), 0x72, 0x36, 2, 4,
    ...get(17), ...i32c(8), ...add, ...set(17),
    0x0b,
  ];
  const code: number[] = [
    ...get(6), ...set(17),
    ...i32c(0), ...set(9),
    0x02, 0x40, 0x03, 0x40,
    ...get(9), ...get(3), ...geU, 0x0d, 1,
    ...rowPtr(listEntry(2, 9, 0)), ...set(11),
    ...rowPtr(listEntry(2, 9, 4)), ...set(12),
    ...rowPtr(listEntry(2, 9, 8)), ...set(13),
    ...rowPtr(listEntry(2, 9, 12)), ...set(14),
    ...boundOf(listEntry(2, 9, 0)), ...set(18),
    ...boundOf(listEntry(2, 9, 4)), ...set(19),
    ...boundOf(listEntry(2, 9, 8)), ...set(20),
    ...boundOf(listEntry(2, 9, 12)), ...set(21),
    ...get(7), ...get(9), ...i32c(1), ...add, ...mul, ...set(10),
    0x02, 0x40, 0x03, 0x40,
    ...get(10), ...get(5), ...geU, 0x0d, 1,
    ...rowPtr(listEntry(4, 10, 0)), ...set(15),
    ...boundOf(listEntry(4, 10, 0)), ...set(22),
    ...zero, ...set(24), ...zero, ...set(25), ...zero, ...set(26), ...zero, ...set(27),
    ...i32c(0), ...set(16),
    0x03, 0x40,
    ...get(15), ...get(16), ...add, ...v128Load, ...set(28),
    ...accumulate(11, 24), ...accumulate(12, 25), ...accumulate(13, 26), ...accumulate(14, 27),
    ...get(16), ...i32c(16), ...add, ...tee(16), ...get(1), ...ltU, 0x0d, 0,
    0x0b,
    ...emit(0), ...emit(1), ...emit(2), ...emit(3),
    ...get(10), ...i32c(1), ...add, ...set(10),
    0x0c, 0,
    0x0b, 0x0b,
    ...get(9), ...i32c(4), ...add, ...set(9),
    0x0c, 0,
    0x0b, 0x0b,
    // count = (outp - out) / 8
    ...get(17), ...get(6), 0x6b, ...i32c(3), 0x76,
    0x0b,
  ];
  const locals = vec([
    [...uleb(9), I32],
    [...uleb(6), 0x7d],
    [...uleb(6), V128],
  ]);
  const body = [...locals, ...code];
  return [...uleb(body.length), ...body];
}

function kernelBytes(): Uint8Array<ArrayBuffer> {
  const block = new Array<number>(8).fill(I32);
  return moduleBytes(
    [
      { name: 'block64', params: block, results: [], body: blockBody('f64') },
      { name: 'block32', params: block, results: [], body: blockBody('f32') },
      { name: 'candidates32', params: new Array<number>(9).fill(I32), results: [I32], body: candidatesBody() },
    ],
    0,
    { name: 'mem', shared: false },
  );
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly SIMD is unavailable (callers fall back to JavaScript). */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(kernelBytes());
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

/**
 * A kernel instance over its own memory of at least `bytes` bytes (grown in 64 KiB pages), or over `memory`
 * (grown to `bytes` if smaller), or null without WebAssembly SIMD.
 */
export function createKernel(precision: KernelPrecision, cols: number, bytes: number, own: WebAssembly.Memory | null = null): DistanceKernel | null {
  const mod = kernelModule();
  if (!mod) return null;
  const elem = precision === 'f64' ? 8 : 4;
  const stride = Math.ceil((cols * elem) / 16) * 16;
  const memory = own ?? new WebAssembly.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  if (own && own.buffer.byteLength < bytes) own.grow(Math.ceil((bytes - own.buffer.byteLength) / 65536));
  const instance = new WebAssembly.Instance(mod, { env: { mem: memory } });
  const fn = instance.exports[precision === 'f64' ? 'block64' : 'block32'] as (...args: number[]) => void;
  const cand = instance.exports.candidates32 as (...args: number[]) => number;
  return {
    precision,
    memory,
    stride,
    block: (values, listA, na, listB, nb, out, tri) => fn(values, stride, listA, na, listB, nb, out, tri),
    candidates: (values, listA, na, listB, nb, out, tri, bounds) => {
      if (precision !== 'f32') throw new Error('candidates needs the float32 kernel');
      return cand(values, stride, listA, na, listB, nb, out, tri, bounds);
    },
  };
}

export interface LoadedRows {
  k: DistanceKernel;
  /** Byte offset of row 0. */
  rows: number;
  /** Byte offset of an identity list 0, 1, ..., listLength - 1 (entries past n name row 0). */
  list: number;
  /** Rows renumbered inside the caller's memory (KnnOptions.inPlace): puts them back in x's order. */
  restore: (() => void) | null;
}

/**
 * x's rows copied (zero-padded to the kernel's stride) into a new kernel's memory, then an identity list; null
 * without WebAssembly SIMD. With perm, row i of the kernel's copy is x's row perm[i]. With inPlace, the memory
 * x's values fill from byte 0 (float32 rows that need no padding): the rows are renumbered there instead of
 * copied, and restore() puts them back.
 */
export function loadRows(x: Matrix, precision: KernelPrecision, listLength: number, perm: Int32Array | null = null, inPlace: WebAssembly.Memory | null = null): LoadedRows | null {
  const { rows: n, cols, values } = x;
  if (inPlace && precision === 'f32' && cols % 4 === 0 && values.buffer === inPlace.buffer && values.byteOffset === 0) {
    const k = createKernel(precision, cols, 1, inPlace);
    if (!k) return null;
    if (perm) gatherRows(values, cols, perm);
    const list = n * k.stride;
    ensureMemory(k, list + 4 * listLength);
    const ids = new Int32Array(k.memory.buffer, list, listLength);
    for (let i = 0; i < listLength; i++) ids[i] = i < n ? i : 0;
    const restore = perm
      ? () => {
          const back = new Int32Array(n);
          for (let i = 0; i < n; i++) back[perm[i]!] = i;
          gatherRows(new Float32Array(k.memory.buffer, 0, n * cols), cols, back);
        }
      : null;
    return { k, rows: 0, list, restore };
  }
  const k = createKernel(precision, cols, 1);
  if (!k) return null;
  const list = n * k.stride;
  ensureMemory(k, list + 4 * listLength);
  const elem = precision === 'f64' ? 8 : 4;
  const per = k.stride / elem;
  const dst = precision === 'f64' ? new Float64Array(k.memory.buffer, 0, n * per) : new Float32Array(k.memory.buffer, 0, n * per);
  for (let i = 0; i < n; i++) {
    const r = perm ? perm[i]! : i;
    dst.set(values.subarray(r * cols, (r + 1) * cols), i * per);
  }
  const ids = new Int32Array(k.memory.buffer, list, listLength);
  for (let i = 0; i < listLength; i++) ids[i] = i < n ? i : 0;
  return { k, rows: 0, list, restore: null };
}

/**
 * Renumbers the rows of a row-major matrix in place: row i becomes the former row order[i] (order a
 * permutation). Follows each cycle of the permutation with one row set aside: no copy of the matrix.
 */
export function gatherRows(values: Float32Array, cols: number, order: Int32Array): void {
  const n = order.length;
  const done = new Uint8Array(n);
  const held = new Float32Array(cols);
  for (let s = 0; s < n; s++) {
    if (done[s] || order[s] === s) continue;
    held.set(values.subarray(s * cols, (s + 1) * cols));
    let i = s;
    for (;;) {
      done[i] = 1;
      const j = order[i]!;
      if (j === s) {
        values.set(held, i * cols);
        break;
      }
      values.copyWithin(i * cols, j * cols, (j + 1) * cols);
      i = j;
    }
  }
}

export function align16(bytes: number): number {
  return Math.ceil(bytes / 16) * 16;
}

/** Grows the kernel's memory to at least `bytes` (views of the old buffer are detached). */
export function ensureMemory(k: DistanceKernel, bytes: number): void {
  const have = k.memory.buffer.byteLength;
  if (bytes > have) k.memory.grow(Math.ceil((bytes - have) / 65536));
}

/** Squared Euclidean distance of rows a and b of a row-major matrix with `cols` columns (plain JavaScript). */
export function sqDist(v: Float32Array, a: number, b: number, cols: number): number {
  let s = 0;
  const oa = a * cols;
  const ob = b * cols;
  for (let c = 0; c < cols; c++) {
    const d = v[oa + c]! - v[ob + c]!;
    s += d * d;
  }
  return s;
}

