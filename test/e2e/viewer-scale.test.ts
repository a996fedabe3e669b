// The viewer at a million points in a real browser: while the map moves, frames draw the level of detail
// (fewer points than the map holds) or a pan of the previous frame; once it rests, the picture is the exact
// complete one, pixel for pixel the picture drawn from scratch. Hover, rectangle selection and its
// highlighting answer exactly, checked against a linear scan over all million points. No times are
// asserted (bench:viewer measures them).
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { screenshot } from './browser.js';
import { writeClusterRun, type ClusterRun } from './fixture.js';
import { useViewer } from './use-viewer.js';

const ROWS = 1_000_000;
let run: ClusterRun;
const viewer = useViewer({
  name: 'scale',
  runs: async (runsDir) => {
    run = await writeClusterRun(runsDir, { id: 'million', rows: ROWS, clusters: 10, seed: 5, pointsOnly: true, name: 'a million points' });
  },
  cacheBytes: 1024 * 2 ** 20,
});

/** Opens the million-point map and waits until its exact picture is on screen. */
async function open(): Promise<{ page: Page; errors: string[] }> {
  // a million points take their time to arrive and draw on a loaded machine: the same wait as for the exact picture
  const opened = await viewer.open('/#run=million', { timeout: 120_000 });
  opened.page.setDefaultTimeout(120_000);
  await opened.page.waitForFunction(() => {
    const view = window.latentmap.primary?.view;
    return !!view && view.ready() && view.lastDrawn.exact && view.lastDrawn.points > 0;
  }, null, { timeout: 120_000 });
  return opened;
}

/** A checksum of the point canvas's pixels (FNV-1a over RGBA). */
function canvasHash(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = window.latentmap.primary!.view.canvas;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let h = 0x811c9dc5;
    for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i], 0x01000193);
    return h >>> 0;
  });
}

/** Waits until the map has settled and its exact picture is back on the canvas. */
async function settled(page: Page): Promise<void> {
  await page.waitForTimeout(400);
  await page.waitForFunction(() => window.latentmap.primary!.view.lastDrawn.exact, null, { timeout: 60_000 });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * The ink of the point canvas (the sum over pixels of 765 - r - g - b) inside and outside the screen
 * box of a data-space polygon's bounding box.
 */
function darkness(page: Page, polygon: number[]): Promise<{ inside: number; outside: number }> {
  return page.evaluate((poly) => {
    const view = window.latentmap.primary!.view;
    const c = view.canvas;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    const dpr = c.width / view.overlay.getBoundingClientRect().width;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let k = 0; k < poly.length; k += 2) {
      const [sx, sy] = view.toScreen(poly[k], poly[k + 1]);
      xs.push(sx * dpr);
      ys.push(sy * dpr);
    }
    const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
    let inside = 0;
    let outside = 0;
    for (let y = 0; y < c.height; y++) {
      for (let x = 0; x < c.width; x++) {
        const p = 4 * (y * c.width + x);
        const ink = 765 - data[p] - data[p + 1] - data[p + 2];
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1) inside += ink;
        else outside += ink;
      }
    }
    return { inside, outside };
  }, polygon);
}

describe('a million points', () => {
  it('draws fewer points while zooming and panning, and the exact complete picture once the map rests', async () => {
    const { page, errors } = await open();
    const before = await canvasHash(page);
    // the exact picture drawn from scratch is the one on screen
    await page.evaluate(() => window.latentmap.primary!.view.draw(true));
    expect(await canvasHash(page)).toBe(before);

    // zoom in and out again programmatically: each moving frame draws the level of detail
    const frames = await page.evaluate(() => {
      const view = window.latentmap.primary!.view;
      const v0 = view.getView();
      const out: { points: number; exact: boolean }[] = [];
      for (const k of [1.3, 1.7, 1.3, 1]) {
        view.setView({ ...v0, k: v0.k * k });
        view.draw();
        out.push({ ...view.lastDrawn });
      }
      return out;
    });
    for (const f of frames) {
      expect(f.exact).toBe(false);
      expect(f.points).toBeGreaterThan(1000);
      expect(f.points).toBeLessThan(ROWS);
    }
    await settled(page);
    expect(await canvasHash(page)).toBe(before);

    // a real drag pans by whole-pixel shifts of the last frame; at rest the picture is the one drawn from scratch
    const box = (await page.locator('.pane.primary canvas.scatter-overlay').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 90, box.y + box.height / 2 + 35, { steps: 12 });
    await page.mouse.up();
    await settled(page);
    const panned = await canvasHash(page);
    expect(panned).not.toBe(before);
    await page.evaluate(() => window.latentmap.primary!.view.draw(true));
    expect(await canvasHash(page)).toBe(panned);
    await screenshot(page, 'scale-million-panned');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

  it('past the grid threshold, shows the complete picture before the grid, then hovers and rests exactly once it is built', async () => {
    const { page, errors } = await open();
    // the same million points set again with the threshold of ten-million-point maps lowered below them
    const before = await page.evaluate(() => {
      const view = window.latentmap.primary!.view;
      // the view's own state, not its public interface
      const inner = view as unknown as { pointsCanvas: { layer: { gridSyncPoints: number } }; points: Parameters<typeof view.setPoints>[0]; colors: Uint32Array };
      inner.pointsCanvas.layer.gridSyncPoints = 500_000;
      view.setPoints(inner.points, inner.colors);
      const readyAtOnce = view.ready();
      view.draw(true);
      return { readyAtOnce, drawn: { ...view.lastDrawn }, readyAfterDraw: view.ready() };
    });
    expect(before.readyAtOnce).toBe(false);
    // the first picture: every point, the exact picture in input order, with no grid yet
    expect(before.drawn).toEqual({ points: ROWS, exact: true, sampled: false });
    expect(before.readyAfterDraw).toBe(false);
    // the grid is built between tasks, the picture redrawn in its order and the level of detail warmed up
    await page.waitForFunction(() => window.latentmap.primary!.view.ready(), null, { timeout: 120_000 });
    await settled(page);
    const rest = await canvasHash(page);
    await page.evaluate(() => window.latentmap.primary!.view.draw(true));
    expect(await canvasHash(page)).toBe(rest);
    // hover answers exactly
    const probe = await page.evaluate(() => {
      const { view, points } = window.latentmap.primary!;
      const [sx, sy] = view.toScreen(points.x[1234], points.y[1234]);
      const picked = view.pick(sx, sy);
      const [dx, dy] = view.toData(sx, sy);
      let best = -1;
      let bestD = Infinity;
      for (let i = 0; i < points.n; i++) {
        const d = (points.x[i] - dx) ** 2 + (points.y[i] - dy) ** 2;
        if (d < bestD) (bestD = d), (best = i);
      }
      return { picked, best };
    });
    expect(probe.picked).toBe(probe.best);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

  it('hit-tests the nearest point, selects a rectangle exactly and highlights it', async () => {
    const { page, errors } = await open();
    // hover: the point under the pointer is the nearest one, by a linear scan of all million points
    const probes = await page.evaluate(() => {
      const app = window.latentmap;
      const { view, points } = app.primary!;
      const out: { picked: number; nearest: number }[] = [];
      let s = 17;
      const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
      for (let q = 0; q < 40; q++) {
        // positions near points (every tenth probe at a random row), so most probes hit
        const row = Math.floor(r() * points.n);
        const [sx, sy] = view.toScreen(points.x[row], points.y[row]);
        const px = sx + (r() - 0.5) * 6;
        const py = sy + (r() - 0.5) * 6;
        const picked = view.pick(px, py);
        const [dx, dy] = view.toData(px, py);
        let best = -1;
        let bestD = Infinity;
        for (let i = 0; i < points.n; i++) {
          const ex = points.x[i] - dx;
          const ey = points.y[i] - dy;
          const d = ex * ex + ey * ey;
          if (d < bestD) (bestD = d), (best = i);
        }
        out.push({ picked, nearest: best });
      }
      return out;
    });
    for (const p of probes) expect(p.picked).toBe(p.nearest);

    // a real hover over a row in view shows its tooltip
    const pos = await page.evaluate(() => {
      const app = window.latentmap;
      const r = app.primary!.view.overlay.getBoundingClientRect();
      for (let row = 4321; ; row++) {
        const [sx, sy] = app.primary!.view.toScreen(app.primary!.points.x[row], app.primary!.points.y[row]);
        if (sx > 20 && sy > 20 && sx < r.width - 20 && sy < r.height - 20) return [r.left + sx, r.top + sy];
      }
    });
    await page.mouse.move(pos[0], pos[1]);
    await page.locator('.tooltip').waitFor({ state: 'visible' });
    expect(await page.locator('.tooltip').textContent()).toMatch(/Row \d+/);
    await page.mouse.move(2, 2);

    // a rectangle around cluster 3's centre: the count the viewer shows is the exact count
    const c = run.centers[3];
    const rect = [c[0] - 4, c[1] - 4, c[0] + 4, c[1] - 4, c[0] + 4, c[1] + 4, c[0] - 4, c[1] + 4];
    const before = await darkness(page, rect);
    await page.evaluate((poly) => window.latentmap.select('rect', poly), rect);
    await page.locator('#selection-panel').waitFor({ state: 'visible' });
    let expected = 0;
    for (let i = 0; i < ROWS; i++) if (run.x[i] >= c[0] - 4 && run.x[i] <= c[0] + 4 && run.y[i] >= c[1] - 4 && run.y[i] <= c[1] + 4) expected++;
    expect(await page.evaluate(() => window.latentmap.selectionCount())).toBe(expected);
    expect(Number(await page.locator('.selection-count').getAttribute('data-count'))).toBe(expected);
    expect(expected).toBeGreaterThan(50_000);

    // highlighting: once the exact picture is back, the map outside the rectangle fades towards the
    // background (the dense cores less: hundreds of dimmed points still overlap there) and the selected
    // points keep their ink
    await settled(page);
    const after = await darkness(page, rect);
    expect(before.inside).toBeGreaterThan(0);
    expect(after.inside).toBeGreaterThan(0.8 * before.inside);
    expect(after.outside).toBeLessThan(0.85 * before.outside);
    await screenshot(page, 'scale-million-selection');
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);
});
