// A minimal WebAssembly binary emitter for the SIMD kernels (autoencoder/kernels.ts). Emitting the bytes
// here keeps the build free of toolchains and downloads; WebAssembly.validate and the kernels' tests check them.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(b & 0x40)) || (n === -1 && b & 0x40)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
export const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

/** A function body under construction (locals after the parameters). */
export class Body {
  readonly code: number[] = [];
  private readonly locals: number[] = [];
  constructor(private readonly params: number) {}
  local(type: number): number {
    this.locals.push(type);
    return this.params + this.locals.length - 1;
  }
  get(i: number): this {
    this.code.push(0x20, ...uleb(i));
    return this;
  }
  set(i: number): this {
    this.code.push(0x21, ...uleb(i));
    return this;
  }
  tee(i: number): this {
    this.code.push(0x22, ...uleb(i));
    return this;
  }
  i32(n: number): this {
    this.code.push(0x41, ...sleb(n));
    return this;
  }
  op(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }
  simd(op: number, ...immediates: number[]): this {
    this.code.push(0xfd, ...uleb(op), ...immediates);
    return this;
  }
  /** Emits whatever `emit` emits (to keep a chain going). */
  call(emit: () => void): this {
    emit();
    return this;
  }
  /** v128.const with the float32 value v in every lane. */
  f32x4(v: number): this {
    const lane = new Uint8Array(new Float32Array([v]).buffer);
    return this.simd(0x0c, ...lane, ...lane, ...lane, ...lane);
  }
  /** block { loop { br_if 1 (exit) when the condition pushed by `exitIf` is true; body; br 0 } } */
  loop(exitIf: () => void, body: () => void): this {
    this.op(0x02, 0x40, 0x03, 0x40);
    exitIf();
    this.op(0x0d, 1);
    body();
    this.op(0x0c, 0, 0x0b, 0x0b);
    return this;
  }
  encode(): number[] {
    const b = [...vec(this.locals.map((t) => [1, t])), ...this.code, 0x0b];
    return [...uleb(b.length), ...b];
  }
}


export interface FunctionDef {
  name: string;
  params: number[];
  results: number[];
  /** A Body, or a body already encoded (its size, locals and code). */
  body: Body | number[];
}

export interface MemoryImport {
  /** Import name under "env" (default "memory"). */
  name?: string;
  /** A shared memory (threads; needs maxPages) or a plain one (default true). */
  shared?: boolean;
  /** Largest size in 64 KiB pages (required when shared). */
  maxPages?: number;
}

/** A module that imports one memory from "env" (by default a shared "memory" of 1 page up to maxPages) and exports the functions. */
export function moduleBytes(functions: FunctionDef[], maxPages: number, memory: MemoryImport = {}): Uint8Array<ArrayBuffer> {
  const shared = memory.shared ?? true;
  const limits = shared ? [0x03, ...uleb(1), ...uleb(memory.maxPages ?? maxPages)] : [0x00, ...uleb(1)];
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const memoryImport = [...name('env'), ...name(memory.name ?? 'memory'), 0x02, ...limits];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(functions.map((f) => (f.body instanceof Body ? f.body.encode() : f.body)))),
  ]);
}
