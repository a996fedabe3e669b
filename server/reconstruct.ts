// Reconstructions of stored rows through a run's saved model (autoencoder or PCA), for reconstruction.png,
// and codes decoded by it (the autoencoder's decoder, PCA's inverse transform), for POST /api/runs/:id/decode.
// The model code (tfjs) is imported on first use, so a server that never draws one never loads it.
// A few models stay loaded (least recently used are disposed).
import { access } from 'node:fs/promises';
import { runFile } from '../pipeline/runs/layout.js';
import type { Matrix, RunManifest } from '../pipeline/types.js';
import { corruptRun, HttpError } from './http-error.js';
import { errorOfReply, type WorkerReply, type WorkerTask } from './read-tasks.js';

/** What the corrupt-run error of a saved model that cannot be loaded says (POST /decode still answers the mean). */
export const MODEL_INCOMPLETE = 'its saved model is incomplete or cannot be read';

/** Rows in the input's units → their reconstructions in the input's units. */
export type Reconstructor = (runDir: string, manifest: RunManifest, raw: Matrix) => Promise<Matrix>;

/** Codes [n, codeSize] → the rows the run's model decodes them to, in the input's units [n, features]. */
export type Decoder = (runDir: string, manifest: RunManifest, codes: Matrix) => Promise<Matrix>;

/**
 * The server's reconstructor and decoder: the models load and run in the worker thread (read-tasks.ts), so
 * neither importing the model code, nor loading a model, nor running it holds the event loop. A failure with a
 * status (404: the run has no saved model; 400: a code of the wrong size; 500: a saved model that is incomplete
 * or cannot be read: 409, corruptRun) keeps it; any other bad-input error of the pipeline stays an InputError.
 */
export function workerModels(run: (task: WorkerTask) => Promise<WorkerReply>): { reconstruct: Reconstructor; decode: Decoder } {
  const apply = (what: 'reconstruct' | 'decode'): Reconstructor => async (runDir, manifest, m) => {
    const reply = await run({ op: 'model', apply: what, runDir, manifest, rows: m.rows, cols: m.cols, values: Float32Array.from(m.values) });
    if (!reply.ok) throw errorOfReply(reply);
    if (!('matrix' in reply)) throw new Error('unexpected worker reply (no matrix)');
    return { rows: reply.rows, cols: reply.cols, values: reply.matrix };
  };
  return { reconstruct: apply('reconstruct'), decode: apply('decode') };
}

interface Loaded {
  reconstruct: (raw: Matrix) => Matrix;
  decode: (codes: Matrix) => Matrix;
  dispose(): void;
}

export function createReconstructor(maxModels = 2): { reconstruct: Reconstructor; decode: Decoder; dispose(): void } {
  const models = new Map<string, Promise<Loaded>>();

  const load = async (runDir: string, manifest: RunManifest): Promise<Loaded> => {
    // Fail fast (without importing tfjs) when the run has no saved model.
    try {
      await access(runFile(runDir, 'preprocessing'));
    } catch {
      throw new HttpError(404, `run ${manifest.id} has no saved model to reconstruct with`);
    }
    const [{ loadRunReducer, reducerOfRun }, { applyPreprocessing, invertPreprocessing }] = await Promise.all([
      import('../pipeline/reduce/index.js'),
      import('../pipeline/prepare.js'),
    ]);
    if (reducerOfRun(manifest) === 'none') throw new HttpError(404, `run ${manifest.id} has no model that reconstructs`);
    let loaded;
    try {
      loaded = await loadRunReducer(runDir, manifest);
    } catch (err) {
      // The run's own files are damaged (model/ without model.json, weights cut short): the server's
      // problem, not the request's, and the loader's message would name a server path.
      if (err instanceof HttpError) throw err;
      const detail = (err instanceof Error ? err.message : String(err)).split(`${runDir}/`).join('').split(runDir).join('').slice(0, 300);
      throw corruptRun(manifest.id, `${MODEL_INCOMPLETE} (${detail})`);
    }
    const { reducer, preprocessing } = loaded;
    return {
      reconstruct: (raw) => invertPreprocessing(reducer.reconstruct(applyPreprocessing(raw, preprocessing))!, preprocessing),
      decode: (codes) => {
        if (codes.cols !== reducer.codeSize) throw new HttpError(400, `run ${manifest.id} has codes of ${reducer.codeSize} values; got ${codes.cols}`);
        return invertPreprocessing(reducer.decode(codes)!, preprocessing);
      },
      dispose: () => reducer.dispose(),
    };
  };

  const model = async (runDir: string, manifest: RunManifest): Promise<Loaded> => {
    const key = `${runDir}\n${manifest.createdAt}`;
    let p = models.get(key);
    if (p) {
      models.delete(key);
    } else {
      p = load(runDir, manifest);
      p.catch(() => models.delete(key));
    }
    models.set(key, p);
    while (models.size > maxModels) {
      const [oldKey, old] = models.entries().next().value!;
      models.delete(oldKey);
      void old.then((m) => m.dispose(), () => {});
    }
    return p;
  };

  return {
    reconstruct: async (runDir, manifest, raw) => (await model(runDir, manifest)).reconstruct(raw),
    decode: async (runDir, manifest, codes) => (await model(runDir, manifest)).decode(codes),
    dispose: () => {
      for (const p of models.values()) void p.then((m) => m.dispose(), () => {});
      models.clear();
    },
  };
}
