// The training engine's WebAssembly SIMD kernels, emitted byte by byte (wasm-emit.ts), running on a shared
// WebAssembly.Memory so two threads use one copy of the weights.
//
// gemm: the matrix product. Why not tfjs' wasm MatMul: it repacks its right operand on every call whose tensor is new (always,
// in training: the weights change every step), which cost as much as the product itself; this kernel reads
// both operands in place. It computes 4 x 8 tiles of C = A B with eight f32x4 accumulators; A may be strided
// (so Aᵀ costs nothing), B and C are row-major. Rows and columns left over from the tiles are done in JavaScript.
//
// bce: binary cross-entropy from logits and its gradient, four values at a time, with a polynomial exp (the
// JavaScript loop with Math.exp and Math.log1p took a sixth of each training step).

import { ADAM, optimizerStep } from './optimizer.js';
import { Body, F32, I32, moduleBytes, V128 } from '../wasm-emit.js';

/** Largest memory the module accepts, in 64 KiB pages (1 GiB). */
export const MAX_PAGES = 16384;

const OP = {
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  eqz: 0x45,
  gtU: 0x4b,
  if: 0x04,
  end: 0x0b,
  // SIMD (after the 0xfd prefix)
  load: 0x00,
  load32Splat: 0x09,
  store: 0x0b,
  const: 0x0c,
  fabs: 0xe0,
  fsqrt: 0xe3,
  fadd: 0xe4,
  fsub: 0xe5,
  fmul: 0xe6,
  fdiv: 0xe7,
  fmin: 0xe8,
  fmax: 0xe9,
  fge: 0x46,
  fnearest: 0x6a,
  bitselect: 0x52,
  extractLane: 0x1f,
  truncSat: 0xf8,
  ishl: 0xab,
  isub: 0xb1,
  f32add: 0x92,
};

/**
 * The module: imports env.memory (shared), exports
 * gemm(a, rsA, csA, b, ldb, c, ldc, M, N, K, accumulate, bias, relu): C = [relu](bias + A B [+ C]) over the full
 * 4 x 8 tiles, i.e. rows [0, M - M % 4) and columns [0, N - N % 8). Pointers and strides are in bytes; A[i][k]
 * is at a + i rsA + k csA; bias 0 means none.
 */
function gemmBody(R: number): Body {
  const P = { a: 0, rsA: 1, csA: 2, b: 3, ldb: 4, c: 5, ldc: 6, M: 7, N: 8, K: 9, acc: 10, bias: 11, relu: 12 };
  const f = new Body(13);
  const n0 = f.local(I32);
  const m0 = f.local(I32);
  const k = f.local(I32);
  const pa = Array.from({ length: R }, () => f.local(I32));
  const pb = f.local(I32);
  const pc = f.local(I32);
  const acc = Array.from({ length: 2 * R }, () => f.local(V128));
  const b0 = f.local(V128);
  const b1 = f.local(V128);
  const av = f.local(V128);
  const zero = () => f.simd(OP.const, ...new Array<number>(16).fill(0));

  f.i32(0).set(n0);
  f.loop(
    () => f.get(n0).i32(8).op(OP.add).get(P.N).op(OP.gtU),
    () => {
      f.i32(0).set(m0);
      f.loop(
        () => f.get(m0).i32(R).op(OP.add).get(P.M).op(OP.gtU),
        () => {
          // accumulators start at the bias (bias != 0: a byte pointer to N floats) or at zero
          f.get(P.bias).op(OP.if, 0x40);
          for (let h = 0; h < 2; h++) f.get(P.bias).get(n0).i32(4).op(OP.mul).op(OP.add).simd(OP.load, 0, h * 16).set(acc[h]!);
          f.op(0x05); // else
          for (let h = 0; h < 2; h++) zero().set(acc[h]!);
          f.op(OP.end);
          for (let r = 1; r < R; r++) for (let h = 0; h < 2; h++) f.get(acc[h]!).set(acc[2 * r + h]!);
          f.get(P.a).get(m0).get(P.rsA).op(OP.mul).op(OP.add).set(pa[0]!);
          for (let r = 1; r < R; r++) f.get(pa[r - 1]!).get(P.rsA).op(OP.add).set(pa[r]!);
          f.get(P.b).get(n0).i32(4).op(OP.mul).op(OP.add).set(pb);
          f.get(P.K).set(k);
          f.loop(
            () => f.get(k).op(OP.eqz),
            () => {
              f.get(pb).simd(OP.load, 0, 0).set(b0);
              f.get(pb).simd(OP.load, 0, 16).set(b1);
              for (let r = 0; r < R; r++) {
                f.get(pa[r]!).simd(OP.load32Splat, 2, 0).set(av);
                f.get(acc[2 * r]!).get(av).get(b0).simd(OP.fmul).simd(OP.fadd).set(acc[2 * r]!);
                f.get(acc[2 * r + 1]!).get(av).get(b1).simd(OP.fmul).simd(OP.fadd).set(acc[2 * r + 1]!);
              }
              for (const p of pa) f.get(p).get(P.csA).op(OP.add).set(p);
              f.get(pb).get(P.ldb).op(OP.add).set(pb);
              f.get(k).i32(1).op(OP.sub).set(k);
            },
          );
          f.get(P.c).get(m0).get(P.ldc).op(OP.mul).op(OP.add).get(n0).i32(4).op(OP.mul).op(OP.add).set(pc);
          for (let r = 0; r < R; r++) {
            for (let h = 0; h < 2; h++) {
              const a = acc[2 * r + h]!;
              f.get(P.acc).op(OP.if, 0x40).get(a).get(pc).simd(OP.load, 0, h * 16).simd(OP.fadd).set(a).op(OP.end);
              f.get(P.relu).op(OP.if, 0x40).get(a).call(() => zero()).simd(OP.fmax).set(a).op(OP.end);
              f.get(pc).get(a).simd(OP.store, 0, h * 16);
            }
            f.get(pc).get(P.ldc).op(OP.add).set(pc);
          }
          f.get(m0).i32(R).op(OP.add).set(m0);
        },
      );
      f.get(n0).i32(8).op(OP.add).set(n0);
    },
  );

  return f;
}

/**
 * bce(z, t, g, n, scale) -> f32: over n values (n a multiple of 4) of logits z and targets t (byte pointers),
 * writes g = (sigmoid(z) - t) scale and returns the sum of softplus(z) - z t (binary cross-entropy from logits).
 * exp(-|z|) is 2^-k p(r) with a degree-6 polynomial (relative error ~1e-7, |z| clamped to 80), log1p(e) the
 * series 2 atanh(e / (2 + e)) (absolute error < 1e-8).
 */
function bceBody(): Body {
  const P = { z: 0, t: 1, g: 2, n: 3, scale: 4 };
  const f = new Body(5);
  const i = f.local(I32);
  const sum = f.local(V128);
  const z = f.local(V128);
  const a = f.local(V128);
  const r = f.local(V128);
  const e = f.local(V128);
  const u = f.local(V128);
  const u2 = f.local(V128);
  const kf = f.local(V128);
  const sig = f.local(V128);
  const scale = f.local(V128);
  const t = f.local(V128);
  const poly = (x: number, coefficients: number[]) => {
    // c0 + x (c1 + x (c2 + ...)), Horner from the last coefficient
    f.f32x4(coefficients[coefficients.length - 1]!);
    for (let c = coefficients.length - 2; c >= 0; c--) f.get(x).simd(OP.fmul).f32x4(coefficients[c]!).simd(OP.fadd);
  };
  f.get(P.scale).simd(0x13).set(scale); // f32x4.splat
  f.f32x4(0).set(sum);
  f.i32(0).set(i);
  f.loop(
    () => f.get(i).get(P.n).op(0x4f), // i32.ge_u
    () => {
      const at = (p: number) => f.get(p).get(i).i32(4).op(OP.mul).op(OP.add);
      at(P.z);
      f.simd(OP.load, 0, 0).set(z);
      at(P.t);
      f.simd(OP.load, 0, 0).set(t);
      f.get(z).simd(OP.fabs).f32x4(80).simd(OP.fmin).set(a);
      // k = nearest(a log2 e), r = k ln2 - a in [-ln2/2, ln2/2]; exp(-a) = 2^-k exp(r)
      f.get(a).f32x4(Math.LOG2E).simd(OP.fmul).simd(OP.fnearest).set(kf);
      f.get(kf).f32x4(Math.LN2).simd(OP.fmul).get(a).simd(OP.fsub).set(r);
      poly(r, [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720]);
      // 2^-k: the float with exponent field 127 - k
      f.i32(127).simd(0x11); // i32x4.splat
      f.get(kf).simd(OP.truncSat, 0x01).simd(OP.isub, 0x01).i32(23).simd(OP.ishl, 0x01);
      f.simd(OP.fmul).set(e);
      // loss: max(z, 0) - z t + log1p(e)
      f.get(e).get(e).f32x4(2).simd(OP.fadd).simd(OP.fdiv).set(u);
      f.get(u).get(u).simd(OP.fmul).set(u2);
      poly(u2, [1, 1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13]);
      f.get(u).simd(OP.fmul).f32x4(2).simd(OP.fmul); // log1p(e)
      f.get(z).get(z).simd(OP.fabs).simd(OP.fadd).f32x4(0.5).simd(OP.fmul).simd(OP.fadd); // + max(z, 0)
      f.get(z).get(t).simd(OP.fmul).simd(OP.fsub);
      f.get(sum).simd(OP.fadd).set(sum);
      // gradient: sigmoid(z) = 1 / (1 + e) for z >= 0, e / (1 + e) otherwise
      f.f32x4(1).get(e).f32x4(1).simd(OP.fadd).simd(OP.fdiv).set(sig);
      f.get(sig).get(e).get(sig).simd(OP.fmul).get(z).f32x4(0).simd(OP.fge).simd(OP.bitselect);
      f.get(t).simd(OP.fsub).get(scale).simd(OP.fmul).set(sig);
      at(P.g);
      f.get(sig).simd(OP.store, 0, 0);
      f.get(i).i32(4).op(OP.add).set(i);
    },
  );
  f.get(sum).simd(OP.extractLane, 0).get(sum).simd(OP.extractLane, 1).op(OP.f32add);
  f.get(sum).simd(OP.extractLane, 2).op(OP.f32add).get(sum).simd(OP.extractLane, 3).op(OP.f32add);
  return f;
}

/**
 * adam(w, m, v, g0, g1, n, a, c2, eps, two): over n parameters (a multiple of 4; byte pointers), with
 * g = g0 (+ g1 when two != 0): m = 0.9 m + 0.1 g, v = 0.999 v + 0.001 g², w -= a m / (sqrt(v c2) + eps), where
 * a = learning rate / (1 - 0.9^t) and c2 = 1 / (1 - 0.999^t) (optimizer.ts has the same update in JavaScript).
 */
function adamBody(): Body {
  const P = { w: 0, m: 1, v: 2, g0: 3, g1: 4, n: 5, a: 6, c2: 7, eps: 8, two: 9 };
  const f = new Body(10);
  const i = f.local(I32);
  const g = f.local(V128);
  const m = f.local(V128);
  const v = f.local(V128);
  const a = f.local(V128);
  const c2 = f.local(V128);
  const eps = f.local(V128);
  f.get(P.a).simd(0x13).set(a);
  f.get(P.c2).simd(0x13).set(c2);
  f.get(P.eps).simd(0x13).set(eps);
  f.i32(0).set(i);
  f.loop(
    () => f.get(i).get(P.n).op(0x4f),
    () => {
      const at = (p: number) => f.get(p).get(i).i32(4).op(OP.mul).op(OP.add);
      at(P.g0);
      f.simd(OP.load, 0, 0).set(g);
      f.get(P.two).op(OP.if, 0x40);
      f.get(g);
      at(P.g1);
      f.simd(OP.load, 0, 0).simd(OP.fadd).set(g);
      f.op(OP.end);
      at(P.m);
      f.simd(OP.load, 0, 0).f32x4(0.9).simd(OP.fmul).get(g).f32x4(0.1).simd(OP.fmul).simd(OP.fadd).set(m);
      at(P.v);
      f.simd(OP.load, 0, 0).f32x4(0.999).simd(OP.fmul).get(g).get(g).simd(OP.fmul).f32x4(0.001).simd(OP.fmul).simd(OP.fadd).set(v);
      at(P.m);
      f.get(m).simd(OP.store, 0, 0);
      at(P.v);
      f.get(v).simd(OP.store, 0, 0);
      at(P.w); // address for the store
      at(P.w);
      f.simd(OP.load, 0, 0);
      f.get(a).get(m).simd(OP.fmul);
      f.get(v).get(c2).simd(OP.fmul).simd(OP.fsqrt).get(eps).simd(OP.fadd);
      f.simd(OP.fdiv).simd(OP.fsub).simd(OP.store, 0, 0);
      f.get(i).i32(4).op(OP.add).set(i);
    },
  );
  return f;
}

/** The kernels module's bytes. */
export function kernelModuleBytes(): Uint8Array<ArrayBuffer> {
  return moduleBytes(
    [
      { name: 'gemm', params: new Array<number>(13).fill(I32), results: [], body: gemmBody(4) },
      { name: 'bce', params: [I32, I32, I32, I32, F32], results: [F32], body: bceBody() },
      { name: 'adam', params: [I32, I32, I32, I32, I32, I32, F32, F32, F32, I32], results: [], body: adamBody() },
    ],
    MAX_PAGES,
  );
}

let compiled: WebAssembly.Module | null = null;
const instances = new WeakMap<WebAssembly.Memory, WebAssembly.Exports>();

function instance(memory: WebAssembly.Memory): WebAssembly.Exports {
  let exports = instances.get(memory);
  if (!exports) {
    compiled ??= new WebAssembly.Module(kernelModuleBytes());
    exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports;
    instances.set(memory, exports);
  }
  return exports;
}

/**
 * C = A B (accumulate: C += A B) on float32 matrices in `memory`. Offsets and strides are in floats:
 * A[i][k] = f[a + i rsA + k csA], B[k][j] = f[b + k ldb + j], C[i][j] = f[c + i ldc + j].
 */
export type Gemm = (a: number, rsA: number, csA: number, b: number, ldb: number, c: number, ldc: number, M: number, N: number, K: number, accumulate: boolean, bias?: number, relu?: boolean) => void;

/** A Gemm over a shared memory (each thread makes its own from the same memory). */
export function createGemm(memory: WebAssembly.Memory): Gemm {
  const kernel = instance(memory).gemm as (...args: number[]) => void;
  const f = new Float32Array(memory.buffer);
  return (a, rsA, csA, b, ldb, c, ldc, M, N, K, accumulate, bias = -1, relu = false) => {
    const M4 = M - (M % 4);
    const N8 = N - (N % 8);
    // (float offset 0 is never a bias: the weights come first in the layout, so 0 can mean "no bias")
    if (M4 > 0 && N8 > 0) kernel(a * 4, rsA * 4, csA * 4, b * 4, ldb * 4, c * 4, ldc * 4, M, N, K, accumulate ? 1 : 0, bias > 0 ? bias * 4 : 0, relu ? 1 : 0);
    // the leftover columns of the tiled rows, then the leftover rows
    if (N8 < N) scalar(f, a, rsA, csA, b, ldb, c, ldc, 0, M4, N8, N, K, accumulate, bias, relu);
    if (M4 < M) scalar(f, a, rsA, csA, b, ldb, c, ldc, M4, M, 0, N, K, accumulate, bias, relu);
  };
}

function scalar(f: Float32Array, a: number, rsA: number, csA: number, b: number, ldb: number, c: number, ldc: number, i0: number, i1: number, j0: number, j1: number, K: number, accumulate: boolean, bias: number, relu: boolean): void {
  for (let i = i0; i < i1; i++) {
    const ai = a + i * rsA;
    const ci = c + i * ldc;
    for (let j = j0; j < j1; j++) {
      let s = bias > 0 ? f[bias + j]! : 0;
      for (let k = 0; k < K; k++) s += f[ai + k * csA]! * f[b + k * ldb + j]!;
      if (accumulate) s += f[ci + j]!;
      f[ci + j] = relu && !(s > 0) ? 0 : s;
    }
  }
}

/**
 * Binary cross-entropy from logits over n floats (offsets in floats): writes g = (sigmoid(z) - t) scale and
 * returns the sum of softplus(z) - z t.
 */
export type Bce = (z: number, t: number, g: number, n: number, scale: number) => number;

export function createBce(memory: WebAssembly.Memory): Bce {
  const kernel = instance(memory).bce as (z: number, t: number, g: number, n: number, scale: number) => number;
  const f = new Float32Array(memory.buffer);
  return (z, t, g, n, scale) => {
    const n4 = n - (n % 4);
    let sum = n4 > 0 ? kernel(z * 4, t * 4, g * 4, n4, scale) : 0;
    for (let i = n4; i < n; i++) {
      const v = f[z + i]!;
      const x = f[t + i]!;
      const e = Math.exp(-Math.abs(v));
      sum += (v > 0 ? v : 0) - v * x + Math.log1p(e);
      f[g + i] = ((v >= 0 ? 1 / (1 + e) : e / (1 + e)) - x) * scale;
    }
    return sum;
  };
}

/** Adam's update of parameters [from, to) (offsets in floats into the memory); see optimizer.ts. */
export type AdamKernel = (w: number, m: number, v: number, g0: number, g1: number | null, from: number, to: number, learningRate: number, step: number) => void;

export function createAdam(memory: WebAssembly.Memory): AdamKernel {
  const kernel = instance(memory).adam as (...args: number[]) => void;
  const f = new Float32Array(memory.buffer);
  return (w, m, v, g0, g1, from, to, learningRate, step) => {
    const a = learningRate / (1 - ADAM.beta1 ** step);
    const c2 = 1 / (1 - ADAM.beta2 ** step);
    const n = to - from;
    const n4 = n - (n % 4);
    const o = from * 4;
    if (n4 > 0) kernel(w * 4 + o, m * 4 + o, v * 4 + o, g0 * 4 + o, (g1 ?? g0) * 4 + o, n4, a, c2, ADAM.epsilon, g1 === null ? 0 : 1);
    // the last n % 4 parameters: the same update in JavaScript
    if (n4 < n) {
      const view = (at: number) => f.subarray(at);
      optimizerStep('adam', learningRate, step, view(w), { m: view(m), v: view(v) }, view(g0), g1 === null ? null : view(g1), from + n4, to);
    }
  };
}
