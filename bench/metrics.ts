// npm run bench:metrics [-- --rows 10000] [--repeat 2]
//
// The metrics stage's headline figures (pipeline/metrics-sample.ts: trustworthiness, kNN preservation and label
// votes within the seeded sample, exact, s^2 x columns of distance work) on one thread and split with a helper
// thread (pipeline/metrics-sample-parallel.ts), back to back in this process so load from other work affects
// both alike. Data: the built-in MNIST digits, their first --rows rows (784 pixel columns) as the input, PCA-32 as
// the codes and PCA-2 as the map (the cost does not depend on how good the map is); every row is sampled, as a
// run of --rows rows samples them (metricsSample 10,000). Prints a table per repeat: wall seconds of each, the
// ratio, this process's CPU seconds of each, the figures (one thread's), and whether both gave the same figures
// (they must, to the bit).
import { loadavg } from 'node:os';
import { loadDataset } from '../pipeline/load/index.js';
import { sampleQuality } from '../pipeline/metrics-sample.js';
import { sampleQualityParallel } from '../pipeline/metrics-sample-parallel.js';
import { fitPca, pcaTransform } from '../pipeline/reduce/pca.js';
import { readFlags } from './flags.js';

const { rows, repeat } = readFlags(import.meta.url, {
  rows: { type: 'integer', default: 10000, min: 20 },
  repeat: { type: 'integer', default: 2, min: 1 },
});

const ds = await loadDataset({ dataset: 'mnist', input: null, labelColumn: null, dataDir: null, limit: rows });
const x = ds.matrix;
const pca = fitPca(x, 32, 0);
const codes = pcaTransform(pca, x);
const map = { rows: x.rows, cols: 2, values: new Float32Array(x.rows * 2) };
for (let i = 0; i < x.rows; i++) map.values.set(codes.values.subarray(i * 32, i * 32 + 2), 2 * i);
const labels = ds.label ? Array.from(ds.label.values as ArrayLike<string | number | null>) : null;
const sample = Int32Array.from({ length: x.rows }, (_, i) => i);
const cpu = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const load = (): string => loadavg().map((v) => v.toFixed(1)).join(' ');

console.log(`bench:metrics  ${x.rows} rows x ${x.cols} columns, codes 32, map 2, k 10, every row sampled; load average ${load()}`);
console.log('| repeat | one thread s | two threads s | two / one | CPU s one | CPU s two | map: trustworthiness, label accuracy; codes: trustworthiness | same figures |');
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | --- | --- |');
for (let r = 1; r <= repeat; r++) {
  let t = performance.now();
  let c = cpu();
  const one = sampleQuality(x, codes, map, labels, sample, 10);
  const oneS = (performance.now() - t) / 1000;
  const oneCpu = cpu() - c;
  t = performance.now();
  c = cpu();
  const two = await sampleQualityParallel(x, codes, map, labels, sample, 10);
  const twoS = (performance.now() - t) / 1000;
  const twoCpu = cpu() - c;
  const same = JSON.stringify(one) === JSON.stringify(two);
  const figures = `${one.map.trustworthiness!.toFixed(4)}, ${one.labelAccuracy?.toFixed(4) ?? '-'}; ${one.codes?.trustworthiness?.toFixed(4) ?? '-'}`;
  console.log(`| ${r} | ${oneS.toFixed(2)} | ${twoS.toFixed(2)} | ${(twoS / oneS).toFixed(2)} | ${oneCpu.toFixed(1)} | ${twoCpu.toFixed(1)} | ${figures} | ${same ? 'yes' : 'NO'} |`);
  if (!same) process.exitCode = 1;
}
console.log(`load average at the end ${load()}`);
