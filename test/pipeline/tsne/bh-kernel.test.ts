import { describe, expect, it } from 'vitest';
import { bhKernelBytes, createInteract, createInteract4 } from '../../../pipeline/tsne/bh-kernel.js';
import { createRandom } from '../../../pipeline/random.js';

describe('Barnes-Hut interaction kernel (wasm f64x2)', () => {
  it('is valid WebAssembly', () => {
    expect(WebAssembly.validate(bhKernelBytes())).toBe(true);
  });

  it('gives the JavaScript sums to the bit', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 16384, shared: true });
    const d = new Float64Array(memory.buffer);
    const random = createRandom(11);
    const pairs = 9;
    const len = 37;
    const [PX, PY, LX, LY, LM, OUT] = [0, 32, 64, 128, 192, 256];
    for (let i = 0; i < 2 * pairs; i++) {
      d[PX + i] = random.normal() * 5;
      d[PY + i] = random.normal() * 5;
    }
    for (let k = 0; k < len; k++) {
      d[LX + k] = random.normal() * 30;
      d[LY + k] = random.normal() * 30;
      d[LM + k] = 1 + Math.floor(random() * 9);
    }
    createInteract(memory)(PX, PY, pairs, LX, LY, LM, len, OUT);
    for (let t = 0; t < 2 * pairs; t++) {
      let z = 0;
      let fx = 0;
      let fy = 0;
      for (let k = 0; k < len; k++) {
        const dx = d[PX + t]! - d[LX + k]!;
        const dy = d[PY + t]! - d[LY + k]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        const mq = d[LM + k]! * q;
        z += mq;
        const mq2 = mq * q;
        fx += mq2 * dx;
        fy += mq2 * dy;
      }
      const o = OUT + 6 * (t >> 1) + (t & 1);
      expect([d[o], d[o + 2], d[o + 4]]).toEqual([z, fx, fy]);
      expect(z).toBeGreaterThan(0);
    }
  });

  it('the float32 kernel gives the same sums to float32 precision, four points at a time', () => {
    const memory = new WebAssembly.Memory({ initial: 4, maximum: 16384, shared: true });
    const f = new Float32Array(memory.buffer);
    const random = createRandom(12);
    const quads = 5;
    const len = 41;
    const [PX, PY, LX, LY, LM, OUT] = [0, 32, 64, 128, 192, 256];
    for (let i = 0; i < 4 * quads; i++) {
      f[PX + i] = random.normal() * 5;
      f[PY + i] = random.normal() * 5;
    }
    for (let k = 0; k < len; k++) {
      f[LX + k] = random.normal() * 30;
      f[LY + k] = random.normal() * 30;
      f[LM + k] = 1 + Math.floor(random() * 9);
    }
    createInteract4(memory)(PX, PY, quads, LX, LY, LM, len, OUT);
    for (let t = 0; t < 4 * quads; t++) {
      let z = 0;
      let fx = 0;
      let fy = 0;
      for (let k = 0; k < len; k++) {
        const dx = f[PX + t]! - f[LX + k]!;
        const dy = f[PY + t]! - f[LY + k]!;
        const q = 1 / (1 + dx * dx + dy * dy);
        const mq = f[LM + k]! * q;
        z += mq;
        fx += mq * q * dx;
        fy += mq * q * dy;
      }
      const o = OUT + 12 * (t >> 2) + (t & 3);
      expect(Math.abs(f[o]! - z) / z).toBeLessThan(1e-5);
      const scale = Math.max(Math.abs(fx), Math.abs(fy), 1e-3);
      expect(Math.abs(f[o + 4]! - fx) / scale).toBeLessThan(1e-4);
      expect(Math.abs(f[o + 8]! - fy) / scale).toBeLessThan(1e-4);
    }
  });
});
