// The names of a run's input features: one per column of its stored values (data.arrow), of its model's
// input and of its preprocessing. An image of 1,500 x 1,500 pixels has 2.25 million of them (37 MB as JSON),
// so they live in their own Arrow file (features.arrow: one utf8 column `name`), and the manifest, which every
// reader parses whole, carries them only while they are few (MANIFEST_FEATURE_NAMES). Runs written before
// features.arrow carry every name in the manifest; readers go through readFeatureNames, which reads either.
import { readFile, writeFile } from 'node:fs/promises';
import { Table, Utf8, tableFromIPC, tableToIPC, vectorFromArray } from 'apache-arrow';
import type { RunManifest } from '../types.js';
import { RUN_FILES, runFile } from './layout.js';
import { RunFileError } from './run-dir.js';

/** Most feature names a manifest lists (`dataset.features`); past it the names are only in features.arrow. */
export const MANIFEST_FEATURE_NAMES = 1000;

/** `dataset.features` of a manifest for these names: all of them while there are few, else absent. */
export function manifestFeatureNames(names: readonly string[]): string[] | undefined {
  return names.length <= MANIFEST_FEATURE_NAMES ? [...names] : undefined;
}

/**
 * A manifest as readers keep it: a `dataset.features` longer than MANIFEST_FEATURE_NAMES (a run written
 * before features.arrow) left out, so no reader holds, copies or sends millions of names with every manifest.
 * Returns `m` itself (changed) for speed: callers pass a manifest they have just parsed.
 */
export function compactManifest(m: RunManifest): RunManifest {
  const d = m?.dataset as { features?: unknown } | undefined;
  if (d && Array.isArray(d.features) && d.features.length > MANIFEST_FEATURE_NAMES) delete d.features;
  return m;
}

/**
 * Where the value of a manifest's `dataset.features` lies in its JSON text (`[` to `]`), with its element
 * count, found by scanning the text (strings and nesting respected, nothing built) instead of parsing it;
 * null when there is none, or the text is not whole.
 */
export function featureNamesSpan(text: string): { start: number; end: number; count: number } | null {
  const n = text.length;
  /** The index of the closing quote of the string that opens at `i`. */
  const stringEnd = (i: number): number => {
    let j = i + 1;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === 92) j += 2;
      else if (c === 34) return j;
      else j++;
    }
    return n;
  };
  const skipSpace = (i: number): number => {
    while (i < n && text.charCodeAt(i) <= 32) i++;
    return i;
  };
  let depth = 0;
  let topKey = '';
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      const j = stringEnd(i);
      if (depth <= 2 && text.charCodeAt(skipSpace(j + 1)) === 58) {
        const key = text.slice(i + 1, j);
        if (depth === 1) topKey = key;
        else if (topKey === 'dataset' && key === 'features') {
          const start = skipSpace(skipSpace(j + 1) + 1);
          if (text.charCodeAt(start) !== 91) return null;
          // the array's end, and its elements (commas at its own level, plus one)
          let level = 0;
          let commas = 0;
          let any = false;
          for (let k = start; k < n; k++) {
            const d = text.charCodeAt(k);
            if (d === 34) k = stringEnd(k);
            else if (d === 91 || d === 123) level++;
            else if (d === 93 || d === 125) {
              if (--level === 0) return { start, end: k, count: any ? commas + 1 : 0 };
            } else if (d === 44 && level === 1) commas++;
            if (level >= 1 && d > 32 && k > start) any = true;
          }
          return null;
        }
      }
      i = j;
    } else if (c === 123 || c === 91) depth++;
    else if (c === 125 || c === 93) depth--;
  }
  return null;
}

/**
 * A manifest's JSON text parsed as readers keep it (compactManifest), without building the names it would
 * leave out: a long `dataset.features` (2.25 million names, 37 MB, in a run written before features.arrow) is
 * cut from the text before parsing, which takes a fraction of the time of parsing it whole. Throws as
 * JSON.parse does.
 */
export function parseCompactManifest(text: string): RunManifest {
  const span = text.length > 64 * 1024 ? featureNamesSpan(text) : null;
  if (!span || span.count <= MANIFEST_FEATURE_NAMES) return compactManifest(JSON.parse(text) as RunManifest);
  const m = JSON.parse(`${text.slice(0, span.start)}null${text.slice(span.end + 1)}`) as RunManifest;
  delete (m.dataset as { features?: unknown }).features;
  return m;
}

/** Writes features.arrow; returns its name relative to the run (for the manifest's `artifacts`). */
export async function writeFeatureNames(runDir: string, names: readonly string[]): Promise<string> {
  await writeFile(runFile(runDir, 'features'), tableToIPC(new Table({ name: vectorFromArray([...names], new Utf8()) }), 'file'));
  return RUN_FILES.features;
}

/**
 * The feature names of the run in `runDir`, in column order: `manifest.dataset.features` when it lists them,
 * else features.arrow, else (a run written before features.arrow, its manifest compacted by the caller) the
 * list in manifest.json on disk. Throws RunFileError when none of them has the names.
 */
export async function readFeatureNames(runDir: string, manifest?: RunManifest): Promise<string[]> {
  const listed = (manifest?.dataset as { features?: unknown } | undefined)?.features;
  if (Array.isArray(listed)) return listed as string[];
  let bytes: Buffer | null = null;
  try {
    bytes = await readFile(runFile(runDir, 'features'));
  } catch {
    // not there: a run written before features.arrow
  }
  if (bytes) {
    const name = tableFromIPC(bytes).getChild('name');
    if (!name) throw new RunFileError(runDir, RUN_FILES.features, 'unreadable');
    return name.toArray() as string[];
  }
  let fromDisk: unknown;
  try {
    fromDisk = (JSON.parse(await readFile(runFile(runDir, 'manifest'), 'utf8')) as RunManifest)?.dataset?.features;
  } catch (err) {
    throw new RunFileError(runDir, RUN_FILES.features, 'missing', { cause: err });
  }
  if (!Array.isArray(fromDisk)) throw new RunFileError(runDir, RUN_FILES.features, 'missing');
  return fromDisk as string[];
}

/** A manifest whose `dataset.features` lists every name (in memory only: what the commands read a run as). */
export type ManifestWithFeatures = RunManifest & { dataset: RunManifest['dataset'] & { features: string[] } };

/** `manifest` with every feature name of the run in `runDir` (readFeatureNames). */
export async function withFeatureNames(runDir: string, manifest: RunManifest): Promise<ManifestWithFeatures> {
  return { ...manifest, dataset: { ...manifest.dataset, features: await readFeatureNames(runDir, manifest) } };
}
