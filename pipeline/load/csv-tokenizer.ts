// A streaming RFC 4180 tokenizer over bytes: fields may be quoted ("a, b"), hold doubled quotes ("say ""hi""")
// and newlines; rows end with LF, CRLF or CR. It hands each field to a sink as a byte range, so numbers are
// parsed without making strings. Chunks may split a field, a quote pair or a CRLF anywhere.
//
// Fast lane: a sink may name numeric columns (`lane`); an unquoted field of such a column that is a plain
// decimal (optional minus, digits, optional fraction, at most 15 significant digits) is parsed while it is
// scanned and stored straight into the sink's row buffer, with no call per field. Anything else in such a
// column (missing, exponent, text, spaces) takes the ordinary path through field().
import { InputError } from '../errors.js';

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Exact powers of ten (every one up to 1e22 is a double). */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];

/** Where fast-lane values go: values[base + slot[f]] for field f with slot[f] >= 0. */
export interface CsvLane {
  /** Per field index: the slot in the row buffer, or -1 for the ordinary path. */
  slot: Int32Array;
  values: Float32Array;
  /** Offset of the current row in values. */
  base: number;
  /** Per field index: how many values took the fast lane. */
  hits: Float64Array;
}

/** Receives fields and row ends from the tokenizer. */
export interface CsvSink {
  /**
   * Field `index` of the current row: bytes [start, end) of buf (quotes removed). escaped: the field holds
   * doubled quotes ("") that the sink must turn into single ones when it decodes the text. The range is valid
   * only during the call.
   */
  field(index: number, buf: Buffer, start: number, end: number, quoted: boolean, escaped: boolean): void;
  /**
   * The current row ended after `fields` fields. line: the 1-based line the row started on; offset: bytes
   * consumed so far. Return false to stop reading (e.g. a row limit was reached).
   */
  row(fields: number, line: number, offset: number): boolean;
  /** The fast lane, when the sink has one (read at every field; may change between rows). */
  lane: CsvLane | null;
}

const S_START = 0; // at the start of a field
const S_UNQUOTED = 1; // inside an unquoted field
const S_QUOTED = 2; // inside a quoted field
const S_QUOTE_SEEN = 3; // inside a quoted field, just after a quote: either "" or the closing quote

/** Longest row (line) a CSV may have, bytes: past it the file is refused rather than read ever slower. */
export const MAX_ROW_BYTES = 64 * 1024 * 1024;

export class CsvTokenizer {
  /** Bytes pushed so far, and where the current row started. */
  private pushed = 0;
  private rowStartByte = 0;
  private state = S_START;
  /** Bytes of the unfinished field carried over from the previous chunk. */
  private carry: Buffer | null = null;
  /** Start of the field's content in the current buffer. */
  private fieldStart = 0;
  /** Position of the closing quote candidate (S_QUOTE_SEEN). */
  private quoteEnd = 0;
  private escaped = false;
  private fieldsInRow = 0;
  private line = 1;
  private rowLine = 1;
  private lastWasCR = false;
  /** Inside a quoted field, the last byte scanned was a CR (so a following LF is the same line break). */
  private quotedCR = false;
  /** Bytes of input before the current buffer. */
  private consumed = 0;
  private stopped = false;
  private bomChecked = false;

  constructor(
    private readonly sink: CsvSink,
    private readonly delimiter: number,
    private readonly file: string,
  ) {}

  /** True once the sink asked to stop. */
  get done(): boolean {
    return this.stopped;
  }

  /** The 1-based line on which the current row started. */
  get rowStartLine(): number {
    return this.rowLine;
  }

  /** The 1-based line the next byte pushed would be on (a quoted newline counts as a line). */
  get currentLine(): number {
    return this.line;
  }

  /** Bytes handed to the tokenizer so far. */
  get bytes(): number {
    return this.consumed;
  }

  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    this.pushed += chunk.length;
    if (this.pushed - this.rowStartByte > MAX_ROW_BYTES) {
      throw new InputError(
        `the row starting on this line is longer than ${MAX_ROW_BYTES / 1024 / 1024} MiB without a line break; is this a CSV/TSV file (one row per line)?`,
        { file: this.file, line: this.rowLine },
      );
    }
    let buf = chunk;
    let i = 0;
    if (!this.bomChecked) {
      if (buf.length < 3 && this.consumed === 0 && this.carry === null) {
        // Too short to tell; keep it until more arrives.
        this.carry = buf;
        return;
      }
      this.bomChecked = true;
    }
    if (this.carry !== null) {
      const offset = this.carry.length;
      buf = Buffer.concat([this.carry, chunk]);
      i = offset;
      this.carry = null;
      if (this.state === S_START) i = 0;
    }
    if (this.consumed === 0 && i === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) {
      i = 3; // UTF-8 byte order mark
    }
    this.scan(buf, i);
  }

  /** Call once after the last chunk: finishes the last row. */
  end(): void {
    if (this.stopped) return;
    if (!this.bomChecked && this.carry !== null) {
      const rest = this.carry;
      this.carry = null;
      this.bomChecked = true;
      this.scan(rest, 0);
      if (this.stopped) return;
    }
    const buf = this.carry ?? Buffer.alloc(0);
    this.carry = null;
    switch (this.state) {
      case S_QUOTED:
        throw new InputError(
          'a quoted field starts on this line and is never closed (a missing closing ")',
          { file: this.file, line: this.rowLine },
        );
      case S_QUOTE_SEEN:
        this.sink.field(this.fieldsInRow++, buf, this.fieldStart, this.quoteEnd, true, this.escaped);
        this.endRow(buf.length);
        break;
      case S_UNQUOTED:
        this.sink.field(this.fieldsInRow++, buf, this.fieldStart, buf.length, false, false);
        this.endRow(buf.length);
        break;
      default:
        if (this.fieldsInRow > 0) {
          this.sink.field(this.fieldsInRow++, buf, 0, 0, false, false);
          this.endRow(0);
        }
    }
    this.state = S_START;
  }

  private endRow(pos: number): void {
    const fields = this.fieldsInRow;
    this.fieldsInRow = 0;
    this.rowStartByte = this.consumed + pos;
    if (!this.sink.row(fields, this.rowLine, this.consumed + pos)) this.stopped = true;
  }

  private scan(buf: Buffer, from: number): void {
    const n = buf.length;
    const D = this.delimiter;
    const sink = this.sink;
    let i = from;
    let state = this.state;
    let fs = this.fieldStart;
    while (i < n) {
      if (state === S_START) {
        const c = buf[i]!;
        if (c === LF && this.lastWasCR) {
          // second half of a CRLF
          this.lastWasCR = false;
          i++;
          continue;
        }
        this.lastWasCR = false;
        if (c === QUOTE) {
          state = S_QUOTED;
          fs = i + 1;
          this.escaped = false;
          this.quotedCR = false;
          i++;
          continue;
        }
        if ((c === LF || c === CR) && this.fieldsInRow === 0) {
          // a blank line: skipped
          this.line++;
          this.rowLine = this.line;
          this.lastWasCR = c === CR;
          i++;
          continue;
        }
        state = S_UNQUOTED;
        fs = i;
        const lane = sink.lane;
        const f = this.fieldsInRow;
        if (lane !== null && f < lane.slot.length && lane.slot[f]! >= 0) {
          // Fast lane: parse a plain decimal while scanning for the field's end.
          let j = i;
          let neg = false;
          if (c === 45) {
            neg = true;
            j++;
          }
          let mant = 0;
          let sig = 0;
          let digits = 0;
          let frac = -1;
          let t = 0;
          while (j < n) {
            t = buf[j]!;
            const d = t - 48;
            if (d >= 0 && d <= 9) {
              if (mant !== 0 || d !== 0) {
                mant = mant * 10 + d;
                sig++;
              }
              digits++;
              if (frac >= 0) frac++;
            } else if (t === 46 && frac < 0) {
              frac = 0;
            } else {
              break;
            }
            j++;
          }
          // Magnitudes of 2^24 and more take the ordinary path: float32 may not hold them (see csv.ts, precise columns).
          if (j < n && (t === D || t === LF || t === CR) && digits > 0 && sig <= 15 && frac <= 22 && (frac > 0 ? mant / POW10[frac]! : mant) < 16777216) {
            const v = frac > 0 ? mant / POW10[frac]! : mant;
            lane.values[lane.base + lane.slot[f]!] = neg ? -v : v;
            lane.hits[f]!++;
            state = S_START;
            i = j + 1;
            this.fieldsInRow++;
            if (t !== D) {
              this.endRow(i);
              this.line++;
              this.rowLine = this.line;
              this.lastWasCR = t === CR;
              if (this.stopped) {
                this.state = S_START;
                return;
              }
            }
            continue;
          }
          // Not a plain decimal, or the chunk ends inside it: the ordinary path from the field's start.
        }
      }
      if (state === S_UNQUOTED) {
        let j = i;
        let c = 0;
        while (j < n) {
          c = buf[j]!;
          if (c === D || c === LF || c === CR) break;
          j++;
        }
        if (j === n) {
          i = n;
          break;
        }
        sink.field(this.fieldsInRow++, buf, fs, j, false, false);
        state = S_START;
        i = j + 1;
        if (c !== D) {
          this.endRow(i);
          this.line++;
          this.rowLine = this.line;
          this.lastWasCR = c === CR;
          if (this.stopped) return;
        }
        continue;
      }
      if (state === S_QUOTED) {
        let j = i;
        let prevCR = this.quotedCR;
        while (j < n) {
          const c = buf[j]!;
          if (c === QUOTE) break;
          if (c === LF) {
            if (!prevCR) this.line++;
            prevCR = false;
          } else if (c === CR) {
            this.line++;
            prevCR = true;
          } else {
            prevCR = false;
          }
          j++;
        }
        this.quotedCR = prevCR;
        if (j === n) {
          i = n;
          break;
        }
        this.quoteEnd = j;
        state = S_QUOTE_SEEN;
        i = j + 1;
        continue;
      }
      // S_QUOTE_SEEN
      const c = buf[i]!;
      if (c === QUOTE) {
        this.escaped = true;
        this.quotedCR = false;
        state = S_QUOTED;
        i++;
        continue;
      }
      let j = i;
      while (j < n && (buf[j] === 32 || buf[j] === 9) && buf[j] !== D) j++;
      if (j === n) {
        i = n;
        break;
      }
      const t = buf[j]!;
      if (t !== D && t !== LF && t !== CR) {
        throw new InputError(
          `unexpected text after a closing quote in field ${this.fieldsInRow + 1}; quote the whole field and double any " inside it ("")`,
          { file: this.file, line: this.line },
        );
      }
      sink.field(this.fieldsInRow++, buf, fs, this.quoteEnd, true, this.escaped);
      state = S_START;
      i = j + 1;
      if (t !== D) {
        this.endRow(i);
        this.line++;
        this.rowLine = this.line;
        this.lastWasCR = t === CR;
        if (this.stopped) return;
      }
    }
    // Keep the unfinished field for the next chunk.
    this.state = state;
    if (state === S_START) {
      this.consumed += n;
      this.fieldStart = 0;
      return;
    }
    const keepFrom = state === S_UNQUOTED ? fs : fs - 1; // a quoted field keeps its opening quote
    this.carry = buf.subarray(keepFrom);
    this.fieldStart = fs - keepFrom;
    this.quoteEnd -= keepFrom;
    this.consumed += keepFrom;
  }
}

/** Decodes a field's bytes as UTF-8 text, undoing doubled quotes. */
export function fieldText(buf: Buffer, start: number, end: number, escaped: boolean): string {
  const s = buf.toString('utf8', start, end);
  return escaped ? s.replaceAll('""', '"') : s;
}
