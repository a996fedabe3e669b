// The reference sample of a sharded run: the same number of seeded rows from every shard (fewer when a
// shard is shorter), written as one Arrow file the ordinary pipeline loads. One shard is in memory at a
// time.

import path from 'node:path';
import { writeFile } from 'node:fs/promises';
import { Table, makeVector, tableToIPC, type Vector } from 'apache-arrow';
import { InputError, throwIfAborted } from '../errors.js';
import { loadDataset, type LoadOptions } from '../load/index.js';
import { createRandom, permutation } from '../random.js';
import { metaVector } from '../runs/artifacts.js';
import type { MetaColumn, StageHooks } from '../types.js';

export interface ShardSample {
  /** Rows of every shard, in shard order. */
  shardRows: number[];
  /** sha256 of every shard's data (the loaders' own). */
  shardSha256: string[];
  columns: string[];
  label: string | null;
  metadata: string[];
  rows: number;
}

function pick(col: MetaColumn, rows: Int32Array): MetaColumn {
  if (col.kind === 'number') return { name: col.name, kind: 'number', values: Float64Array.from(rows, (r) => col.values[r]!) };
  return { name: col.name, kind: 'string', values: Array.from(rows, (r) => col.values[r] ?? null) };
}

/** Metadata columns of consecutive row ranges as one column (strings when any part holds strings). */
export function concatColumns(parts: MetaColumn[]): MetaColumn {
  const first = parts[0]!;
  if (parts.every((p) => p.kind === 'number')) {
    const out = new Float64Array(parts.reduce((s, p) => s + p.values.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p.values as Float64Array, o);
      o += p.values.length;
    }
    return { name: first.name, kind: 'number', values: out };
  }
  const values: (string | null)[] = [];
  for (const p of parts) {
    if (p.kind === 'string') values.push(...p.values);
    else for (const v of p.values) values.push(Number.isNaN(v) ? null : String(v));
  }
  return { name: first.name, kind: 'string', values };
}

/** How every shard is read: the run's label column, --header/--no-header, --encoding, --features/--exclude. */
export type ShardReading = Pick<LoadOptions, 'labelColumn' | 'header' | 'encoding' | 'selection'>;

/**
 * Draws ceil(rows / shards) seeded rows from each shard (shard s: a permutation seeded by seed + s) and
 * writes them, with the label and metadata columns, to `file` (Arrow IPC). Throws InputError when a
 * shard's columns differ from the first shard's (naming both).
 */
export async function drawSample(
  shards: string[],
  rows: number,
  seed: number,
  read: ShardReading,
  file: string,
  hooks: StageHooks = {},
): Promise<ShardSample> {
  const per = Math.max(1, Math.ceil(rows / shards.length));
  const shardRows: number[] = [];
  const shardSha256: string[] = [];
  const features: Float32Array[] = [];
  let columns: string[] | null = null;
  let label: string | null = null;
  const labels: MetaColumn[] = [];
  const metas: MetaColumn[][] = [];
  for (let s = 0; s < shards.length; s++) {
    throwIfAborted(hooks.signal);
    const d = await loadDataset({ dataset: null, input: shards[s]!, dataDir: null, limit: null, ...read });
    if (columns === null) {
      columns = d.columns;
      label = d.label?.name ?? null;
    } else if (d.columns.length !== columns.length || d.columns.some((c, i) => c !== columns![i])) {
      throw new InputError(`its feature columns differ from the first shard's (${path.basename(shards[0]!)}): ${columnDifference(columns, d.columns)}`, { file: shards[s]! });
    }
    const n = d.matrix.rows;
    shardRows.push(n);
    shardSha256.push(d.sha256);
    const take = permutation(n, createRandom(seed + s)).slice(0, Math.min(per, n)).sort();
    const cols = d.matrix.cols;
    const f = new Float32Array(take.length * cols);
    for (let i = 0; i < take.length; i++) f.set(d.matrix.values.subarray(take[i]! * cols, (take[i]! + 1) * cols), i * cols);
    features.push(f);
    if (label && d.label) labels.push(pick(d.label, take));
    metas.push(d.metadata.map((m) => pick(m, take)));
    hooks.onProgress?.((s + 1) / shards.length, 'load', { message: `sampled shard ${s + 1} of ${shards.length}` });
  }
  const cols = columns!;
  const total = features.reduce((t, f) => t + f.length / Math.max(1, cols.length), 0);
  const vectors: Record<string, Vector> = {};
  for (let c = 0; c < cols.length; c++) {
    const v = new Float32Array(total);
    let o = 0;
    for (const f of features) {
      const r = f.length / cols.length;
      for (let i = 0; i < r; i++) v[o + i] = f[i * cols.length + c]!;
      o += r;
    }
    vectors[cols[c]!] = makeVector(v);
  }
  if (label && labels.length === shards.length) vectors[label] = metaVector(concatColumns(labels));
  const metadata = metas[0]?.map((m) => m.name) ?? [];
  for (let m = 0; m < metadata.length; m++) {
    if (metas.every((ms) => ms[m]?.name === metadata[m])) vectors[metadata[m]!] = metaVector(concatColumns(metas.map((ms) => ms[m]!)));
  }
  await writeFile(file, tableToIPC(new Table(vectors), 'file'));
  return { shardRows, shardSha256, columns: cols, label, metadata, rows: total };
}

/**
 * How feature columns `got` differ from `expected`, in words: the columns missing and the extra ones (at most five of
 * each named), or, with the same names, the first position where the order differs.
 */
export function columnDifference(expected: readonly string[], got: readonly string[]): string {
  const names = (list: string[]) => `${list.slice(0, 5).join(', ')}${list.length > 5 ? ` and ${list.length - 5} more` : ''}`;
  const have = new Set(got);
  const want = new Set(expected);
  const missing = expected.filter((c) => !have.has(c));
  const extra = got.filter((c) => !want.has(c));
  const parts: string[] = [];
  if (missing.length) parts.push(`${missing.length === 1 ? 'column' : `${missing.length} columns`} ${names(missing)} missing`);
  if (extra.length) parts.push(`${extra.length === 1 ? 'column' : `${extra.length} columns`} ${names(extra)} not in the first shard`);
  if (parts.length) return parts.join('; ');
  const at = expected.findIndex((c, i) => got[i] !== c);
  if (at >= 0) return `the same columns in another order (column ${at + 1} is ${got[at]}, not ${expected[at]})`;
  return `${got.length} columns against ${expected.length} (a name repeated)`;
}
