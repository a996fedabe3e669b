import { describe, expect, it } from 'vitest';
import { bhKernelBytes, createInteract4 } from '../../../pipeline/tsne/bh-kernel.js';
import { createRandom } from '../../../pipeline/random.js';

describe('Barnes-Hut interaction kernel (wasm f32x4)', () => {
  it('is valid WebAssembly', () => {
    expect(WebAssembly.validate(bhKernelBytes())).toBe(true);
  });

  it('gives the sums of the plain loop to float32 precision, four points at a time', () => {
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
