// Entry of the UMAP worker thread. Node 20 workers neither inherit the parent's tsx loader nor accept
// `--import` in execArgv, so the worker registers tsx itself before loading the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
