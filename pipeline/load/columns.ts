// Column naming and label-column rules shared by every loader.
import { basename, resolve } from 'node:path';
import { InputError } from '../errors.js';
import type { MetaColumn } from '../types.js';
import { parsed, parseNumberText, NUM_MISSING, NUM_OK } from './number.js';

/** Column names taken as the label when no --label-column is given (compared case-insensitively). */
export const LABEL_NAMES = ['label', 'class', 'target', 'species', 'y'] as const;

/**
 * Index of the label column among names, or -1 when there is none.
 * - `requested` (--label-column) must exist, else InputError listing the columns;
 * - else `own` (a built-in dataset's label column), when present;
 * - else the first column named label/class/target/species/y (case-insensitive).
 */
export function findLabelColumn(names: readonly string[], requested: string | null | undefined, own: string | null | undefined, file: string): number {
  if (requested !== null && requested !== undefined) {
    let i = names.indexOf(requested);
    if (i < 0) {
      const lower = requested.trim().toLowerCase();
      i = names.findIndex((n) => n.trim().toLowerCase() === lower);
    }
    if (i < 0) {
      throw new InputError(
        `label column "${requested}" not found; the columns are: ${listNames(names)}`,
        { file, field: 'labelColumn' },
      );
    }
    return i;
  }
  if (own) {
    const i = names.indexOf(own);
    if (i >= 0) return i;
  }
  for (const cand of LABEL_NAMES) {
    const i = names.findIndex((n) => n.trim().toLowerCase() === cand);
    if (i >= 0) return i;
  }
  return -1;
}

export function listNames(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map((n) => JSON.stringify(n));
  return names.length > max ? `${shown.join(', ')} and ${names.length - max} more` : shown.join(', ');
}

/** col_1 ... col_n: names for columns that have none (headerless CSV, .npy). */
export function genericColumnNames(n: number, prefix = 'col_', from = 1): string[] {
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = `${prefix}${i + from}`;
  return out;
}

/** True for names that carry no meaning beyond position (col_3, pixel_12, x0, V5, 7, ...). */
export function isGenericName(name: string): boolean {
  return /^(col|column|c|x|v|var|f|feature|feat|pixel|px|dim|d|field)?[_ -]?\d+$/i.test(name.trim());
}

/** Trims names, names empty ones column_N and makes duplicates unique (a, a_2, a_3). */
export function cleanNames(raw: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return raw.map((r, i) => {
    let name = r.trim();
    if (name === '') name = `column_${i + 1}`;
    const count = seen.get(name) ?? 0;
    seen.set(name, count + 1);
    if (count > 0) {
      let k = count + 1;
      while (seen.has(`${name}_${k}`)) k++;
      name = `${name}_${k}`;
      seen.set(name, 1);
    }
    return name;
  });
}

/** A metadata column from strings: numeric (Float64Array, NaN for missing) when every non-missing value is a number. */
export function metaFromStrings(name: string, values: (string | null)[], preferNumber = true): MetaColumn {
  if (preferNumber) {
    const nums = new Float64Array(values.length);
    let numeric = true;
    let any = false;
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (v === null || v === undefined) {
        nums[i] = NaN;
        continue;
      }
      const x = parseNumberText(v);
      if (parsed.status === NUM_OK) {
        nums[i] = x;
        any = true;
      } else if (parsed.status === NUM_MISSING) {
        nums[i] = NaN;
      } else {
        numeric = false;
        break;
      }
    }
    if (numeric && any) return { name, kind: 'number', values: nums };
  }
  return { name, kind: 'string', values };
}

/** A dataset's short name: the file's base name without data and compression extensions. */
export function datasetName(path: string): string {
  let name = basename(path);
  name = name.replace(/\.(gz|gzip)$/i, '');
  name = name.replace(/\.(csv|tsv|txt|tab|arrow|feather|ipc|arrows|parquet|pq|npy)$/i, '');
  return name || basename(path);
}

export function absolute(path: string): string {
  return resolve(path);
}
