// A stand-in for `latentmap run ... --log-format json --json` that keeps the CLI's process contract
// (JSON progress/error lines on stderr, one result object on stdout, exit 0/1/2, the run written through
// the store's hidden temporary directory) without training anything, so job tests take milliseconds.
// The configuration's `name` picks the behaviour: ok, slow (runs until killed), bad (exit 2), crash (exit 1),
// burst (t-SNE reports for 1.5 s as fast as a small run makes them, then ok).
import { readFile } from 'node:fs/promises';
import { RunStore } from '../../pipeline/runs/store.js';
import { writeFixtureRun } from './fixtures.js';

const args = process.argv.slice(2);
const flag = (name: string): string => {
  const at = args.indexOf(`--${name}`);
  if (at < 0 || at + 1 >= args.length) throw new Error(`fake-cli: missing --${name}`);
  return args[at + 1]!;
};
const line = (obj: Record<string, unknown>): void => {
  process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...obj })}\n`);
};
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const config = JSON.parse(await readFile(flag('config'), 'utf8')) as { name?: string };
const id = flag('id');
const runsDir = flag('runs-dir');
const mode = config.name ?? 'ok';

line({ type: 'progress', stage: 'load', progress: 0, elapsed: 0 });
if (mode === 'bad') {
  line({ type: 'error', level: 'error', message: `field "dataset": no built-in dataset "nope" (from ${flag('config')})`, exitCode: 2 });
  process.exit(2);
}
if (mode === 'crash') {
  process.stderr.write('Segmentation fault (core dumped, pretend)\n');
  process.exit(1);
}
if (mode === 'slow') {
  // Leave a hidden temporary directory behind, as a real run mid-training does, and never finish.
  const writer = await new RunStore(runsDir).begin(id);
  line({ type: 'log', level: 'info', message: `writing into ${writer.dir}` });
  for (let epoch = 1; ; epoch++) {
    line({ type: 'progress', stage: 'train', progress: Math.min(0.99, epoch / 1000), elapsed: epoch / 10, epoch, loss: 1 / epoch });
    await sleep(50);
  }
}
if (mode === 'burst') {
  // a small map's t-SNE: a KL report every 50 iterations, about 80 a second (here 1 every 12.5 ms for 1.5 s)
  for (let k = 1; k <= 120; k++) {
    line({ type: 'progress', stage: 'tsne', progress: k / 121, elapsed: k / 80, iteration: 50 * k, kl: 3 - k / 100 });
    if (k % 4 === 0) await sleep(50);
  }
}
for (let epoch = 1; epoch <= 3; epoch++) {
  line({ type: 'progress', stage: 'train', progress: epoch / 3, elapsed: epoch / 10, epoch, loss: 1 / epoch, valLoss: 1.1 / epoch });
  await sleep(20);
}
line({ type: 'progress', stage: 'tsne', progress: 1, elapsed: 0.5, iteration: 50, kl: 0.75 });
const run = await writeFixtureRun(runsDir, { id, rows: 30 });
process.stdout.write(`${JSON.stringify({ id, dir: run.dir, manifest: run.manifest })}\n`);
