// The body of POST /api/runs/:id/decode: which rows (by their `index` value) or which code to decode. Pure:
// validation only; every mistake is a 400 that names the field.
//   {"rows": [3, 17, ...]}   row index values (at most MAX_SELECTION_IDS; repeats count once)
//   {"mask": "<base64>"}     a bit set over index values: bit i (byte i >> 3, bit i & 7, least significant
//                            first) selects the row whose index is i; compact for selections of any size
//   {"code": [0.1, ...]}     one code vector, of the run's code size
import { HttpError } from './http-error.js';

/** Most row ids a `rows` list may name (larger selections send a mask). */
export const MAX_SELECTION_IDS = 100_000;

export type Selection = { kind: 'rows'; indexes: Int32Array } | { kind: 'code'; code: Float32Array };

const KEYS = ['rows', 'mask', 'code'];

/** Reads a decode request body; `rowCount` bounds the index values (0 <= index < rowCount). */
export function parseSelection(body: unknown, rowCount: number): Selection {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'send a JSON object with one of rows (row indexes), mask (a base64 bit set of row indexes) or code (a code vector)');
  }
  const o = body as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new HttpError(400, `unknown field ${JSON.stringify(unknown[0]!.slice(0, 40))} in the request body; use one of rows, mask, code`);
  const given = KEYS.filter((k) => o[k] !== undefined);
  if (given.length !== 1) throw new HttpError(400, `give exactly one of rows, mask, code (got ${given.length ? given.join(' and ') : 'none'})`);
  if (o.code !== undefined) {
    const code = o.code;
    if (!Array.isArray(code) || code.length === 0 || !code.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new HttpError(400, 'code: give a non-empty array of finite numbers');
    }
    return { kind: 'code', code: Float32Array.from(code as number[]) };
  }
  let indexes: Int32Array;
  if (o.rows !== undefined) {
    const rows = o.rows;
    if (!Array.isArray(rows)) throw new HttpError(400, 'rows: give an array of row indexes');
    if (rows.length > MAX_SELECTION_IDS) throw new HttpError(400, `rows: at most ${MAX_SELECTION_IDS} row indexes; send a larger selection as mask`);
    for (let i = 0; i < rows.length; i++) {
      const v = rows[i] as unknown;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= rowCount) {
        throw new HttpError(400, `rows[${i}]: ${JSON.stringify(v)} is not a row index of this run (whole numbers from 0 to ${rowCount - 1})`);
      }
    }
    indexes = Int32Array.from(new Set(rows as number[])).sort();
  } else {
    if (typeof o.mask !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(o.mask)) throw new HttpError(400, 'mask: give the bit set as a base64 string');
    const bits = Buffer.from(o.mask, 'base64');
    if (bits.length > Math.ceil(rowCount / 8)) throw new HttpError(400, `mask: ${bits.length} bytes, but this run's ${rowCount} rows need at most ${Math.ceil(rowCount / 8)}`);
    let n = 0;
    for (const b of bits) for (let x = b; x; x &= x - 1) n++;
    indexes = new Int32Array(n);
    let k = 0;
    for (let byte = 0; byte < bits.length; byte++) {
      const b = bits[byte]!;
      if (!b) continue;
      for (let bit = 0; bit < 8; bit++) {
        if (!(b & (1 << bit))) continue;
        const i = byte * 8 + bit;
        if (i >= rowCount) throw new HttpError(400, `mask: bit ${i} is set, but this run's row indexes go from 0 to ${rowCount - 1}`);
        indexes[k++] = i;
      }
    }
  }
  if (indexes.length === 0) throw new HttpError(400, 'the selection is empty: select at least one row');
  return { kind: 'rows', indexes };
}

/** The mask form of a list of row indexes (the viewer's encoding), for tests and clients. */
export function maskOf(indexes: ArrayLike<number>): string {
  let max = -1;
  for (let i = 0; i < indexes.length; i++) max = Math.max(max, indexes[i]!);
  const bits = new Uint8Array(Math.ceil((max + 1) / 8));
  for (let i = 0; i < indexes.length; i++) bits[indexes[i]! >> 3]! |= 1 << (indexes[i]! & 7);
  return Buffer.from(bits).toString('base64');
}
