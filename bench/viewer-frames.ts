// npm run bench:viewer-frames [-- N] (SAMPLE=0: without the compact level-of-detail sample): the viewer's pan and zoom frames in Node, as CPU milliseconds per frame
// (process.cpuUsage, so other processes on a shared machine do not count). The real PointsLayer (DOM-free)
// draws N points (default 1,000,000) in ten Gaussian clusters into a 1280 x 720 buffer: one exact picture, 40
// pan frames, then 40 zoom frames (x1.15 steps between k 1 and 8, about the centre), as bench:viewer scripts
// them in chromium. With WARM=1 the layer's warm-up (run by the viewer after its first exact picture) runs
// first. Prints median [p95] and max, and every zoom frame. For chasing V8 deoptimizations:
// node --trace-deopt --import tsx bench/viewer-frames.ts
// N is a whole number of at least 1; no flags are taken: a flag, a second argument or a bad N is one line on
// stderr and exit 2.
import { PointsLayer } from '../web/src/scatter/points-layer.js';
import * as T from '../web/src/scatter/transform.js';
import { pointStyle } from '../web/src/scatter/render.js';
import { readCommandLine, wholeNumberOf } from './flags.js';

const { args } = readCommandLine(import.meta.url, {}, { usage: '[N]', min: 0, max: 1 }, {
  check: ({ args: [text] }) => void (text === undefined || wholeNumberOf(text, 'N', 1)),
});
const n = args[0] === undefined ? 1_000_000 : wholeNumberOf(args[0], 'N', 1);
let s = 12345;
const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const x = new Float32Array(n), y = new Float32Array(n);
for (let i = 0; i < n; i++) { const c = i % 10; const a = rnd() * 6.283, r = Math.sqrt(-2 * Math.log(rnd() + 1e-9)); x[i] = Math.cos(c) * 30 + r * Math.cos(a) * 4; y[i] = Math.sin(c) * 30 + r * Math.sin(a) * 4; }
const colors = new Uint32Array(n); for (let i = 0; i < n; i++) colors[i] = (0xff000000 | (i % 10) * 0x151515) >>> 0;
const extent = { xmin: -45, xmax: 45, ymin: -45, ymax: 45 };
const pts = { n, x, y, extent, isNew: null } as never;
const layer = new PointsLayer(0xffffffff);
// the grid at once (the viewer builds a big map's grid between tasks after its first picture); SAMPLE=0: moving
// frames read the map's whole arrays, not the level of detail's compact sample, at any size
layer.gridSyncPoints = Infinity;
if (process.env.SAMPLE === '0') layer.sampleMinPoints = Infinity;
layer.setPoints(pts, colors);
const W = 1280, H = 720;
const fit = T.fitExtent(extent, W, H);
const pixels = new Uint32Array(W * H);
let t: T.ZoomState = { k: 1, x: 0, y: 0 } as never;
const frame = (moving: boolean) => {
  const { radius } = pointStyle(n, t.k);
  const b = T.visibleBox(fit, t);
  const m = (radius + 2) / (fit.scale * t.k);
  const g = { transform: T.renderTransform(fit, t, 1), box: { xmin: b.xmin - m, xmax: b.xmax + m, ymin: b.ymin - m, ymax: b.ymax + m }, k: t.k, dpr: 1, width: W, height: H };
  const c0 = process.cpuUsage();
  layer.draw(pixels, g, moving, false, () => {});
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
console.log('exact first', frame(false).toFixed(1));
if (process.env.WARM) { const { radius } = pointStyle(n, 1); const b = T.visibleBox(fit, t); const m = (radius + 2) / fit.scale; layer.warmUp({ transform: T.renderTransform(fit, t, 1), box: { xmin: b.xmin - m, xmax: b.xmax + m, ymin: b.ymin - m, ymax: b.ymax + m }, k: 1, dpr: 1, width: W, height: H }); }
await new Promise((r) => setTimeout(r, 1000));
// pan: 40 frames
const pan: number[] = [];
for (let i = 0; i < 40; i++) { t = { ...t, x: t.x + (Math.floor(i / 10) % 2 ? -1 : 1) * 19 } as never; pan.push(frame(true)); }
const zoom: number[] = [];
for (let i = 0; i < 40; i++) {
  const up = Math.floor(i / 15) % 2 === 0;
  const k = Math.max(1, Math.min(8, t.k * (up ? 1.15 : 1 / 1.15)));
  // zoom about the centre
  const cx = W / 2, cy = H / 2;
  t = { k, x: cx - ((cx - t.x) * k) / t.k, y: cy - ((cy - t.y) * k) / t.k } as never;
  zoom.push(frame(true));
}
const st = (a: number[]) => { const q = a.slice().sort((p, r) => p - r); return `${q[20].toFixed(1)} [${q[38].toFixed(1)}] max ${q[39].toFixed(1)}`; };
console.log('pan', st(pan), 'zoom', st(zoom));
console.log('zoom frames', zoom.map((v) => v.toFixed(0)).join(' '));
