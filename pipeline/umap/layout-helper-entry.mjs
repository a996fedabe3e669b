// Entry of the UMAP layout helper thread (see optimizer.ts). Like the t-SNE helpers' entries, it
// registers tsx itself before loading the TypeScript module.
import { register } from 'tsx/esm/api';

register();
await import('./layout-helper.ts');
