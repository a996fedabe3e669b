// The data of bench:scale and bench:tsne-schedule: Fashion-MNIST (Debian's dataset-fashion-mnist), its 70,000
// images first, then the same images with random shifts of up to 2 pixels (seeded per row), written as one Arrow
// IPC file (a fixed-size list of 784 uint8 and the class name). Row r is the same at every size and is built from
// r alone, so any rows of the construction (a prefix, or a sample of a larger size's rows: rowsAt, sampleOf) are
// built without building the others. The images are loaded once, when rows are first asked for.
import { writeFileSync } from 'node:fs';
import { Table, makeData, makeVector, tableToIPC, vectorFromArray, FixedSizeList, Field, Uint8, Utf8 } from 'apache-arrow';
import { loadDataset } from '../pipeline/load/index.js';
import { sampleRows } from '../pipeline/metrics.js';
import { createRandom } from '../pipeline/random.js';
import { FlagError } from './flags.js';

/** Images the construction shifts: rows x 784 values in [0, 1] (28 x 28, row-major) and one class name each. */
export interface BaseImages {
  rows: number;
  values: Float32Array;
  names: ArrayLike<string | null>;
}

let fashion: BaseImages | null = null;

/** Fashion-MNIST's 70,000 images (training, then test), loaded on first use. Throws when its files are missing. */
export async function fashionImages(): Promise<BaseImages> {
  if (!fashion) {
    const base = await loadDataset({ dataset: 'fashion-mnist', input: null, labelColumn: null, dataDir: null, limit: null });
    fashion = { rows: base.matrix.rows, values: base.matrix.values, names: base.label!.values as (string | null)[] };
  }
  return fashion;
}

/**
 * The construction's rows `rows` (row numbers, any order, repeats allowed), in that order: row r is image
 * r mod base.rows, unshifted for r < base.rows, else moved by dx, dy in -2..2 drawn from createRandom(r)
 * (pixels moved in from outside the image are 0). pixels: rows.length x 784 uint8 (round(255 x value)).
 */
export function rowsAt(rows: ArrayLike<number>, base: BaseImages): { pixels: Uint8Array; labels: string[] } {
  const pixels = new Uint8Array(rows.length * 784);
  const labels: string[] = [];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    const src = r % base.rows;
    const random = createRandom(r);
    const dx = r < base.rows ? 0 : random.int(5) - 2;
    const dy = r < base.rows ? 0 : random.int(5) - 2;
    const o = i * 784;
    for (let y = 0; y < 28; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= 28) continue;
      for (let x = 0; x < 28; x++) {
        const sx = x - dx;
        if (sx < 0 || sx >= 28) continue;
        pixels[o + y * 28 + x] = Math.round(255 * base.values[src * 784 + sy * 28 + sx]!);
      }
    }
    labels.push(String(base.names[src]));
  }
  return { pixels, labels };
}

/** Rows [from, to) of the benchmark data: Fashion-MNIST, then shifted copies (seeded). */
export async function rowsOf(from: number, to: number): Promise<{ pixels: Uint8Array; labels: string[] }> {
  return rowsAt(Int32Array.from({ length: to - from }, (_, i) => from + i), await fashionImages());
}

/**
 * The row numbers a size of n rows uses when it is drawn from the `of`-row construction (bench:scale
 * --sample-of): a uniform sample without replacement of 0..of-1, seeded, in increasing order (the rows keep the
 * order they have in the larger data). pipeline/metrics.ts sampleRows: the first n of one seeded permutation of
 * the `of` rows, so for one seed a smaller size's rows are among a larger one's. n >= of: all `of` rows.
 */
export function sampleOf(n: number, of: number, seed: number): Int32Array {
  return sampleRows(of, Math.min(n, of), seed);
}

/** Writes the construction's rows `rows` (in that order) to `file` (Arrow IPC: pixels, label). */
export async function writeArrowRows(file: string, rows: ArrayLike<number>): Promise<void> {
  const { pixels, labels } = rowsAt(rows, await fashionImages());
  const type = new FixedSizeList(784, new Field('pixel', new Uint8()));
  const child = makeData({ type: new Uint8(), length: pixels.length, data: pixels });
  const list = makeVector(makeData({ type, length: rows.length, nullCount: 0, child }));
  writeFileSync(file, tableToIPC(new Table({ pixels: list, label: vectorFromArray(labels, new Utf8()) }), 'file'));
}

/** Writes rows [from, to) of the benchmark data to `file` (Arrow IPC: pixels, label). */
export async function writeArrow(file: string, from: number, to: number): Promise<void> {
  await writeArrowRows(file, Int32Array.from({ length: to - from }, (_, i) => from + i));
}

/** "250k" -> 250000, "1m" -> 1000000. */
export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([km]?)$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'k' ? 1e3 : m[2]!.toLowerCase() === 'm' ? 1e6 : 1));
}

/** A row-count flag's value (--sizes' entries, --sample-of, --rows): parseSize of `text`, at least 1; FlagError naming --`flag` otherwise. */
export function rowCountFlag(text: string, flag: string): number {
  let n: number;
  try {
    n = parseSize(text);
  } catch {
    n = NaN;
  }
  if (!(n >= 1)) throw new FlagError(`--${flag} takes row counts like 10k, 250000 or 1m, got ${JSON.stringify(text)}`);
  return n;
}
