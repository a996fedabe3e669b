// Files uploaded for runs (POST /api/uploads): streamed to a hidden temporary folder under the runs
// directory with a size limit, content-checked by the pipeline's own loaders (in the worker thread), then
// moved into place as runs/.uploads/<id>/ (file names: pipeline/runs/uploads.ts). A run names one with
// `"upload": "<id>"`. Nothing here is ever named by its server path in an answer.
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { InputError, reworded } from '../pipeline/errors.js';
import { makeDirs } from '../pipeline/make-dirs.js';
import { isUploadId, UPLOAD_EXTENSIONS, UPLOAD_META, uploadDir, uploadsDir } from '../pipeline/runs/uploads.js';
import { detectFormat, formatFromExtension, type FileFormat } from '../pipeline/load/sniff.js';
import { HttpError } from './http-error.js';
import type { UploadInfo, UploadReading, UploadShape } from '../pipeline/types.js';

export type { UploadInfo } from '../pipeline/types.js';

/** Loads a stored file with the pipeline's loaders, read as `reading` says: its shape, or an InputError saying what is wrong. */
export type UploadChecker = (file: string, reading: UploadReading) => Promise<UploadShape>;

/** How a file is read when its upload says nothing: the header guessed, the encoding detected (as the CLI does). */
export const DEFAULT_READING: UploadReading = { header: 'auto', encoding: null };

/** Largest upload by default, bytes, and the most any file read for a run started over HTTP may decompress to. */
export const DEFAULT_MAX_UPLOAD_BYTES = 256 * 1024 * 1024;

const TMP_PREFIX = '.tmp-';
/** A partial upload folder older than this belongs to a dead server, ms. */
const PARTIAL_MAX_AGE_MS = 60 * 60_000;

/** The extension of an upload's name, or an InputError listing the accepted ones. */
export function uploadExtension(name: string): string {
  const lower = name.toLowerCase();
  const ext = [...UPLOAD_EXTENSIONS].sort((a, b) => b.length - a.length).find((e) => lower.endsWith(e));
  if (!ext || lower === ext) {
    throw new InputError(`upload a file named like data.csv: the name's extension gives the format, one of ${UPLOAD_EXTENSIONS.join(', ')}`, { field: 'name' });
  }
  return ext;
}

/** Each format's extension and name, for an upload whose content's format is not the name's. */
const FORMATS: Record<FileFormat, { ext: string; name: string }> = {
  csv: { ext: '.csv', name: 'text (CSV)' },
  arrow: { ext: '.arrow', name: 'Arrow' },
  parquet: { ext: '.parquet', name: 'Parquet' },
  npy: { ext: '.npy', name: 'NumPy .npy' },
  idx: { ext: '.idx', name: 'IDX' },
};

/**
 * The format a stored upload is read as (pipeline/load/sniff.ts detectFormat: magic bytes first), as an extension:
 * `named` (the name's) when they agree, else the content's, with a note saying so.
 */
async function contentFormat(file: string, named: string): Promise<{ format: string; note: string | null }> {
  const { format, gzip } = await detectFormat(file);
  if (formatFromExtension(`x${named}`) === format) return { format: named, note: null };
  const ext = `${FORMATS[format].ext}${gzip ? '.gz' : ''}`;
  return { format: ext, note: `holds ${FORMATS[format].name} data, not what its name says (${named}): read as ${ext}` };
}

export class UploadStore {
  readonly dir: string;

  constructor(
    readonly runsDir: string,
    /** Largest upload, bytes. */
    readonly maxBytes: number,
    private readonly check: UploadChecker,
  ) {
    this.dir = uploadsDir(runsDir);
  }

  /**
   * Streams a request body to disk (413 past maxBytes, the partial file removed), checks it with the
   * loaders, read as `reading` says (400 with the loader's message, naming the upload by its name), and moves it
   * into place; runs naming it read it the same way unless they say otherwise.
   */
  async receive(body: IncomingMessage, rawName: string, reading: UploadReading = DEFAULT_READING): Promise<UploadInfo> {
    const name = path.basename(rawName.replace(/\\/g, '/')).slice(0, 200);
    const format = uploadExtension(name);
    const id = `up-${randomBytes(8).toString('hex')}`;
    const tmp = path.join(this.dir, `${TMP_PREFIX}${id}`);
    try {
      // makeDirs, not a recursive mkdir: that reports ENOENT, not EROFS, on a read-only file system, and the 503
      // below would be missed (the client got a 500). The upload's own folder is new (mkdir fails if it exists).
      await makeDirs(this.dir);
      await mkdir(tmp);
      const file = path.join(tmp, `data${format}`);
      const hash = createHash('sha256');
      let bytes = 0;
      const limit = this.maxBytes;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          if (bytes > limit) {
            done(new HttpError(413, `the upload is larger than this server accepts (${limit} bytes, --max-upload-bytes)`, { Connection: 'close' }));
            return;
          }
          hash.update(chunk);
          done(null, chunk);
        },
      });
      try {
        await pipeline(body, counter, createWriteStream(file, { flags: 'wx' }));
      } catch (err) {
        if (err instanceof HttpError) throw err;
        throw storageError(err) ?? new HttpError(400, 'the upload was cut off before it was complete');
      }
      if (bytes === 0) throw new InputError('the upload is empty (0 bytes); send the file as the request body', { file: name, field: 'upload' });
      let shape: UploadShape;
      try {
        shape = await this.check(file, reading);
      } catch (err) {
        if (err instanceof InputError) throw reworded(err, (text) => text.split(file).join(name).split(tmp).join(''), 'upload');
        throw err;
      }
      // the loaders read by content (the magic bytes win): the answer says the format read, not the name's
      const read = await contentFormat(file, format);
      const info: UploadInfo = {
        id,
        name,
        format: read.format,
        ...(read.note ? { note: `${name} ${read.note}` } : {}),
        bytes,
        sha256: hash.digest('hex'),
        createdAt: new Date().toISOString(),
        ...shape,
        header: reading.header,
        encoding: reading.encoding,
      };
      await writeFile(path.join(tmp, UPLOAD_META), JSON.stringify(info, null, 2));
      await rename(tmp, uploadDir(this.runsDir, id));
      return info;
    } catch (err) {
      await rm(tmp, { recursive: true, force: true });
      throw storageError(err) ?? err;
    }
  }

  async get(id: string): Promise<UploadInfo | null> {
    if (!isUploadId(id)) return null;
    try {
      const info = JSON.parse(await readFile(path.join(uploadDir(this.runsDir, id), UPLOAD_META), 'utf8')) as UploadInfo;
      // uploads stored before uploads said how they are read were read the default way
      return info && info.id === id ? { ...DEFAULT_READING, ...info } : null;
    } catch {
      return null;
    }
  }

  /** Every upload, newest first. */
  async list(): Promise<UploadInfo[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return [];
    }
    const infos = await Promise.all(names.filter(isUploadId).map((id) => this.get(id)));
    return infos.filter((i): i is UploadInfo => i !== null).sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
  }

  /** Deletes an upload; false when there is none with that id. */
  async remove(id: string): Promise<boolean> {
    if (!(await this.get(id))) return false;
    const trash = path.join(this.dir, `${TMP_PREFIX}deleted-${id}-${randomBytes(3).toString('hex')}`);
    await rename(uploadDir(this.runsDir, id), trash);
    await rm(trash, { recursive: true, force: true });
    return true;
  }

  /** Removes partial uploads an earlier server left (older than an hour: another live server may be receiving one). */
  async cleanupPartial(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return;
    }
    for (const n of names.filter((x) => x.startsWith(TMP_PREFIX))) {
      const p = path.join(this.dir, n);
      try {
        if (Date.now() - (await stat(p)).mtimeMs > PARTIAL_MAX_AGE_MS) await rm(p, { recursive: true, force: true });
      } catch {
        // gone meanwhile
      }
    }
  }
}

/**
 * The refusal of an upload the server's disk could not take (full, over quota, read-only, failing): 503, as a
 * job that cannot be recorded, not the client's fault; null for any other error.
 */
export function storageError(err: unknown): HttpError | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT' && code !== 'EROFS' && code !== 'EIO') return null;
  return new HttpError(503, `could not store the upload (${code}); nothing was kept`, { 'Retry-After': '60' });
}
