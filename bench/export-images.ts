// npx tsx bench/export-images.ts DATASET ROWS OUT.csv: writes the first ROWS rows of a built-in image set (mnist,
// fashion-mnist) as a CSV file, the pixels as the loader gives them (in [0, 1]) and a `label` column, so
// bench/quality-seeds.ts can judge a slice of it at seeded row orders (it judges files named mnist* / fashion*
// against their raw pixels). bench/QUALITY-NOTES.md, session 17: the 1,000-row slices mnist1k and fashion1k.
import { writeFileSync } from 'node:fs';
import { loadDataset } from '../pipeline/load/index.js';

const [name, rowsArg, out] = process.argv.slice(2);
if (!name || !rowsArg || !out) {
  console.error('usage: npx tsx bench/export-images.ts DATASET ROWS OUT.csv');
  process.exit(2);
}
const ds = await loadDataset({ dataset: name, input: null, labelColumn: null, dataDir: null, limit: Number(rowsArg) });
const { rows, cols, values } = ds.matrix;
const labels = ds.label?.values as ArrayLike<unknown> | undefined;
const lines = [[...Array.from({ length: cols }, (_, c) => `p${c}`), 'label'].join(',')];
for (let r = 0; r < rows; r++) lines.push([...Array.from(values.subarray(r * cols, (r + 1) * cols), (v) => String(v)), String(labels?.[r] ?? '')].join(','));
writeFileSync(out, lines.join('\n') + '\n');
console.log(`${out}: ${rows} x ${cols}`);
