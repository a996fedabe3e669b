// Writes a matrix of rows as CSV (header = feature names; float32 values in the fewest digits that read back the
// same) or as an Arrow IPC file, chosen by extension.
import { writeFile, stat, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Table, makeVector, tableToIPC, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import { cleanNames } from '../load/columns.js';
import { metaVector } from '../runs/artifacts.js';
import { shortestFloat32 } from '../precision.js';
import type { Matrix, MetaColumn } from '../types.js';

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Fails (InputError) when the file exists and force is not set, or the extension is not .csv/.arrow. */
export async function checkOutput(file: string, force: boolean): Promise<'csv' | 'arrow'> {
  const ext = path.extname(file).toLowerCase();
  const kind = ext === '.csv' ? 'csv' : ext === '.arrow' || ext === '.feather' || ext === '.ipc' ? 'arrow' : null;
  if (!kind) throw new InputError(`output must end in .csv or .arrow, got ${JSON.stringify(path.basename(file))}`, { field: 'output' });
  if (!force) {
    let exists = false;
    try {
      await stat(file);
      exists = true;
    } catch {
      // does not exist: fine
    }
    if (exists) throw new InputError(`${file} exists; pass --force to overwrite it`, { field: 'output' });
  }
  return kind;
}

/** Columns written around the matrix: identifying columns before it, per-row values (an error) after it. */
export interface ExtraColumns {
  /** Label and metadata columns of the input rows, written first, text kept as it was read. */
  before?: MetaColumn[];
  /** Per-row numbers written last, by name (e.g. reconstruction_error). */
  after?: { name: string; values: Float32Array }[];
}

function metaCell(col: MetaColumn, r: number): string {
  const v = col.values[r];
  if (v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))) return '';
  return String(v);
}

/** Writes atomically (temporary file renamed into place), so a reader never sees half a file. */
export async function writeRows(file: string, m: Matrix, columns: string[], kind: 'csv' | 'arrow', extra: ExtraColumns = {}): Promise<void> {
  const before = extra.before ?? [];
  const after = extra.after ?? [];
  // Every name once: a feature or extra column that repeats an earlier name gets a suffix nothing else uses.
  const names = cleanNames([...before.map((c) => c.name), ...columns, ...after.map((a) => a.name)]).names;
  let body: string | Uint8Array;
  if (kind === 'csv') {
    const lines: string[] = [names.map(csvField).join(',')];
    for (let r = 0; r < m.rows; r++) {
      const row: string[] = before.map((c) => csvField(metaCell(c, r)));
      for (let c = 0; c < m.cols; c++) row.push(String(shortestFloat32(Math.fround(m.values[r * m.cols + c]!))));
      for (const a of after) row.push(String(shortestFloat32(a.values[r]!)));
      lines.push(row.join(','));
    }
    body = `${lines.join('\n')}\n`;
  } else {
    const cols: Record<string, Vector> = {};
    let k = 0;
    for (const b of before) cols[names[k++]!] = metaVector(b);
    for (let c = 0; c < m.cols; c++) {
      const v = new Float32Array(m.rows);
      for (let r = 0; r < m.rows; r++) v[r] = m.values[r * m.cols + c]!;
      cols[names[k++]!] = makeVector(v);
    }
    for (const a of after) cols[names[k++]!] = makeVector(a.values);
    body = tableToIPC(new Table(cols), 'file');
  }
  const tmp = `${file}.tmp-${process.pid}`;
  try {
    await writeFile(tmp, body);
    await rename(tmp, file);
  } catch (err) {
    await unlink(tmp).catch(() => {});
    throw err;
  }
}
