// Peak memory of the train stage (fitting the run's reducer), phase by phase: `npm run bench:reduce-memory [-- flags]`.
//
//   --rows 250k            rows of bench:scale's data (Fashion-MNIST, then shifted copies; bench/scale-data.ts)
//   --reducer auto         the reducer (auto|autoencoder|pca|none)
//   --variant residual     the autoencoder variant (plain|sparse|denoising|vae|residual)
//   --epochs 1             training epochs, a whole number (memory does not depend on them; time does)
//
// A bad command line (an unknown flag, a bad row count or choice), or node without --expose-gc, is one line on
// stderr and exit 2, before any data is built.
//
// The whole 1,000,000-row run takes an hour or more; the train stage's copies of the matrix show at a quarter of
// that. The rows are scaled to [0, 1] (as prepare's min-max scaling of pixels does) and fitRunReducer runs on them
// as the pipeline's train stage does. A worker thread samples this process's RSS every 50 ms and keeps the largest
// per phase: before the fit (the matrix and the data held beside it, after a full GC), PCA's fit, the
// autoencoder's fit, measuring the candidates, after the fit. A phase's peak minus the before-fit figure is what
// that phase adds. Run with node's --expose-gc (the npm script does).
import { Worker } from 'node:worker_threads';
import { fashionImages, rowsOf, rowCountFlag } from './scale-data.js';
import { CONFIG_SCHEMA, resolveConfig } from '../pipeline/config.js';
import { fitRunReducer } from '../pipeline/reduce/choose.js';
import { REDUCERS } from '../pipeline/reduce/index.js';
import type { RunConfig } from '../pipeline/types.js';
import { FlagError, readFlags } from './flags.js';

const flags = readFlags(
  import.meta.url,
  {
    rows: { type: 'custom', default: '250k', parse: (t: string) => rowCountFlag(t, 'rows') },
    reducer: { type: 'string', default: 'auto', choices: CONFIG_SCHEMA.reducer.values },
    variant: { type: 'string', default: 'residual', choices: CONFIG_SCHEMA.variant.values },
    epochs: { type: 'integer', default: 1, min: 1 },
  },
  {
    check: () => {
      if (!(globalThis as { gc?: () => void }).gc) throw new FlagError('run with node --expose-gc (npm run bench:reduce-memory does)');
    },
  },
);

const n = flags.rows;
const reducer = flags.reducer as RunConfig['reducer'];
const variant = flags.variant as RunConfig['variant'];
const epochs = flags.epochs;
// the images the rows are built from, loaded before any phase is sampled (as when scale-data loaded them on import)
await fashionImages();

const PHASES = ['data', 'before fit', 'PCA fit', 'autoencoder fit', 'measure', 'after fit'] as const;
type Phase = (typeof PHASES)[number];
const phaseBuffer = new SharedArrayBuffer(4);
const peakBuffer = new SharedArrayBuffer(8 * PHASES.length);
const phase = new Int32Array(phaseBuffer);
const peaks = new Float64Array(peakBuffer);
const sampler = new Worker(
  `const { workerData } = require('node:worker_threads');
   const { readFileSync } = require('node:fs');
   const phase = new Int32Array(workerData.phase);
   const peaks = new Float64Array(workerData.peaks);
   setInterval(() => {
     const mb = Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024;
     const p = Atomics.load(phase, 0);
     if (mb > peaks[p]) peaks[p] = mb;
   }, 50);`,
  { eval: true, workerData: { phase: phaseBuffer, peaks: peakBuffer } },
);
sampler.unref();
const enter = (p: Phase): void => void Atomics.store(phase, 0, PHASES.indexOf(p));
const settle = (ms = 300): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc (npm run bench:reduce-memory does)');

enter('data');
const { pixels, labels } = await rowsOf(0, n);
const values = new Float32Array(pixels.length);
for (let i = 0; i < pixels.length; i++) values[i] = pixels[i]! / 255;
const x = { rows: n, cols: 784, values };
gc();
await settle();
enter('before fit');
await settle();
for (const name of ['pca', 'autoencoder'] as const) {
  const fit = REDUCERS[name].fit;
  REDUCERS[name].fit = async (...a) => {
    enter(name === 'pca' ? 'PCA fit' : 'autoencoder fit');
    const fitted = await fit(...a);
    await settle(150);
    enter('measure');
    return fitted;
  };
}
const config = resolveConfig({ reducer, variant, epochs });
const t0 = performance.now();
const fitted = await fitRunReducer(x, { config, loss: 'bce', labels }, {});
await settle();
enter('after fit');
await settle();
const seconds = (performance.now() - t0) / 1000;
const base = peaks[PHASES.indexOf('before fit')]!;
console.log(`bench:reduce-memory  ${n} x 784 (matrix ${(values.byteLength / 2 ** 30).toFixed(2)} GB), reducer ${reducer}, variant ${variant}, ${epochs} epoch(s): chose ${fitted.reducer.name} in ${seconds.toFixed(1)} s`);
console.log('| phase | peak RSS GB | over before fit GB |');
console.log('| --- | ---: | ---: |');
for (const [i, p] of PHASES.entries()) {
  if (peaks[i] === 0) continue;
  console.log(`| ${p} | ${(peaks[i]! / 1024).toFixed(2)} | ${i <= 1 ? '-' : ((peaks[i]! - base) / 1024).toFixed(2)} |`);
}
fitted.reducer.dispose();
process.exit(0);
