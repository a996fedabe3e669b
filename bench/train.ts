// npm run bench:train — autoencoder training speed and validation loss, side by side:
//   engine 1thr / 2thr  trainAutoencoder with the training engine (our wasm SIMD kernels) on one or two threads
//   tfjs step   trainAutoencoder through tfjs autodiff (hand-written dense gradients) on the selected backend
//   model.fit   tfjs-layers model.fit on the same model, data, split and batch (the baseline, measured in the same run)
//   pytorch     bench/train_torch.py on the same data and split (when python3 can import torch), run right before ours
// per available backend and batch size. samples/s = training rows x epochs / wall seconds of the epochs with their
// validation (for everyone; ours also in steps-only and whole-call forms). Environment: BENCH_EPOCHS (default 3), BENCH_BATCHES (default 256,512),
// BENCH_BACKENDS (default wasm,cpu; tensorflow when tfjs-node is installed), BENCH_ROWS (default 10000),
// BENCH_REPEAT (default 1; repeat r uses seed 42 + r), BENCH_METHODS (default pytorch,model.fit,tfjs,engine), BENCH_CPU_ROWS (rows for the slow cpu backend, default 1000, 1 epoch),
// BENCH_PYTHON (a python with torch; default: python3, then /usr/bin/python3). The numbers are whole numbers of at
// least 1; the command line takes no flags (only --help): a flag or argument, or a setting that is not a number or
// not one of the names above, is one line on stderr and exit 2, before any work.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { autoencoderOptions, splitRows, trainAutoencoder, type AutoencoderOptions } from '../pipeline/autoencoder/index.js';
import { gatherRows } from '../pipeline/autoencoder/train.js';
import { initBackend } from '../pipeline/backend.js';
import { defaultConfig } from '../pipeline/config.js';
import type { Backend, Matrix, RunConfig } from '../pipeline/types.js';
import { mnistDigits } from './mnist-digits.js';
import { envChoices, envWhole, envWholeList, readFlags } from './flags.js';

const METHODS = ['pytorch', 'model.fit', 'tfjs', 'engine'];
const BACKENDS = ['tensorflow', 'wasm', 'cpu'];
/** The BENCH_* settings (header comment); FlagError for one that is not a whole number or not a known name. */
function settings() {
  return {
    epochs: envWhole('BENCH_EPOCHS', 3, 1),
    batches: envWholeList('BENCH_BATCHES', [256, 512], 1),
    rows: envWhole('BENCH_ROWS', 10000, 1),
    cpuRows: envWhole('BENCH_CPU_ROWS', 1000, 1),
    repeat: envWhole('BENCH_REPEAT', 1, 1),
    methods: new Set(envChoices('BENCH_METHODS', METHODS, METHODS)),
    backends: envChoices('BENCH_BACKENDS', BACKENDS, BACKENDS) as Backend[],
  };
}

// the command line takes no flags (its settings are the BENCH_* variables): anything given, or a setting that is
// not a whole number or a known name, is one line and exit 2 before any work
readFlags(import.meta.url, {}, { check: () => void settings() });
const { epochs, batches, rows, cpuRows, repeat, methods, backends } = settings();
const here = path.dirname(fileURLToPath(import.meta.url));

interface Row {
  backend: string;
  batch: number;
  method: string;
  rows: number;
  epochs: number;
  samplesPerSecond: number;
  /** samples/s over the training steps alone (no setup, thread start, validation or summary); null: not reported. */
  stepsPerSecond: number | null;
  /** samples/s over the whole trainAutoencoder call (ours only): setup, the worker's start and the final error pass included. */
  callPerSecond?: number;
  valLoss: number;
  ratio?: number;
}

function optionsFor(batch: number, rep = 0): AutoencoderOptions {
  // each repeat uses the next seed (initialization, shuffles, split), so repeats also show the seed-to-seed
  // spread of the validation loss that a comparison between two frameworks has to be read against
  // the frameworks train one fixed model: the plain 784-256-128-32 autoencoder with binary cross-entropy (the run's
  // defaults are auto and the residual variant, which the peers do not have)
  const config: RunConfig = {
    ...defaultConfig(),
    variant: 'plain',
    codeSize: 32,
    layers: [256, 128],
    learningRate: 0.005,
    loss: 'bce',
    epochs,
    batchSize: batch,
    patience: 0,
    seed: defaultConfig().seed + rep,
  };
  return autoencoderOptions(config, 784, 'bce');
}

async function runCustom(x: Matrix, options: AutoencoderOptions): Promise<{ sps: number; val: number; steps: number | null; call: number }> {
  const t0 = performance.now();
  const ae = await trainAutoencoder(x, options);
  const seconds = (performance.now() - t0) / 1000;
  const nTrain = x.rows - Math.round(x.rows * options.validationSplit);
  const val = ae.summary.validation as number;
  const steps = ae.summary.samplesPerSecond as number | null;
  // the epochs' own time, each with its validation: what PyTorch's loop and model.fit time
  const loop = ae.history.reduce((sum, h) => sum + h.seconds, 0);
  ae.dispose();
  return { sps: (nTrain * options.epochs) / loop, val, steps, call: (nTrain * options.epochs) / seconds };
}

/** The same model through tfjs-layers: Dense layers, Glorot init, adam, binary cross-entropy, model.fit. */
async function runFit(x: Matrix, options: AutoencoderOptions): Promise<{ sps: number; val: number }> {
  const split = splitRows(x.rows, options.validationSplit, options.seed);
  const train = gatherRows(x, split.train);
  const val = gatherRows(x, split.validation);
  const model = tf.sequential();
  const sizes = [...options.layers, options.codeSize, ...[...options.layers].reverse()];
  sizes.forEach((units, i) =>
    model.add(tf.layers.dense({ units, activation: i === options.layers.length ? 'linear' : options.activation, ...(i === 0 ? { inputShape: [784] } : {}) })),
  );
  model.add(tf.layers.dense({ units: 784, activation: 'sigmoid' }));
  model.compile({ optimizer: tf.train.adam(options.learningRate), loss: 'binaryCrossentropy' });
  const xt = tf.tensor2d(train.values, [train.rows, 784]);
  const xv = tf.tensor2d(val.values, [val.rows, 784]);
  const t0 = performance.now();
  const h = await model.fit(xt, xt, { epochs: options.epochs, batchSize: options.batchSize, validationData: [xv, xv], shuffle: true, verbose: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const vl = h.history.val_loss!;
  xt.dispose();
  xv.dispose();
  model.dispose();
  return { sps: (train.rows * options.epochs) / seconds, val: vl[vl.length - 1] as number };
}

function runTorch(x: Matrix, options: AutoencoderOptions): { sps: number; val: number; steps: number } | string {
  // Debian's python3-torch lives in /usr/bin/python3's packages; a pyenv or venv python3 on PATH may not see it.
  const python = [process.env.BENCH_PYTHON, 'python3', '/usr/bin/python3'].find(
    (p) => p && spawnSync(p, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0,
  );
  if (!python) return 'python3-torch not installed (apt-get install -y python3-torch libopenblas0-pthread)';
  const split = splitRows(x.rows, options.validationSplit, options.seed);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'latentmap-bench-'));
  try {
    const train = gatherRows(x, split.train);
    const val = gatherRows(x, split.validation);
    writeFileSync(path.join(dir, 'train.f32'), new Uint8Array(train.values.buffer));
    writeFileSync(path.join(dir, 'val.f32'), new Uint8Array(val.values.buffer));
    const args = [
      path.join(here, 'train_torch.py'),
      '--train', path.join(dir, 'train.f32'), '--val', path.join(dir, 'val.f32'), '--cols', '784',
      '--layers', options.layers.join(','), '--code-size', String(options.codeSize), '--epochs', String(options.epochs),
      '--batch-size', String(options.batchSize), '--learning-rate', String(options.learningRate), '--seed', String(options.seed),
    ];
    const r = spawnSync(python, args, { encoding: 'utf8' });
    if (r.status !== 0) return `pytorch failed: ${r.stderr.trim().split('\n').pop()}`;
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { samplesPerSecond: number; stepsPerSecond: number; valLoss: number };
    return { sps: out.samplesPerSecond, val: out.valLoss, steps: out.stepsPerSecond };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const all = mnistDigits(rows).matrix;
  const requested = backends;
  const table: Row[] = [];
  const notes: string[] = [];
  const torchFor = new Map<number, number>();
  let torchMissing = false;
  for (const backend of requested) {
    try {
      await initBackend(backend);
    } catch (err) {
      notes.push(`${backend}: ${(err as Error).message.split(';')[0]}`);
      continue;
    }
    const x: Matrix = backend === 'cpu' ? { rows: cpuRows, cols: 784, values: all.values.subarray(0, cpuRows * 784) } : all;
    for (const batch of batches) {
      for (let rep = 0; rep < repeat; rep++) {
        const options = optionsFor(batch, rep);
        // The plain-JS cpu backend is ~50x slower: one epoch on fewer rows.
        const o = backend === 'cpu' ? { ...options, epochs: 1 } : options;
        const base = { backend, batch, rows: x.rows, epochs: o.epochs };
        const add = (method: string, r: { sps: number; val: number; steps?: number | null; call?: number }) =>
          table.push({ ...base, method, samplesPerSecond: r.sps, stepsPerSecond: r.steps ?? null, ...(r.call ? { callPerSecond: r.call } : {}), valLoss: r.val });
        // PyTorch first, right beside ours, so both see the same machine load (wasm rows only)
        if (backend === 'wasm' && !torchMissing && methods.has('pytorch')) {
          const torch = runTorch(all, options);
          if (typeof torch === 'string') {
            notes.push(torch);
            torchMissing = true;
          } else {
            table.push({ backend: 'pytorch-cpu', batch, method: 'pytorch', rows: all.rows, epochs, samplesPerSecond: torch.sps, stepsPerSecond: torch.steps, valLoss: torch.val });
            torchFor.set(batch, Math.max(torchFor.get(batch) ?? 0, torch.sps));
          }
        }
        if (methods.has('model.fit')) add('model.fit', await runFit(x, o));
        if (methods.has('tfjs')) add('tfjs step', await runCustom(x, { ...o, trainer: 'tfjs', workers: 1 }));
        // the engine does not use the tfjs backend for training (only for validation): run it once, under wasm
        if (backend === 'wasm' && methods.has('engine')) {
          add('engine 1thr', await runCustom(x, { ...o, trainer: 'engine', workers: 1 }));
          add('engine 2thr', await runCustom(x, { ...o, trainer: 'engine', workers: 2 }));
        }
        console.error(table.filter((r) => r.batch === batch && (r.backend === backend || r.backend === 'pytorch-cpu')).slice(-5).map((r) => `${r.method} ${r.samplesPerSecond.toFixed(0)}/s`).join(', '));
      }
    }
  }
  for (const r of table) {
    const fit = table.find((f) => f.backend === (r.backend === 'pytorch-cpu' ? 'wasm' : r.backend) && f.batch === r.batch && f.method === 'model.fit');
    if (fit) r.ratio = r.samplesPerSecond / fit.samplesPerSecond;
  }
  console.log(`\nautoencoder training, mnist ${rows} rows (10% validation), 784-${optionsFor(256).layers.join('-')}-32 mirrored, adam, bce, ${epochs} epochs`);
  console.log('vs fit: samples/s relative to tfjs model.fit on the same backend and batch in this run (pytorch: the wasm model.fit);');
  console.log('vs torch: relative to PyTorch (CPU, 2 threads) at the same batch in this run, measured right before ours;');
  console.log('samples/s = training rows x epochs / wall seconds of the epochs, each with its validation (pytorch: its loop; model.fit: the fit call);');
  console.log('steps/s = the same over the training steps alone (model.fit: not reported); call/s = over our whole trainAutoencoder call');
  console.log('(input checks, split, the worker thread start and the final train/validation error pass included); vs torch compares samples/s\n');
  console.log(['backend', 'batch', 'method', 'rows', 'samples/s', 'steps/s', 'call/s', 'val loss', 'vs fit', 'vs torch'].map((h) => h.padEnd(12)).join(''));
  for (const r of table) {
    const torch = torchFor.get(r.batch);
    console.log(
      [r.backend, String(r.batch), r.method, String(r.rows), r.samplesPerSecond.toFixed(0), r.stepsPerSecond === null ? '-' : r.stepsPerSecond.toFixed(0), r.callPerSecond === undefined ? '-' : r.callPerSecond.toFixed(0), r.valLoss.toFixed(4), r.ratio === undefined ? '-' : `${r.ratio.toFixed(2)}x`, torch && r.rows === rows ? `${(r.samplesPerSecond / torch).toFixed(2)}x` : '-']
        .map((c) => c.padEnd(12))
        .join(''),
    );
  }
  if (repeat > 1) {
    // The machine is shared: the best of the repeats is the least disturbed measurement. Each repeat used
    // another seed: the validation loss is the mean (and range) over the seeds.
    console.log(`\nover ${repeat} repeats (seeds ${defaultConfig().seed}..${defaultConfig().seed + repeat - 1}): best samples/s, best steps/s, mean validation loss [min, max]`);
    const keys = [...new Set(table.map((r) => `${r.backend}|${r.batch}|${r.method}`))];
    for (const k of keys) {
      const rs = table.filter((r) => `${r.backend}|${r.batch}|${r.method}` === k);
      const best = Math.max(...rs.map((r) => r.samplesPerSecond));
      const steps = rs.every((r) => r.stepsPerSecond !== null) ? Math.max(...rs.map((r) => r.stepsPerSecond!)).toFixed(0) : '-';
      const vals = rs.map((r) => r.valLoss);
      const mean = vals.reduce((a, b) => a + b, 0) / vals.length;
      console.log(k.split('|').map((c) => c.padEnd(12)).join('') + best.toFixed(0).padEnd(12) + steps.padEnd(12) + `${mean.toFixed(4)} [${Math.min(...vals).toFixed(4)}, ${Math.max(...vals).toFixed(4)}]`);
    }
  }
  for (const n of notes) console.log(`note: ${n}`);
}

await main();
