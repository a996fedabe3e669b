#!/usr/bin/env node
// `npm start`: build the viewer if needed; when the runs directory holds no complete run, run the default
// pipeline on the built-in `mnist` dataset (with visible progress); then serve the runs and print the URL.
// Honours PORT (and LATENTMAP_RUNS_DIR, LATENTMAP_TOKEN, HOST). Extra arguments go to `latentmap serve`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bin = join(root, 'bin', 'latentmap.js');
const runsDir = resolve(process.env.LATENTMAP_RUNS_DIR ?? 'runs');
const t0 = Date.now();

if (!existsSync(join(root, 'web', 'dist', 'index.html'))) {
  const b = spawnSync(process.execPath, [join(root, 'scripts', 'build-web.js')], { stdio: 'inherit' });
  if (b.status !== 0) process.exit(b.status ?? 1);
}

register();
const { RunStore } = await import('../pipeline/runs/store.ts');
const store = new RunStore(runsDir);
await store.cleanupStale();
if ((await store.list()).length === 0) {
  console.error(`No complete run in ${runsDir}: running the default pipeline on the built-in mnist digits first.`);
  const r = spawnSync(process.execPath, [bin, 'run', '--dataset', 'mnist', '--runs-dir', runsDir], { stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`The default run failed (exit ${r.status}); see the message above.`);
    process.exit(r.status ?? 1);
  }
  console.error(`First map ready after ${((Date.now() - t0) / 1000).toFixed(1)} s.`);
}

const args = ['serve', '--runs-dir', runsDir, ...process.argv.slice(2)];
if (process.env.HOST && !process.argv.includes('--host')) args.push('--host', process.env.HOST);
// The server runs in a Node started with its flags and allocator settings (server/node-flags.ts): a child Node
// unless this one has them.
const { needsRelaunch, relaunch } = await import('../server/node-flags.ts');
if (needsRelaunch()) {
  process.exitCode = await relaunch(bin, args);
} else {
  const { main } = await import('../pipeline/cli.ts');
  process.exitCode = await main(args);
}
