// A manifest as the server shows it: no path of the server. The pipeline records a file's base name or
// `upload:<id>` as the dataset's source, but a run's configuration keeps the paths it was given (input,
// dataDir, runsDir); here they become `upload:<id>`, `data-root:<relative path>` or a base name, and any
// server directory left anywhere in the manifest is replaced.
import path from 'node:path';
import { uploadOfFile } from '../pipeline/runs/uploads.js';
import type { RunManifest } from '../pipeline/types.js';
import type { DataRoots } from './data-roots.js';

export function publicPathName(p: string, runsDir: string, roots: DataRoots): string {
  if (!path.isAbsolute(p)) return p.includes('/') || p.includes('\\') ? path.basename(p) : p;
  const upload = uploadOfFile(p, runsDir);
  if (upload) return `upload:${upload}`;
  return roots.publicName(p) ?? path.basename(p);
}

/** A copy of `m` without server paths; `hidden` lists directories to replace wherever they still appear. */
export function publicManifest(m: RunManifest, runsDir: string, roots: DataRoots, hidden: string[]): RunManifest {
  const out = structuredClone(m) as RunManifest;
  if (out.config && typeof out.config === 'object') {
    const c = out.config as unknown as Record<string, unknown>;
    for (const key of ['input', 'dataDir']) if (typeof c[key] === 'string') c[key] = publicPathName(c[key] as string, runsDir, roots);
    if (typeof c.runsDir === 'string') c.runsDir = '<runs>';
  }
  if (out.dataset && typeof out.dataset.source === 'string') out.dataset.source = publicPathName(out.dataset.source, runsDir, roots);
  let text = JSON.stringify(out);
  for (const dir of [...hidden].filter((d) => d.length > 1).sort((a, b) => b.length - a.length)) {
    text = text.split(JSON.stringify(dir).slice(1, -1)).join('<dir>');
  }
  return JSON.parse(text) as RunManifest;
}
