// The autoencoder's translation augmentation (config augmentShift), explicit values checked against the input,
// auto resolved from it. Pure.
//
//   auto = AUTO_SHIFT_PIXELS when the rows are images (the loader knew their shape: IDX, NumPy n x h x w, the
//          built-in image datasets; or, without one, image-guess.ts reads the columns as a grid of pixels: an
//          MNIST CSV file), every prepared column is one of their pixels, the scaling kept one unit for
//          all pixels (none or uniform: a per-column scaling would give a moved pixel another column's unit), both
//          sides have at least SHIFT_MIN_SIDE pixels, and the pictures sit inside their frame: at most
//          EDGE_ROWS_MAX of the rows differ from the background anywhere on the outermost ring of pixels (a
//          digit drawn in the middle moved by a pixel is the same digit; a shirt that fills the frame moved by a
//          pixel loses a strip and gains a repeated edge); 0 otherwise
//
// Measured (bench/QUALITY-NOTES.md, session 11): on MNIST 10k (1.4% of rows touch the ring), moving the inputs by up
// to one pixel lifts the residual autoencoder's map above PCA's label accuracy at the same trustworthiness against
// the pixels (three seeds); on Fashion-MNIST (99.5% of rows touch it) it costs 0.001 trustworthiness for no accuracy.
import { InputError } from '../errors.js';
import type { ShiftAugment } from '../autoencoder/augment.js';
import type { Choice, ImageShape, Matrix, Preprocessing } from '../types.js';
import { guessImage } from './image-guess.js';

const round = (v: number): number => Math.round(v * 10000) / 10000;

/** The automatic move, in pixels per axis. */
export const AUTO_SHIFT_PIXELS = 1;
/** Images narrower or shorter than this are not shifted by auto (a pixel is then a large share of the picture). */
export const SHIFT_MIN_SIDE = 8;
/** Auto shifts only when at most this share of the rows reach the frame's edge (edgeRows). */
export const EDGE_ROWS_MAX = 0.05;
/** Rows edgeRows reads at most (evenly spaced). */
export const EDGE_SAMPLE = 2000;
/** A ring pixel differs from the background when it is this share of the data's range away from it. */
const EDGE_TOLERANCE = 0.1;

/** What the resolution needs to know of the input. */
export interface ShiftInput {
  /** The loader's image shape; null when the rows are not images. */
  image: ImageShape | null;
  /** Prepared columns. */
  columns: number;
  /** The scaling prepare applied (auto resolved); null: unknown (then auto does not shift). */
  scaling: Preprocessing['kind'] | null;
  /** Share of the rows whose pictures reach the frame's edge (edgeRows); null: not measured (then auto does not shift). */
  edgeRows?: number | null;
}

/**
 * Share (0-1) of the image rows of x whose outermost ring of pixels differs anywhere from the background, on at most
 * EDGE_SAMPLE evenly spaced rows. The background is the median of the sampled ring values; a value differs when it is
 * more than a tenth of the sample's value range away from it. x: rows x (width x height x channels), channels last.
 */
export function edgeRows(x: Matrix, image: ImageShape): number {
  const { width: w, height: h, channels: c } = image;
  const take = Math.min(x.rows, EDGE_SAMPLE);
  if (take === 0 || x.cols !== w * h * c) return 0;
  const ring: number[] = [];
  for (let y = 0; y < h; y++) for (let px = 0; px < w; px++) if (y === 0 || y === h - 1 || px === 0 || px === w - 1) for (let ch = 0; ch < c; ch++) ring.push((y * w + px) * c + ch);
  const rows = Array.from({ length: take }, (_, i) => Math.floor((i * x.rows) / take));
  const values = new Float32Array(rows.length * ring.length);
  let lo = Infinity;
  let hi = -Infinity;
  rows.forEach((r, i) => {
    const base = r * x.cols;
    for (let j = 0; j < ring.length; j++) values[i * ring.length + j] = x.values[base + ring[j]!]!;
    for (let k = base; k < base + x.cols; k++) {
      const v = x.values[k]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  });
  const background = values.slice().sort()[values.length >> 1]!;
  const tolerance = EDGE_TOLERANCE * (hi - lo);
  let touching = 0;
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < ring.length; j++) {
      if (Math.abs(values[i * ring.length + j]! - background) > tolerance) {
        touching++;
        break;
      }
    }
  }
  return touching / rows.length;
}

/**
 * The shift augmentation of a run's autoencoder, with the reason. Auto never fails (0 with the reason it does not
 * apply). Throws InputError (field augmentShift) when an explicit move above 0 cannot apply: the rows are not
 * images, or the move is not smaller than the image's shorter side.
 */
export function resolveShift(setting: number | 'auto', input: ShiftInput): { shift: ShiftAugment | null; choice: Choice } {
  const { image, columns, scaling, edgeRows: edge = null } = input;
  const pixelsPerRow = image ? image.width * image.height * image.channels : 0;
  const isImages = image !== null && pixelsPerRow === columns;
  const shape = image ? `${image.width}x${image.height}${image.channels === 3 ? 'x3' : ''}` : '';
  if (setting !== 'auto') {
    if (setting === 0) return { shift: null, choice: { value: 0, auto: false, reason: 'set in the configuration' } };
    if (!image) {
      throw new InputError(
        'moves images by whole pixels, and these rows are not images (image shapes come from IDX files, NumPy arrays of n x height x width, the built-in image datasets, or a square number of columns whose neighbours correlate as pixels do); use 0 or leave it auto',
        { field: 'augmentShift' },
      );
    }
    if (!isImages) {
      throw new InputError(`moves images by whole pixels, but the ${columns} prepared columns are not the ${pixelsPerRow} values of a ${shape} image`, { field: 'augmentShift' });
    }
    if (setting >= Math.min(image.width, image.height)) {
      throw new InputError(`must be smaller than the image's shorter side (${shape} images), got ${setting}`, { field: 'augmentShift' });
    }
    return { shift: { ...image, pixels: setting }, choice: { value: setting, auto: false, reason: 'set in the configuration' } };
  }
  const off = (why: string): { shift: null; choice: Choice } => ({ shift: null, choice: { value: 0, auto: true, reason: why } });
  if (!image) return off('the rows are not images: nothing to move');
  if (!isImages) return off(`the ${columns} prepared columns are not the ${pixelsPerRow} pixels of a ${shape} image`);
  if (scaling !== 'none' && scaling !== 'uniform') {
    return off(`the pixels were scaled one column at a time (${scaling ?? 'unknown'}), so a moved pixel would carry another column's unit`);
  }
  if (Math.min(image.width, image.height) < SHIFT_MIN_SIDE) return off(`${shape} images are too small to move (under ${SHIFT_MIN_SIDE} pixels a side)`);
  if (edge === null) return off('where the pictures sit in their frame was not measured');
  const edgeShare = `${(100 * edge).toFixed(1)}% of the rows`;
  if (edge > EDGE_ROWS_MAX) {
    return {
      shift: null,
      choice: {
        value: 0,
        auto: true,
        reason: `the pictures reach the frame's edge in ${edgeShare} (more than ${100 * EDGE_ROWS_MAX}%): moving them would crop them`,
        figures: { edgeRows: round(edge) },
      },
    };
  }
  return {
    shift: { ...image, pixels: AUTO_SHIFT_PIXELS },
    choice: {
      value: AUTO_SHIFT_PIXELS,
      auto: true,
      reason:
        `${shape} images that sit inside their frame (only ${edgeShare} reach its edge): while the autoencoder trains, each input is moved by up to ${AUTO_SHIFT_PIXELS} pixel per axis and its target left in place, ` +
        'so an image and the same image moved by a pixel get nearby codes (on MNIST this lifts the map\'s label accuracy above PCA\'s at the same trustworthiness: bench/QUALITY-NOTES.md, session 11)',
      figures: { edgeRows: round(edge) },
    },
  };
}

/**
 * resolveShift for the prepared rows x: measures where the pictures sit (edgeRows) only when auto needs it.
 * Throws as resolveShift does.
 */
export function resolveShiftOf(
  setting: number | 'auto',
  x: Matrix,
  image: ImageShape | null,
  scaling: Preprocessing['kind'] | null,
): { shift: ShiftAugment | null; choice: Choice } {
  // without the loader's shape, rows of a square number of columns that correlate as pixels do read as images
  const guess = image === null && setting !== 0 ? guessImage(x, SHIFT_MIN_SIDE) : null;
  const shape = image ?? guess?.image ?? null;
  const edge = setting === 'auto' && shape ? edgeRows(x, shape) : null;
  const resolved = resolveShift(setting, { image: shape, columns: x.cols, scaling, edgeRows: edge });
  if (!guess) return resolved;
  const { choice } = resolved;
  return { ...resolved, choice: { ...choice, reason: `${guess.reason}; ${choice.reason}`, figures: { ...(choice.figures ?? {}), adjacentCorrelation: guess.figures } } };
}
