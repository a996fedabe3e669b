// Text encodings of CSV/TSV input. UTF-8 is read as it is (and checked: a byte that is not UTF-8 is never
// replaced silently); UTF-16 with a byte-order mark, and files that are not UTF-8 at all (Latin-1,
// Windows-1252 and other legacy encodings, recognised by chardet's statistics), are decoded to UTF-8 with
// iconv-lite before the tokenizer sees them, and the loader says which encoding it used and why.
import { isAscii, isUtf8 } from 'node:buffer';
import chardet from 'chardet';
import iconv from 'iconv-lite';
import { InputError } from '../errors.js';

/** How a file's bytes become text. */
export interface EncodingChoice {
  /** iconv-lite's name of the encoding ('utf8' means: no conversion, only checking). */
  encoding: string;
  /** The name shown to the user (UTF-8, UTF-16LE, ISO-8859-1/Windows-1252, ...). */
  label: string;
  /** Why: null for plain UTF-8, else a sentence for the run's notes. */
  note: string | null;
}

const UTF8: EncodingChoice = { encoding: 'utf8', label: 'UTF-8', note: null };

/** What a decoder writes for a byte its encoding has no character for. */
const REPLACEMENT = '\uFFFD';

/** The first byte that is not part of valid UTF-8, ignoring a multi-byte character cut off at the end; -1 if none. */
export function firstNonUtf8(buf: Buffer): number {
  const cut = completeUtf8Length(buf);
  if (isUtf8(buf.subarray(0, cut))) return -1;
  // Only on the error path: walk the sequences (RFC 3629: no overlongs, no surrogates, at most U+10FFFF).
  let i = 0;
  while (i < cut) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    const lo = b === 0xe0 ? 0xa0 : b === 0xf0 ? 0x90 : 0x80;
    const hi = b === 0xed ? 0x9f : b === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k];
      if (c === undefined || c < (k === 1 ? lo : 0x80) || c > (k === 1 ? hi : 0xbf)) return i;
    }
    i += need + 1;
  }
  return cut;
}

/** Length of buf without a trailing, incomplete multi-byte UTF-8 sequence (at most 3 bytes are held back). */
export function completeUtf8Length(buf: Uint8Array): number {
  const n = buf.length;
  for (let back = 1; back <= Math.min(3, n); back++) {
    const b = buf[n - back]!;
    if (b < 0x80) return n; // ASCII: nothing pending
    if (b >= 0xc0) {
      const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return need > back ? n - back : n;
    }
  }
  return n;
}

function hasNonAscii(buf: Buffer, end: number): boolean {
  return !isAscii(buf.subarray(0, end));
}

/** The 1-based line of byte `at` of `buf`, counting from `firstLine` at its start. */
/** The line (counted from firstLine) of byte `at` of buf. */
export function lineOf(buf: Buffer, at: number, firstLine: number): number {
  let line = firstLine;
  for (let i = buf.indexOf(10); i >= 0 && i < at; i = buf.indexOf(10, i + 1)) line++;
  return line;
}

/** iconv-lite's name for a user's --encoding, or an InputError listing common ones. */
export function requestedEncoding(name: string): EncodingChoice {
  const norm = name.trim().toLowerCase();
  if (norm === 'utf8' || norm === 'utf-8') return UTF8;
  if (!iconv.encodingExists(norm)) {
    throw new InputError(`unknown text encoding ${JSON.stringify(name)}; use e.g. utf-8, windows-1252, latin1, utf-16le, utf-16be, iso-8859-2, windows-1251, shift_jis`, { field: 'encoding' });
  }
  return { encoding: norm, label: name, note: `read as ${name} (--encoding)` };
}

/**
 * Guesses the encoding of bytes that are not UTF-8 (chardet's candidates, most confident first), taking the first
 * in which every byte of the sample is a character: chardet's statistics alone read Polish Windows-1250 as
 * Windows-1257, in which "ź" (0x9F) is no character (an outside tester got "Łódź" as "£ód\uFFFD"). Latin-1 is read
 * as its superset Windows-1252.
 */
function guessLegacy(sample: Buffer, why: string): EncodingChoice {
  const guesses = chardet.analyse(sample).filter((g) => iconv.encodingExists(g.name) && !/^UTF-(8|16|32)/i.test(g.name));
  const decodable = (name: string): boolean => !iconv.decode(sample, /^(ISO-8859-1|windows-1252)$/i.test(name) ? 'windows-1252' : name).includes(REPLACEMENT);
  const top = guesses.find((g) => decodable(g.name)) ?? guesses[0];
  const name = top?.name ?? 'ISO-8859-1';
  const latin1 = /^(ISO-8859-1|windows-1252)$/i.test(name);
  const label = latin1 ? 'ISO-8859-1/Windows-1252' : name;
  return {
    encoding: latin1 ? 'windows-1252' : name.toLowerCase(),
    label,
    note: `decoded as ${label} (${why}; detected${top ? `, confidence ${top.confidence}%` : ''}); if the text looks wrong, pass --encoding`,
  };
}

/**
 * Decides how to read a file from its first bytes: a UTF-16 byte-order mark, else UTF-8 when the start is
 * valid UTF-8, else a detected legacy encoding. `requested` (--encoding) wins.
 */
export function chooseEncoding(head: Buffer, requested: string | null, file: string): EncodingChoice {
  if (requested) return requestedEncoding(requested);
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', label: 'UTF-16LE', note: 'decoded as UTF-16LE (byte-order mark)' };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', label: 'UTF-16BE', note: 'decoded as UTF-16BE (byte-order mark)' };
  const bad = firstNonUtf8(head);
  if (bad < 0) return UTF8;
  if (hasNonAscii(head, bad)) throw mixedEncodings(file, lineOf(head, bad, 1), head[bad]!);
  return guessLegacy(head, `the file is not UTF-8: line ${lineOf(head, bad, 1)} has byte 0x${head[bad]!.toString(16).toUpperCase()}`);
}

/** The refusal of a file whose UTF-8 text is followed by bytes that are not UTF-8. */
export function mixedEncodings(file: string, line: number, byte: number): InputError {
  return new InputError(
    `line ${line} is not UTF-8 (byte 0x${byte.toString(16).toUpperCase()}), though the lines before it are UTF-8 text; the file mixes encodings: convert it to UTF-8 (iconv -f ENCODING -t UTF-8), or give its encoding (--encoding; encoding= for an upload)`,
    { file, line },
  );
}

/** Thrown by a UTF-8 check that met a byte that is not UTF-8 after the file's start had been accepted. */
export class NotUtf8Error extends Error {
  constructor(
    /** Bytes of the chunk before the bad byte (valid UTF-8, to hand on before reporting). */
    readonly validBytes: number,
    readonly byte: number,
    /** Whether any non-ASCII byte came before (then the file mixes encodings; else it is a legacy file). */
    readonly sawNonAscii: boolean,
    readonly chunk: Buffer,
  ) {
    super(`byte 0x${byte.toString(16).toUpperCase()} is not UTF-8`);
  }
}

/** Turns a file's chunks into UTF-8 chunks: converts with iconv-lite, or checks UTF-8 as it passes. */
export interface TextStream {
  push(chunk: Buffer): Buffer;
  end(): Buffer;
}

export function textStream(choice: EncodingChoice, file?: string): TextStream {
  if (choice.encoding !== 'utf8') {
    const decoder = iconv.getDecoder(choice.encoding, { stripBOM: true });
    // a byte the encoding has no character for becomes U+FFFD: refused, never replaced silently
    let line = 1;
    const checked = (text: string): Buffer => {
      const at = text.indexOf(REPLACEMENT);
      if (at >= 0) {
        for (let i = text.indexOf('\n'); i >= 0 && i < at; i = text.indexOf('\n', i + 1)) line++;
        throw new InputError(
          `line ${line} holds a byte that is no character in ${choice.label}, the encoding ${choice.note?.includes('--encoding') ? 'given' : 'the file is read as'}; give the file's encoding with --encoding (encoding= for an upload), e.g. windows-1250 for Central European text`,
          { ...(file ? { file } : {}), line, field: 'encoding' },
        );
      }
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) line++;
      return Buffer.from(text, 'utf8');
    };
    return {
      push: (chunk) => checked(decoder.write(chunk)),
      end: () => checked(decoder.end() ?? ''),
    };
  }
  let carry: Buffer | null = null;
  let nonAscii = false;
  return {
    push(chunk) {
      const buf = carry ? Buffer.concat([carry, chunk]) : chunk;
      const cut = completeUtf8Length(buf);
      const whole = buf.subarray(0, cut);
      if (!isUtf8(whole)) {
        const at = firstNonUtf8(whole);
        throw new NotUtf8Error(at, whole[at]!, nonAscii || hasNonAscii(whole, at), whole);
      }
      if (!nonAscii) nonAscii = hasNonAscii(whole, whole.length);
      carry = cut < buf.length ? Buffer.from(buf.subarray(cut)) : null;
      return whole;
    },
    end() {
      if (carry) {
        const rest = carry;
        carry = null;
        throw new NotUtf8Error(0, rest[0]!, true, rest);
      }
      return Buffer.alloc(0);
    },
  };
}

/** The encoding to restart with when a UTF-8 file turns out not to be, or null when it mixes encodings. */
export function restartEncoding(err: NotUtf8Error, line: number): EncodingChoice | null {
  if (err.sawNonAscii) return null;
  return guessLegacy(err.chunk.subarray(Math.max(0, err.validBytes - 4096)), `line ${line} is the first that is not UTF-8 (byte 0x${err.byte.toString(16).toUpperCase()})`);
}
