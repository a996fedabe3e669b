// Viewer entry point.
import { App } from './app.js';

declare global {
  interface Window {
    /** A read-only handle for end-to-end tests and the benchmark (no secrets in it); set once the page's script runs. */
    latentmap: App;
  }
}

const app = new App();
window.latentmap = app;
app.ready.catch((err: unknown) => console.error(err));
