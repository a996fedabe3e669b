// File access shared by the loaders: existence checks with clear errors, hashing, gzip detection and
// byte streams (optionally gunzipped) that report progress and honour an AbortSignal.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { PassThrough, Transform, pipeline, type Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { CancelledError, InputError } from '../errors.js';
import type { StageHooks } from '../types.js';

/** Size of the file; InputError when it does not exist, is a directory or cannot be read. */
export async function fileSize(path: string): Promise<number> {
  try {
    const st = await stat(path);
    if (st.isDirectory()) throw new InputError('is a directory, not a data file', { file: path });
    return st.size;
  } catch (err) {
    throw fsError(err, path);
  }
}

/** Turns a file-system error into an InputError that names the file (other errors pass through). */
export function fsError(err: unknown, path: string): unknown {
  if (err instanceof InputError) return err;
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') {
    return new InputError('file not found; check the path (relative paths start at the current directory)', { file: path }, { cause: err });
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return new InputError('permission denied: the file cannot be read', { file: path }, { cause: err });
  }
  if (code === 'EISDIR') return new InputError('is a directory, not a data file', { file: path }, { cause: err });
  return err;
}

/** The first n bytes of a file (fewer when the file is shorter). */
export async function readHead(path: string, n: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw fsError(err, path);
  }
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Reads bytes [position, position + length) of a file; InputError when the file is shorter. */
export async function readRange(path: string, position: number, length: number): Promise<Buffer> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw fsError(err, path);
  });
  try {
    const buf = Buffer.allocUnsafe(length);
    let got = 0;
    while (got < length) {
      const { bytesRead } = await fh.read(buf, got, length - got, position + got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buf.subarray(0, got);
  } finally {
    await fh.close();
  }
}

/** A whole file's bytes and their sha256 (hex), with file-system errors turned into InputErrors. */
export async function readWholeFile(path: string): Promise<{ bytes: Buffer; sha256: string }> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    throw fsError(err, path);
  }
  return { bytes, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/** sha256 (hex) of a file's bytes from `from` to the end, continuing `hash` when given. */
export async function hashFile(path: string, from = 0, hash = createHash('sha256')): Promise<string> {
  const stream = createReadStream(path, { start: from, highWaterMark: 1 << 20 });
  try {
    for await (const chunk of stream) hash.update(chunk as Buffer);
  } catch (err) {
    throw fsError(err, path);
  }
  return hash.digest('hex');
}

/**
 * A gzip stream decompresses to more than the cap its reader was given (`maxDecompressedBytes`): a guard
 * against gzip bombs where the caller (the server's upload check) bounds the work one file may cause.
 */
export class DecompressedLimitError extends InputError {
  constructor(
    readonly limit: number,
    file: string,
  ) {
    super(`the gzip data decompresses to more than ${limit} bytes, the most accepted here; send a smaller file`, { file });
  }
}

export function isGzip(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b;
}

/**
 * A stream of a file's bytes, gunzipped when `gzip`, with a running sha256 of the raw (compressed) bytes.
 * `finishHash()` completes the hash over the whole file, reading whatever the consumer did not.
 */
export interface ByteSource {
  stream: Readable;
  /** Raw bytes read so far. */
  rawBytes(): number;
  /** Stops reading and returns the sha256 of the whole raw file. */
  finishHash(): Promise<string>;
  close(): void;
}

/**
 * `maxDecompressedBytes`: with `gzip`, the stream fails with DecompressedLimitError once the decompressed
 * bytes pass it (reading stops there); default no cap.
 */
export function openByteSource(path: string, gzip: boolean, size: number, hooks: StageHooks = {}, maxDecompressedBytes?: number): ByteSource {
  const hash = createHash('sha256');
  let raw = 0;
  let lastReport = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      raw += chunk.length;
      if (hooks.onProgress && size > 0 && raw - lastReport > size / 100) {
        lastReport = raw;
        hooks.onProgress(Math.min(1, raw / size) * 0.99, 'load', { bytes: raw, totalBytes: size });
      }
      if (hooks.signal?.aborted) {
        cb(new CancelledError());
        return;
      }
      cb(null, chunk);
    },
  });
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  const gunzip = gzip ? createGunzip({ chunkSize: 1 << 20 }) : null;
  const out = new PassThrough({ highWaterMark: 1 << 20 });
  const cap = gzip && maxDecompressedBytes !== undefined ? decompressedCap(path, maxDecompressedBytes) : null;
  let closed = false;
  const ignore = (): void => {
    /* errors surface through `out` */
  };
  if (gunzip && cap) pipeline(file, tap, gunzip, cap, out, ignore);
  else if (gunzip) pipeline(file, tap, gunzip, out, ignore);
  else pipeline(file, tap, out, ignore);
  return {
    stream: out,
    rawBytes: () => raw,
    async finishHash() {
      this.close();
      if (raw >= size) return hash.digest('hex');
      return hashFile(path, raw, hash);
    },
    close() {
      if (closed) return;
      closed = true;
      file.destroy();
      tap.destroy();
      gunzip?.destroy();
      cap?.destroy();
      out.destroy();
    },
  };
}

/** Passes bytes through until more than `limit` have passed, then fails with DecompressedLimitError. */
function decompressedCap(path: string, limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > limit) cb(new DecompressedLimitError(limit, path));
      else cb(null, chunk);
    },
  });
}

/** Turns a zlib error into an InputError that says the gzip data is damaged. */
export function gzipError(err: unknown, path: string): unknown {
  const e = err as NodeJS.ErrnoException | null;
  if (e && typeof e.code === 'string' && e.code.startsWith('Z_')) {
    const what = e.code === 'Z_BUF_ERROR' ? 'is truncated (unexpected end of file)' : `is corrupt (${e.message})`;
    return new InputError(`the gzip data ${what}; compress the file again or download it again`, { file: path }, { cause: err });
  }
  return err;
}
