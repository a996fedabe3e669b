// The reference space of a benchmark dataset and the one judge every map is scored by (quality_metrics.py):
// trustworthiness@10 against the reference rows and 5-fold cross-validated 10-NN label accuracy in the map.
// Shared by bench/quality.ts and bench/autoencoder-experiments.ts, so ours and the peers' maps are scored alike.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tableFromIPC } from 'apache-arrow';
import type { Dataset, Matrix } from '../../pipeline/types.js';

const here = dirname(fileURLToPath(import.meta.url));
export const PYTHON = '/usr/bin/python3';
const METRICS_SCRIPT = join(here, '..', 'quality_metrics.py');

/** The space a map is judged against: raw values for images, standardized columns for tables. */
export type ReferenceKind = 'raw' | 'standardized';

export interface Reference {
  name: string;
  kind: ReferenceKind;
  /** The reference rows [n, d]: the dataset's rows without missing values, in input order. */
  matrix: Matrix;
  /** Each reference row's row number in the dataset (what points.arrow's `index` column holds). */
  index: Int32Array;
  /** One label per reference row, or null. */
  labels: string[] | null;
  /** Where the reference matrix and labels are written for the judge (set by writeReference). */
  files?: { matrix: string; labels: string };
}

/**
 * The reference of a loaded dataset: rows holding a missing value are left out (the pipeline's default
 * --missing drop does the same); `standardized` scales each column to mean 0 and standard deviation 1
 * (a constant column becomes 0).
 */
export function referenceOf(ds: Dataset, kind: ReferenceKind): Reference {
  const { rows, cols, values } = ds.matrix;
  const keep: number[] = [];
  for (let r = 0; r < rows; r++) {
    let ok = true;
    for (let c = 0; c < cols && ok; c++) ok = Number.isFinite(values[r * cols + c]!);
    if (ok) keep.push(r);
  }
  const n = keep.length;
  const out = new Float32Array(n * cols);
  keep.forEach((r, i) => out.set(values.subarray(r * cols, (r + 1) * cols), i * cols));
  if (kind === 'standardized') {
    for (let c = 0; c < cols; c++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += out[i * cols + c]!;
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (out[i * cols + c]! - mean) ** 2;
      const sd = Math.sqrt(v / n);
      for (let i = 0; i < n; i++) out[i * cols + c] = sd > 0 ? (out[i * cols + c]! - mean) / sd : 0;
    }
  }
  const label = ds.label;
  const labels = label ? keep.map((r) => String(label.values[r] ?? '')) : null;
  return { name: ds.name, kind, matrix: { rows: n, cols, values: out }, index: Int32Array.from(keep), labels };
}

/** Writes the reference matrix (float32) and labels (one a line) into dir for the judge. */
export function writeReference(ref: Reference, dir: string): void {
  const matrix = join(dir, `${ref.name}.reference.f32`);
  const labels = join(dir, `${ref.name}.labels.txt`);
  writeFileSync(matrix, Buffer.from(ref.matrix.values.buffer, ref.matrix.values.byteOffset, ref.matrix.values.byteLength));
  writeFileSync(labels, ref.labels ? `${ref.labels.join('\n')}\n` : '');
  ref.files = { matrix, labels };
}

/**
 * A map given per dataset row (embedding[2 i], embedding[2 i + 1] for the row numbered rowIndex[i]) put into
 * the reference's row order. Throws when a reference row has no point.
 */
export function alignMap(ref: Reference, rowIndex: ArrayLike<number>, embedding: ArrayLike<number>): Float32Array {
  const at = new Map<number, number>();
  for (let i = 0; i < rowIndex.length; i++) at.set(Number(rowIndex[i]), i);
  const out = new Float32Array(ref.matrix.rows * 2);
  for (let i = 0; i < ref.matrix.rows; i++) {
    const j = at.get(ref.index[i]!);
    if (j === undefined) throw new Error(`${ref.name}: the map has no point for row ${ref.index[i]}`);
    out[2 * i] = Number(embedding[2 * j]);
    out[2 * i + 1] = Number(embedding[2 * j + 1]);
  }
  return out;
}

/**
 * A run's map in the reference's row order: points.arrow of `runDir` read, its rows numbered by the input row
 * they came from; `order` (row j of a shuffled input copy is the dataset's row order[j]; null: not shuffled)
 * maps those numbers back to the dataset's rows before alignMap.
 */
export function runMapAligned(ref: Reference, runDir: string, order: ArrayLike<number> | null): Float32Array {
  const table = tableFromIPC(readFileSync(join(runDir, 'points.arrow')));
  const inputIndex = table.getChild('index')!.toArray() as Int32Array;
  const index = order ? Int32Array.from(inputIndex, (j) => Number(order[j])) : inputIndex;
  const xs = table.getChild('x')!.toArray() as Float32Array;
  const ys = table.getChild('y')!.toArray() as Float32Array;
  const embedding = new Float32Array(xs.length * 2);
  for (let i = 0; i < xs.length; i++) {
    embedding[2 * i] = xs[i]!;
    embedding[2 * i + 1] = ys[i]!;
  }
  return alignMap(ref, index, embedding);
}

export interface Judgement {
  trustworthiness: number;
  /** null when the dataset has no labels. */
  labelAccuracy: number | null;
}

/** Scores a map (reference row order, n x 2) with quality_metrics.py; `file` is where the map is written. */
export function judge(ref: Reference, map: Float32Array, file: string): Judgement {
  if (!ref.files) throw new Error('writeReference() first');
  writeFileSync(file, Buffer.from(map.buffer, map.byteOffset, map.byteLength));
  const r = spawnSync(PYTHON, [METRICS_SCRIPT, ref.files.matrix, String(ref.matrix.rows), String(ref.matrix.cols), file, ref.files.labels], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
    // OpenMP threads that sleep while they wait (spinning ones crawl on a busy shared machine)
    env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' },
  });
  if (r.status !== 0) throw new Error(`quality_metrics.py failed: ${r.stderr || r.stdout}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { trustworthiness: number; labelAccuracy?: number; error?: string };
  if (out.error) throw new Error(out.error);
  return { trustworthiness: out.trustworthiness, labelAccuracy: out.labelAccuracy ?? null };
}
