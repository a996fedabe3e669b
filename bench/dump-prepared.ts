// npx tsx bench/dump-prepared.ts DATASET OUT.f32: writes the prepared input of bench/autoencoder-experiments.ts
// (10,000 rows, the run's default preparation, in the prepared row order) as raw float32, rows x columns, for a
// prototype in another framework (bench/autoencoder_residual_torch.py) whose codes the harness then judges with
// "codesFrom" (write them to the harness's codes directory as DATASET-10000-NAME_SEED.f32 with its .json).
// DATASET is a built-in dataset's name; anything else, another count of arguments or a flag is one line on
// stderr and exit 2.
import { writeFileSync } from 'node:fs';
import { resolveConfig } from '../pipeline/config.js';
import { builtinNames, loadDataset } from '../pipeline/load/index.js';
import { prepare } from '../pipeline/prepare.js';
import { datasetArg, readCommandLine } from './flags.js';

async function main(): Promise<void> {
  const { args } = readCommandLine(import.meta.url, {}, { usage: 'DATASET OUT.f32', min: 2, max: 2 }, { check: ({ args: [dataset] }) => void datasetArg(dataset!, builtinNames()) });
  const [name, out] = [args[0]!, args[1]!];
  const ds = await loadDataset({ dataset: name, input: null, labelColumn: null, dataDir: null, limit: 10000 });
  const config = resolveConfig({ dataset: name, limit: 10000, reducer: 'autoencoder', seed: 42 });
  const p = prepare(ds, { scaling: config.scaling, missing: config.missing, loss: config.loss });
  writeFileSync(out, Buffer.from(p.matrix.values.buffer, p.matrix.values.byteOffset, p.matrix.values.byteLength));
  console.log(`${out}: ${p.matrix.rows} x ${p.matrix.cols} float32`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
