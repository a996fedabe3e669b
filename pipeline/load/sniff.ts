// Which loader reads a file: by its extension, confirmed or overridden by its first bytes.
import { gunzipSync } from 'node:zlib';
import { extname } from 'node:path';
import { isGzip, readHead } from './source.js';
import { looksLikeIdx } from './idx.js';

export type FileFormat = 'csv' | 'arrow' | 'parquet' | 'npy' | 'idx';

const ARROW_FILE_MAGIC = 'ARROW1';

/** The format of a file from its first bytes alone, or null when they do not say. */
export function formatFromMagic(head: Uint8Array): FileFormat | null {
  const ascii = Buffer.from(head.subarray(0, 8)).toString('latin1');
  if (ascii.startsWith(ARROW_FILE_MAGIC)) return 'arrow';
  if (ascii.startsWith('PAR1')) return 'parquet';
  if (head[0] === 0x93 && ascii.slice(1, 6) === 'NUMPY') return 'npy';
  // Arrow IPC stream: a continuation marker (0xFFFFFFFF) then a message length.
  if (head.length >= 8 && head[0] === 0xff && head[1] === 0xff && head[2] === 0xff && head[3] === 0xff) return 'arrow';
  if (looksLikeIdx(head)) return 'idx';
  return null;
}

export function formatFromExtension(path: string): FileFormat | null {
  const stem = path.replace(/\.(gz|gzip)$/i, '');
  const ext = extname(stem).toLowerCase();
  if (['.csv', '.tsv', '.tab', '.txt'].includes(ext)) return 'csv';
  if (['.arrow', '.feather', '.ipc', '.arrows'].includes(ext)) return 'arrow';
  if (['.parquet', '.pq'].includes(ext)) return 'parquet';
  if (ext === '.npy') return 'npy';
  if (/-ubyte$/i.test(stem) || /\.idx\d?$/i.test(stem) || /idx\d-ubyte/i.test(stem)) return 'idx';
  return null;
}

/**
 * Detects a file's format: the magic bytes win (a .csv that is really Parquet is read as Parquet); text files go
 * to the CSV reader. Gzipped files are judged by their decompressed start.
 */
export async function detectFormat(path: string): Promise<{ format: FileFormat; gzip: boolean }> {
  const head = await readHead(path, 64);
  const gzip = isGzip(head);
  let start: Uint8Array = head;
  if (gzip) {
    const more = await readHead(path, 1 << 16);
    try {
      start = gunzipSync(more, { finishFlush: 2 /* Z_SYNC_FLUSH: accept a partial stream */ }).subarray(0, 64);
    } catch {
      start = new Uint8Array(0); // damaged gzip: the loader reports it
    }
  }
  const byMagic = formatFromMagic(start);
  if (byMagic) return { format: byMagic, gzip };
  return { format: formatFromExtension(path) ?? 'csv', gzip };
}
