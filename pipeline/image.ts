// One dataset row as a PNG, for image datasets (MNIST-style rows of width * height * channels values).
import { PNG } from 'pngjs';
import type { ImageShape } from './types.js';

/**
 * Encodes values (row-major, channels last) as a PNG. Values are mapped from [lo, hi] to 0..255;
 * by default the range is [0, 1] when every value lies in it, else the row's own min and max.
 * `scale` enlarges each pixel to scale x scale (nearest neighbour) for thumbnails that stay crisp.
 */
export function rowToPng(values: ArrayLike<number>, shape: ImageShape, opts: { range?: [number, number]; scale?: number } = {}): Buffer {
  const { width, height, channels } = shape;
  const n = width * height * channels;
  if (values.length !== n) throw new Error(`image row has ${values.length} values, expected ${width}x${height}x${channels} = ${n}`);
  let [lo, hi] = opts.range ?? [Infinity, -Infinity];
  if (!opts.range) {
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    if (lo >= 0 && hi <= 1) [lo, hi] = [0, 1];
    if (hi <= lo) hi = lo + 1;
  }
  const scale = Math.max(1, Math.min(16, Math.floor(opts.scale ?? 1)));
  const png = new PNG({ width: width * scale, height: height * scale, colorType: channels === 1 ? 0 : 2, inputColorType: 6 });
  const span = hi - lo;
  for (let y = 0; y < height * scale; y++) {
    for (let x = 0; x < width * scale; x++) {
      const src = (Math.floor(y / scale) * width + Math.floor(x / scale)) * channels;
      const dst = (y * width * scale + x) * 4;
      for (let c = 0; c < 3; c++) {
        const v = values[src + (channels === 1 ? 0 : c)]!;
        png.data[dst + c] = Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)));
      }
      png.data[dst + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}
