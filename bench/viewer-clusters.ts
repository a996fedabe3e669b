// npm run bench:viewer-clusters — how long the page's main thread is blocked when Clusters is ticked, in headless
// chromium (no GPU) through the real server and app, at 200,000 and 1,000,000 points (10 clusters, labelled).
// While the clusters are found the map is dragged: every animation frame moves the view by 0.5 % of its width
// (a user panning); the same drag without ticking, for 1.5 s before, gives the map's own frame costs at the
// machine's load of the moment ("drag only"). Per size, the median of --repeats fresh pages:
//   click ms:    the Clusters box's click handler (a synchronous search runs here)
//   labels ms:   from the click to the cluster labels drawn on the map
//   longest task ms: the longest main-thread task in that time (Long Tasks API: tasks over 50 ms)
//   blocked ms:  the main thread's time in tasks over 50 ms, less 50 ms each (total blocking time)
//   frames, longest frame gap ms: animation frames drawn while the clusters were found, and the longest time
//                between two of them (how long the map froze)
// Prints a table and the load average before and after. The machine is shared: read it with the load.
//   flags: --sizes 200000,1000000  --repeats 3
//          --web DIR (a viewer built elsewhere, e.g. `node scripts/build-web.js --outdir DIR` of another checkout,
//          to measure it before a change; default: this checkout's, built into a temp dir)
//   A bad command line (an unknown flag, a value that is not a whole number) is one line on stderr and exit 2.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { buildViewer, launchBrowser, startServer } from '../test/e2e/browser.js';
import { writeClusterRun } from '../test/e2e/fixture.js';
import { benchPage, warmPoints } from './viewer-page.js';
import { readFlags } from './flags.js';

const flags = readFlags(import.meta.url, {
  sizes: { type: 'integer-list', default: [200000, 1000000], min: 1 },
  repeats: { type: 'integer', default: 3, min: 1 },
  web: { type: 'string', default: '' },
});
const sizes = flags.sizes;
const repeats = flags.repeats;
const webDir = flags.web;

interface Tick {
  clickMs: number;
  labelsMs: number;
  longestMs: number;
  blockedMs: number;
  frames: number;
  gapMs: number;
}

/** How long the drag without clusters lasts, ms (in place of the time to the labels). */
const DRAG_ONLY_MS = 1500;
const median = (v: number[]) => v.slice().sort((a, b) => a - b)[Math.floor(v.length / 2)];
const load = () => loadavg().map((l) => l.toFixed(1)).join(' ');

async function main(): Promise<void> {
  const runsDir = await mkdtemp(path.join(tmpdir(), 'latentmap-bench-clusters-'));
  const web = webDir ? { dir: path.resolve(webDir), cleanup: async () => {} } : await buildViewer();
  const server = await startServer(runsDir, web.dir, { cacheBytes: 1024 * 2 ** 20 });
  const chrome = await launchBrowser();
  const rows: Record<string, string>[] = [];
  try {
    console.log(`clusters ticked — headless chromium ${chrome.browser.version()}, viewer ${webDir || 'of this checkout'}; load average ${load()}`);
    for (const n of sizes) {
      const id = `clusters-${n}`;
      await writeClusterRun(runsDir, { id, rows: n, clusters: 10, seed: 3, pointsOnly: true, name: `clusters ${n}` });
      await warmPoints(server.url, id, 180_000);
      const ticks: Tick[] = [];
      const drags: Tick[] = [];
      for (let r = 0; r < repeats; r++) {
        const { context, page, errors } = await benchPage(chrome.browser);
        await page.goto(`${server.url}/#run=${id}`);
        await page.waitForFunction(() => !!window.latentmap?.primary && window.latentmap.primary.view.lastDrawMs > 0, null, { timeout: 300_000, polling: 100 });
        await page.waitForFunction(() => window.latentmap.primary!.view.ready(), null, { timeout: 300_000 });
        // a quiet second before the click
        await page.waitForTimeout(1000);
        const measure = (click: boolean) => page.evaluate(
          ({ click, dragMs }) =>
            new Promise<Tick>((resolve) => {
              const tasks: { start: number; duration: number }[] = [];
              const observer = new PerformanceObserver((list) => {
                for (const e of list.getEntries()) tasks.push({ start: e.startTime, duration: e.duration });
              });
              observer.observe({ type: 'longtask' });
              const view = window.latentmap.primary!.view;
              const { extent } = window.latentmap.primary!.points;
              const width = extent.xmax - extent.xmin;
              const frames: number[] = [];
              let done = false;
              let step = 0;
              // a user dragging the map: every frame moves the view, ten frames one way, ten back
              const drag = (t: number) => {
                frames.push(t);
                const v = view.getView();
                const dir = Math.floor(step++ / 10) % 2 === 0 ? 1 : -1;
                view.setView({ cx: v.cx + (dir * 0.005 * width) / v.k, cy: v.cy, k: v.k });
                if (!done) requestAnimationFrame(drag);
              };
              const box = document.getElementById('layer-clusters') as HTMLInputElement;
              requestAnimationFrame((t0) => {
                frames.push(t0);
                requestAnimationFrame(drag);
                const start = performance.now();
                if (click) box.click();
                const clickMs = performance.now() - start;
                const poll = () => {
                  if (click ? view.marks.shownLabels.length === 0 : performance.now() - start < dragMs) {
                    setTimeout(poll, 5);
                    return;
                  }
                  const labelsMs = performance.now() - start;
                  done = true;
                  // long task entries come after their task ends
                  setTimeout(() => {
                    observer.disconnect();
                    const end = start + labelsMs;
                    const inside = tasks.filter((t) => t.start + t.duration >= start && t.start <= end);
                    const seen = frames.filter((t) => t >= start - 20 && t <= end + 20);
                    let gap = 0;
                    for (let k = 1; k < seen.length; k++) gap = Math.max(gap, seen[k] - seen[k - 1]);
                    resolve({
                      clickMs,
                      labelsMs,
                      longestMs: Math.max(0, ...inside.map((t) => t.duration)),
                      blockedMs: inside.reduce((a, t) => a + Math.max(0, t.duration - 50), 0),
                      frames: seen.length,
                      gapMs: gap,
                    });
                  }, 300);
                };
                poll();
              });
            }),
          { click, dragMs: DRAG_ONLY_MS },
        );
        // the same dragging without the clusters first: what the map's own frames cost on this machine now
        const drag = await measure(false);
        const tick = await measure(true);
        if (errors.length) console.error(`  page errors at ${n}: ${errors.join('; ')}`);
        const rounded = (t: Tick) => JSON.stringify(Object.fromEntries(Object.entries(t).map(([k, v]) => [k, Math.round(v)])));
        console.error(`  ${n.toLocaleString('en-US')} #${r + 1}: drag only ${rounded(drag)}; Clusters ticked ${rounded(tick)} (load ${load()})`);
        drags.push(drag);
        ticks.push(tick);
        await context.close();
      }
      const m = (k: keyof Tick, of = ticks) => median(of.map((t) => t[k])).toFixed(0);
      rows.push({
        points: n.toLocaleString('en-US'),
        what: 'drag only',
        'click ms': '—',
        'labels ms': `(${DRAG_ONLY_MS})`,
        'longest task ms': m('longestMs', drags),
        'blocked ms': m('blockedMs', drags),
        frames: m('frames', drags),
        'longest frame gap ms': m('gapMs', drags),
      });
      rows.push({
        points: n.toLocaleString('en-US'),
        what: 'Clusters ticked',
        'click ms': m('clickMs'),
        'labels ms': m('labelsMs'),
        'longest task ms': m('longestMs'),
        'blocked ms': m('blockedMs'),
        frames: m('frames'),
        'longest frame gap ms': m('gapMs'),
      });
      await rm(path.join(runsDir, id), { recursive: true, force: true });
    }
    console.table(rows);
    console.log(`median of ${repeats} fresh pages per size. load average after: ${load()}`);
  } finally {
    await chrome.close();
    await server.close();
    await web.cleanup();
    await rm(runsDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
