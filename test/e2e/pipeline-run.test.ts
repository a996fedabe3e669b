// The viewer over real runs made by the pipeline: a small MNIST run (images in the tooltip, the detail
// panel's original and reconstruction, neighbour thumbnails), and a run started from the new-run form,
// followed live through the event stream until its map opens; and a UMAP run chosen in that form.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildViewer, countPixels, launchBrowser, openViewer, ROOT, screenshot, startServer } from './browser.js';

const run = promisify(execFile);
let runsDir: string;
let web: { dir: string; cleanup: () => Promise<void> };
let server: { url: string; close: () => Promise<void> };
let chrome: { browser: Browser; close: () => Promise<void> };

beforeAll(async () => {
  runsDir = await mkdtemp(path.join(tmpdir(), 'latentmap-e2e-run-'));
  await run(
    process.execPath,
    [path.join(ROOT, 'bin/latentmap.js'), 'run', '--dataset', 'mnist', '--limit', '300', '--reducer', 'autoencoder', '--epochs', '2', '--iterations', '250', '--runs-dir', runsDir, '--id', 'mnist-small'],
    { cwd: ROOT, timeout: 180_000 },
  );
  web = await buildViewer();
  server = await startServer(runsDir, web.dir);
  chrome = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await chrome?.close();
  await server?.close();
  await web?.cleanup();
  if (runsDir) await rm(runsDir, { recursive: true, force: true });
});

type Hook = { screenOf(row: number): [number, number] | null };

async function imagesLoaded(page: Page, selector: string): Promise<number[]> {
  await page.waitForFunction((sel) => {
    const imgs = [...document.querySelectorAll<HTMLImageElement>(sel)];
    return imgs.length > 0 && imgs.every((i) => i.complete);
  }, selector);
  return page.$$eval(selector, (imgs) => (imgs as HTMLImageElement[]).map((i) => i.naturalWidth));
}

describe('viewer over pipeline runs', () => {
  it('shows digit images in the tooltip and the detail panel, with neighbour thumbnails', async () => {
    const { page, errors } = await openViewer(chrome.browser, server.url);
    expect(await countPixels(page, null)).toBeGreaterThan(300);
    expect(await page.locator('.legend-item').count()).toBe(10);
    const pos = (await page.evaluate(() => (window as unknown as { latentmap: Hook }).latentmap.screenOf(17)))!;
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
      const app = (window as unknown as { latentmap: { primary: { points: { x: Float32Array; y: Float32Array }; view: { setView(v: object): void } } } }).latentmap;
      app.primary.view.setView({ cx: app.primary.points.x[17], cy: app.primary.points.y[17], k: 60 });
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

  it('starts a run from the new-run form, shows its progress, and opens its map when done', async () => {
    const { page } = await openViewer(chrome.browser, server.url);
    await page.locator('#new-run').click();
    const dialog = page.locator('dialog.new-run');
    await dialog.waitFor();
    await page.locator('#nr-dataset').fill('iris');
    await page.locator('#nr-limit').fill('');
    await page.locator('#nr-epochs').fill('3');
    await page.locator('#nr-iterations').fill('250');
    await page.locator('#nr-name').fill('iris from the form');
    // the form's defaults are the schema's: code size and layers auto
    expect(await page.locator('#nr-codeSize').inputValue()).toBe('auto');
    expect(await page.locator('#nr-layers').inputValue()).toBe('auto');
    expect(await page.locator('#nr-reducer').inputValue()).toBe('auto');
    // an explicit code size wider than iris (4 features): the job fails and says why
    await page.locator('#nr-codeSize').fill('8');
    await page.locator('dialog.new-run button[type=submit]').click();
    await page.locator('.run-progress .form-error').waitFor({ timeout: 120_000 });
    expect(await page.locator('.run-progress .form-error').textContent()).toMatch(/code size/i);
    await page.getByRole('button', { name: 'Edit and retry' }).click();
    await page.locator('#nr-codeSize').fill('auto');
    await page.locator('dialog.new-run button[type=submit]').click();
    await page.locator('.run-progress progress').waitFor();
    await page.waitForFunction(() => /train|tsne|prepare|load|encode|metrics|write/.test(document.querySelector('.run-progress .stage')?.textContent ?? ''), null, { timeout: 120_000 });
    await screenshot(page, 'viewer-new-run-progress');
    // the dialog closes and the new run's map opens once the job completes
    await dialog.waitFor({ state: 'hidden', timeout: 150_000 });
    await page.waitForFunction(() => document.querySelector('.pane.primary .pane-title')?.textContent?.includes('iris from the form'), null, { timeout: 30_000 });
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    expect(await countPixels(page, null)).toBeGreaterThan(150);
    expect(await page.locator('.legend-item').count()).toBe(3);
    expect(await page.evaluate(() => location.hash)).toMatch(/run=/);
    await screenshot(page, 'viewer-new-run-done');
    await page.context().close();
  }, 240_000);

  it('starts a UMAP run from the new-run form: the map method and its options reach the run, the pane names UMAP', async () => {
    const { page } = await openViewer(chrome.browser, server.url);
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
    await page.waitForFunction(() => /N Neighbors|nNeighbors/.test(document.querySelector('dialog.new-run .form-error')?.textContent ?? ''), null, { timeout: 30_000 });
    await page.locator('#nr-map').selectOption('umap');
    await page.locator('dialog.new-run button[type=submit]').click();
    await dialog.waitFor({ state: 'hidden', timeout: 150_000 });
    await page.waitForFunction(() => document.querySelector('.pane.primary .pane-title')?.textContent?.includes('iris umap from the form'), null, { timeout: 30_000 });
    expect(await page.locator('.pane.primary .pane-title').textContent()).toMatch(/UMAP · trust 0\.9\d\d · label acc 0\.9\d\d/);
    const id = (await page.evaluate(() => location.hash)).match(/run=([^&]+)/)![1]!;
    const manifest = await (await fetch(`${server.url}/api/runs/${decodeURIComponent(id)}`)).json();
    expect(manifest.config).toMatchObject({ map: 'umap', nNeighbors: 10, reducer: 'none' });
    await page.context().close();
  }, 240_000);
});
