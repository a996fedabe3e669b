// Viewer entry point.
import { App } from './app.js';

const app = new App();
// A read-only handle for end-to-end tests and the benchmark (no secrets in it).
(window as unknown as { latentmap: App }).latentmap = app;
app.ready.catch((err: unknown) => console.error(err));
