// A manifest as the server shows it: no path of the server. The pipeline records a file's base name or
// `upload:<id>` as the dataset's source, but a run's configuration keeps the paths it was given (input,
// dataDir, runsDir); here they become `upload:<id>`, `data-root:<relative path>` or a base name, and any
// server directory left anywhere in the manifest is replaced.
import path from 'node:path';
import { uploadOfFile } from '../pipeline/runs/uploads.js';
import type { RunManifest } from '../pipeline/types.js';
import type { DataRoots } from './data-roots.js';
import { scrubPaths } from './scrub.js';

export function publicPathName(p: string, runsDir: string, roots: DataRoots): string {
  if (!path.isAbsolute(p)) return p.includes('/') || p.includes('\\') ? path.basename(p) : p;
  const upload = uploadOfFile(p, runsDir);
  if (upload) return `upload:${upload}`;
  return roots.publicName(p) ?? path.basename(p);
}

/**
 * A run configuration as answers show it (manifests, /api/jobs, a job's events), one rule for all: the paths it
 * reads (input, dataDir) by `publicPath` (`upload:<id>`, `data-root:<relative path>` or a base name), the runs
 * directory as `<runs>`, a queue URL without its password, the run's name with absolute paths in it as
 * `<path>` (the name defaults to the input's base name and may be any text); every other value, column
 * names included, as the client wrote it.
 */
export function publicConfig(config: Record<string, unknown>, publicPath: (p: string) => string): Record<string, unknown> {
  const c = { ...config };
  for (const key of ['input', 'dataDir']) if (typeof c[key] === 'string') c[key] = publicPath(c[key] as string);
  if (typeof c.runsDir === 'string') c.runsDir = '<runs>';
  if (typeof c.name === 'string') c.name = scrubPaths(c.name);
  // A queue URL may carry a password (redis://user:password@host).
  if (typeof c.queue === 'string') c.queue = c.queue.replace(/\/\/[^@/]*@/, '//');
  return c;
}

/** Every string inside `v` with absolute paths replaced by <path>. */
function scrubStrings(v: unknown): unknown {
  if (typeof v === 'string') return scrubPaths(v);
  if (Array.isArray(v)) return v.map(scrubStrings);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrubStrings(x)]));
  return v;
}

/** A copy of `m` without server paths; `hidden` lists directories to replace wherever they still appear. */
export function publicManifest(m: RunManifest, runsDir: string, roots: DataRoots, hidden: string[]): RunManifest {
  const out = structuredClone(m) as RunManifest;
  if (out.config && typeof out.config === 'object') {
    out.config = publicConfig(out.config as unknown as Record<string, unknown>, (p) => publicPathName(p, runsDir, roots)) as unknown as RunManifest['config'];
  }
  if (out.dataset && typeof out.dataset.source === 'string') out.dataset.source = publicPathName(out.dataset.source, runsDir, roots);
  // Free text a run wrote (notes, the reasons of automatic choices, what preparation did, names) may quote a
  // path of the machine that wrote it, not only under the directories known here: every absolute path in it
  // becomes <path>. Column names (features, metadata, label) are data, and are left as they are.
  const o = out as unknown as Record<string, unknown>;
  for (const key of ['notes', 'choices', 'prepare', 'name', 'versions', 'backend']) if (key in o) o[key] = scrubStrings(o[key]);
  if (out.dataset && typeof out.dataset.name === 'string') out.dataset.name = scrubPaths(out.dataset.name);
  let text = JSON.stringify(out);
  for (const dir of [...hidden].filter((d) => d.length > 1).sort((a, b) => b.length - a.length)) {
    text = text.split(JSON.stringify(dir).slice(1, -1)).join('<dir>');
  }
  return JSON.parse(text) as RunManifest;
}
