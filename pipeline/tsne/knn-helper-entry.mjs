// Entry of the neighbour-search helper thread (see knn-parallel.ts). Like worker-entry.mjs, it registers
// tsx itself before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./knn-helper.ts');
