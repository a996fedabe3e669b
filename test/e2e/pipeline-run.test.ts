// The viewer over real runs made by the pipeline: a small MNIST run (images in the tooltip, the detail
// panel's original and reconstruction, neighbour thumbnails), and a run started from the new-run form,
// followed live through the event stream until its map opens; and a UMAP run chosen in that form.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { decodeLayoutFrame, type LayoutFrame } from '../../pipeline/layout-frame.js';
import { OKABE_ITO } from '../../web/src/colors.js';
import { countPixels, hexToRgb, ROOT, screenshot } from './browser.js';
import { useViewer } from './use-viewer.js';
import { startFormingIrisRun } from './forming-run.js';

const run = promisify(execFile);
const viewer = useViewer({
  name: 'run',
  runs: async (runsDir) => {
    await run(
      process.execPath,
      [path.join(ROOT, 'bin/latentmap.js'), 'run', '--dataset', 'mnist', '--limit', '300', '--reducer', 'autoencoder', '--epochs', '2', '--iterations', '250', '--runs-dir', runsDir, '--id', 'mnist-small'],
      { cwd: ROOT, timeout: 180_000 },
    );
  },
  timeout: 240_000,
});

async function imagesLoaded(page: Page, selector: string): Promise<number[]> {
  await page.waitForFunction((sel) => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>(sel)];
    return imgs.length > 0 && imgs.every((i) => i.complete);
  }, selector);
  return page.$$eval(selector, (imgs) => (imgs as HTMLImageElement[]).map((i) => i.naturalWidth));
}

describe('viewer over pipeline runs', () => {
  it('shows digit images in the tooltip and the detail panel, with neighbour thumbnails', async () => {
    const { page, errors } = await viewer.open();
    expect(await countPixels(page, null)).toBeGreaterThan(300);
    expect(await page.locator('.legend-item').count()).toBe(10);
    const pos = (await page.evaluate(() => window.latentmap.screenOf(17)))!;
    await page.mouse.move(pos[0], pos[1]);
    await page.locator('.tooltip img').waitFor();
    expect(await imagesLoaded(page, '.tooltip img')).toEqual([28]);
    await page.mouse.click(pos[0], pos[1]);
    await page.locator('#detail-panel .pair img').first().waitFor();
    // original and reconstruction, both real 28x28 PNGs from the server
    expect(await imagesLoaded(page, '#detail-panel .pair img')).toEqual([28, 28]);
    await page.locator('#detail-panel .neighbor img').first().waitFor();
    const thumbs = await imagesLoaded(page, '#detail-panel .neighbor img');
    expect(thumbs).toHaveLength(10);
    expect(thumbs.every((w) => w === 28)).toBe(true);
    expect(await page.locator('#detail-panel').textContent()).toContain('reconstruction error');
    // zoomed in far enough, the points become their digit images
    await page.keyboard.press('Escape');
    await page.evaluate(() => {
      const app = window.latentmap;
      // centre on the point with the most others within a 60th of the map's extent (a fixed row may sit alone
      // when the layout changes), so several images are in view
      const { x, y } = app.primary!.points;
      let minX = Infinity, maxX = -Infinity;
      for (const v of x) { minX = Math.min(minX, v); maxX = Math.max(maxX, v); }
      const r = (maxX - minX) / 60;
      let best = 0, most = -1;
      for (let i = 0; i < x.length; i++) {
        let n = 0;
        for (let j = 0; j < x.length; j++) if (Math.abs(x[j]! - x[i]!) < r && Math.abs(y[j]! - y[i]!) < r) n++;
        if (n > most) { most = n; best = i; }
      }
      app.primary!.view.setView({ cx: x[best], cy: y[best], k: 60 });
    });
    await page.waitForFunction(() => {
      const c = document.querySelector('.pane.primary canvas.scatter-overlay') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let p = 0; p < d.length; p += 4) if (d[p + 3] === 255 && d[p] < 30 && d[p + 1] < 30 && d[p + 2] < 30) dark++;
      return dark > 2000; // at least a few 24-56 px digit images (black backgrounds) drawn
    });
    await screenshot(page, 'viewer-mnist-thumbnails');
    // color by reconstruction error switches the legend to a color bar
    await page.locator('#color-by').selectOption('error');
    await page.locator('#legend canvas.colorbar').waitFor();
    await screenshot(page, 'viewer-mnist-detail');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('explains a rectangle selection with the decoder’s picture of its mean code beside the mean of its rows', async () => {
    const { page, errors } = await viewer.open();
    const pos = (await page.evaluate(() => window.latentmap.screenOf(17)))!;
    await page.keyboard.press('r');
    await page.mouse.move(pos[0] - 70, pos[1] - 70);
    await page.mouse.down();
    await page.mouse.move(pos[0] + 70, pos[1] + 70, { steps: 6 });
    await page.mouse.up();
    await page.waitForFunction(() => location.hash.includes('sel=rect'));
    const count = Number(await page.locator('.selection-count').getAttribute('data-count'));
    expect(count).toBeGreaterThan(5);
    // two 28x28 pictures drawn at 4x by the server: the mean of the rows and the decoded mean code
    expect(await imagesLoaded(page, '#selection-panel .typical img')).toEqual([112, 112]);
    const captions = await page.locator('#selection-panel .typical figcaption').allTextContents();
    expect(captions).toEqual([`mean of ${count.toLocaleString('en-US')} rows`, 'decoded mean code']);
    expect(await page.locator('#selection-panel .typical-note').textContent()).toMatch(/decoder applied to the selection's mean code/);
    // the decoded picture is drawn from the model, not a copy of the mean: correlated with the mean (the default
    // residual autoencoder starts as PCA, whose reconstruction of a mean is close to it) but not equal to it
    // pixel for pixel (the server test checks on a trained model that each digit's decoded mean is nearest its
    // own mean)
    const r = await page.evaluate(() => {
      const grey = (img: HTMLImageElement) => {
        const c = document.createElement('canvas');
        c.width = img.naturalWidth;
        c.height = img.naturalHeight;
        const ctx = c.getContext('2d')!;
        ctx.drawImage(img, 0, 0);
        const d = ctx.getImageData(0, 0, c.width, c.height).data;
        return Array.from({ length: d.length / 4 }, (_, i) => d[i * 4]);
      };
      const [a, b] = [...document.querySelectorAll<HTMLImageElement>('#selection-panel .typical img')].map(grey);
      const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
      const ma = mean(a);
      const mb = mean(b);
      let ab = 0;
      let aa = 0;
      let bb = 0;
      for (let i = 0; i < a.length; i++) {
        ab += (a[i] - ma) * (b[i] - mb);
        aa += (a[i] - ma) ** 2;
        bb += (b[i] - mb) ** 2;
      }
      let maxDiff = 0;
      for (let i = 0; i < a.length; i++) maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
      return { corr: ab / Math.sqrt(aa * bb), maxDiff };
    });
    expect(r.corr).toBeGreaterThan(0.1);
    expect(r.maxDiff).toBeGreaterThan(8);
    // what sets it apart: the pixels (a heat map over the 28x28 grid and the top ones listed) and the code units
    await page.locator('#selection-panel .explain-units tbody tr').first().waitFor({ timeout: 30_000 });
    const columns = await page.locator('#selection-panel .explain-columns tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    const pixels = columns.filter((c) => /^pixel_\d+ \(\d+, \d+\)$/.test(c[0]));
    expect(pixels.length).toBeGreaterThanOrEqual(6);
    // a selection around one digit differs from the rest by more than a pooled standard deviation somewhere
    expect(Math.abs(Number(pixels[0][1]))).toBeGreaterThan(0.8);
    const units = await page.locator('#selection-panel .explain-units tbody tr td:first-child').allTextContents();
    expect(units.length).toBeGreaterThanOrEqual(1);
    for (const u of units) expect(u).toMatch(/^unit \d+$/);
    const heat = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('#selection-panel canvas.explain-heat')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let green = 0;
      let pink = 0;
      for (let p = 0; p < d.length; p += 4) {
        if (d[p + 1] > d[p] + 40) green++;
        else if (d[p] > d[p + 1] + 40) pink++;
      }
      return { width: c.width, height: c.height, green, pink };
    });
    expect([heat.width, heat.height]).toEqual([28, 28]);
    // pixels brighter and darker in the selection than in the rest both show
    expect(heat.green).toBeGreaterThan(10);
    expect(heat.pink).toBeGreaterThan(10);
    await page.locator('#selection-panel .explain').scrollIntoViewIfNeeded();
    await screenshot(page, 'explain-pixels-mnist');
    await page.locator('#selection-panel .typical').scrollIntoViewIfNeeded();
    await screenshot(page, 'explain-decoded-mnist');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('draws lines from a clicked point to its nearest rows in input space', async () => {
    const { page, errors } = await viewer.open();
    const pos = (await page.evaluate(() => window.latentmap.screenOf(17)))!;
    await page.mouse.click(pos[0], pos[1]);
    await page.waitForFunction(() => window.latentmap.inputNeighborPositions().length === 10);
    // the rows the server finds in input space, in the map's positions
    const drawn = await page.evaluate(() => {
      const app = window.latentmap;
      return app.inputNeighborPositions().map((p) => app.primary!.points.index[p]);
    });
    const served = (await (await fetch(`${viewer.url}/api/runs/mnist-small/neighbors/17?k=10&space=input`)).json()) as { neighbors: { index: number }[] };
    expect(drawn).toEqual(served.neighbors.map((n) => n.index));
    expect(await page.locator('#detail-panel .input-links').textContent()).toMatch(/Lines: its 10 nearest rows in input space.*Neighbourhood preservation of this row: [\d.]+/);
    // the lines are on the overlay in their color (#1d6fb8)
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const blue = await page.evaluate(() => {
      const c = document.querySelector('.pane.primary canvas.scatter-overlay') as HTMLCanvasElement;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let p = 0; p < d.length; p += 4) if (d[p + 3] > 200 && Math.abs(d[p] - 0x1d) < 25 && Math.abs(d[p + 1] - 0x6f) < 25 && Math.abs(d[p + 2] - 0xb8) < 25) n++;
      return n;
    });
    expect(blue).toBeGreaterThan(40);
    await screenshot(page, 'input-space-lines');
    // closing the detail removes them
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => window.latentmap.inputNeighborPositions())).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('starts a run from the new-run form, shows its progress, and opens its map when done', async () => {
    const { page } = await viewer.open('/', { timeout: 120_000 });
    await page.locator('#new-run').click();
    const dialog = page.locator('dialog.new-run');
    await dialog.waitFor();
    await page.locator('#nr-dataset').fill('iris');
    await page.locator('#nr-limit').fill('');
    await page.locator('#nr-epochs').fill('3');
    // t-SNE far longer than the test (a short run could end, and the dialog close, before the chart was seen);
    // its Stop ends it below
    await page.locator('#nr-iterations').fill('100000');
    await page.locator('#nr-name').fill('iris from the form');
    // the form's defaults are the schema's: code size and layers auto
    expect(await page.locator('#nr-codeSize').inputValue()).toBe('auto');
    expect(await page.locator('#nr-layers').inputValue()).toBe('auto');
    expect(await page.locator('#nr-reducer').inputValue()).toBe('auto');
    // an explicit code size wider than iris (4 features): refused at submission (pipeline/input-fit.ts), the
    // form says why and stays open to be edited
    await page.locator('#nr-codeSize').fill('8');
    await page.locator('dialog.new-run button[type=submit]').click();
    const refused = page.locator('#nr-codeSize-error').filter({ hasText: /code size/i });
    await refused.waitFor({ timeout: 60_000 });
    expect(await refused.textContent()).toMatch(/^Code size: the code size \(8\) must be smaller than the input width \(4 columns\)/);
    await page.locator('#nr-codeSize').fill('auto');
    await page.locator('dialog.new-run button[type=submit]').click();
    await page.locator('.run-progress progress').waitFor();
    // the live loss chart, measured the moment it appears: drawn at the run panel's size (not twice it),
    // with whole-number epoch ticks (3 epochs: no 0.5, 1.5), written whole ("200", "1,000", never "0.2k")
    const chart = await (
      await page.waitForFunction(
        () => {
          const live = document.querySelector('.run-progress .charts svg.chart');
          const panel = document.querySelector('#run-panel svg.chart');
          if (!live || !panel || live.getBoundingClientRect().width === 0) return null;
          const ticks = [...live.querySelectorAll(':scope > g:first-of-type .tick text')].map((t) => t.textContent ?? '');
          return { live: live.getBoundingClientRect().width, panel: panel.getBoundingClientRect().width, ticks };
        },
        null,
        { timeout: 150_000, polling: 50 },
      )
    ).jsonValue();
    expect(chart!.live).toBeLessThan(chart!.panel * 1.25);
    expect(chart!.live).toBeGreaterThan(chart!.panel * 0.75);
    expect(chart!.ticks.length).toBeGreaterThan(0);
    for (const t of chart!.ticks) expect(t).toMatch(/^\d{1,3}(,\d{3})*$/);
    await page.waitForFunction(() => /train|tsne|prepare|load|encode|metrics|write/.test(document.querySelector('.run-progress .stage')?.textContent ?? ''), null, { timeout: 120_000 });
    await screenshot(page, 'viewer-new-run-progress');
    // Stop keeps the map reached; the dialog closes and the new run's map opens once the job completes
    await dialog.locator('.finish-run').click({ timeout: 150_000 });
    await dialog.waitFor({ state: 'hidden', timeout: 150_000 });
    await page.waitForFunction(() => document.querySelector('.pane.primary .pane-title')?.textContent?.includes('iris from the form'), null, { timeout: 30_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await countPixels(page, null)).toBeGreaterThan(150);
    expect(await page.locator('.legend-item').count()).toBe(3);
    expect(await page.evaluate(() => location.hash)).toMatch(/run=/);
    await screenshot(page, 'viewer-new-run-done');
    await page.context().close();
  }, 240_000);

  it('shows the map forming in the main map while t-SNE runs, moving, and Stop keeps the last streamed layout as the run’s map', async () => {
    const { page, errors } = await viewer.open('/', { timeout: 120_000 });
    await startFormingIrisRun(page, 'iris stopped early');
    // the dialog closes; the map looked at stays until the user asks the job badge to watch the run form
    await page.locator('dialog.new-run').getByRole('button', { name: 'Close' }).click();
    await page.locator('dialog.new-run').waitFor({ state: 'hidden' });
    const watch = page.locator('#job-badge').getByRole('button', { name: 'Watch the map' });
    await watch.waitFor({ timeout: 120_000 });
    expect(await page.locator('#maps .pane.live').count()).toBe(0);
    expect(await page.locator('#maps .pane.primary').isVisible()).toBe(true);
    await watch.click();
    // the main map shows the run forming in place of the map looked at
    const live = page.locator('#maps .pane.live');
    await live.locator('canvas.scatter-points').waitFor({ timeout: 120_000 });
    expect(await page.locator('#maps .pane.primary').isHidden()).toBe(true);
    /** The live map's frame count and iteration, and its points canvas as drawn (pixels that are not white). */
    const picture = () =>
      page.evaluate(() => {
        const c = document.querySelector('#maps .pane.live canvas.scatter-points') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        const dark: number[] = [];
        for (let p = 0; p < d.length; p += 4) if (d[p] < 250 || d[p + 1] < 250 || d[p + 2] < 250) dark.push(p >> 2);
        const l = window.latentmap.live;
        return { frames: l.frames, iteration: l.lastFrame?.iteration ?? -1, dark };
      });
    await page.waitForFunction(() => window.latentmap.live.frames >= 2, null, { timeout: 120_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const a = await picture();
    // a few thousand iterations on (a fixed stretch of the run, whatever the machine's speed)
    await page.waitForFunction((a) => window.latentmap.live.frames > a.frames + 1 && (window.latentmap.live.lastFrame?.iteration ?? 0) >= a.iteration + 3000, { frames: a.frames, iteration: a.iteration }, { timeout: 120_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    const b = await picture();
    expect(b.iteration).toBeGreaterThanOrEqual(a.iteration + 3000);
    // the points moved: the two pictures differ in many pixels
    expect(a.dark.length).toBeGreaterThan(150);
    const before = new Set(a.dark);
    const moved = b.dark.filter((p) => !before.has(p)).length;
    expect(moved).toBeGreaterThan(50);
    expect(await live.locator('.pane-title').textContent()).toMatch(/Forming: iris stopped early.*t-SNE iteration [\d,]+ · 150 rows/);
    // coloured by the label the frames carry: a key of iris's three classes, each class's colour drawn, the
    // colours the finished map will give them
    expect(await live.locator('.live-key-item').allTextContents()).toEqual(['setosa', 'versicolor', 'virginica']);
    const liveSwatches = await live.locator('.live-key-item .swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(liveSwatches).toEqual(OKABE_ITO.slice(0, 3).map((hex) => `rgb(${hexToRgb(hex).join(', ')})`));
    for (const hex of OKABE_ITO.slice(0, 3)) expect(await countPixels(page, hexToRgb(hex), 60, 'live')).toBeGreaterThan(20);
    // hovering a point names its row and class
    // (the map still moves a few pixels a frame: the pointer goes where the point is now until it is over it)
    const tooltip = page.locator('.tooltip:not([hidden]) .tooltip-title');
    for (let tries = 0; tries < 20 && !(await tooltip.isVisible()); tries++) {
      const at = (await page.evaluate(() => window.latentmap.live.screenOf(0)))!;
      await page.mouse.move(at[0], at[1]);
      await tooltip.waitFor({ timeout: 1_000 }).catch(() => undefined);
    }
    await tooltip.waitFor({ timeout: 1_000 });
    expect(await page.locator('.tooltip .tooltip-title').textContent()).toMatch(/^Row \d+ · (setosa|versicolor|virginica)$/);
    await screenshot(page, 'viewer-main-map-forming');
    await page.mouse.move(5, 5);
    await live.getByRole('button', { name: 'Stop and keep this map' }).click();
    // the run completes with the layout reached, and its map replaces the forming one
    await page.waitForFunction(() => !document.querySelector('#maps .pane.live') && document.querySelector('#maps .pane.primary .pane-title')?.textContent?.includes('iris stopped early'), null, { timeout: 120_000 });
    await screenshot(page, 'viewer-main-map-stopped');
    const finalSwatches = await page.locator('.legend-item .swatch').evaluateAll((els) => els.map((e) => getComputedStyle(e).backgroundColor));
    expect(finalSwatches).toEqual(liveSwatches);
    const manifest = await page.evaluate(() => (window as unknown as { latentmap: { primary: { id: string; manifest: { metrics: { tsne: { iterations: number } }; notes: string[] } } } }).latentmap.primary);
    expect(manifest.manifest.metrics.tsne.iterations).toBeLessThan(100000);
    expect(manifest.manifest.notes.join(' ')).toMatch(/stopped early on request/);
    // the run's points are the last layout streamed, within the stream's precision (16 bits over its box)
    const last = (await page.evaluate(() => window.latentmap.live.lastFrame))!;
    expect(last.iteration).toBe(manifest.manifest.metrics.tsne.iterations);
    const streamed = decodeLayoutFrame(last as LayoutFrame);
    const points = (await (await fetch(`${viewer.url}/api/runs/${encodeURIComponent(manifest.id)}/points?format=json`)).json()) as { index: number; x: number; y: number }[];
    expect(points).toHaveLength(150);
    const run = (await (await fetch(`${viewer.url}/api/runs/${encodeURIComponent(manifest.id)}`)).json()) as { config: { tsneLearningRate: number } };
    expect(run.config.tsneLearningRate).toBe(0.001);
    const tolX = (last.box[2] - last.box[0]) / 65535 + 1e-5;
    const tolY = (last.box[3] - last.box[1]) / 65535 + 1e-5;
    for (let k = 0; k < streamed.length / 2; k++) {
      const p = points.find((q) => q.index === k * last.stride)!;
      expect(Math.abs(p.x - streamed[2 * k])).toBeLessThanOrEqual(tolX);
      expect(Math.abs(p.y - streamed[2 * k + 1])).toBeLessThanOrEqual(tolY);
    }
    expect(errors).toEqual([]);
    await page.context().close();
  }, 240_000);

  it('starts a UMAP run from the new-run form: the map method and its options reach the run, the pane names UMAP', async () => {
    const { page } = await viewer.open();
    await page.locator('#new-run').click();
    const dialog = page.locator('dialog.new-run');
    await dialog.waitFor();
    await page.locator('#nr-dataset').fill('iris');
    await page.locator('#nr-limit').fill('');
    await page.locator('#nr-reducer').selectOption('none');
    // a UMAP option on the default t-SNE map: refused, in the form's words
    await page.locator('#nr-nNeighbors').fill('10');
    await page.locator('#nr-name').fill('iris umap from the form');
    await page.locator('dialog.new-run button[type=submit]').click();
    await page.waitForFunction(() => (document.getElementById('nr-nNeighbors-error')?.textContent ?? '') !== '', null, { timeout: 30_000 });
    expect(await page.locator('#nr-nNeighbors-error').textContent()).toBe('Neighbours (UMAP): applies only with “Map method” umap (this run uses tsne); remove it or change that setting');
    await page.locator('#nr-map').selectOption('umap');
    await page.locator('dialog.new-run button[type=submit]').click();
    await dialog.waitFor({ state: 'hidden', timeout: 150_000 });
    await page.waitForFunction(() => document.querySelector('.pane.primary .pane-title')?.textContent?.includes('iris umap from the form'), null, { timeout: 30_000 });
    expect(await page.locator('.pane.primary .pane-title').textContent()).toMatch(/UMAP · trust 0\.9\d\d · label acc 0\.9\d\d/);
    const id = (await page.evaluate(() => location.hash)).match(/run=([^&]+)/)![1]!;
    const manifest = await (await fetch(`${viewer.url}/api/runs/${decodeURIComponent(id)}`)).json();
    expect(manifest.config).toMatchObject({ map: 'umap', nNeighbors: 10, reducer: 'none' });
    await page.context().close();
  }, 240_000);
});
