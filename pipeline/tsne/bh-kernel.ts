// The Barnes-Hut interaction-list sum in WebAssembly SIMD, two points per f64x2 vector: for each point of a
// group and each body (x, y, mass) of the group's interaction list, q = 1 / (1 + |p - b|²),
// z += m q, f += m q² (p - b). The operations and their order are those of the JavaScript loop, in IEEE double
// precision with no fused multiply-add, so the results are the same to the bit; the gain is that one division
// instruction serves two points (the loop is bound by division throughput).
import { Body, I32, moduleBytes, V128 } from '../wasm-emit.js';

/** Largest memory the module accepts, in 64 KiB pages (1 GiB). */
export const BH_MAX_PAGES = 16384;

const OP = { add: 0x6a, mul: 0x6c, geU: 0x4f, load: 0x00, load32Splat: 0x09, load64Splat: 0x0a, store: 0x0b, dadd: 0xf0, dsub: 0xf1, dmul: 0xf2, ddiv: 0xf3, fadd: 0xe4, fsub: 0xe5, fmul: 0xe6, fdiv: 0xe7 };

/**
 * interact(px, py, pairs, lx, ly, lm, len, out): for points t = 0 .. 2 pairs - 1 at px[t], py[t] (f64, byte
 * pointers) against the bodies lx[k], ly[k], lm[k], k < len, writes per pair of points six doubles at
 * out + 48 pair: [z_a, z_b, fx_a, fx_b, fy_a, fy_b].
 */
function interactBody(): Body {
  const P = { px: 0, py: 1, pairs: 2, lx: 3, ly: 4, lm: 5, len: 6, out: 7 };
  const f = new Body(8);
  const t = f.local(I32);
  const k = f.local(I32);
  const kb = f.local(I32);
  const x = f.local(V128);
  const y = f.local(V128);
  const z = f.local(V128);
  const fx = f.local(V128);
  const fy = f.local(V128);
  const dx = f.local(V128);
  const dy = f.local(V128);
  const q = f.local(V128);
  const mq = f.local(V128);
  const zero = () => f.simd(0x0c, ...new Array<number>(16).fill(0));
  const one = () => {
    const lane = [...new Uint8Array(new Float64Array([1]).buffer)];
    f.simd(0x0c, ...lane, ...lane);
  };
  f.i32(0).set(t);
  f.loop(
    () => f.get(t).get(P.pairs).op(OP.geU),
    () => {
      f.get(P.px).get(t).i32(16).op(OP.mul).op(OP.add).simd(OP.load, 3, 0).set(x);
      f.get(P.py).get(t).i32(16).op(OP.mul).op(OP.add).simd(OP.load, 3, 0).set(y);
      zero().set(z);
      zero().set(fx);
      zero().set(fy);
      f.i32(0).set(k);
      f.loop(
        () => f.get(k).get(P.len).op(OP.geU),
        () => {
          f.get(k).i32(8).op(OP.mul).set(kb);
          // dx = p - bx, dy = p - by
          f.get(x).get(P.lx).get(kb).op(OP.add).simd(OP.load64Splat, 3, 0).simd(OP.dsub).set(dx);
          f.get(y).get(P.ly).get(kb).op(OP.add).simd(OP.load64Splat, 3, 0).simd(OP.dsub).set(dy);
          // q = 1 / ((1 + dx dx) + dy dy)
          one();
          one();
          f.get(dx).get(dx).simd(OP.dmul).simd(OP.dadd).get(dy).get(dy).simd(OP.dmul).simd(OP.dadd).simd(OP.ddiv).set(q);
          // mq = m q; z += mq; mq2 = mq q; fx += mq2 dx; fy += mq2 dy
          f.get(P.lm).get(kb).op(OP.add).simd(OP.load64Splat, 3, 0).get(q).simd(OP.dmul).set(mq);
          f.get(z).get(mq).simd(OP.dadd).set(z);
          f.get(mq).get(q).simd(OP.dmul).set(mq);
          f.get(fx).get(mq).get(dx).simd(OP.dmul).simd(OP.dadd).set(fx);
          f.get(fy).get(mq).get(dy).simd(OP.dmul).simd(OP.dadd).set(fy);
          f.get(k).i32(1).op(OP.add).set(k);
        },
      );
      const at = () => f.get(P.out).get(t).i32(48).op(OP.mul).op(OP.add);
      at();
      f.get(z).simd(OP.store, 3, 0);
      at();
      f.get(fx).simd(OP.store, 3, 16);
      at();
      f.get(fy).simd(OP.store, 3, 32);
      f.get(t).i32(1).op(OP.add).set(t);
    },
  );
  return f;
}

/**
 * interact4(px, py, quads, lx, ly, lm, len, out): the same sums in float32, four points per f32x4 vector (twice
 * the points per division of the f64x2 kernel); pointers to float32 arrays; per quad of points twelve floats at
 * out + 48 quad: [z_0..3, fx_0..3, fy_0..3].
 */
function interact4Body(): Body {
  const P = { px: 0, py: 1, quads: 2, lx: 3, ly: 4, lm: 5, len: 6, out: 7 };
  const f = new Body(8);
  const t = f.local(I32);
  const k = f.local(I32);
  const kb = f.local(I32);
  const x = f.local(V128);
  const y = f.local(V128);
  const z = f.local(V128);
  const fx = f.local(V128);
  const fy = f.local(V128);
  const dx = f.local(V128);
  const dy = f.local(V128);
  const q = f.local(V128);
  const mq = f.local(V128);
  f.i32(0).set(t);
  f.loop(
    () => f.get(t).get(P.quads).op(OP.geU),
    () => {
      f.get(P.px).get(t).i32(16).op(OP.mul).op(OP.add).simd(OP.load, 2, 0).set(x);
      f.get(P.py).get(t).i32(16).op(OP.mul).op(OP.add).simd(OP.load, 2, 0).set(y);
      f.f32x4(0).set(z);
      f.f32x4(0).set(fx);
      f.f32x4(0).set(fy);
      f.i32(0).set(k);
      f.loop(
        () => f.get(k).get(P.len).op(OP.geU),
        () => {
          f.get(k).i32(4).op(OP.mul).set(kb);
          f.get(x).get(P.lx).get(kb).op(OP.add).simd(OP.load32Splat, 2, 0).simd(OP.fsub).set(dx);
          f.get(y).get(P.ly).get(kb).op(OP.add).simd(OP.load32Splat, 2, 0).simd(OP.fsub).set(dy);
          f.f32x4(1).f32x4(1);
          f.get(dx).get(dx).simd(OP.fmul).simd(OP.fadd).get(dy).get(dy).simd(OP.fmul).simd(OP.fadd).simd(OP.fdiv).set(q);
          f.get(P.lm).get(kb).op(OP.add).simd(OP.load32Splat, 2, 0).get(q).simd(OP.fmul).set(mq);
          f.get(z).get(mq).simd(OP.fadd).set(z);
          f.get(mq).get(q).simd(OP.fmul).set(mq);
          f.get(fx).get(mq).get(dx).simd(OP.fmul).simd(OP.fadd).set(fx);
          f.get(fy).get(mq).get(dy).simd(OP.fmul).simd(OP.fadd).set(fy);
          f.get(k).i32(1).op(OP.add).set(k);
        },
      );
      const at = () => f.get(P.out).get(t).i32(48).op(OP.mul).op(OP.add);
      at();
      f.get(z).simd(OP.store, 2, 0);
      at();
      f.get(fx).simd(OP.store, 2, 16);
      at();
      f.get(fy).simd(OP.store, 2, 32);
      f.get(t).i32(1).op(OP.add).set(t);
    },
  );
  return f;
}

export function bhKernelBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes(
    [
      { name: 'interact', params: new Array<number>(8).fill(I32), results: [], body: interactBody() },
      { name: 'interact4', params: new Array<number>(8).fill(I32), results: [], body: interact4Body() },
    ],
    BH_MAX_PAGES,
  );
}

let compiled: WebAssembly.Module | null = null;

/** interact() over a shared memory; offsets are in doubles (f64 indices into the memory). */
export type Interact = (px: number, py: number, pairs: number, lx: number, ly: number, lm: number, len: number, out: number) => void;

export function createInteract(memory: WebAssembly.Memory): Interact {
  compiled ??= new WebAssembly.Module(bhKernelBytes());
  const kernel = new WebAssembly.Instance(compiled, { env: { memory } }).exports.interact as (...args: number[]) => void;
  return (px, py, pairs, lx, ly, lm, len, out) => kernel(px * 8, py * 8, pairs, lx * 8, ly * 8, lm * 8, len, out * 8);
}

/** interact4() over a shared memory; offsets are in floats (f32 indices into the memory). */
export type Interact4 = (px: number, py: number, quads: number, lx: number, ly: number, lm: number, len: number, out: number) => void;

export function createInteract4(memory: WebAssembly.Memory): Interact4 {
  compiled ??= new WebAssembly.Module(bhKernelBytes());
  const kernel = new WebAssembly.Instance(compiled, { env: { memory } }).exports.interact4 as (...args: number[]) => void;
  return (px, py, quads, lx, ly, lm, len, out) => kernel(px * 4, py * 4, quads, lx * 4, ly * 4, lm * 4, len, out * 4);
}
