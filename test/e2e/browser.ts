// Shared helpers of the browser tests: launch a headless Chromium through playwright-core (Debian's when it is
// installed, else the one shipped inside the @sparticuz/chromium npm package, so `npm install && npm test`
// needs nothing else), build the viewer into a temp dir, start the real server app on an ephemeral loopback
// port, read canvas pixels.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, open, rm, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createApp } from '../../server/app.js';

const run = promisify(execFile);
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Debian's chromium, used when installed. */
export const SYSTEM_CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.join(ROOT, 'test-results');

/**
 * The Chromium to drive: CHROMIUM_PATH when set (the word `packaged` forces the npm package's), else Debian's
 * /usr/bin/chromium when installed, else the Chromium inside @sparticuz/chromium (a devDependency: its
 * binary ships in the package, brotli-compressed, and is unpacked to the temp directory on first use).
 */
export async function chromiumPath(): Promise<{ path: string; source: string }> {
  const wanted = process.env.CHROMIUM_PATH;
  if (wanted && wanted !== 'packaged') {
    if (!existsSync(wanted)) throw new Error(`CHROMIUM_PATH=${wanted} does not exist`);
    return { path: wanted, source: 'CHROMIUM_PATH' };
  }
  if (!wanted && existsSync(SYSTEM_CHROMIUM)) return { path: SYSTEM_CHROMIUM, source: 'Debian chromium' };
  try {
    return { path: await unpackPackagedChromium(), source: '@sparticuz/chromium' };
  } catch (err) {
    throw new Error(
      `no Chromium for the browser tests: ${SYSTEM_CHROMIUM} is not installed and the one in @sparticuz/chromium could not be unpacked (${(err as Error).message}); run \`npm install\`, or \`apt-get install chromium\`, or set CHROMIUM_PATH`,
      { cause: err },
    );
  }
}

/** Unpacks the packaged Chromium once; test files in parallel workers take turns through a lock file. */
async function unpackPackagedChromium(): Promise<string> {
  const lock = path.join(tmpdir(), 'latentmap-chromium-unpack.lock');
  for (let waited = 0; ; waited += 200) {
    try {
      const fh = await open(lock, 'wx');
      await fh.close();
      break;
    } catch {
      const age = await stat(lock).then((s) => Date.now() - s.mtimeMs, () => 0);
      if (age > 180_000) await rm(lock, { force: true }); // left by a killed run
      if (waited > 240_000) throw new Error('timed out waiting for another test worker to unpack Chromium');
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    const pkg = (await import('@sparticuz/chromium')).default;
    return await pkg.executablePath();
  } finally {
    await rm(lock, { force: true });
  }
}

/**
 * Launches headless Chromium with a fresh profile. Throws (so the test fails, never skips) when no browser can
 * start, also under CI.
 */
export async function launchBrowser(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  const exe = await chromiumPath();
  // playwright's launch() always starts chromium with a fresh temporary --user-data-dir of its own
  // (it refuses the flag); the persistent-profile API is not needed here.
  const browser = await chromium.launch({
    executablePath: exe.path,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    browser,
    close: async () => {
      await browser.close();
    },
  };
}

/**
 * Builds the viewer bundle into a fresh temp dir (so parallel test files never share web/dist); with
 * `minify: false`, readable function names (for CPU profiles).
 */
export async function buildViewer(options: { minify?: boolean } = {}): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'latentmap-web-'));
  const flags = options.minify === false ? ['--no-minify'] : [];
  await run(process.execPath, [path.join(ROOT, 'scripts/build-web.js'), '--outdir', dir, ...flags], { cwd: ROOT });
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Starts the real server app over a runs directory on 127.0.0.1:<ephemeral>. */
export async function startServer(
  runsDir: string,
  webRoot: string,
  options: { cacheBytes?: number } = {},
): Promise<{ url: string; close: () => Promise<void> }> {
  const app = createApp({ runsDir, webRoot, log: () => {}, ...options });
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      app.locals.dispose?.();
    },
  };
}

/** Opens the viewer and waits until the first map is drawn. Collects page errors into `errors`. */
export async function openViewer(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 720 },
  deviceScaleFactor = 1,
  /** How long the page and its map may take to appear, ms (Playwright's default 30 s; a million points on a loaded machine take longer). */
  timeout = 30_000,
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.goto(url, { timeout });
  await waitForMap(page, timeout);
  return { page, errors };
}

export async function waitForMap(page: Page, timeout = 30_000): Promise<void> {
  await page.waitForFunction(() => {
    const app = (window as unknown as { latentmap?: { primary: unknown } }).latentmap;
    return !!app?.primary && document.querySelector('.pane.primary canvas.scatter-points') !== null;
  }, null, { timeout });
  // two frames: the scheduled draw has run
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * page.waitForFunction(fn) that, when it times out, says what the page showed instead: the URL's hash, the status
 * line, the search count, the panes and whether the primary map hides classes (a flaky wait says why it waited).
 */
export async function waitForPage(page: Page, fn: () => unknown, what: string, timeout = 30_000): Promise<void> {
  try {
    await page.waitForFunction(fn, null, { timeout });
  } catch (err) {
    const seen = await page
      .evaluate(() => {
        const app = (window as unknown as { latentmap?: { primary?: { id?: string; visible?: unknown; hidden?: unknown } | null } }).latentmap;
        const text = (id: string) => document.getElementById(id)?.textContent ?? null;
        return JSON.stringify({
          hash: location.hash,
          status: document.querySelector('.status')?.textContent ?? null,
          searchCount: text('search-count'),
          search: (document.getElementById('search') as HTMLInputElement | null)?.value ?? null,
          panes: [...document.querySelectorAll('.pane')].map((e) => `${e.className}${(e as HTMLElement).hidden ? ' (hidden)' : ''}`),
          primary: app?.primary ? { id: app.primary.id, visible: app.primary.visible ? 'set' : app.primary.visible, hidden: app.primary.hidden instanceof Set ? [...app.primary.hidden] : app.primary.hidden } : app ? null : 'no app',
        });
      })
      .catch((e: Error) => `(the page could not be read: ${e.message})`);
    throw new Error(`waiting for ${what}: ${(err as Error).message.split('\n')[0]}; the page showed ${seen}`);
  }
}

/** Counts pixels of the primary map's point canvas within `tolerance` of an RGB color (or, with null, every non-background pixel). */
export async function countPixels(page: Page, rgb: [number, number, number] | null, tolerance = 40, slot = 'primary'): Promise<number> {
  return page.evaluate(
    ({ rgb, tolerance, slot }) => {
      const canvas = document.querySelector(`.pane.${slot} canvas.scatter-points`) as HTMLCanvasElement;
      const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
      let n = 0;
      for (let p = 0; p < data.length; p += 4) {
        const r = data[p];
        const g = data[p + 1];
        const b = data[p + 2];
        if (rgb === null) {
          if (r < 250 || g < 250 || b < 250) n++;
        } else if (Math.abs(r - rgb[0]) + Math.abs(g - rgb[1]) + Math.abs(b - rgb[2]) <= tolerance) n++;
      }
      return n;
    },
    { rgb, tolerance, slot },
  );
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

export function hexToRgb(hex: string): [number, number, number] {
  const v = parseInt(hex.replace('#', ''), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}
