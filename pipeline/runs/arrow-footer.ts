// An Arrow IPC file's structure read without its data: the footer (schema and where each record batch
// lies) and each record batch's message header (its row count and buffer positions). A few hundred bytes
// per batch, whatever the file's size: enough to know a file's columns and rows (the run list's check that a
// run is whole) and where to read a row or a column by position (data-rows.ts).
// Arrow IPC file format: https://arrow.apache.org/docs/format/Columnar.html#ipc-file-format
import type { Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { Message, type Field } from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';

/** The file is not a whole Arrow IPC file (cut short, damaged, or another format). */
export class ArrowFileError extends Error {}

/** One record batch of the file, from its message header. */
export interface ArrowBatch {
  /** File offset of the batch's message. */
  offset: number;
  /** File offset of the batch's body (buffer offsets in `header` count from here). */
  body: number;
  /** Bytes of the body, as both the footer and the message allow. */
  bodyLength: number;
  rows: number;
  /** The record batch header: nodes (lengths, null counts), buffers (offset, length), compression. */
  header: { length: number; nodes: { nullCount: number }[]; buffers: { offset: number; length: number }[]; compression: unknown };
}

export interface ArrowFileStructure {
  /** The file's inode, mtime, ctime and size when it was read (fileVersion). */
  version: string;
  fields: Field[];
  numDictionaries: number;
  rows: number;
  batches: ArrowBatch[];
}

const MAGIC = 'ARROW1';

/**
 * A file's version stamp: inode, mtime, ctime (ms) and size. The ctime (the inode's last change) is there for
 * damage that keeps the size and puts the mtime back (`touch -r`, `utimes`, a copy that preserves times): only
 * the kernel sets a ctime, to the clock's time, whenever the file's content or attributes change, so no
 * user-level tool can restore it (git's index stamps files the same way). A change of attributes (chmod, a
 * hard link) moves it too: the file is then only checked again. What it cannot see: a write made while the
 * system clock was set back to the old ctime.
 */
export function fileVersion(s: Stats): string {
  return `${s.ino}:${s.mtimeMs}:${s.ctimeMs}:${s.size}`;
}

/** `length` bytes at `offset`; ArrowFileError (naming `what`) when the file ends sooner. */
export async function readAt(fh: FileHandle, offset: number, length: number, what: string): Promise<Buffer> {
  const buf = Buffer.alloc(length);
  const { bytesRead } = await fh.read(buf, 0, length, offset);
  if (bytesRead !== length) throw new ArrowFileError(`${what}: the file ends at byte ${offset + bytesRead}, ${length} bytes were expected at ${offset}`);
  return buf;
}

/**
 * The structure of the Arrow IPC file open as `fh`: schema, record batches and their row counts, checked
 * to lie within the file. Reads the magic, the footer and one message header per batch. Throws
 * ArrowFileError when the file is not a whole Arrow IPC file; fs errors pass through.
 */
export async function readArrowStructure(fh: FileHandle): Promise<ArrowFileStructure> {
  const st = await fh.stat();
  const size = st.size;
  if (size < 18 || (await readAt(fh, 0, 6, 'header')).toString('latin1') !== MAGIC) throw new ArrowFileError('not an Arrow IPC file');
  // The file ends with the footer (schema and record batch blocks), its length, and the magic again.
  const tail = await readAt(fh, size - 10, 10, 'trailer');
  if (tail.toString('latin1', 4) !== MAGIC) throw new ArrowFileError('the file is cut short (no Arrow footer)');
  const footerLength = tail.readInt32LE(0);
  if (footerLength <= 0 || footerLength > size - 18) throw new ArrowFileError('the Arrow footer has a bad length');
  let footer: Footer;
  try {
    footer = Footer.decode(await readAt(fh, size - 10 - footerLength, footerLength, 'footer'));
  } catch (err) {
    throw new ArrowFileError(`the Arrow footer cannot be decoded (${(err as Error).message})`);
  }
  const batches: ArrowBatch[] = [];
  let rows = 0;
  for (const block of footer.recordBatches()) {
    const pos = block.offset;
    if (!(pos >= 8 && block.metaDataLength >= 8 && pos + block.metaDataLength + block.bodyLength <= size - 10 - footerLength)) {
      throw new ArrowFileError(`the record batch at byte ${pos} passes the end of the file`);
    }
    const prefix = await readAt(fh, pos, 8, 'message');
    const continued = prefix.readInt32LE(0) === -1;
    const headerBytes = continued ? 8 : 4;
    const metaLength = continued ? prefix.readInt32LE(4) : prefix.readInt32LE(0);
    if (metaLength <= 0 || headerBytes + metaLength > block.metaDataLength) throw new ArrowFileError(`the message at byte ${pos} has a bad length`);
    let message: Message;
    try {
      message = Message.decode(await readAt(fh, pos + headerBytes, metaLength, 'message'));
    } catch (err) {
      throw new ArrowFileError(`the message at byte ${pos} cannot be decoded (${(err as Error).message})`);
    }
    if (!message.isRecordBatch()) throw new ArrowFileError(`the block at byte ${pos} is not a record batch`);
    const header = message.header() as unknown as ArrowBatch['header'];
    const n = header.length;
    if (!Number.isSafeInteger(n) || n < 0) throw new ArrowFileError(`the record batch at byte ${pos} has a bad row count`);
    batches.push({ offset: pos, body: pos + block.metaDataLength, bodyLength: Math.min(message.bodyLength, block.bodyLength), rows: n, header });
    rows += n;
  }
  return { version: fileVersion(st), fields: footer.schema.fields, numDictionaries: footer.numDictionaries, rows, batches };
}

/** readArrowStructure of the file at `file` (opened and closed here). */
export async function readArrowFileStructure(file: string): Promise<ArrowFileStructure> {
  const fh = await open(file, 'r');
  try {
    return await readArrowStructure(fh);
  } finally {
    await fh.close();
  }
}
