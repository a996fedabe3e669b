// Files uploaded to a server for runs live in the runs directory, under `.uploads/<id>/`: the file itself
// (`data<ext>`, the extension of the name it was uploaded under, so the loaders recognise the format) and
// `upload.json` (its description). This file names them; the server's upload store writes them.
import path from 'node:path';

export const UPLOADS_FOLDER = '.uploads';
export const UPLOAD_META = 'upload.json';
const UPLOAD_ID = /^up-[0-9a-f]{16}$/;

/** Extensions an upload may have (the formats the loaders read, IDX aside: it needs a second file). */
export const UPLOAD_EXTENSIONS = ['.csv', '.tsv', '.txt', '.csv.gz', '.tsv.gz', '.parquet', '.arrow', '.feather', '.ipc', '.npy'] as const;

export function isUploadId(id: unknown): id is string {
  return typeof id === 'string' && UPLOAD_ID.test(id);
}

/** The folder of all uploads in a runs directory. */
export function uploadsDir(runsDir: string): string {
  return path.join(path.resolve(runsDir), UPLOADS_FOLDER);
}

/** The folder of one upload. */
export function uploadDir(runsDir: string, id: string): string {
  if (!isUploadId(id)) throw new RangeError(`invalid upload id ${JSON.stringify(String(id).slice(0, 40))}`);
  return path.join(uploadsDir(runsDir), id);
}

/** The stored file of an upload with extension `ext` (one of UPLOAD_EXTENSIONS). */
export function uploadDataFile(runsDir: string, id: string, ext: string): string {
  return path.join(uploadDir(runsDir, id), `data${ext}`);
}

/** The upload id when `file` is an upload's stored file inside `runsDir`, else null. */
export function uploadOfFile(file: string, runsDir: string): string | null {
  const rel = path.relative(uploadsDir(runsDir), path.resolve(file));
  const [id, name, ...rest] = rel.split(path.sep);
  return rest.length === 0 && name?.startsWith('data') && isUploadId(id) ? id! : null;
}

/**
 * What a manifest records as a dataset's source: `builtin:...` and other non-paths as they are; an
 * upload's file as `upload:<id>`; any other file as its base name. Never a directory of the machine.
 */
export function manifestSource(source: string, runsDir: string): string {
  if (!path.isAbsolute(source)) return source;
  const upload = uploadOfFile(source, runsDir);
  return upload ? `upload:${upload}` : path.basename(source);
}

/** The stored file of upload `id` in `runsDir`; an InputError (field upload) when there is none. */
export async function findUploadFile(runsDir: string, id: string): Promise<string> {
  const { readdir } = await import('node:fs/promises');
  const { InputError } = await import('../errors.js');
  if (!isUploadId(id)) throw new InputError(`invalid upload id ${JSON.stringify(String(id).slice(0, 40))}: upload ids look like up-0123456789abcdef`, { field: 'upload' });
  let names: string[] = [];
  try {
    names = await readdir(uploadDir(runsDir, id));
  } catch {
    names = [];
  }
  const file = names.find((n) => UPLOAD_EXTENSIONS.some((ext) => n === `data${ext}`));
  if (!file) throw new InputError(`no upload ${id} (list them with GET /api/uploads)`, { field: 'upload' });
  return path.join(uploadDir(runsDir, id), file);
}
