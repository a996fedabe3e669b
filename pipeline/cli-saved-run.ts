// The commands that use a saved run: transform (new rows into its map), reconstruct (rows through its model)
// and sample (rows from a VAE run). Like every command they only parse, print and return an exit code; the
// work is in pipeline/commands/.
import path from 'node:path';
import { loggerFor } from './cli-log.js';
import { headerFlag, optionalInt, required, type CommandSpec, type Parsed } from './cli-args.js';
import { parseValue } from './config.js';
import { InputError } from './errors.js';

/** How a file of new rows is read: by default as the run read its input (see commands/new-rows.ts). */
const READING_FLAGS = {
  encoding: "CSV/TSV: the input's text encoding (default: the run's --encoding, else detected and said)",
};
const READING_BOOLS = {
  header: "CSV/TSV: the input's first line names the columns (default: as the run's --header/--no-header, else guessed)",
  'no-header': "CSV/TSV: the input's first line is data (default: as the run's --header/--no-header, else guessed)",
};

function readingFrom(args: Parsed): { header: 'yes' | 'no' | null; encoding: string | null } {
  return { header: headerFlag(args), encoding: args.values.get('encoding') ?? null };
}

export const transformCommand: CommandSpec = {
  name: 'transform',
  summary: "encode new rows with a run's saved model and place them into its map without moving the old points",
  usage: 'latentmap transform --run ID|DIR --input PATH [--runs-dir ./runs] [--name NAME] [--json]',
  flags: {
    run: 'the base run: an id in --runs-dir, or a run directory',
    input: "file with the new rows: the base run's feature columns by name (in any order; other columns may be there), read as the base run read its input",
    ...READING_FLAGS,
    'runs-dir': 'directory that holds the runs; the new run is written here (default ./runs, or the base run directory\'s parent)',
    name: 'name of the new run (default: the base run\'s name)',
    'label-column': "label column of the input (default: the base run's label column when the input has it, else a column named label/class/target/species/y)",
    iterations: 't-SNE runs: optimization iterations for the new points (default 250; the old points never move)',
    perplexity: "t-SNE runs: perplexity of the new points' affinities to the map (default 5: placement by the nearest neighbours)",
    epochs: 'UMAP runs: layout epochs for the new points (default as umap-learn: 100, 30 beyond 10,000 new rows, or a third of the run\'s --umap-epochs; the old points never move)',
    'log-format': 'text or json (default text)',
    id: 'use this run id instead of a generated one',
  },
  bools: { ...READING_BOOLS, json: 'print one machine-readable result object', quiet: 'no progress output', help: 'show this help' },
  async run(args, io) {
    const log = loggerFor(args, io);
    const run = required(args, 'run');
    const input = required(args, 'input');
    const { transformRun } = await import('./commands/transform.js');
    const iterations = optionalInt(args, 'iterations', 1, 100000);
    const perplexity = args.values.has('perplexity') ? (parseValue('perplexity', args.values.get('perplexity'), '--perplexity') as number) : null;
    const epochs = optionalInt(args, 'epochs', 1, 100000);
    const result = await transformRun(
      {
        run,
        input: path.resolve(input),
        runsDir: args.values.get('runs-dir') ?? null,
        name: args.values.get('name') ?? null,
        labelColumn: args.values.get('label-column') ?? null,
        ...readingFrom(args),
        iterations,
        perplexity,
        epochs,
        id: args.values.get('id') ?? null,
      },
      { onProgress: (p, s, i) => log.progress(p, s, i), log: (m) => log.info(m) },
    );
    log.done();
    if (args.bools.has('json')) io.out(`${JSON.stringify({ ok: true, exitCode: 0, id: result.id, dir: result.dir, manifest: result.manifest })}\n`);
    else io.out(`${result.id}\n${result.dir}\n`);
    return 0;
  },
};

export const reconstructCommand: CommandSpec = {
  name: 'reconstruct',
  summary: "pass rows through a run's saved autoencoder and write the reconstructions (a denoising run denoises them)",
  usage: 'latentmap reconstruct --run ID|DIR --input PATH --output PATH(.csv|.arrow) [--runs-dir ./runs]',
  flags: {
    run: 'the run whose model to use: an id in --runs-dir, or a run directory',
    input: "file with the rows to reconstruct: the run's feature columns by name (in any order, other columns kept in the output), read as the run read its input",
    ...READING_FLAGS,
    output: 'where to write the reconstructions: .csv or .arrow (refuses to overwrite an existing file unless --force)',
    'runs-dir': 'directory that holds the runs (default ./runs)',
  },
  bools: { ...READING_BOOLS, json: 'print a machine-readable summary', force: 'overwrite --output if it exists', help: 'show this help' },
  async run(args, io) {
    const { reconstructRows } = await import('./commands/reconstruct.js');
    const r = await reconstructRows({
      run: required(args, 'run'),
      input: path.resolve(required(args, 'input')),
      output: path.resolve(required(args, 'output')),
      runsDir: args.values.get('runs-dir') ?? null,
      force: args.bools.has('force'),
      ...readingFrom(args),
    });
    for (const n of r.notes) io.err(`${n}\n`);
    io.out(args.bools.has('json') ? `${JSON.stringify({ ok: true, exitCode: 0, ...r })}\n` : `wrote ${r.rows} reconstructed rows to ${r.output} (mean error ${r.meanError.toFixed(5)})\n`);
    return 0;
  },
};

export const sampleCommand: CommandSpec = {
  name: 'sample',
  summary: 'draw new rows from a variational autoencoder run (and PNGs for image datasets)',
  usage: 'latentmap sample --run ID|DIR --count N [--output samples.csv|.arrow] [--png-dir DIR] [--seed S]',
  flags: {
    run: 'a run trained with --variant vae: an id in --runs-dir, or a run directory',
    count: 'how many rows to generate',
    output: 'where to write them: .csv or .arrow (default <runs-dir>/samples/<run>-seed<S>-n<N>.csv)',
    'png-dir': 'for image datasets: also write one PNG per sample into this directory',
    seed: 'random seed (default 42)',
    'runs-dir': 'directory that holds the runs (default ./runs)',
  },
  bools: { json: 'print a machine-readable summary', force: 'overwrite existing output', help: 'show this help' },
  async run(args, io) {
    const { sampleRows } = await import('./commands/sample.js');
    const count = optionalInt(args, 'count', 1, 1_000_000);
    if (count === null) throw new InputError('--count is required (how many rows to generate)', { field: 'count' });
    const run = required(args, 'run');
    const r = await sampleRows({
      run,
      count,
      output: args.values.has('output') ? path.resolve(args.values.get('output')!) : null,
      pngDir: args.values.has('png-dir') ? path.resolve(args.values.get('png-dir')!) : null,
      seed: optionalInt(args, 'seed', 0, 4294967295) ?? 42,
      runsDir: args.values.get('runs-dir') ?? null,
      force: args.bools.has('force'),
    });
    io.out(args.bools.has('json') ? `${JSON.stringify({ ok: true, exitCode: 0, ...r })}\n` : `wrote ${r.rows} sampled rows to ${r.output}${r.pngs ? ` and ${r.pngs} PNGs to ${r.pngDir}` : ''}\n`);
    return 0;
  },
};
