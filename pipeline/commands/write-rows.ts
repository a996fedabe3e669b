// Writes a matrix of rows as CSV (header = feature names) or as an Arrow IPC file, chosen by extension.
import { writeFile, stat, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Table, makeVector, tableToIPC, type Vector } from 'apache-arrow';
import { InputError } from '../errors.js';
import type { Matrix } from '../types.js';

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

/** Writes atomically (temporary file renamed into place), so a reader never sees half a file. */
export async function writeRows(file: string, m: Matrix, columns: string[], kind: 'csv' | 'arrow'): Promise<void> {
  let body: string | Uint8Array;
  if (kind === 'csv') {
    const lines: string[] = [columns.map(csvField).join(',')];
    for (let r = 0; r < m.rows; r++) {
      const row = new Array<string>(m.cols);
      for (let c = 0; c < m.cols; c++) row[c] = String(Math.fround(m.values[r * m.cols + c]!));
      lines.push(row.join(','));
    }
    body = `${lines.join('\n')}\n`;
  } else {
    const cols: Record<string, Vector> = {};
    for (let c = 0; c < m.cols; c++) {
      const v = new Float32Array(m.rows);
      for (let r = 0; r < m.rows; r++) v[r] = m.values[r * m.cols + c]!;
      cols[columns[c] ?? `v${c}`] = makeVector(v);
    }
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
