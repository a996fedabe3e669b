// One dataset row as a PNG, for image datasets (MNIST-style rows of width * height * channels values).
import { PNG } from 'pngjs';
import type { ImageShape } from './types.js';

/** How a picture of `shape` is drawn: enlarged `scale` times, or reduced `shrink` times to fit `maxSide`. */
export interface PictureSize {
  width: number;
  height: number;
  /** Each pixel becomes scale x scale (nearest neighbour); 1 when reduced. */
  scale: number;
  /** Each drawn pixel is the mean of a shrink x shrink block (area averaging); 1 when not reduced. */
  shrink: number;
}

/**
 * The size a picture of `shape` is drawn at for a requested scale (1..16) when no side may pass `maxSide`
 * pixels: the scale is lowered until it fits, and a picture wider than maxSide at scale 1 is reduced by the
 * smallest whole factor that fits (1,500 px at most 1,024: 2x, drawn 750 px).
 */
export function pictureSize(shape: ImageShape, scale = 1, maxSide = Infinity): PictureSize {
  const side = Math.max(shape.width, shape.height);
  let s = Math.max(1, Math.min(16, Math.floor(scale)));
  while (s > 1 && side * s > maxSide) s--;
  const shrink = side > maxSide ? Math.ceil(side / maxSide) : 1;
  if (shrink > 1) return { width: Math.ceil(shape.width / shrink), height: Math.ceil(shape.height / shrink), scale: 1, shrink };
  return { width: shape.width * s, height: shape.height * s, scale: s, shrink: 1 };
}

/**
 * The values of a picture reduced `shrink` times: each output value is the mean of the (up to) shrink x shrink
 * block of input pixels it covers, per channel (area averaging; edge blocks average the pixels they have).
 * Returns the reduced values and their shape.
 */
export function shrinkImage(values: ArrayLike<number>, shape: ImageShape, shrink: number): { values: Float32Array; shape: ImageShape } {
  const { width, height, channels } = shape;
  const w = Math.ceil(width / shrink);
  const h = Math.ceil(height / shrink);
  const sums = new Float64Array(w * h * channels);
  const counts = new Uint32Array(w * h);
  for (let y = 0; y < height; y++) {
    const oy = Math.floor(y / shrink);
    for (let x = 0; x < width; x++) {
      const o = oy * w + Math.floor(x / shrink);
      counts[o]!++;
      for (let c = 0; c < channels; c++) sums[o * channels + c]! += values[(y * width + x) * channels + c]!;
    }
  }
  const out = new Float32Array(sums.length);
  for (let i = 0; i < out.length; i++) out[i] = sums[i]! / counts[Math.floor(i / channels)]!;
  return { values: out, shape: { width: w, height: h, channels } };
}

/**
 * Encodes values (row-major, channels last) as a PNG. Values are mapped from [lo, hi] to 0..255;
 * by default the range is [0, 1] when every value lies in it, else the row's own min and max.
 * `scale` enlarges each pixel to scale x scale (nearest neighbour) for thumbnails that stay crisp; `maxSide`
 * bounds the drawn picture's sides, pixels (pictureSize: a lower scale, or the picture reduced by area
 * averaging). Throws Error when values do not hold width x height x channels numbers.
 */
export function rowToPng(values: ArrayLike<number>, shape: ImageShape, opts: { range?: [number, number]; scale?: number; maxSide?: number } = {}): Buffer {
  const n = shape.width * shape.height * shape.channels;
  if (values.length !== n) throw new Error(`image row has ${values.length} values, expected ${shape.width}x${shape.height}x${shape.channels} = ${n}`);
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
  const size = pictureSize(shape, opts.scale ?? 1, opts.maxSide ?? Infinity);
  if (size.shrink > 1) ({ values, shape } = shrinkImage(values, shape, size.shrink));
  const { width, channels } = shape;
  const scale = size.scale;
  const png = new PNG({ width: size.width, height: size.height, colorType: channels === 1 ? 0 : 2, inputColorType: 6 });
  const span = hi - lo;
  for (let y = 0; y < size.height; y++) {
    for (let x = 0; x < size.width; x++) {
      const src = (Math.floor(y / scale) * width + Math.floor(x / scale)) * channels;
      const dst = (y * size.width + x) * 4;
      for (let c = 0; c < 3; c++) {
        const v = values[src + (channels === 1 ? 0 : c)]!;
        png.data[dst + c] = Math.max(0, Math.min(255, Math.round(((v - lo) / span) * 255)));
      }
      png.data[dst + 3] = 255;
    }
  }
  return PNG.sync.write(png, { colorType: channels === 1 ? 0 : 2 });
}
