// npm run bench:viewer — the viewer's redraw and hover hit-test times in headless chromium at 10,000,
// 100,000 and 1,000,000 points, against baselines measured in the same run:
//   redraw:  ScatterView.draw (pixel-buffer rasterizer + putImageData) vs a plain Canvas 2D loop
//            (one fillRect per point, batched by color: the usual fast canvas scatterplot)
//   hover:   quadtree nearestVisible (what the viewer does on pointermove) vs a linear scan
// Prints a table; times are medians over repeats (p95 in brackets). The machine is shared: read ratios.
//   flags: --sizes 10000,100000,1000000  --repeats 15  --dpr 1  --screenshot docs/bench-map.png
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { launchBrowser } from '../test/e2e/browser.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : def;
}
const sizes = flag('sizes', '10000,100000,1000000').split(',').map(Number);
const repeats = Number(flag('repeats', '15'));
const dpr = Number(flag('dpr', '1'));
const shot = process.argv.includes('--screenshot') ? flag('screenshot', '') : '';

// The page-side benchmark, bundled from the viewer's own modules.
const PAGE = `
import { ScatterView } from './web/src/scatter/view.ts';
import { buildTree, nearestVisible, nearestVisibleScan } from './web/src/scatter/hit-test.ts';
import { encodeCategory } from './web/src/colors.ts';
import { categoryColumn } from './web/src/points.ts';
import { pointStyle } from './web/src/scatter/render.ts';

function rng(seed) { let s = seed >>> 0 || 1; return () => { s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0; return s / 4294967296; }; }
function normal(r) { return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()); }

function synth(n) {
  const r = rng(12345 + n);
  const x = new Float32Array(n), y = new Float32Array(n);
  const text = new Array(n);
  const centers = Array.from({ length: 10 }, (_, c) => [40 * Math.cos(c * 0.63) + 8 * normal(r), 40 * Math.sin(c * 0.63) + 8 * normal(r)]);
  for (let i = 0; i < n; i++) {
    const c = i % 10;
    x[i] = centers[c][0] + normal(r) * 6;
    y[i] = centers[c][1] + normal(r) * 6;
    text[i] = String(c);
  }
  let xmin = Infinity, xmax = -Infinity, ymin = Infinity, ymax = -Infinity;
  for (let i = 0; i < n; i++) { xmin = Math.min(xmin, x[i]); xmax = Math.max(xmax, x[i]); ymin = Math.min(ymin, y[i]); ymax = Math.max(ymax, y[i]); }
  const label = categoryColumn('label', text);
  return { n, index: Int32Array.from({ length: n }, (_, i) => i), x, y, error: null, isNew: null, label, columns: [label], extent: { xmin, xmax, ymin, ymax } };
}

function stats(ms) { const s = ms.slice().sort((a, b) => a - b); return { median: s[Math.floor(s.length / 2)], p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))] }; }

window.benchSize = async (n, repeats) => {
  const host = document.getElementById('host');
  host.replaceChildren();
  const pts = synth(n);
  const enc = encodeCategory(pts.label);
  const view = new ScatterView(host, {}, {});
  view.setPoints(pts, enc.colors);
  view.draw(true);
  const out = { n };
  // full redraw at the fitted view, and while zoomed in (fewer points in view, bigger sprites)
  for (const [name, v] of [['redraw', null], ['redrawZoomed', 4]]) {
    if (v) { const e = pts.extent; view.setView({ cx: (e.xmin + e.xmax) / 2 + 10, cy: (e.ymin + e.ymax) / 2, k: v }); }
    view.draw(true);
    const ms = [];
    for (let k = 0; k < repeats; k++) { const t0 = performance.now(); view.draw(true); ms.push(performance.now() - t0); }
    out[name] = stats(ms);
  }
  view.resetView();
  // baseline: a plain Canvas 2D scatterplot (one fillRect per point, batched by color; cheaper than arcs,
  // which at 1,000,000 points build paths large enough to crash the renderer)
  {
    const canvas = view.canvas;
    const ctx = canvas.getContext('2d');
    const { width: W, height: H } = view.size();
    const s = Math.min((W - 56) / (pts.extent.xmax - pts.extent.xmin), (H - 56) / (pts.extent.ymax - pts.extent.ymin));
    const { radius, alpha } = pointStyle(n, 1);
    const colors = enc.palette;
    const draw = () => {
      ctx.setTransform(devicePixelRatio, 0, 0, devicePixelRatio, 0, 0);
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, W, H);
      ctx.globalAlpha = alpha;
      for (let c = 0; c < colors.length; c++) {
        ctx.fillStyle = colors[c];
        const codes = pts.label.codes;
        const d = 2 * radius;
        for (let i = 0; i < n; i++) {
          if (codes[i] !== c) continue;
          const px = W / 2 + (pts.x[i] - (pts.extent.xmin + pts.extent.xmax) / 2) * s;
          const py = H / 2 - (pts.y[i] - (pts.extent.ymin + pts.extent.ymax) / 2) * s;
          ctx.fillRect(px - radius, py - radius, d, d);
        }
      }
      ctx.globalAlpha = 1;
      ctx.getImageData(0, 0, 1, 1); // force the raster work to finish inside the timing
    };
    draw();
    const ms = [];
    const reps = n >= 1000000 ? Math.max(3, Math.floor(repeats / 3)) : repeats;
    for (let k = 0; k < reps; k++) { const t0 = performance.now(); draw(); ms.push(performance.now() - t0); }
    out.baselineRedraw = stats(ms);
  }
  // hover: quadtree build, then nearest-visible queries at random pointer positions (hover radius of the viewer)
  {
    const t0 = performance.now();
    const tree = buildTree(pts.x, pts.y);
    out.treeBuild = performance.now() - t0;
    const r = rng(99);
    const e = pts.extent;
    const W = view.size().width;
    const radius = (pointStyle(n, 1).radius + 4) * (e.xmax - e.xmin) / (W - 56);
    const visible = null;
    const qs = 2000;
    const qx = Float64Array.from({ length: qs }, () => e.xmin + r() * (e.xmax - e.xmin));
    const qy = Float64Array.from({ length: qs }, () => e.ymin + r() * (e.ymax - e.ymin));
    let found = 0;
    const t1 = performance.now();
    for (let q = 0; q < qs; q++) if (nearestVisible(tree, pts.x, pts.y, qx[q], qy[q], radius, visible) >= 0) found++;
    out.hover = (performance.now() - t1) / qs;
    out.hoverHits = found / qs;
    const scanQs = n >= 1000000 ? 20 : 200;
    const t2 = performance.now();
    for (let q = 0; q < scanQs; q++) nearestVisibleScan(pts.x, pts.y, qx[q], qy[q], radius, visible);
    out.baselineHover = (performance.now() - t2) / scanQs;
  }
  view.destroy();
  return out;
};
window.benchReady = true;
`;

async function main(): Promise<void> {
  const bundle = await esbuild.build({
    stdin: { contents: PAGE, resolveDir: ROOT, loader: 'js', sourcefile: 'bench-viewer-page.js' },
    bundle: true,
    write: false,
    format: 'iife',
    minify: true,
    platform: 'browser',
  });
  const script = bundle.outputFiles[0].text;
  const chrome = await launchBrowser();
  try {
    const context = await chrome.browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: dpr });
    const page = await context.newPage();
    await page.setContent('<!doctype html><html><body style="margin:0"><div id="host" style="position:fixed;inset:0"></div></body></html>');
    await page.addScriptTag({ content: script });
    await page.waitForFunction(() => (window as unknown as { benchReady?: boolean }).benchReady === true);
    const version = chrome.browser.version();
    console.log(`viewer benchmark — headless chromium ${version}, 1280x720 CSS px, devicePixelRatio ${dpr}, ${repeats} repeats`);
    const rows: Record<string, unknown>[] = [];
    for (const n of sizes) {
      const r = (await page.evaluate(([n, repeats]) => (window as unknown as { benchSize: (n: number, r: number) => Promise<unknown> }).benchSize(n, repeats), [n, repeats] as const)) as {
        n: number;
        redraw: { median: number; p95: number };
        redrawZoomed: { median: number; p95: number };
        baselineRedraw: { median: number; p95: number };
        treeBuild: number;
        hover: number;
        hoverHits: number;
        baselineHover: number;
      };
      rows.push({
        points: n.toLocaleString('en-US'),
        'redraw ms': `${r.redraw.median.toFixed(1)} [${r.redraw.p95.toFixed(1)}]`,
        'zoomed ×4 ms': `${r.redrawZoomed.median.toFixed(1)} [${r.redrawZoomed.p95.toFixed(1)}]`,
        'canvas2d rect ms': `${r.baselineRedraw.median.toFixed(1)} [${r.baselineRedraw.p95.toFixed(1)}]`,
        'redraw speedup': `${(r.baselineRedraw.median / r.redraw.median).toFixed(1)}x`,
        'hover µs': (r.hover * 1000).toFixed(1),
        'scan µs': (r.baselineHover * 1000).toFixed(0),
        'hover speedup': `${(r.baselineHover / r.hover).toFixed(0)}x`,
        'tree build ms': r.treeBuild.toFixed(0),
        'hits %': (100 * r.hoverHits).toFixed(0),
      });
    }
    console.table(rows);
    console.log('redraw: full repaint of every point (render + putImageData); [p95]. canvas2d rect: the same points drawn with one fillRect per point, batched by color.');
    console.log('hover: one quadtree nearest-visible query at a random pointer position; scan: a linear scan over all points.');
    if (shot) {
      await page.evaluate(() => (window as unknown as { benchSize: (n: number, r: number) => Promise<unknown> }).benchSize(100000, 1));
      await page.screenshot({ path: path.resolve(ROOT, shot) });
    }
    await context.close();
  } finally {
    await chrome.close();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
