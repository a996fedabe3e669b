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
 * - else the first column named label/class/target/species/y (case-insensitive) not in `notLabel` (--coordinates,
 *   a saved run's features when reading new rows for it).
 */
export function findLabelColumn(names: readonly string[], requested: string | null | undefined, own: string | null | undefined, file: string, notLabel: readonly string[] = []): number {
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
    const i = names.findIndex((n) => n.trim().toLowerCase() === cand && !notLabel.includes(n));
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

/**
 * Column names as the file gives them, made unique without touching any name the file itself uses: names are
 * trimmed, an empty one becomes column_N (N its 1-based position), and the 2nd, 3rd... use of a name gets the
 * first suffix _2, _3, ... that no column of the file has and no earlier rename took. So `c,c,c,c_2` gives
 * c, c_3, c_4, c_2: the file's own c_2 keeps its name. `notes` says what was renamed.
 */
/** Renamed columns the note lists one by one; the rest are counted. */
const MAX_RENAMES_LISTED = 20;

export function cleanNames(raw: readonly string[]): { names: string[]; notes: string[] } {
  const trimmed = raw.map((r, i) => (r.trim() === '' ? `column_${i + 1}` : r.trim()));
  const taken = new Set(trimmed);
  const seen = new Set<string>();
  const renamed: string[] = [];
  let renames = 0;
  // the next suffix to try per name: each use of a repeated name goes on from the last one's suffix, so a
  // header of 20,000 equal names costs 20,000 probes, not 200 million
  const nextSuffix = new Map<string, number>();
  const empty = trimmed.filter((n, i) => raw[i]!.trim() === '' && n === `column_${i + 1}`).length;
  const names = trimmed.map((name, i) => {
    if (!seen.has(name)) {
      seen.add(name);
      return name;
    }
    let k = nextSuffix.get(name) ?? 2;
    while (taken.has(`${name}_${k}`)) k++;
    nextSuffix.set(name, k + 1);
    const fresh = `${name}_${k}`;
    taken.add(fresh);
    renames++;
    if (renamed.length < MAX_RENAMES_LISTED) renamed.push(`column ${i + 1} "${name}" is named "${fresh}"`);
    return fresh;
  });
  const notes: string[] = [];
  if (renames > 0) {
    const more = renames > renamed.length ? ` and ${(renames - renamed.length).toLocaleString('en-US')} more` : '';
    notes.push(`duplicate column names: ${renamed.join(', ')}${more} (names the file does not use)`);
  }
  if (empty > 0) notes.push(`${empty} column${empty === 1 ? ' has' : 's have'} no name in the header and ${empty === 1 ? 'is' : 'are'} named column_N by position`);
  return { names, notes };
}

/** True when `text` is a number written the way the number prints (3, -2.5, 0.25): reading it as a number loses nothing. */
export function isCanonicalNumber(text: string): boolean {
  const x = parseNumberText(text);
  return parsed.status === NUM_OK && String(x) === text;
}

/** True for text with a leading zero before another digit (06075, 007): a code, not a quantity. */
export function hasLeadingZero(text: string): boolean {
  return /^[+-]?0\d/.test(text.trim());
}

/**
 * A metadata column from strings, kept exactly as written: numeric (Float64Array, NaN for missing) only when
 * every non-missing cell is a number written as it prints (so "06075", "1.50" or "1e3" keep the column text).
 */
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
      if (parsed.status === NUM_OK && String(x) === v) {
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
