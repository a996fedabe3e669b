// Parsing decimal numbers straight from bytes, without making a string per cell.
// The fast path (up to 15 significant digits, decimal exponent within ±22) is correctly rounded
// (Clinger's fast path: an exact integer times or divided by an exact power of ten); everything
// else falls back to Number() on the decoded text.

/** The cell parsed as a finite number. */
export const NUM_OK = 0;
/** The cell is empty or a missing-value marker (NA, N/A, NaN, null, ...). */
export const NUM_MISSING = 1;
/** The cell is not a number. */
export const NUM_TEXT = 2;
/** The cell is a number, but infinite (inf, Infinity, 1e999). */
export const NUM_INFINITE = 3;

export type NumStatus = typeof NUM_OK | typeof NUM_MISSING | typeof NUM_TEXT | typeof NUM_INFINITE;

/** Status of the last parseNumberBytes / parseNumberText call (a field, so the hot path returns a plain number). */
export const parsed: { status: NumStatus } = { status: NUM_OK };

const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Missing-value markers, compared after trimming, case-insensitively. */
const MISSING = new Set(['', 'na', 'n/a', 'nan', '-nan', 'null', 'none', '?']);

/** True when the (trimmed) text marks a missing value: empty, NA, N/A, NaN, null, None or "?". */
export function isMissingText(text: string): boolean {
  return MISSING.has(text.trim().toLowerCase());
}

/**
 * Parses bytes [start, end) of buf as a number. Returns the value and sets parsed.status;
 * for anything but NUM_OK the returned value is NaN (or ±Infinity for NUM_INFINITE).
 */
export function parseNumberBytes(buf: Uint8Array, start: number, end: number): number {
  let s = start;
  let e = end;
  while (s < e && (buf[s] === 32 || buf[s] === 9)) s++;
  while (e > s && (buf[e - 1] === 32 || buf[e - 1] === 9)) e--;
  if (s === e) {
    parsed.status = NUM_MISSING;
    return NaN;
  }
  let i = s;
  let neg = false;
  let c = buf[i]!;
  if (c === 45) {
    neg = true;
    i++;
  } else if (c === 43) {
    i++;
  }
  let mant = 0;
  let sig = 0;
  let exp10 = 0;
  let digits = 0;
  while (i < e) {
    c = buf[i]!;
    if (c < 48 || c > 57) break;
    if (mant !== 0 || c !== 48) {
      if (++sig > 15) return slow(buf, s, end);
      mant = mant * 10 + (c - 48);
    }
    digits++;
    i++;
  }
  if (i < e && buf[i] === 46) {
    i++;
    while (i < e) {
      c = buf[i]!;
      if (c < 48 || c > 57) break;
      if (mant !== 0 || c !== 48) {
        if (++sig > 15) return slow(buf, s, end);
        mant = mant * 10 + (c - 48);
      }
      exp10--;
      digits++;
      i++;
    }
  }
  if (digits === 0) return slow(buf, s, end);
  if (i < e && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    let eneg = false;
    if (i < e && (buf[i] === 45 || buf[i] === 43)) {
      eneg = buf[i] === 45;
      i++;
    }
    let ev = 0;
    let edigits = 0;
    while (i < e) {
      c = buf[i]!;
      if (c < 48 || c > 57) break;
      if (ev < 100000) ev = ev * 10 + (c - 48);
      edigits++;
      i++;
    }
    if (edigits === 0) return slow(buf, s, end);
    exp10 += eneg ? -ev : ev;
  }
  if (i !== e) return slow(buf, s, end);
  let v: number;
  if (mant === 0) v = 0;
  else if (exp10 === 0) v = mant;
  else if (exp10 > 0 && exp10 <= 22) v = mant * POW10[exp10]!;
  else if (exp10 < 0 && exp10 >= -22) v = mant / POW10[-exp10]!;
  else return slow(buf, s, end);
  parsed.status = NUM_OK;
  return neg ? -v : v;
}

const decoder = new TextDecoder();

function slow(buf: Uint8Array, start: number, end: number): number {
  return parseNumberText(decoder.decode(buf.subarray(start, end)));
}

/** Parses text as a number; same statuses as parseNumberBytes. */
export function parseNumberText(raw: string): number {
  const text = raw.trim();
  if (MISSING.has(text.toLowerCase())) {
    parsed.status = NUM_MISSING;
    return NaN;
  }
  const lower = text.toLowerCase();
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') {
    parsed.status = NUM_INFINITE;
    return Infinity;
  }
  if (lower === '-inf' || lower === '-infinity') {
    parsed.status = NUM_INFINITE;
    return -Infinity;
  }
  // Number() accepts "", "0x1f", "0b1" and " 1 "; only plain decimal syntax counts as a number here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    parsed.status = NUM_TEXT;
    return NaN;
  }
  const v = Number(text);
  if (!Number.isFinite(v)) {
    parsed.status = NUM_INFINITE;
    return v;
  }
  parsed.status = NUM_OK;
  return v;
}

/** Largest finite float32. */
export const FLOAT32_MAX = 3.4028234663852886e38;
