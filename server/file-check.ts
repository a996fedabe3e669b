// A file's shape as the pipeline's loaders read it, in the worker thread: every file a client may have the
// server read before a run starts (an upload when it arrives, a file under a data root when a run names it).
// One cap on what a gzipped file may decompress to (the operator's --max-upload-bytes), for both.
import type { UploadReading, UploadShape } from '../pipeline/types.js';
import { errorOfReply, type TaskProgress } from './read-tasks.js';
import type { Offload } from './run-cache.js';

export interface FileCheck {
  /** What the file is to a client, for the 413 ("the upload", "the input"). */
  what: string;
  /** Most bytes a gzipped file may decompress to: past it, 413 and reading stops there. */
  maxDecompressedBytes: number;
  /** How a CSV/TSV is read; default header guessed, encoding detected. */
  reading?: UploadReading;
  /** Told how far the check has got (the loader's progress: bytes of the file read). */
  onProgress?: TaskProgress;
}

/**
 * Rows, feature columns, label, metadata and image shape of `file`. Throws an InputError with the loader's
 * message (naming the file by its server path: callers rename it), HttpError 413 past the cap.
 */
export async function checkFile(offload: Offload, file: string, check: FileCheck): Promise<UploadShape> {
  const reply = await offload({ op: 'check', file, what: check.what, maxDecompressedBytes: check.maxDecompressedBytes, ...(check.reading ? { reading: check.reading } : {}) }, check.onProgress);
  if (!reply.ok) throw errorOfReply(reply);
  if (!('shape' in reply)) throw new Error('unexpected worker reply');
  return reply.shape;
}
