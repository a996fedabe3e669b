// One browser test file's set-up, shared by every file that drives the viewer: a runs directory the file fills,
// the viewer bundle built into a temp dir, the real server app over the runs directory on a loopback port, and
// headless Chromium; made in vitest's beforeAll and taken down in afterAll. Anything that cannot start (no
// browser, a build or server that fails) throws in beforeAll, so every test of the file fails: a browser test
// never skips, with CI=true as without.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { buildViewer, launchBrowser, openViewer, startServer } from './browser.js';

export interface UseViewerOptions {
  /** Names the file's temp directories: latentmap-e2e-<name>-*. */
  name: string;
  /** Fills the runs directory before the server starts (write runs, run the pipeline). */
  runs?: (runsDir: string) => Promise<void>;
  /** The server's run cache, bytes (createApp's cacheBytes; default the server's). */
  cacheBytes?: number;
  /** How long the set-up may take, ms. Default 120,000. */
  timeout?: number;
}

export interface OpenOptions {
  viewport?: { width: number; height: number };
  deviceScaleFactor?: number;
  /** How long the page and its map may take to appear, ms. Default 30,000. */
  timeout?: number;
}

/** A server over another runs directory, with the same viewer bundle; closed at the end of the file if not before. */
export interface ExtraServer {
  runsDir: string;
  url: string;
  /** Stops the server and removes its runs directory. */
  close: () => Promise<void>;
}

export interface ViewerSetup {
  /** The runs directory the server reads. */
  readonly runsDir: string;
  /** The server's base URL (http://127.0.0.1:<port>). */
  readonly url: string;
  readonly browser: Browser;
  /**
   * Opens the viewer at `target` (a path and hash on the server, e.g. `/#run=x`, or a whole URL) in a fresh
   * browser context and waits until its first map is drawn; page errors are collected into `errors`.
   */
  open(target?: string, options?: OpenOptions): Promise<{ page: Page; errors: string[] }>;
  /** A fresh page (own context) at a URL, without waiting for a map (the empty state has none). */
  visit(url: string, viewport?: { width: number; height: number }): Promise<Page>;
  /** Starts another server over a new, empty runs directory (the empty state, uploads). */
  serveEmpty(name: string): Promise<ExtraServer>;
}

/** Registers the file's beforeAll/afterAll; the fields of what it returns are usable inside tests. */
export function useViewer(o: UseViewerOptions): ViewerSetup {
  let runsDir: string | null = null;
  let web: { dir: string; cleanup: () => Promise<void> } | null = null;
  let server: { url: string; close: () => Promise<void> } | null = null;
  let chrome: { browser: Browser; close: () => Promise<void> } | null = null;
  const extras = new Set<ExtraServer>();
  const started = <T>(v: T | null, what: string): T => {
    if (v === null) throw new Error(`useViewer(${o.name}): the ${what} is used before beforeAll made it`);
    return v;
  };

  beforeAll(async () => {
    runsDir = await mkdtemp(path.join(tmpdir(), `latentmap-e2e-${o.name}-`));
    await o.runs?.(runsDir);
    web = await buildViewer();
    server = await startServer(runsDir, web.dir, o.cacheBytes !== undefined ? { cacheBytes: o.cacheBytes } : {});
    chrome = await launchBrowser();
  }, o.timeout ?? 120_000);

  afterAll(async () => {
    for (const extra of extras) await extra.close();
    await chrome?.close();
    await server?.close();
    await web?.cleanup();
    if (runsDir) await rm(runsDir, { recursive: true, force: true });
  });

  const setup: ViewerSetup = {
    get runsDir() {
      return started(runsDir, 'runs directory');
    },
    get url() {
      return started(server, 'server').url;
    },
    get browser() {
      return started(chrome, 'browser').browser;
    },
    open(target = '/', options = {}) {
      const url = /^https?:/.test(target) ? target : `${setup.url}${target.startsWith('/') ? '' : '/'}${target}`;
      return openViewer(setup.browser, url, options.viewport, options.deviceScaleFactor, options.timeout);
    },
    async visit(url, viewport = { width: 1280, height: 720 }) {
      const context = await setup.browser.newContext({ viewport });
      const page = await context.newPage();
      await page.goto(url);
      return page;
    },
    async serveEmpty(name) {
      const dir = await mkdtemp(path.join(tmpdir(), `latentmap-e2e-${name}-`));
      const bare = await startServer(dir, started(web, 'viewer bundle').dir).catch(async (err: unknown) => {
        await rm(dir, { recursive: true, force: true });
        throw err;
      });
      let closed = false;
      const extra: ExtraServer = {
        runsDir: dir,
        url: bare.url,
        close: async () => {
          if (closed) return;
          closed = true;
          extras.delete(extra);
          await bare.close();
          await rm(dir, { recursive: true, force: true });
        },
      };
      extras.add(extra);
      return extra;
    },
  };
  return setup;
}
