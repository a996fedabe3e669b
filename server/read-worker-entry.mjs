// Entry of the server's worker thread (server/read-worker.ts). Workers neither inherit the parent's tsx
// loader nor accept `--import` in execArgv, so the worker registers tsx itself first.
import { register } from 'tsx/esm/api';

register();
await import('./read-worker.ts');
