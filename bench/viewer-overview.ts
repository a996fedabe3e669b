// npm run bench:viewer-overview — a map past what a browser holds (20,000,000 points by default) in headless
// chromium (no GPU), through the real server and the real app, two ways side by side:
//   overview: the viewer's default past 10M rows: the server's stratified overview sample (1M rows) first,
//             then, zoomed into a cluster, the rows of the region in view (app/overview.ts)
//   all:      every point loaded, as below the threshold (?overview-threshold=999999999), bench:viewer's path
// For each: the time from navigation to the first exact picture on screen (bench:viewer's `load`), the page's
// memory after load (JS heap plus ArrayBuffer backing stores, CDP Runtime.getHeapUsage, after a collection),
// and for the overview the time from a zoom to the region's exact points on screen. The server's cache is
// warmed first (the overview, the region, the two points streams with their compressed variants), so the
// times are the viewer's; the server's cold overview (the worker's first read of points.arrow and its grid)
// is printed apart. The machine is shared: read ratios, and the load average printed with them.
//   flags: --rows 20000000  --timeout 300 (whole seconds a load may take before it is reported as failed)
//          --cache-mb 4096 (the server's run cache)  --skip-all (only the overview)
//          --threshold N (the overview way's ?overview-threshold=, for a small --rows trial; default the viewer's 10M)
//   A bad command line (an unknown flag, a value that is not a whole number) is one line on stderr and exit 2.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { buildViewer, launchBrowser, startServer } from '../test/e2e/browser.js';
import { writeClusterRun, type ClusterRun } from '../test/e2e/fixture.js';
import { benchPage, pageMemory, warmPoints } from './viewer-page.js';
import { readFlags, wholeNumber } from './flags.js';

const flags = readFlags(import.meta.url, {
  rows: { type: 'integer', default: 20000000, min: 1 },
  timeout: { type: 'integer', default: 300, min: 1 },
  'cache-mb': { type: 'integer', default: 4096, min: 1 },
  'skip-all': { type: 'boolean' },
  threshold: { type: 'custom', default: null, parse: (t: string) => String(wholeNumber(t, 'threshold', 1)) },
});
const ROWS = flags.rows;
const LOAD_TIMEOUT = flags.timeout * 1000;
const skipAll = flags['skip-all'];
/** --threshold N: the overview way's threshold (a small --rows run needs one below its rows). Default the viewer's. */
const threshold = flags.threshold ?? '';
const load = (): string => loadavg().map((l) => l.toFixed(1)).join(' ');

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const r = await f();
  return [r, performance.now() - t0];
}

/** Opens the map at `query`, returns load ms (navigation to the first exact picture), memory MB, points held. */
async function measure(browser: Browser, url: string, run: ClusterRun | null): Promise<Record<string, string>> {
  const { context, page, errors, cdp } = await benchPage(browser);
  try {
    await page.goto(url);
    await page.waitForFunction(() => performance.getEntriesByName('latentmap:first-map').length > 0, null, { timeout: LOAD_TIMEOUT, polling: 100 });
    const loadMs = await page.evaluate(() => performance.getEntriesByName('latentmap:first-map')[0]!.startTime);
    await page.waitForFunction(() => !!window.latentmap.primary, null, { timeout: LOAD_TIMEOUT, polling: 100 });
    const memory = await pageMemory(cdp);
    const held = await page.evaluate(() => window.latentmap.primary!.points.n);
    const row: Record<string, string> = { 'first picture ms': loadMs.toFixed(0), 'memory MB': (memory / 1e6).toFixed(0), 'points held': held.toLocaleString('en-US') };
    if (run) {
      // zoom into the first cluster: the time until the region's exact points are on the map
      const [cx, cy] = run.centers[0]!;
      const t0 = await page.evaluate(([x, y]) => {
        window.latentmap.primary!.view.setView({ cx: x, cy: y, k: 64 });
        return performance.now();
      }, [cx, cy]);
      await page.waitForFunction(() => document.querySelector<HTMLElement>('.pane.primary .scale-note')?.dataset.kind === 'region', null, { timeout: LOAD_TIMEOUT, polling: 50 });
      const [t1, note, n] = await page.evaluate(() => [performance.now(), document.querySelector('.pane.primary .scale-note')!.textContent, window.latentmap.primary!.points.n] as const);
      row['zoom to exact region ms'] = `${(t1 - t0).toFixed(0)} (incl. ${300} ms debounce)`;
      row['region'] = `${n.toLocaleString('en-US')} held: ${note}`;
    }
    if (errors.length) row.errors = errors.join('; ').slice(0, 120);
    return row;
  } catch (err) {
    return { 'first picture ms': `failed: ${(err as Error).message.split('\n')[0]!.slice(0, 100)}${errors.length ? ` (${errors.join('; ')})` : ''}` };
  } finally {
    await context.close();
  }
}

async function main(): Promise<void> {
  const runsDir = await mkdtemp(path.join(tmpdir(), 'latentmap-bench-overview-'));
  const web = await buildViewer();
  const server = await startServer(runsDir, web.dir, { cacheBytes: flags['cache-mb'] * 2 ** 20 });
  const chrome = await launchBrowser();
  try {
    console.log(`overview benchmark — ${ROWS.toLocaleString('en-US')} points, headless chromium ${chrome.browser.version()} (no GPU), 1280x720; load average ${load()}`);
    const id = 'bench-overview';
    const [run, writeMs] = await timed(() => writeClusterRun(runsDir, { id, rows: ROWS, clusters: 10, seed: 3, pointsOnly: true, name: `bench ${ROWS}` }));
    console.log(`  run written in ${(writeMs / 1000).toFixed(1)} s (points.arrow as the pipeline writes it)`);
    const api = `${server.url}/api/runs/${id}/points`;
    const [, coldMs] = await timed(async () => (await fetch(`${api}/overview?rows=1000000&seed=0`)).arrayBuffer());
    const [, warmMs] = await timed(async () => (await fetch(`${api}/overview?rows=1000000&seed=0`)).arrayBuffer());
    const [cx, cy] = run.centers[0]!;
    const [, regionMs] = await timed(async () => (await fetch(`${api}/region?x0=${cx - 1}&y0=${cy - 1}&x1=${cx + 1}&y1=${cy + 1}&limit=2000000&around=1000000&seed=0`)).arrayBuffer());
    console.log(`  server: cold overview (read points.arrow, grid, sample) ${coldMs.toFixed(0)} ms, cached ${warmMs.toFixed(0)} ms; a region with the overview around it ${regionMs.toFixed(0)} ms`);
    const rows: Record<string, string>[] = [];
    rows.push({ way: 'overview (default)', ...(await measure(chrome.browser, `${server.url}/${threshold ? `?overview-threshold=${threshold}` : ''}#run=${id}`, run)) });
    console.log(`  overview: ${JSON.stringify(rows[0])}; load average ${load()}`);
    if (!skipAll) {
      // warm the two streams the viewer asks for and wait for their compressed variants (as bench:viewer)
      await warmPoints(server.url, id, 300_000);
      rows.push({ way: 'all points', ...(await measure(chrome.browser, `${server.url}/?overview-threshold=999999999#run=${id}`, null)) });
    }
    console.table(rows);
    console.log('first picture: navigation to the first exact picture of the map on screen. memory: JS heap + ArrayBuffer backing stores after load and a collection.');
    console.log(`load average after: ${load()}`);
  } finally {
    await chrome.close();
    await server.close();
    await web.cleanup();
    await rm(runsDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
