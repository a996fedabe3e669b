// Entry of the Barnes-Hut helper thread (see gradient-bh-parallel.ts). Like worker-entry.mjs, it registers
// tsx itself before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./bh-helper.ts');
