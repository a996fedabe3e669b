#!/usr/bin/env node
// The `latentmap` command. The sources are TypeScript, run through tsx's loader,
// so a fresh clone needs no separate compile step. `serve` runs in a Node started with the server's flags
// (server/node-flags.ts: --expose-gc); when this one lacks them, in a child Node that has them.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register();
const args = process.argv.slice(2);
const flags = args[0] === 'serve' && !args.includes('--help') ? await import('../server/node-flags.ts') : null;
if (flags?.needsRelaunch()) {
  process.exitCode = await flags.relaunch(fileURLToPath(import.meta.url), args);
} else {
  const { main } = await import('../pipeline/cli.ts');
  process.exitCode = await main(args);
}
