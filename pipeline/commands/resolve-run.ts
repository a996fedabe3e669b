// `--run ID|DIR`: a run id in the runs directory, or the path of a run directory.
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { RUN_FILES } from '../runs/layout.js';
import { withFeatureNames, type ManifestWithFeatures } from '../runs/feature-names.js';
import { readManifest } from '../runs/run-dir.js';
import { RunStore, isValidRunId } from '../runs/store.js';
import type { RunManifest } from '../types.js';

export interface ResolvedRun {
  dir: string;
  /** With every feature name (features.arrow, or the list in a manifest written before it). */
  manifest: ManifestWithFeatures;
  /** The runs directory the run lives in. */
  runsDir: string;
}

async function isDir(p: string): Promise<boolean> {
  try {
    return (await stat(p)).isDirectory();
  } catch {
    return false;
  }
}

export async function resolveRun(run: string, runsDir: string | null): Promise<ResolvedRun> {
  let dir: string;
  const looksLikePath = run.includes('/') || run.includes(path.sep) || run.startsWith('.');
  if (!looksLikePath && isValidRunId(run) && (await isDir(new RunStore(runsDir ?? './runs').path(run)))) {
    dir = new RunStore(runsDir ?? './runs').path(run);
  } else if (await isDir(run)) {
    dir = path.resolve(run);
  } else {
    throw new InputError(
      `no run ${JSON.stringify(run)}: not a run id in ${path.resolve(runsDir ?? './runs')} nor a run directory (see \`ls ${runsDir ?? './runs'}\`)`,
      { field: 'run' },
    );
  }
  let manifest: RunManifest;
  try {
    manifest = await readManifest(dir);
  } catch {
    throw new InputError(`${dir} is not a complete run (no readable ${RUN_FILES.manifest})`, { field: 'run' });
  }
  let full: ManifestWithFeatures;
  try {
    full = await withFeatureNames(dir, manifest);
  } catch {
    throw new InputError(`${dir} is not a complete run (no readable ${RUN_FILES.features})`, { field: 'run' });
  }
  return { dir, manifest: full, runsDir: runsDir ? path.resolve(runsDir) : path.dirname(dir) };
}
