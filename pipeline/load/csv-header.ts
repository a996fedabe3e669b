// Whether a CSV's first line is a header, decided from the first rows when the user did not say
// (--header / --no-header). Column by column, in the manner of Python's csv.Sniffer.has_header: a column
// whose cells below are numbers votes "header" when its first-line cell is text, or a number that stands far
// apart from the numbers below it (more than half their range outside it, as wavelengths 400, 450, ... above
// reflectances in [0, 1]), or a whole number above cells none of which is whole; it votes "data" when its
// first-line number lies among the numbers below. Columns of text below do not vote. More header votes than
// data votes, or no votes at all, make the first line a header.
import { CsvTokenizer, fieldText, type CsvSink } from './csv-tokenizer.js';
import { NUM_MISSING, NUM_OK, parsed, parseNumberText } from './number.js';

/** Rows below the first line that the guess looks at. */
const SAMPLE_ROWS = 1024;
/** Fewest numeric cells below the first line for a number to vote "header" by standing apart. */
const MIN_SAMPLE = 8;

export type HeaderMode = 'auto' | 'yes' | 'no';

export interface HeaderDecision {
  header: boolean;
  /** What was guessed and why (null when the user said, or when a text header is plain to see). */
  note: string | null;
}

class Collect implements CsvSink {
  readonly lane = null;
  rows: string[][] = [];
  private cur: string[] = [];
  field(_i: number, buf: Buffer, start: number, end: number, _q: boolean, escaped: boolean): void {
    this.cur.push(fieldText(buf, start, end, escaped));
  }
  row(): boolean {
    this.rows.push(this.cur);
    this.cur = [];
    return this.rows.length <= SAMPLE_ROWS;
  }
}

/** The first rows of a chunk of (UTF-8) CSV text, as cells; a row cut off at the chunk's end is left out. */
export function firstRows(text: Buffer, delimiter: string): string[][] {
  const sink = new Collect();
  const tok = new CsvTokenizer(sink, delimiter.charCodeAt(0), '');
  try {
    tok.push(text);
  } catch {
    // a malformed row: the real read reports it with its place
  }
  return sink.rows;
}

export function decideHeader(rows: string[][], mode: HeaderMode): HeaderDecision {
  if (mode !== 'auto') return { header: mode === 'yes', note: null };
  const first = rows[0] ?? [];
  const below = rows.slice(1);
  const firstNums = first.map((c) => {
    const v = parseNumberText(c);
    return parsed.status === NUM_OK ? v : parsed.status === NUM_MISSING ? null : undefined;
  });
  const allNumbers = first.length > 0 && firstNums.every((v) => typeof v === 'number');
  let headerVotes = 0;
  let dataVotes = 0;
  for (let c = 0; c < first.length; c++) {
    const nums: number[] = [];
    let text = false;
    for (const r of below) {
      const cell = r[c];
      if (cell === undefined) continue;
      const v = parseNumberText(cell);
      if (parsed.status === NUM_OK) nums.push(v);
      else if (parsed.status !== NUM_MISSING) text = true;
    }
    if (text || nums.length === 0) continue; // a text column (or an empty one) cannot tell
    const head = firstNums[c];
    if (head === undefined) {
      headerVotes++; // text above numbers
      continue;
    }
    if (head === null) continue;
    let lo = Infinity;
    let hi = -Infinity;
    let whole = 0;
    for (const v of nums) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      if (Number.isInteger(v)) whole++;
    }
    const margin = (hi - lo) / 2;
    const apart = nums.length >= MIN_SAMPLE && (head < lo - margin || head > hi + margin);
    const wholeAboveFractions = nums.length >= MIN_SAMPLE && Number.isInteger(head) && whole === 0;
    if (apart || wholeAboveFractions) headerVotes++;
    else dataVotes++;
  }
  const header = headerVotes > dataVotes || headerVotes + dataVotes === 0;
  if (!allNumbers) {
    return header
      ? { header, note: null }
      : { header, note: `the first line is taken as data, not a header: its cells look like the rows below (in ${dataVotes} of ${headerVotes + dataVotes} numeric columns); columns are named col_1... (pass --header if the first line names the columns)` };
  }
  const shown = first.slice(0, 4).join(', ') + (first.length > 4 ? ', ...' : '');
  return header
    ? { header, note: `the first line (${shown}) is all numbers but taken as the header: in ${headerVotes} of ${headerVotes + dataVotes} columns it stands apart from the numbers below it (pass --no-header if it is data)` }
    : { header, note: `the first line (${shown}) is all numbers and taken as data, so columns are named col_1...; pass --header if it names the columns` };
}
