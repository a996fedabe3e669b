// Translation augmentation of image rows: while the autoencoder trains, each input image is moved by a few whole
// pixels and the target stays where it was, so the code of an image and of the same image moved by a pixel agree.
// This is the "translation invariance" of data augmentation for images (Simard, Steinkraus & Platt 2003, ICDAR:
// training on shifted and distorted copies of MNIST), applied as the denoising autoencoder's corruption (Vincent et al.
// 2008): the input is corrupted, the reconstruction target is clean. Measured in bench/QUALITY-NOTES.md (session 11).
import type { Random } from '../random.js';
import type { ImageShape } from '../types.js';

/** How training inputs are shifted (AutoencoderOptions.shift): the image's shape and the largest move, in pixels. */
export interface ShiftAugment extends ImageShape {
  /** Largest move per axis, in whole pixels (at least 1): each row moves by dx, dy drawn uniformly from [-pixels, pixels]. */
  pixels: number;
}

/**
 * Writes into `out` each of the `rows` images of `src` (rows x width x height x channels values, row-major,
 * channels last as the loaders store them) moved by its own random (dx, dy) in [-pixels, pixels]^2, drawn from
 * `random` (two draws per row). The pixels moved in from beyond the edge repeat the edge's own (edge padding: right
 * for any background, where zeros would be wrong after a scaling that moved the background off 0).
 * `src` and `out` must not overlap. Throws RangeError when a buffer is shorter than rows images.
 */
export function shiftImages(src: Float32Array, out: Float32Array, rows: number, shift: ShiftAugment, random: Random): void {
  const { width: w, height: h, channels: c, pixels: k } = shift;
  const size = w * h * c;
  if (src.length < rows * size || out.length < rows * size) {
    throw new RangeError(`shiftImages: ${rows} images of ${w}x${h}x${c} need ${rows * size} values`);
  }
  const span = 2 * k + 1;
  for (let r = 0; r < rows; r++) {
    const dx = random.int(span) - k;
    const dy = random.int(span) - k;
    const base = r * size;
    for (let y = 0; y < h; y++) {
      const sy = Math.min(h - 1, Math.max(0, y - dy));
      const from = base + sy * w * c;
      const to = base + y * w * c;
      if (dx === 0) {
        out.set(src.subarray(from, from + w * c), to);
        continue;
      }
      for (let x = 0; x < w; x++) {
        const sx = Math.min(w - 1, Math.max(0, x - dx));
        for (let ch = 0; ch < c; ch++) out[to + x * c + ch] = src[from + sx * c + ch]!;
      }
    }
  }
}
