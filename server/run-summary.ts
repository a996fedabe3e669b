// A run as GET /api/runs lists it (RunSummary of pipeline/types.ts), and the few manifest fields that takes:
// the worker thread that checks runs for the list sends only those back (ListedManifest), not whole manifests.
import type { RunManifest, RunSummary } from '../pipeline/types.js';
import { reducerOfRun } from '../pipeline/reduce/reducer.js';
import { scrubPaths } from './scrub.js';

/** The fields of a manifest a RunSummary is made of. */
export type ListedManifest = Pick<RunManifest, 'id' | 'name' | 'createdAt' | 'base' | 'choices'> & {
  dataset: Pick<RunManifest['dataset'], 'name' | 'rows'>;
  config: Pick<RunManifest['config'], 'reducer' | 'variant'>;
};

/** The fields of `m` summarize() reads (whatever they hold, absent ones left absent). */
export function listedPart(m: RunManifest): ListedManifest {
  const reducerChoice = m.choices?.reducer;
  return {
    id: m.id,
    name: m.name,
    createdAt: m.createdAt,
    base: m.base,
    ...(reducerChoice ? { choices: { reducer: reducerChoice } } : {}),
    dataset: { name: m.dataset?.name, rows: m.dataset?.rows },
    config: { reducer: m.config?.reducer, variant: m.config?.variant },
  };
}

/** A run's line in the run list, from its manifest as clients see it (public-manifest.ts), or the listed part of it. */
export function summarize(m: ListedManifest): RunSummary {
  return {
    id: m.id,
    // Free text a run wrote may quote a path of the machine that wrote it (public-manifest.ts).
    name: typeof m.name === 'string' ? scrubPaths(m.name) : m.name,
    createdAt: m.createdAt,
    dataset: scrubPaths(m.dataset?.name ?? ''),
    rows: m.dataset?.rows ?? 0,
    reducer: reducerOfRun(m),
    variant: m.config?.variant,
    base: m.base ?? null,
  };
}
