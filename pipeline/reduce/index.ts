// The reducers by name, and a run's saved reducer loaded back (transform, reconstruct, sample, the server).
import { InputError } from '../errors.js';
import { RUN_FILES } from '../runs/layout.js';
import { readPreprocessing } from '../runs/run-dir.js';
import type { Preprocessing, ReducerName, RunManifest } from '../types.js';
import { autoencoderReducer } from './autoencoder.js';
import { noneReducer } from './none.js';
import { pcaReducer } from './pca-reducer.js';
import { reducerOfRun, type Reducer, type ReducerMethod } from './reducer.js';

export const REDUCERS: Record<ReducerName, ReducerMethod> = {
  autoencoder: autoencoderReducer,
  pca: pcaReducer,
  none: noneReducer,
};

export type { FitSettings, LoadSettings, Reducer, ReducerMethod, ReducerReport } from './reducer.js';
export { reducerOfRun } from './reducer.js';

/** A run's reducer and the scaling its rows went through, loaded from its model directory. */
export interface RunReducer {
  reducer: Reducer;
  preprocessing: Preprocessing;
}

/** Loads the reducer that made a run's codes and the run's preprocessing. InputError when they are missing. */
export async function loadRunReducer(dir: string, manifest: RunManifest): Promise<RunReducer> {
  let preprocessing: Preprocessing;
  try {
    preprocessing = await readPreprocessing(dir);
  } catch {
    throw new InputError(`run ${manifest.id} has no saved preprocessing (${RUN_FILES.preprocessing}); it cannot encode new rows`, { field: 'run' });
  }
  const loss = (manifest.metrics.reconstruction.loss ?? preprocessing.loss ?? 'mse') as 'mse' | 'bce';
  const reducer = await REDUCERS[reducerOfRun(manifest)].load(dir, { loss, backend: manifest.config.backend });
  return { reducer, preprocessing };
}
