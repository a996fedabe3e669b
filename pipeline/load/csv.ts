// CSV / TSV loader (optionally gzipped). The file is read as a stream and parsed straight from bytes into one
// growing row-major Float32Array, so a 1,000,000 x 64 file loads with peak memory near the matrix itself:
// no array of strings per row is ever kept (text columns keep one string per cell, which is their content).
//
// Rules:
// - The first line is the header (when every header cell is a number, the file has none: columns are col_1..).
// - A column is numeric when every non-missing cell parses as a number; missing cells (empty, NA, N/A, NaN,
//   null, ?) become NaN. Numeric columns form the matrix; the label column and every other column are metadata.
// - A column of numbers with a few text cells is an error that names the first such cell (file:line:column).
// - Infinite values, ragged rows, unclosed quotes, damaged gzip data: InputError with the place.
import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { InputError } from '../errors.js';
import type { Dataset, MetaColumn, StageHooks } from '../types.js';
import { absolute, cleanNames, datasetName, findLabelColumn, genericColumnNames, hasLeadingZero, listNames, metaFromStrings } from './columns.js';
import { ALL_FEATURES, identifierNote, nonFeaturesByName, notLabelColumns, type FeatureSelection } from './feature-choice.js';
import { CsvTokenizer, fieldText, type CsvLane, type CsvSink } from './csv-tokenizer.js';
import { decideHeader, firstRows, type HeaderMode } from './csv-header.js';
import { chooseEncoding, lineOf, mixedEncodings, NotUtf8Error, restartEncoding, textStream, type EncodingChoice, type TextStream } from './encoding.js';
import { FLOAT32_MAX, NUM_INFINITE, NUM_MISSING, NUM_OK, NUM_TEXT, parsed, parseNumberBytes, parseNumberText } from './number.js';
import { fileSize, fsError, gzipError, isGzip, openByteSource, readHead } from './source.js';

export interface CsvOptions {
  /** Field separator (one character). Default: tab for .tsv/.tab, else sniffed from the header line (',' unless it has none). */
  delimiter?: string | null;
  /** Label column name (--label-column). Default: `ownLabel`, else a column named label/class/target/species/y. */
  labelColumn?: string | null;
  /** The dataset's own label column (built-ins). Default none. */
  ownLabel?: string | null;
  /** Columns kept as metadata even when numeric (built-ins, e.g. penguins' year). Default none. */
  metaColumns?: readonly string[];
  /** Read only the first N data rows. Default: all. */
  limit?: number | null;
  /** Dataset name. Default: the file's base name. */
  name?: string;
  /** Dataset source. Default: the absolute path. */
  source?: string;
  /** Text encoding (--encoding). Default: detected (see encoding.ts), and said in the dataset's notes. */
  encoding?: string | null;
  /** Set when a load restarts after finding that a file taken for UTF-8 is not: the encoding to use. */
  restartWith?: EncodingChoice;
  /** Whether the first line is a header: yes, no, or auto (guessed from the first rows; see csv-header.ts). Default auto. */
  header?: HeaderMode;
  /** --features / --exclude. Default: every numeric column not identifier-like. */
  selection?: FeatureSelection;
  /** Gzipped files: fail with DecompressedLimitError past this many decompressed bytes, reading no further. Default no cap. */
  maxDecompressedBytes?: number;
}

/** Rows whose raw text is kept so a column that turns out to be text early on can be rebuilt without a second pass. */
const PREFIX_ROWS = 1024;
/** A column is "mostly numbers" (so a text cell in it is an error) when text cells are under this share. */
const MOSTLY_NUMERIC = 0.05;
/** Most columns a CSV/TSV may have (wide gene-expression tables have tens of thousands; images up to 316 x 316). */
export const MAX_COLUMNS = 100_000;

const enum Kind {
  Number,
  Text,
  Label,
  Meta,
}

interface Column {
  name: string;
  index: number;
  kind: Kind;
  /** Slot in the row buffer (numeric columns and columns demoted from numeric), else -1. */
  slot: number;
  /** Cells of text / label / meta columns (undefined until a second pass fills them in). */
  strings: (string | null | undefined)[] | null;
  /** Raw text of the first PREFIX_ROWS cells of slot columns. */
  prefix: string[] | null;
  numeric: number;
  missing: number;
  text: number;
  firstText: { line: number; value: string } | null;
  /** Row from which `strings` is complete; rows before it need a second pass. */
  completeFrom: number;
  /** Float64 copy of the column once it holds a value float32 cannot (|v| >= 2^24, not a float32), else null. */
  wide?: Float64Array | null;
}

/** Smallest magnitude at which float32 starts to drop whole units (2^24). */
const FLOAT32_EXACT = 16777216;

export async function loadCsv(path: string, opts: CsvOptions = {}, hooks: StageHooks = {}): Promise<Dataset> {
  const size = await fileSize(path);
  if (size === 0) throw new InputError('the file is empty; a CSV needs a header line and at least one data row', { file: path });
  const head = await readHead(path, 4);
  const gzip = isGzip(head);
  const limit = opts.limit ?? null;
  if (limit !== null && (!Number.isInteger(limit) || limit < 1)) {
    throw new InputError(`must be a positive whole number, got ${limit}`, { field: 'limit' });
  }
  const totalHint = gzip ? await gzipSizeHint(path, size) : size;
  const builder = new CsvBuilder(path, opts, limit, totalHint);
  const src = openByteSource(path, gzip, size, hooks, opts.maxDecompressedBytes);
  let tokenizer: CsvTokenizer | null = null;
  let choice: EncodingChoice | null = opts.restartWith ?? null;
  let text: TextStream | null = null;
  let sha256: string;
  try {
    for await (const chunk of src.stream) {
      const raw = chunk as Buffer;
      if (text === null) {
        choice ??= chooseEncoding(raw, opts.encoding ?? null, path);
        text = textStream(choice, path);
      }
      const buf = text.push(raw);
      if (tokenizer === null) {
        if (buf.length === 0) continue;
        const delim = opts.delimiter ?? sniffDelimiter(buf, path);
        if (delim.length !== 1) throw new InputError(`the delimiter must be one character, got ${JSON.stringify(delim)}`, { field: 'delimiter' });
        tokenizer = new CsvTokenizer(builder, delim.charCodeAt(0), path);
        const decision = decideHeader(opts.header === 'yes' || opts.header === 'no' ? [] : firstRows(buf, delim), opts.header ?? 'auto');
        builder.header = decision.header;
        if (decision.note) builder.notes.push(decision.note);
        builder.delimiter = delim;
        builder.tokenizer = tokenizer;
      }
      tokenizer.push(buf);
      if (tokenizer.done) break;
    }
    if (text !== null && tokenizer !== null && !tokenizer.done) {
      tokenizer.push(text.end());
      if (!tokenizer.done) tokenizer.end();
    }
    sha256 = await src.finishHash();
  } catch (err) {
    src.close();
    if (err instanceof NotUtf8Error) {
      // The start was UTF-8 (or plain ASCII) but this byte is not: say where, or restart in the right encoding.
      if (tokenizer !== null && err.validBytes > 0 && !tokenizer.done) tokenizer.push(err.chunk.subarray(0, err.validBytes));
      // before the tokenizer exists (the bad byte in the first chunk read) the line is counted in that chunk
      const line = tokenizer?.currentLine ?? lineOf(err.chunk, err.validBytes, 1);
      const again = opts.encoding ? null : restartEncoding(err, line);
      if (again) return loadCsv(path, { ...opts, restartWith: again }, hooks);
      throw mixedEncodings(path, line, err.byte);
    }
    throw gzipError(fsError(err, path), path);
  }
  if (tokenizer === null) throw new InputError('the file is empty (no text after decompression)', { file: path });
  if (builder.needsSecondPass()) await builder.secondPass(gzip, size, choice!);
  const dataset = builder.finish(sha256);
  if (choice?.note) dataset.notes = [choice.note, ...(dataset.notes ?? [])];
  hooks.onProgress?.(1, 'load');
  return dataset;
}

/** Guesses the separator from the first line: tab for .tsv, else the most frequent of , ; tab | outside quotes. */
export function sniffDelimiter(first: Buffer, path: string): string {
  const ext = extname(path.replace(/\.(gz|gzip)$/i, '')).toLowerCase();
  if (ext === '.tsv' || ext === '.tab') return '\t';
  const counts = new Map<number, number>([[44, 0], [9, 0], [59, 0], [124, 0]]);
  let inQuotes = false;
  const n = Math.min(first.length, 1 << 16);
  for (let i = 0; i < n; i++) {
    const c = first[i]!;
    if (c === 34) inQuotes = !inQuotes;
    else if (!inQuotes && (c === 10 || c === 13)) break;
    else if (!inQuotes && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  if (counts.get(44)! > 0) return ',';
  let best = 44;
  let bestCount = 0;
  for (const [c, k] of counts) {
    if (k > bestCount) {
      best = c;
      bestCount = k;
    }
  }
  return String.fromCharCode(best);
}

/** Expected uncompressed size of a gzip file: its trailer's ISIZE (size mod 2^32), sanity-checked. */
async function gzipSizeHint(path: string, size: number): Promise<number> {
  if (size < 18) return size;
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    await fh.read(buf, 0, 4, size - 4);
    const isize = buf.readUInt32LE(0);
    return isize >= size ? isize : size * 4;
  } finally {
    await fh.close();
  }
}

class CsvBuilder implements CsvSink {
  delimiter = ',';
  private names: string[] = [];
  private cols: Column[] = [];
  private ncols = 0;
  private labelIndex = -1;
  private phase: 'header' | 'first' | 'data' = 'header';
  private headerCells: string[] = [];
  private firstCells: { text: string; line: number }[] = [];
  private headerless = false;
  /** Whether the first line is the header (decided before the first byte is tokenized). */
  header = true;
  /** What was guessed or changed, for the dataset's notes. */
  readonly notes: string[] = [];
  /** Identifier-like columns by name (left out of the features when they hold numbers). */
  private identifiers: string[] = [];
  /** Columns left out of the features because their values have leading zeros (codes). */
  private codes: string[] = [];
  private headerLine = 1;
  // row buffer
  private stride = 0;
  private values = new Float32Array(0);
  private capacity = 0;
  private rows = 0;
  private rowBase = 0;
  /** The tokenizer's fast lane for numeric columns, on once the first PREFIX_ROWS rows are in. */
  lane: CsvLane | null = null;
  private extraFields = 0;
  private lastExtraEmpty = true;
  private estimated = false;
  tokenizer: CsvTokenizer | null = null;

  constructor(
    private readonly file: string,
    private readonly opts: CsvOptions,
    private readonly limit: number | null,
    private readonly totalBytes: number,
  ) {}

  /** Line of the row being read (for messages). */
  private currentLine(): number {
    return this.tokenizer?.rowStartLine ?? 1;
  }

  // ---- CsvSink ----

  field(f: number, buf: Buffer, start: number, end: number, _quoted: boolean, escaped: boolean): void {
    if (this.phase === 'header') {
      this.headerCells.push(fieldText(buf, start, end, escaped));
      return;
    }
    if (f >= this.ncols) {
      this.extraFields++;
      this.lastExtraEmpty = start === end;
      return;
    }
    if (this.phase === 'first') {
      this.firstCells.push({ text: fieldText(buf, start, end, escaped), line: this.tokenizer!.rowStartLine });
      return;
    }
    const col = this.cols[f]!;
    if (col.kind === Kind.Number) {
      const v = escaped ? NaN : parseNumberBytes(buf, start, end);
      const st = escaped ? NUM_TEXT : parsed.status;
      if (col.prefix !== null) col.prefix.push(fieldText(buf, start, end, escaped));
      if (st === NUM_OK) {
        if (v > FLOAT32_MAX || v < -FLOAT32_MAX) this.infinite(col, fieldText(buf, start, end, escaped), true);
        this.values[this.rowBase + col.slot] = v;
        if (col.wide) col.wide[this.rows] = v;
        else if ((v >= FLOAT32_EXACT || v <= -FLOAT32_EXACT) && Math.fround(v) !== v) this.widen(col, v);
        col.numeric++;
      } else if (st === NUM_MISSING) {
        this.values[this.rowBase + col.slot] = NaN;
        if (col.wide) col.wide[this.rows] = NaN;
        col.missing++;
      } else if (st === NUM_INFINITE) {
        this.infinite(col, fieldText(buf, start, end, escaped), false);
      } else {
        this.demote(col, fieldText(buf, start, end, escaped));
      }
      return;
    }
    this.addText(col, fieldText(buf, start, end, escaped));
  }

  row(nfields: number, line: number, offset: number): boolean {
    if (this.phase === 'header') {
      this.headerLine = line;
      const width = this.headerCells.length;
      this.setupHeader(this.headerCells, line);
      this.headerCells = [];
      if (this.headerless) return this.row(width, line, offset);
      return true;
    }
    this.checkWidth(nfields, line);
    if (this.phase === 'first') {
      this.setupFirstRow();
    }
    this.rows++;
    if (this.limit !== null && this.rows >= this.limit) return false;
    if (this.rows === PREFIX_ROWS) this.startLane();
    if (!this.estimated && this.rows >= 256) this.estimateCapacity(offset);
    if (this.rows >= this.capacity) {
      // Out of room: re-estimate from the bytes read so far rather than growing by a fixed factor, so the
      // copy (old + new buffer) stays near the final size.
      const byBytes = offset > 0 && offset < this.totalBytes ? Math.ceil((this.totalBytes / offset) * this.rows * 1.02) : 0;
      this.grow(Math.max(byBytes, Math.ceil(this.capacity * 1.1)) + 1024);
    }
    this.rowBase = this.rows * this.stride;
    if (this.lane !== null) this.lane.base = this.rowBase;
    return true;
  }

  // ---- setup ----

  private setupHeader(cells: string[], line: number): void {
    if (cells.length > MAX_COLUMNS) {
      throw new InputError(
        `the first line has ${cells.length.toLocaleString('en-US')} fields; latentmap reads at most ${MAX_COLUMNS.toLocaleString('en-US')} columns (check the separator and the line endings: a file without line breaks reads as one endless line)`,
        { file: this.file, line },
      );
    }
    if (!this.header) {
      // No header: the first line is data.
      this.headerless = true;
      this.names = genericColumnNames(cells.length);
      this.firstCells = cells.map((text) => ({ text, line }));
    } else {
      const clean = cleanNames(cells);
      this.names = clean.names;
      this.notes.push(...clean.notes);
    }
    this.ncols = this.names.length;
    this.labelIndex = findLabelColumn(this.names, this.opts.labelColumn, this.opts.ownLabel, this.file, notLabelColumns(this.opts.selection));
    const chosen = nonFeaturesByName(this.names, this.opts.selection ?? ALL_FEATURES, this.labelIndex, this.file);
    this.identifiers = chosen.identifiers;
    const meta = new Set([...(this.opts.metaColumns ?? []), ...chosen.names]);
    this.cols = this.names.map((name, index) => ({
      name,
      index,
      kind: index === this.labelIndex ? Kind.Label : meta.has(name) ? Kind.Meta : Kind.Number,
      slot: -1,
      strings: null,
      prefix: null,
      numeric: 0,
      missing: 0,
      text: 0,
      firstText: null,
      completeFrom: 0,
    }));
    this.phase = 'first';
  }

  /** The first data row decides which columns get a slot in the row buffer: those whose cell is a number or missing. */
  private setupFirstRow(): void {
    const cells = this.firstCells;
    this.firstCells = [];
    let slots = 0;
    for (const col of this.cols) {
      if (col.kind !== Kind.Number) {
        col.strings = [];
        continue;
      }
      parseNumberText(cells[col.index]!.text);
      if (parsed.status === NUM_TEXT) {
        col.kind = Kind.Text;
        col.strings = [];
      } else {
        col.slot = slots++;
        col.prefix = [];
      }
    }
    this.stride = slots;
    this.capacity = 0;
    this.grow(this.limit !== null ? Math.min(this.limit, 1024) : 1024);
    this.phase = 'data';
    this.rowBase = 0;
    // Store the first row's cells the way field() stores every later row's.
    for (const col of this.cols) {
      const { text } = cells[col.index]!;
      if (col.kind !== Kind.Number) {
        this.addText(col, text);
        continue;
      }
      const v = parseNumberText(text);
      col.prefix!.push(text);
      if (parsed.status === NUM_OK) {
        if (v > FLOAT32_MAX || v < -FLOAT32_MAX) this.infinite(col, text, true);
        this.values[col.slot] = v;
        if ((v >= FLOAT32_EXACT || v <= -FLOAT32_EXACT) && Math.fround(v) !== v) this.widen(col, v);
        col.numeric++;
      } else if (parsed.status === NUM_MISSING) {
        this.values[col.slot] = NaN;
        col.missing++;
      } else {
        this.infinite(col, text, false);
      }
    }
  }

  private checkWidth(nfields: number, line: number): void {
    const extra = this.extraFields;
    const lastEmpty = this.lastExtraEmpty;
    this.extraFields = 0;
    this.lastExtraEmpty = true;
    if (nfields === this.ncols) return;
    if (nfields === this.ncols + 1 && extra === 1 && lastEmpty) return; // a trailing delimiter
    const sep = this.delimiter === '\t' ? 'tab' : JSON.stringify(this.delimiter);
    throw new InputError(
      nfields < this.ncols
        ? `this row has ${nfields} field${nfields === 1 ? '' : 's'} but the header has ${this.ncols}; add the missing values (leave them empty for missing) so every row has ${this.ncols}`
        : `this row has ${nfields} fields but the header has ${this.ncols}; a value containing the separator (${sep}) must be quoted`,
      { file: this.file, line },
    );
  }

  // ---- cells ----

  private addText(col: Column, text: string): void {
    parseNumberText(text);
    const st = parsed.status;
    if (st === NUM_MISSING) {
      col.strings!.push(null);
      col.missing++;
      return;
    }
    col.strings!.push(text);
    if (st === NUM_OK || st === NUM_INFINITE) {
      col.numeric++;
    } else {
      col.text++;
      if (col.firstText === null) col.firstText = { line: this.currentLine(), value: text };
    }
  }

  /** A slot column met text: from now on it is a text column. */
  private demote(col: Column, text: string): void {
    const row = this.rows;
    col.kind = Kind.Text;
    if (this.lane !== null) {
      col.numeric += this.lane.hits[col.index]!;
      this.lane.hits[col.index] = 0;
      this.lane.slot[col.index] = -1;
    }
    if (col.prefix !== null) {
      // Rebuild earlier cells from the kept raw text (the prefix already holds this row's cell too).
      col.strings = col.prefix.slice(0, row).map((t) => (parseNumberText(t), parsed.status === NUM_MISSING ? null : t));
      col.completeFrom = 0;
    } else {
      col.strings = new Array<string | null | undefined>(row);
      col.completeFrom = row;
    }
    col.prefix = null;
    col.text++;
    col.firstText = { line: this.currentLine(), value: text };
    col.strings.push(text);
  }

  private infinite(col: Column, text: string, float32: boolean): never {
    throw new InputError(
      float32
        ? `${JSON.stringify(text.trim())} in column "${col.name}" is too large for a 32-bit float (largest: 3.4e38); rescale the column`
        : `${JSON.stringify(text.trim())} in column "${col.name}" is infinite; use a finite number, or leave the cell empty to mark it missing`,
      { file: this.file, line: this.currentLine(), column: col.index + 1 },
    );
  }

  /**
   * Numeric columns whose first rows hold numbers written with leading zeros (zip codes, FIPS codes: "06075")
   * are codes: kept as text exactly as written, not features (unless --features names them, or a saved run used
   * the column as a feature).
   */
  private leadingZerosToCodes(): void {
    const chosen = [...(this.opts.selection?.features ?? []), ...(this.opts.selection?.runFeatures ?? [])];
    for (const col of this.cols) {
      if (col.kind !== Kind.Number || col.prefix === null || chosen.includes(col.name)) continue;
      if (!col.prefix.some(hasLeadingZero)) continue;
      col.kind = Kind.Meta;
      col.strings = col.prefix.map((t) => (parseNumberText(t), parsed.status === NUM_MISSING ? null : t));
      col.completeFrom = 0;
      col.prefix = null;
      col.numeric = 0;
      if (this.lane !== null) this.lane.slot[col.index] = -1;
      this.codes.push(col.name);
    }
  }

  /** After the first PREFIX_ROWS rows: stop keeping raw text, and let plain decimals take the fast lane. */
  private startLane(): void {
    this.leadingZerosToCodes();
    const slot = new Int32Array(this.ncols).fill(-1);
    for (const col of this.cols) {
      col.prefix = null;
      if (col.kind === Kind.Number && !col.wide) slot[col.index] = col.slot;
    }
    this.lane = { slot, values: this.values, base: this.rowBase, hits: new Float64Array(this.ncols) };
  }

  // ---- row buffer ----

  private estimateCapacity(offset: number): void {
    this.estimated = true;
    if (offset <= 0) return;
    const perRow = offset / (this.rows + 1);
    let est = Math.ceil((this.totalBytes / perRow) * 1.03) + 64;
    if (this.limit !== null) est = Math.min(est, this.limit);
    if (est > this.capacity) this.grow(est);
  }

  /**
   * Column `col` met a value float32 cannot hold (epoch-millisecond timestamps, large ids): from now on it is
   * also kept in float64 (earlier rows' float32 values were exact, being below 2^24 or float32 numbers), and it
   * leaves the tokenizer's float32 fast lane so every later value reaches both copies.
   */
  private widen(col: Column, v: number): void {
    const wide = new Float64Array(Math.max(this.capacity, 1));
    for (let r = 0; r < this.rows; r++) wide[r] = this.values[r * this.stride + col.slot]!;
    wide[this.rows] = v;
    col.wide = wide;
    if (this.lane !== null) {
      col.numeric += this.lane.hits[col.index]!;
      this.lane.hits[col.index] = 0;
      this.lane.slot[col.index] = -1;
    }
  }

  private grow(rows: number): void {
    const cap = this.limit !== null ? Math.min(Math.max(rows, 1), this.limit) : Math.max(rows, 1);
    if (cap <= this.capacity) return;
    const bigger = new Float32Array(cap * this.stride);
    bigger.set(this.values.subarray(0, this.rows * this.stride));
    this.values = bigger;
    for (const col of this.cols) {
      if (!col.wide) continue;
      const wide = new Float64Array(cap);
      wide.set(col.wide.subarray(0, this.rows + 1));
      col.wide = wide;
    }
    this.capacity = cap;
    if (this.lane !== null) this.lane.values = bigger;
  }

  // ---- second pass: cells of columns that turned to text after the first PREFIX_ROWS rows ----

  needsSecondPass(): boolean {
    return this.cols.some((c) => c.strings !== null && c.completeFrom > 0);
  }

  async secondPass(gzip: boolean, size: number, encoding: EncodingChoice): Promise<void> {
    const targets = this.cols.filter((c) => c.strings !== null && c.completeFrom > 0);
    const upto = Math.max(...targets.map((c) => c.completeFrom));
    const sink = new RefillSink(targets, upto, this.headerless);
    const src = openByteSource(this.file, gzip, size);
    const tok = new CsvTokenizer(sink, this.delimiter.charCodeAt(0), this.file);
    const text = textStream(encoding, this.file);
    try {
      for await (const chunk of src.stream) {
        tok.push(text.push(chunk as Buffer));
        if (tok.done) break;
      }
      if (!tok.done) {
        tok.push(text.end());
        if (!tok.done) tok.end();
      }
    } finally {
      src.close();
    }
    for (const c of targets) c.completeFrom = 0;
  }

  // ---- result ----

  finish(sha256: string): Dataset {
    if (this.phase === 'header') throw new InputError('the file holds only blank lines; a CSV needs a header line and at least one data row', { file: this.file });
    if (this.rows === 0) {
      throw new InputError('the file has a header but no data rows; add rows below the header line', { file: this.file, line: this.headerLine });
    }
    const rows = this.rows;
    if (this.lane !== null) {
      for (const col of this.cols) col.numeric += this.lane.hits[col.index]!;
      this.lane = null;
    } else {
      this.leadingZerosToCodes();
    }
    // A column of numbers with a few text cells: name the first text cell.
    for (const col of this.cols) {
      if (col.kind !== Kind.Text || col.firstText === null || col.numeric === 0) continue;
      if (col.text < MOSTLY_NUMERIC * (col.numeric + col.text)) {
        const more = col.text > 1 ? ` (and ${col.text - 1} more text cell${col.text > 2 ? 's' : ''})` : '';
        throw new InputError(
          `column "${col.name}" holds numbers, but ${JSON.stringify(col.firstText.value)} is not a number${more}; fix the cell, or leave it empty (or NA) to mark it missing`,
          { file: this.file, line: col.firstText.line, column: col.index + 1 },
        );
      }
    }
    const features = this.cols.filter((c) => c.kind === Kind.Number && c.numeric > 0);
    // no column of numbers: text-features.ts (after loading) may still make features of text, else says so
    const stride = this.stride;
    const width = features.length;
    let values = this.values;
    const sameLayout = width === stride && features.every((c, i) => c.slot === i);
    if (!sameLayout) {
      const slots = features.map((c) => c.slot);
      for (let r = 0; r < rows; r++) {
        const from = r * stride;
        const to = r * width;
        for (let k = 0; k < width; k++) values[to + k] = values[from + slots[k]!]!;
      }
    }
    const used = rows * width;
    values = values.length > used * 1.15 ? values.slice(0, used) : values.subarray(0, used);
    this.values = new Float32Array(0);

    let label: MetaColumn | undefined;
    const metadata: MetaColumn[] = [];
    for (const col of this.cols) {
      if (col.kind === Kind.Number && col.numeric > 0) continue;
      let meta: MetaColumn;
      if (col.kind === Kind.Number) {
        meta = { name: col.name, kind: 'string', values: new Array<string | null>(rows).fill(null) };
      } else {
        const strings = Array.from(col.strings!.slice(0, rows), (s) => (s === undefined ? null : s));
        meta = metaFromStrings(col.name, strings, col.kind === Kind.Label || col.kind === Kind.Meta || col.text === 0);
      }
      if (col.index === this.labelIndex) label = meta;
      else metadata.push(meta);
    }
    const dataset: Dataset = {
      name: this.opts.name ?? datasetName(this.file),
      source: this.opts.source ?? absolute(this.file),
      matrix: { rows, cols: width, values },
      columns: features.map((c) => c.name),
      metadata,
      sha256,
    };
    const precise = new Map<number, Float64Array>();
    features.forEach((c, k) => {
      if (c.wide) precise.set(k, c.wide.slice(0, rows));
    });
    if (precise.size > 0) dataset.precise = precise;
    if (label) dataset.label = label;
    // Only identifier-like columns of numbers were left out of anything (a text column is never a feature).
    const numbers = (m: MetaColumn): boolean => m.kind === 'number' || m.values.every((v) => v === null || (parseNumberText(String(v)), parsed.status === NUM_OK));
    const idNote = identifierNote(this.identifiers.filter((n) => !this.codes.includes(n) && metadata.some((m) => m.name === n && numbers(m))));
    if (idNote) this.notes.push(idNote);
    if (this.codes.length > 0) {
      const one = this.codes.length === 1;
      this.notes.push(`${listNames(this.codes)} ${one ? 'holds' : 'hold'} codes written with leading zeros (like "06075"): kept as text exactly as written, not used as ${one ? 'a feature' : 'features'}`);
    }
    if (this.notes.length > 0) dataset.notes = [...this.notes];
    return dataset;
  }
}

/** Collects the cells of some columns for the rows before each column's completeFrom. */
class RefillSink implements CsvSink {
  readonly lane = null;
  private row0 = 0;
  private header: boolean;
  private readonly byIndex = new Map<number, Column>();

  constructor(
    targets: Column[],
    private readonly upto: number,
    headerless: boolean,
  ) {
    this.header = !headerless;
    for (const c of targets) this.byIndex.set(c.index, c);
  }

  field(f: number, buf: Buffer, start: number, end: number, _quoted: boolean, escaped: boolean): void {
    if (this.header) return;
    const col = this.byIndex.get(f);
    if (col && this.row0 < col.completeFrom) {
      const text = fieldText(buf, start, end, escaped);
      parseNumberText(text);
      col.strings![this.row0] = parsed.status === NUM_MISSING ? null : text;
    }
  }

  row(): boolean {
    if (this.header) {
      this.header = false;
      return true;
    }
    this.row0++;
    return this.row0 < this.upto;
  }
}
