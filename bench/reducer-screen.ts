// npx tsx bench/reducer-screen.ts --data DIR --datasets dna,sonar,... [--seeds 42,1,2] [--dump OUTDIR]
//
// What reducer auto decides on each table, without making a map: the table is loaded and prepared as a run
// prepares it (in the row order of bench/quality-seeds.ts for each seed: seed 42 the file's order, any other the
// CSV's data lines in a seeded order), then fitRunReducer runs with the default configuration and its log lines
// and manifest choice are printed (one line per table and seed: the reducer, the reason). Used to screen a change
// of reducer auto's rule on every table before any map is made (bench/QUALITY-NOTES.md, session 17).
// --dump OUTDIR also writes each table's prepared matrix (NAME.f32, rows x columns float32) and its labels
// (NAME.labels.json) in the seed-42 order, for a look at the spectrum in Python. --no-labels decides as for a
// run without a label column. --verbose also prints fitRunReducer's log lines. The built-in image sets mnist and
// fashion-mnist are screened at seed 42 only, on their first --limit rows (default 10000).
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveConfig } from '../pipeline/config.js';
import { DATASETS_DIR } from '../pipeline/load/builtin.js';
import { loadDataset } from '../pipeline/load/index.js';
import { loadChoices, selectRows } from '../pipeline/pipeline.js';
import type { Dataset, RunConfig } from '../pipeline/types.js';
import { centrePrecise } from '../pipeline/precision.js';
import { planPrepare } from '../pipeline/prepare.js';
import { createRandom, permutation } from '../pipeline/random.js';
import { fitRunReducer } from '../pipeline/reduce/choose.js';
import { readFlags } from './flags.js';

const flags = readFlags(import.meta.url, {
  data: { type: 'string', default: '' },
  datasets: { type: 'string', default: '' },
  seeds: { type: 'integer-list', default: [42], min: 0 },
  dump: { type: 'string', default: '' },
  verbose: { type: 'boolean' },
  // mnist and fashion-mnist: the built-in image sets (--limit rows, 10,000 unless given), seed 42
  limit: { type: 'integer', default: 10000, min: 1 },
  // decide as for a run without a label column (the label-free half of the rule)
  'no-labels': { type: 'boolean' },
});
const dataDir = flags.data;
const names = flags.datasets.split(',').filter(Boolean);
const seeds = flags.seeds;
const dump = flags.dump;
const verbose = flags.verbose;
const noLabels = flags['no-labels'];

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'reducer-screen-'));
  if (dump) mkdirSync(dump, { recursive: true });
  try {
    for (const name of names) {
      // iris and penguins as bench/quality-seeds.ts reads them (their built-in CSV files, the label named)
      const own: Partial<RunConfig> =
        name === 'iris' ? { labelColumn: 'species' } : name === 'penguins' ? { labelColumn: 'species', exclude: ['year'] } : {};
      if (name === 'mnist' || name === 'fashion-mnist') {
        // the image sets as a run with --dataset NAME --limit LIMIT loads them (seed 42 only: no row order to shuffle)
        const limit = flags.limit;
        const config = resolveConfig({ dataset: name, limit, seed: 42 });
        const loaded = await loadDataset({ dataset: name, input: null, labelColumn: null, dataDir: null, limit });
        await screen(name, 42, config, loaded);
        continue;
      }
      const file = name === 'iris' || name === 'penguins' ? join(DATASETS_DIR, name, `${name}.csv`) : join(dataDir, `${name}.csv`);
      const lines = readFileSync(file, 'utf8').split(/\r?\n/);
      while (lines.length && lines[lines.length - 1] === '') lines.pop();
      for (const s of seeds) {
        const order = s === 42 ? null : permutation(lines.length - 1, createRandom(s));
        const input = join(work, `${name}.seed${s}.csv`);
        writeFileSync(input, order ? [lines[0]!, ...Array.from(order, (j) => lines[j + 1]!)].join('\n') + '\n' : lines.join('\n') + '\n');
        const config = resolveConfig({ dataset: null, input, seed: s, ...own });
        const loaded = await loadDataset({ dataset: null, input, labelColumn: config.labelColumn, dataDir: null, limit: null, ...loadChoices(config) });
        await screen(name, s, config, loaded, s === seeds[0]);
      }
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Prepares one loaded table as a run does, runs reducer auto on it and prints its decision (and dumps it when asked). */
async function screen(name: string, s: number, config: RunConfig, loaded: Dataset, first = true): Promise<void> {
  const centred = centrePrecise(loaded);
  const plan = planPrepare(centred?.dataset ?? loaded, { scaling: config.scaling, missing: config.missing, loss: config.loss });
  const x = plan.scale(false);
  const labels = loaded.label && !noLabels ? selectRows(loaded.label, plan.rowIndex) : null;
  const logs: string[] = [];
  const t0 = performance.now();
  const fitted = await fitRunReducer(x, { config, loss: plan.loss, labels: labels ? labels.values : null, image: loaded.image ?? null, scaling: plan.preprocessing.kind }, { log: (m) => logs.push(m) });
  const seconds = (performance.now() - t0) / 1000;
  const choice = fitted.choices.reducer!;
  fitted.reducer.dispose();
  if (verbose) for (const l of logs) console.log(`  ${l}`);
  console.log(
    JSON.stringify({ dataset: name, seed: s, rows: x.rows, columns: x.cols, scaling: plan.report.scaling, reducer: choice.value, codeSize: fitted.choices.codeSize?.value, seconds: Number(seconds.toFixed(2)), reason: choice.reason, figures: choice.figures }),
  );
  if (dump && first) {
    writeFileSync(join(dump, `${name}.f32`), Buffer.from(x.values.buffer, x.values.byteOffset, x.values.byteLength));
    writeFileSync(join(dump, `${name}.labels.json`), JSON.stringify({ rows: x.rows, cols: x.cols, labels: labels ? Array.from(labels.values as ArrayLike<unknown>) : null }));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : String(err));
  process.exit(1);
});
