// npm run bench:viewer — the viewer at 100,000, 1,000,000 and 10,000,000 points in headless chromium
// (no GPU), through the real server and the real app:
//   load:   from the page's navigation to the first exact picture of the map on screen (fetch of the
//           columns it needs, decode, index, draw); the server's cache is warmed first and its compressed
//           variants made, so this is the viewer's time, not the server's first read and compression
//   all columns: navigation to every column decoded (color-by, filters, tooltips ready)
//   pan:    frame times while the view is dragged (40 steps of 1.5 % of the width), median [p95]
//   zoom:   frame times while zooming in and out (wheel steps of x1.15 between k = 1 and 8), median [p95]
//   rest:   the exact complete redraw once interaction stops (what the user sees after ~150 ms idle)
//   hover:  one hit-test (the point under the pointer) at random positions, mean µs
//   memory: the page's JS heap plus ArrayBuffer backing stores after load (CDP Runtime.getHeapUsage)
// Beside ours, the peer: a raw WebGL2 gl.POINTS draw of the same points (what regl-scatterplot and
// deck.gl's ScatterplotLayer reduce to), which on a machine without a GPU runs on SwiftShader.
// Prints a table. The machine is shared: read ratios and the load average printed with it.
//   flags: --sizes 100000,1000000,10000000  --repeats 40  --webgl 100000,1000000 (peer sizes; "" to skip)
//          --timeout 300 (whole seconds a size may take to load before it is reported as failed)
//          --cache-mb 3072 (the server's run cache; the default 512 MiB cannot hold a 10M-row stream)
//          --profile (CPU profiles of the load and of the zoom frames: the page's functions by self time, on
//          stderr; the viewer is then built unminified)
//          --cpu (pan and zoom frames one per task, each timed by the page's main-thread CPU time instead of
//          the wall clock (CDP Performance.getMetrics ThreadTime, less the median cost of a task that draws
//          nothing): frame costs that other processes on a shared machine do not inflate; a frame's cost then
//          includes its view change (setView: the zoom state, the URL), 2-3 ms, which the wall clock leaves out)
//   A bad command line (an unknown flag, a value that is not a whole number) is one line on stderr and exit 2.
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { buildViewer, launchBrowser, startServer } from '../test/e2e/browser.js';
import { writeClusterRun } from '../test/e2e/fixture.js';
import { benchPage, pageMemory, warmPoints } from './viewer-page.js';
import { readFlags, wholeNumbers } from './flags.js';

const flags = readFlags(import.meta.url, {
  sizes: { type: 'integer-list', default: [100000, 1000000, 10000000], min: 1 },
  repeats: { type: 'integer', default: 40, min: 1 },
  webgl: { type: 'custom', default: '100000,1000000', parse: (t: string) => (t === '' ? [] : wholeNumbers(t, 'webgl', 1)) },
  timeout: { type: 'integer', default: 300, min: 1 },
  'cache-mb': { type: 'integer', default: 3072, min: 1 },
  profile: { type: 'boolean' },
  cpu: { type: 'boolean' },
});
const sizes = flags.sizes;
const repeats = flags.repeats;
/** How long a load may take before the size is reported as failed. */
const LOAD_TIMEOUT = flags.timeout * 1000;
/** --profile: CPU profiles of the load and of the zoom frames in the page, its functions by self time (stderr). */
const profile = flags.profile;
/** --cpu: pan and zoom frames timed by the page's main-thread CPU time, one frame per task. */
const cpu = flags.cpu;
const webglSizes = new Set(flags.webgl);

interface Stats {
  median: number;
  p95: number;
}
function stats(ms: number[]): Stats {
  const s = ms.slice().sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] };
}
const fmt = (s: Stats) => `${s.median.toFixed(1)} [${s.p95.toFixed(1)}]`;

/** Frame times of a scripted interaction: each step moves the view and runs the frame's drawing. */
async function frames(page: Page, kind: 'pan' | 'zoom', steps: number): Promise<number[]> {
  const result = await page.evaluate(
    ({ kind, steps }) => {
      const view = window.latentmap.primary!.view;
      const { extent } = window.latentmap.primary!.points;
      const width = extent.xmax - extent.xmin;
      const v0 = view.getView();
      const ms: number[] = [];
      const frames: { total: number; pointsMs: number; k: number; points: number; exact: boolean; sampled: boolean }[] = [];
      for (let s = 0; s < steps; s++) {
        const v = view.getView();
        if (kind === 'pan') {
          // 1.5 % of the view's width per frame, ten frames one way, ten back
          const dir = Math.floor(s / 10) % 2 === 0 ? 1 : -1;
          view.setView({ cx: v.cx + (dir * 0.015 * width) / v.k, cy: v.cy, k: v.k });
        } else {
          const up = Math.floor(s / 15) % 2 === 0;
          view.setView({ cx: v.cx, cy: v.cy, k: Math.max(1, Math.min(8, v.k * (up ? 1.15 : 1 / 1.15))) });
        }
        const t0 = performance.now();
        const pointsMs = view.draw();
        const total = performance.now() - t0;
        ms.push(total);
        const drawn = view.lastDrawn;
        frames.push({ total, pointsMs, k: view.getView().k, points: drawn.points, exact: drawn.exact, sampled: !!drawn.sampled });
      }
      view.setView(v0);
      return { ms, frames };
    },
    { kind, steps },
  );
  // where the slowest frames went (stderr; the table keeps the totals): the points layer's drawing
  // (view.draw's return) against the rest of the frame (overlay, planning outside the layer)
  const slow = result.frames.slice().sort((a, b) => b.total - a.total).slice(0, 3);
  console.error(
    `  ${kind}: slowest frames ${slow.map((f) => `${f.total.toFixed(1)} ms (points ${f.pointsMs.toFixed(1)} ms, ${f.points.toLocaleString('en-US')} ${f.exact ? 'exact' : f.sampled ? 'level of detail, sample' : 'level of detail'}, k ${f.k.toFixed(2)})`).join('; ')}`,
  );
  return result.ms;
}

/**
 * The same interaction as `frames`, one frame per page task, each frame's cost the main thread's CPU time
 * (CDP ThreadTime) across its task less the median of eight tasks that draw nothing (the round trip's own
 * cost, 2-3 ms). Frames between tasks also give V8 time to install code compiled in the background, as a
 * user's frames do (a frame every 16 ms at best), where `frames` draws them back to back.
 */
async function cpuFrames(page: Page, cdp: CDPSession, kind: 'pan' | 'zoom', steps: number): Promise<number[]> {
  await cdp.send('Performance.enable');
  const thread = async () => {
    const { metrics } = (await cdp.send('Performance.getMetrics')) as { metrics: { name: string; value: number }[] };
    return metrics.find((m) => m.name === 'ThreadTime')!.value * 1000;
  };
  const idle: number[] = [];
  for (let r = 0; r < 8; r++) {
    const a = await thread();
    await page.evaluate(() => window.latentmap.primary!.view.lastDrawMs);
    idle.push((await thread()) - a);
  }
  const overhead = stats(idle).median;
  const v0 = await page.evaluate(() => window.latentmap.primary!.view.getView());
  const ms: number[] = [];
  for (let s = 0; s < steps; s++) {
    const a = await thread();
    await page.evaluate(
      ({ kind, s }) => {
        const view = window.latentmap.primary!.view;
        const { extent } = window.latentmap.primary!.points;
        const width = extent.xmax - extent.xmin;
        const v = view.getView();
        // the steps of `frames`
        if (kind === 'pan') view.setView({ cx: v.cx + ((Math.floor(s / 10) % 2 === 0 ? 1 : -1) * 0.015 * width) / v.k, cy: v.cy, k: v.k });
        else view.setView({ cx: v.cx, cy: v.cy, k: Math.max(1, Math.min(8, v.k * (Math.floor(s / 15) % 2 === 0 ? 1.15 : 1 / 1.15))) });
        view.draw();
      },
      { kind, s },
    );
    ms.push(Math.max(0, (await thread()) - a - overhead));
  }
  await page.evaluate((v) => window.latentmap.primary!.view.setView(v), v0);
  return ms;
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  samples: number[];
  timeDeltas: number[];
}

/** The profile's ten functions with the most self time (sampled), and its whole sampled time. */
function printProfile(what: string, p: CpuProfile): void {
  const byNode = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  let total = 0;
  p.samples.forEach((id, i) => {
    const dt = (p.timeDeltas[i + 1] ?? 0) / 1000;
    const f = byNode.get(id)!.callFrame;
    const name = `${f.functionName || '(anonymous)'} ${f.url.split('/').pop() ?? ''}:${f.lineNumber + 1}`;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.error(`  ${what} profile (${total.toFixed(0)} ms sampled): ${top.map(([n, ms]) => `${n} ${ms.toFixed(1)} ms`).join('; ')}`);
}

async function main(): Promise<void> {
  const runsDir = await mkdtemp(path.join(tmpdir(), 'latentmap-bench-viewer-'));
  // a profile needs the functions' own names: the bundle is then built unminified
  const web = await buildViewer({ minify: !profile });
  // the server's run cache must hold a 10M-row stream (~320 MB) with its compressed variants, or every
  // request recompresses it: the default 512 MiB does not
  const server = await startServer(runsDir, web.dir, { cacheBytes: flags['cache-mb'] * 2 ** 20 });
  const chrome = await launchBrowser();
  const rows: Record<string, string>[] = [];
  try {
    console.log(`viewer benchmark — headless chromium ${chrome.browser.version()} (no GPU), 1280x720 CSS px, dpr 1, ${repeats} frames per interaction; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    for (const n of sizes) {
      const id = `bench-${n}`;
      const t0 = performance.now();
      await writeClusterRun(runsDir, { id, rows: n, clusters: 10, seed: 3, pointsOnly: true, name: `bench ${n}` });
      const written = performance.now() - t0;
      // warm the server's cache with the two requests the viewer makes (its one-time read and compression
      // of the streams is the server's cost, not the viewer's), and wait for the compressed variants, which
      // are made in the background and would otherwise compete with the page for the two cores
      const encodings = await warmPoints(server.url, id, 180_000);
      console.error(`  ${n.toLocaleString('en-US')}: streams served as ${encodings.join(' and ')}`);
      const { context, page, errors, cdp } = await benchPage(chrome.browser);
      try {
      if (profile) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
      await page.goto(`${server.url}/#run=${id}`);
      // the first exact picture on screen (points-canvas.ts marks it), then every column decoded
      await page.waitForFunction(() => performance.getEntriesByName('latentmap:first-map').length > 0, null, { timeout: LOAD_TIMEOUT, polling: 100 });
      if (profile) printProfile('load', ((await cdp.send('Profiler.stop')) as { profile: CpuProfile }).profile);
      const load = await page.evaluate(() => performance.getEntriesByName('latentmap:first-map')[0].startTime);
      await page.waitForFunction(
        () => {
          // the page's script may not have run yet
          const app = window.latentmap as typeof window.latentmap | undefined;
          return !!app?.primary && app.primary.view.lastDrawMs > 0;
        },
        null,
        { timeout: LOAD_TIMEOUT, polling: 100 },
      );
      const complete = await page.evaluate(() => performance.now());
      const phases = await page.evaluate(() => window.latentmap.primary!.timing);
      if (phases) console.error(`  ${n.toLocaleString('en-US')}: first columns fetched in ${phases.fetchMs.toFixed(0)} ms, decoded in ${phases.decodeMs.toFixed(0)} ms, indexed in ${phases.indexMs.toFixed(0)} ms; first exact picture at ${load.toFixed(0)} ms, all columns at ${complete.toFixed(0)} ms`);
      // let background work (indexes) finish before measuring frames
      await page.waitForFunction(() => {
        return window.latentmap.primary!.view.ready();
      }, null, { timeout: LOAD_TIMEOUT });
      const indexed = await page.evaluate(() => performance.now());
      // what the page spent before the first frames on readying the drawing path for V8: the miniature map run
      // through it before the first map (prime.ts) and the level of detail's warm-up rounds (points-layer.ts)
      const readying = await page.evaluate(() => {
        const sum = (name: string) => performance.getEntriesByName(name).reduce((a, e) => a + e.duration, 0);
        return { prime: sum('latentmap:prime-drawing'), warm: sum('latentmap:warm-up'), rounds: performance.getEntriesByName('latentmap:warm-up').length };
      });
      console.error(`  ${n.toLocaleString('en-US')}: priming ${readying.prime.toFixed(1)} ms, warm-up ${readying.warm.toFixed(0)} ms in ${readying.rounds} rounds`);
      const memory = await pageMemory(cdp);
      const pan = stats(cpu ? await cpuFrames(page, cdp, 'pan', repeats) : await frames(page, 'pan', repeats));
      if (profile) await cdp.send('Profiler.enable').then(() => cdp.send('Profiler.start'));
      const zoomMs = cpu ? await cpuFrames(page, cdp, 'zoom', repeats) : await frames(page, 'zoom', repeats);
      // the first zoom frames are the ones a cold rasterizer makes slow
      console.error(`  ${n.toLocaleString('en-US')}: first zoom frames ${zoomMs.slice(0, 8).map((v) => v.toFixed(1)).join(' ')} ms${cpu ? ' of main-thread CPU' : ''}`);
      const zoom = stats(zoomMs);
      if (profile) printProfile('zoom', ((await cdp.send('Profiler.stop')) as { profile: CpuProfile }).profile);
      const rest = await page.evaluate((reps) => {
        const view = window.latentmap.primary!.view;
        const ms: number[] = [];
        for (let r = 0; r < reps; r++) {
          const t = performance.now();
          view.draw(true);
          ms.push(performance.now() - t);
        }
        return ms;
      }, n >= 10_000_000 ? 3 : 7);
      const hover = await page.evaluate(() => {
        const view = window.latentmap.primary!.view;
        const { width, height } = view.size();
        let s = 12345;
        const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
        const qs = 2000;
        let hits = 0;
        const t = performance.now();
        for (let q = 0; q < qs; q++) if (view.pick(r() * width, r() * height) >= 0) hits++;
        return { us: ((performance.now() - t) / qs) * 1000, hits: hits / qs };
      });
      let webgl = '—';
      if (webglSizes.has(n)) webgl = fmt(stats(await webglPeer(page, n)));
      rows.push({
        points: n.toLocaleString('en-US'),
        'load ms': load.toFixed(0),
        'all columns ms': complete.toFixed(0),
        'hover ready ms': indexed.toFixed(0),
        'pan ms': fmt(pan),
        'zoom ms': fmt(zoom),
        'rest redraw ms': fmt(stats(rest)),
        'hover µs': hover.us.toFixed(1),
        'memory MB': (memory / 1e6).toFixed(0),
        'webgl2 peer ms': webgl,
      });
      } catch (err) {
        rows.push({ points: n.toLocaleString('en-US'), 'load ms': `failed: ${(err as Error).message.split('\n')[0].slice(0, 80)}` });
      }
      if (errors.length) console.error(`page errors at ${n}: ${errors.join('; ')}`);
      console.error(`  ${n.toLocaleString('en-US')} points done (fixture written in ${(written / 1000).toFixed(1)} s)`);
      await context.close();
      await rm(path.join(runsDir, id), { recursive: true, force: true });
    }
    console.table(rows);
    if (cpu) console.log('pan and zoom: main-thread CPU ms per frame (the view change and its drawing), one frame per task (--cpu), not the wall clock.');
    console.log('median [p95] ms per frame. load: navigation to the first exact picture on screen; all columns: to every column decoded. rest: the exact full redraw after interaction stops.');
    console.log('webgl2 peer: a raw WebGL2 gl.POINTS draw (2 px points, alpha blending) of the same number of points, finished with readPixels, in the same page.');
    console.log(`load average after: ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await chrome.close();
    await server.close();
    await web.cleanup();
    await rm(runsDir, { recursive: true, force: true });
  }
}

/** The peer renderer: WebGL2 gl.POINTS of n random points, timed to completion (readPixels). */
function webglPeer(page: Page, n: number): Promise<number[]> {
  return page.evaluate((n) => {
    const c = document.createElement('canvas');
    c.width = 1280;
    c.height = 720;
    const gl = c.getContext('webgl2', { antialias: false, preserveDrawingBuffer: true });
    if (!gl) return [NaN];
    const vs = `#version 300 es
in vec2 p; in vec4 c; uniform vec2 t; out vec4 vc;
void main() { gl_Position = vec4(p + t, 0.0, 1.0); gl_PointSize = 2.0; vc = c; }`;
    const fs = `#version 300 es
precision mediump float; in vec4 vc; out vec4 o;
void main() { o = vec4(vc.rgb, 0.55); }`;
    const shader = (type: number, src: string) => {
      const s = gl.createShader(type)!;
      gl.shaderSource(s, src);
      gl.compileShader(s);
      return s;
    };
    const prog = gl.createProgram()!;
    gl.attachShader(prog, shader(gl.VERTEX_SHADER, vs));
    gl.attachShader(prog, shader(gl.FRAGMENT_SHADER, fs));
    gl.linkProgram(prog);
    gl.useProgram(prog);
    let s = 7;
    const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const pos = new Float32Array(2 * n).map(() => r() * 1.6 - 0.8);
    const col = new Uint8Array(4 * n).map(() => (r() * 255) | 0);
    const attr = (name: string, data: ArrayBufferView, size: number, type: number, norm: boolean) => {
      gl.bindBuffer(gl.ARRAY_BUFFER, gl.createBuffer());
      gl.bufferData(gl.ARRAY_BUFFER, data, gl.STATIC_DRAW);
      const loc = gl.getAttribLocation(prog, name);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, type, norm, 0, 0);
    };
    attr('p', pos, 2, gl.FLOAT, false);
    attr('c', col, 4, gl.UNSIGNED_BYTE, true);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.SRC_ALPHA, gl.ONE_MINUS_SRC_ALPHA);
    const px = new Uint8Array(4);
    const ms: number[] = [];
    const loc = gl.getUniformLocation(prog, 't');
    for (let k = 0; k < 6; k++) {
      const t0 = performance.now();
      gl.clearColor(1, 1, 1, 1);
      gl.clear(gl.COLOR_BUFFER_BIT);
      gl.uniform2f(loc, 0.002 * k, 0);
      gl.drawArrays(gl.POINTS, 0, n);
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, px);
      ms.push(performance.now() - t0);
    }
    return ms.slice(1); // the first draw includes the upload
  }, n);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
