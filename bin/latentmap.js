#!/usr/bin/env node
// The `latentmap` command. The sources are TypeScript, run through tsx's loader,
// so a fresh clone needs no separate compile step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../pipeline/cli.ts');
process.exitCode = await main(process.argv.slice(2));
