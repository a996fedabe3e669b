// The viewer's one number formatter. Every number the viewer writes goes through here, so one line never
// mixes "2,900" with "5979" and a year never reads "1,990":
// - counts (rows, points, matches): grouped integers, "3,625";
// - row numbers and identifiers (formatRow): never grouped, "row 150000", "#3625";
// - a column's values (legend ranges, filter axes, brush bounds): one format per column, decided from the
//   whole column, not per value (columnFormat): integer columns that look like years or identifiers stay
//   ungrouped ("1990"), others are grouped with as many decimals as the column's range needs;
// - axis ticks (tickFormat): d3-format with a fixed format chosen from the domain and tick step, SI
//   prefixes only past a million; never scientific notation for ordinary magnitudes;
// - single values without a column (formatNumber): 4 significant digits, grouped;
// - a range of values (formatRange): "-4.687 to 1.678", never a dash between them, which a negative start
//   would make read as "-4.687–1.678";
// - float32 values written to files (float32Text): the shortest decimal that reads back as the same float32.
// Pure: no DOM.
import { formatLocale, precisionFixed, tickStep } from 'd3';
import type { PointColumn } from './points.js';

// d3-format's default locale writes negatives with U+2212 (−), which reads back as NaN when a value is copied
// into a spreadsheet, a search box or Number(): the viewer writes the ASCII hyphen-minus, as every other
// number it shows and every file it exports do.
const format = formatLocale({ decimal: '.', thousands: ',', grouping: [3], currency: ['', ''], minus: '-' }).format;

const grouped = format(',d');

/** A count or other whole number, grouped: 3625 → "3,625". Non-integers fall back to formatNumber. */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? grouped(n) : formatNumber(n);
}

/**
 * A row number or other identifier (an input row index, a `#row`): written as is, never grouped, so
 * "row 150000" reads as the `#150000` a search takes and as every other row number in the viewer.
 */
export function formatRow(row: number): string {
  return Number.isInteger(row) ? String(row) : formatNumber(row);
}

/**
 * A range of values, both ends in `value`'s format (formatNumber unless given): "0.1 to 0.3", "-4.687 to 1.678".
 * Written with "to", not a dash: between a negative start and its end a dash reads as a second minus sign.
 */
export function formatRange(lo: number, hi: number, value: (v: number) => string = formatNumber): string {
  return `${value(lo)} to ${value(hi)}`;
}

/**
 * A single number without a column to take a format from: integers grouped, others with 4 significant digits
 * (3 below 1), grouped ("12,345.7"); scientific only below 0.001 or from 1e21. Non-numbers: "—" for
 * null/undefined, else as text.
 */
export function formatNumber(v: unknown): string {
  if (typeof v !== 'number') return v === null || v === undefined ? '—' : String(v);
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return Math.abs(v) < 1e21 ? grouped(v) : v.toExponential(2);
  const a = Math.abs(v);
  if (a < 1e-3) return v.toExponential(2);
  if (a >= 1e4) return format(',.0f')(v);
  return format(`,.${a < 1 ? 3 : 4}~r`)(v);
}

/**
 * A data value (a cell of the table, not a count): integers as written (a year stays "2007", an id "3625"),
 * other numbers like formatNumber, text as is.
 */
export function formatValue(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  return formatNumber(v);
}

/**
 * The text of a value of the point column `name` (tooltip, the detail panel's list): a numeric column of the
 * points with its own format (columnFormat, as its chart and the selection panel write it), so "3,650" in one
 * place is "3,650" in the others; any other value as formatValue.
 */
export function cellText(columns: readonly PointColumn[], name: string, v: unknown): string {
  const col = typeof v === 'number' ? columns.find((c) => c.name === name) : undefined;
  return col && col.kind === 'number' ? columnFormat(statsOf(col))(v as number) : formatValue(v);
}

/**
 * One formatter for a feature's original value and its reconstruction side by side (the detail panel's table),
 * decided by the original: a year or an identifier (ungroupedColumn) as written ("2007" beside "2007.3"), else
 * both grouped like formatNumber ("3,650" beside "3,995"), never one of each.
 */
export function featurePairFormat(name: string, original: number): (v: number) => string {
  const whole = Number.isInteger(original);
  return Number.isFinite(original) && ungroupedColumn({ name, min: original, max: original, integer: whole }) ? format('.1~f') : formatNumber;
}

/** What a column's format depends on. */
export interface ColumnStats {
  /** Column name (identifier-like names keep integers ungrouped). */
  name: string;
  /** Finite minimum and maximum. */
  min: number;
  max: number;
  /** Every finite value is a whole number. */
  integer: boolean;
}

/** Whole numbers in this range are read as years (or year-like codes) and never grouped. */
export const YEAR_RANGE: readonly [number, number] = [1000, 2100];
/** Column names whose whole numbers are identifiers or years, never grouped ("id", "user_id", "year", "zip", "row", "index"). */
const IDENTIFIER_NAME = /(^|[_\s-])(id|year|yr|vintage|zip|code|no|index|idx|row)$/i;

/**
 * Whether a column's whole numbers are written without grouping: every value an integer and either all in
 * YEAR_RANGE (1990, 2014) or the name says identifier or year. Decided per column, so every value of the
 * column reads alike.
 */
export function ungroupedColumn(s: ColumnStats): boolean {
  if (!s.integer || !Number.isFinite(s.min)) return false;
  return (s.min >= YEAR_RANGE[0] && s.max <= YEAR_RANGE[1]) || IDENTIFIER_NAME.test(s.name);
}

const integerCache = new WeakMap<object, boolean>();

/** Whether every finite value is a whole number (stops at the first fraction; remembered per array). */
export function allIntegers(values: ArrayLike<number> & object): boolean {
  const known = integerCache.get(values);
  if (known !== undefined) return known;
  let ok = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isFinite(v) && !Number.isInteger(v)) {
      ok = false;
      break;
    }
  }
  integerCache.set(values, ok);
  return ok;
}

/** The stats of a numeric column ({ name, values, min, max }, as web/src/points.ts's NumberColumn). */
export function statsOf(col: { name: string; values: ArrayLike<number> & object; min: number; max: number }): ColumnStats {
  return { name: col.name, min: col.min, max: col.max, integer: allIntegers(col.values) };
}

/**
 * One formatter for every value of a column: years and identifiers as written ("1990"; a fraction between
 * them, a brush bound, with one decimal); other integer columns grouped ("5,979"); other columns grouped with
 * the decimals that tell apart a thousandth of the column's range ("2,900.5", "0.213"), trailing zeros dropped.
 */
export function columnFormat(s: ColumnStats): (v: number) => string {
  if (!Number.isFinite(s.min) || !Number.isFinite(s.max)) return formatNumber;
  if (ungroupedColumn(s)) return format('.1~f');
  const big = Math.max(Math.abs(s.min), Math.abs(s.max));
  if (big !== 0 && (big < 1e-3 || big >= 1e15)) return (v) => format('.3~g')(v);
  const span = s.max - s.min || big || 1;
  const decimals = Math.min(12, precisionFixed(span / 1000));
  return s.integer ? (v) => format(`,.${Number.isInteger(v) ? 0 : Math.max(1, decimals)}~f`)(v) : format(`,.${decimals}~f`);
}

/**
 * The tick format of an axis over `domain` with about `count` ticks: fixed notation with the tick step's
 * decimals, grouped unless the column's values are years or identifiers (`stats`); SI prefixes ("2M") from a
 * million. For a log scale pass the domain as is: ticks are then formatted each with its own decimals.
 */
export function tickFormat(domain: readonly [number, number], count: number, stats: ColumnStats | null = null, log = false): (v: number) => string {
  const [a, b] = domain;
  const big = Math.max(Math.abs(a), Math.abs(b));
  if (stats && ungroupedColumn(stats)) return format('.1~f');
  if (big >= 1e6) return format('.3~s');
  if (log || !(b > a)) return (v) => (Math.abs(v) >= 1e-3 || v === 0 ? format(',.4~r')(v) : format('.2~e')(v));
  const step = Math.abs(tickStep(a, b, count));
  return format(`,.${precisionFixed(step)}~f`);
}

/**
 * A float32 value as the shortest decimal that reads back (through Math.fround) as the same float32:
 * 0.20000000298023224 → "0.2". NaN and ±Infinity as JavaScript writes them.
 */
export function float32Text(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  const f = Math.fround(v);
  for (let p = 1; p <= 9; p++) {
    const t = Number(f.toPrecision(p));
    if (Math.fround(t) === f) return String(t);
  }
  return String(f);
}
