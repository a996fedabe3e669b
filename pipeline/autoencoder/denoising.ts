// Denoising variant: corrupt the inputs, keep the targets clean.
import type { Random } from '../random.js';
import type { NoiseOptions } from './options.js';

/**
 * Writes a corrupted copy of `clean` into `out` (same length), drawing from `random`.
 * gaussian: adds N(0, std²); mask: sets each value to 0 with probability fraction.
 * `clip`: [lo, hi] to clamp the corrupted values into (the data range for bce inputs in [0, 1]), or null.
 */
export function corrupt(clean: Float32Array, out: Float32Array, noise: NoiseOptions, random: Random, clip: [number, number] | null): void {
  if (noise.kind === 'mask') {
    const p = noise.fraction;
    for (let i = 0; i < clean.length; i++) out[i] = random() < p ? 0 : clean[i]!;
    return;
  }
  const std = noise.std;
  if (clip) {
    const [lo, hi] = clip;
    for (let i = 0; i < clean.length; i++) {
      const v = clean[i]! + std * random.normal();
      out[i] = v < lo ? lo : v > hi ? hi : v;
    }
  } else {
    for (let i = 0; i < clean.length; i++) out[i] = clean[i]! + std * random.normal();
  }
}
