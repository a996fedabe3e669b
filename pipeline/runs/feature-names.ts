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
