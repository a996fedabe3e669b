// The autoencoder's translation augmentation (config augmentShift), explicit values checked against the input,
// auto resolved from it. Pure.
//
//   auto = AUTO_SHIFT_PIXELS when the rows are images (the loader knew their shape: IDX, NumPy n x h x w, the
//          built-in image datasets), every prepared column is one of their pixels, the scaling kept one unit for
//          all pixels (none or uniform: a per-column scaling would give a moved pixel another column's unit), and
//          both sides have at least SHIFT_MIN_SIDE pixels; 0 otherwise
//
// Measured (bench/QUALITY-NOTES.md, session 11): on MNIST 10k, moving the inputs by up to one pixel lifts the residual
// autoencoder's map from PCA's label accuracy to above it at the same trustworthiness against the pixels.
import { InputError } from '../errors.js';
import type { ShiftAugment } from '../autoencoder/augment.js';
import type { Choice, ImageShape, Preprocessing } from '../types.js';

/** The automatic move, in pixels per axis. */
export const AUTO_SHIFT_PIXELS = 1;
/** Images narrower or shorter than this are not shifted by auto (a pixel is then a large share of the picture). */
export const SHIFT_MIN_SIDE = 8;

/** What the resolution needs to know of the input. */
export interface ShiftInput {
  /** The loader's image shape; null when the rows are not images. */
  image: ImageShape | null;
  /** Prepared columns. */
  columns: number;
  /** The scaling prepare applied (auto resolved); null: unknown (then auto does not shift). */
  scaling: Preprocessing['kind'] | null;
}

/**
 * The shift augmentation of a run's autoencoder, with the reason. Auto never fails (0 with the reason it does not
 * apply). Throws InputError (field augmentShift) when an explicit move above 0 cannot apply: the rows are not
 * images, or the move is not smaller than the image's shorter side.
 */
export function resolveShift(setting: number | 'auto', input: ShiftInput): { shift: ShiftAugment | null; choice: Choice } {
  const { image, columns, scaling } = input;
  const pixelsPerRow = image ? image.width * image.height * image.channels : 0;
  const isImages = image !== null && pixelsPerRow === columns;
  const shape = image ? `${image.width}x${image.height}${image.channels === 3 ? 'x3' : ''}` : '';
  if (setting !== 'auto') {
    if (setting === 0) return { shift: null, choice: { value: 0, auto: false, reason: 'set in the configuration' } };
    if (!image) {
      throw new InputError(
        'moves images by whole pixels, and these rows are not images (image shapes come from IDX files, NumPy arrays of n x height x width and the built-in image datasets); use 0 or leave it auto',
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
  return {
    shift: { ...image, pixels: AUTO_SHIFT_PIXELS },
    choice: {
      value: AUTO_SHIFT_PIXELS,
      auto: true,
      reason:
        `${shape} images: while the autoencoder trains, each input is moved by up to ${AUTO_SHIFT_PIXELS} pixel per axis and its target left in place, ` +
        'so an image and the same image moved by a pixel get nearby codes (on MNIST this lifts the map\'s label accuracy above PCA\'s at the same trustworthiness: bench/QUALITY-NOTES.md, session 11)',
    },
  };
}
