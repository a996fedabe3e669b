// npx tsx bench/export-images.ts DATASET ROWS OUT.csv: writes the first ROWS rows of a built-in image set (mnist,
// fashion-mnist) as a CSV file, the pixels as the loader gives them (in [0, 1]) and a `label` column, so
// bench/quality-seeds.ts can judge a slice of it at seeded row orders (it judges files named mnist* / fashion*
// against their raw pixels). bench/QUALITY-NOTES.md, session 17: the 1,000-row slices mnist1k and fashion1k.
// DATASET is a built-in dataset's name, ROWS a whole number of at least 1; anything else, another count of
// arguments or a flag is one line on stderr and exit 2.
import { writeFileSync } from 'node:fs';
import { builtinNames, loadDataset } from '../pipeline/load/index.js';
import { datasetArg, readCommandLine, wholeNumberOf } from './flags.js';

const {
  args: [name, rowsArg, out],
} = readCommandLine(import.meta.url, {}, { usage: 'DATASET ROWS OUT.csv', min: 3, max: 3 }, {
  check: ({ args }) => {
    datasetArg(args[0]!, builtinNames());
    wholeNumberOf(args[1]!, 'ROWS', 1);
  },
});
const ds = await loadDataset({ dataset: name!, input: null, labelColumn: null, dataDir: null, limit: wholeNumberOf(rowsArg!, 'ROWS', 1) });
const { rows, cols, values } = ds.matrix;
const labels = ds.label?.values as ArrayLike<unknown> | undefined;
const lines = [[...Array.from({ length: cols }, (_, c) => `p${c}`), 'label'].join(',')];
for (let r = 0; r < rows; r++) lines.push([...Array.from(values.subarray(r * cols, (r + 1) * cols), (v) => String(v)), String(labels?.[r] ?? '')].join(','));
writeFileSync(out!, lines.join('\n') + '\n');
console.log(`${out}: ${rows} x ${cols}`);
