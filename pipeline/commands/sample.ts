// `latentmap sample`: generate new rows from a variational autoencoder run (PNGs too for image datasets).
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { InputError } from '../errors.js';
import { rowToPng } from '../image.js';
import { invertPreprocessing } from '../prepare.js';
import { loadRunReducer, reducerOfRun } from '../reduce/index.js';
import { resolveRun } from './resolve-run.js';
import { checkOutput, writeRows } from './write-rows.js';
import { makeDirs } from '../make-dirs.js';

export interface SampleOptions {
  run: string;
  count: number;
  /** Where to write (.csv or .arrow); null: <runs directory>/samples/<run id>-seed<seed>-n<count>.csv. */
  output: string | null;
  pngDir: string | null;
  seed: number;
  runsDir: string | null;
  force: boolean;
}

export interface SampleResult {
  run: string;
  rows: number;
  output: string;
  pngDir: string | null;
  pngs: number;
}

/** Folder of the runs directory that `sample` writes into when no --output is named (not a run: no manifest). */
export const SAMPLES_DIR = 'samples';

export async function sampleRows(opts: SampleOptions): Promise<SampleResult> {
  const { dir, manifest, runsDir } = await resolveRun(opts.run, opts.runsDir);
  const output = opts.output ?? path.join(runsDir, SAMPLES_DIR, `${manifest.id}-seed${opts.seed}-n${opts.count}.csv`);
  const kind = await checkOutput(output, opts.force);
  if (reducerOfRun(manifest) !== 'autoencoder' || manifest.config.variant !== 'vae') {
    throw new InputError(`run ${manifest.id} is not a variational autoencoder run (variant ${manifest.config.variant}); train one with --variant vae`, { field: 'run' });
  }
  const image = manifest.dataset.image;
  if (opts.pngDir && !image) throw new InputError(`run ${manifest.id} is not an image dataset; --png-dir applies to image datasets only`, { field: 'png-dir' });
  const { reducer, preprocessing } = await loadRunReducer(dir, manifest);
  try {
    if (!reducer.sample) throw new InputError(`run ${manifest.id} has no variational autoencoder to sample from`, { field: 'run' });
    const rows = invertPreprocessing(reducer.sample(opts.count, opts.seed), preprocessing);
    await makeDirs(path.dirname(output));
    await writeRows(output, rows, manifest.dataset.features, kind);
    let pngs = 0;
    if (opts.pngDir && image) {
      await makeDirs(opts.pngDir);
      const width = String(rows.rows - 1).length;
      for (let r = 0; r < rows.rows; r++) {
        const png = rowToPng(rows.values.subarray(r * rows.cols, (r + 1) * rows.cols), image, { scale: 4 });
        await writeFile(path.join(opts.pngDir, `sample-${String(r).padStart(width, '0')}.png`), png);
        pngs++;
      }
    }
    return { run: manifest.id, rows: rows.rows, output, pngDir: opts.pngDir, pngs };
  } finally {
    reducer.dispose();
  }
}
