// The viewer in a real browser over the real server: points drawn (canvas pixels), hover tooltip, legend
// hide/isolate (the hidden class's pixels disappear), lasso count, detail panel with neighbours, URL
// restore, keyboard zoom, compare with linked hover, a narrow window. Screenshots go to test-results/.
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { OKABE_ITO } from '../../web/src/colors.js';
import { selectPolygon } from '../../web/src/scatter/hit-test.js';
import { parseState } from '../../web/src/url-state.js';
import { countPixels, hexToRgb, screenshot, waitForMap } from './browser.js';
import { writeClusterRun, type ClusterRun } from './fixture.js';
import { useViewer } from './use-viewer.js';

const ROWS = 3000;
let runA: ClusterRun;
const viewer = useViewer({
  name: 'viewer',
  runs: async (runsDir) => {
    // run B first so that run A (created later) is the newest, shown by default
    await writeClusterRun(runsDir, { id: 'clusters-b', rows: ROWS, rotate: 0.6, seed: 9, name: 'clusters rotated' });
    await writeClusterRun(runsDir, { id: 'clusters-t', rows: ROWS, seed: 7, name: 'clusters transform', newRows: 300, base: 'clusters-a' });
    await new Promise((r) => setTimeout(r, 20));
    runA = await writeClusterRun(runsDir, { id: 'clusters-a', rows: ROWS, seed: 7 });
  },
});

async function open(hash = '', viewport?: { width: number; height: number }): Promise<{ page: Page; errors: string[] }> {
  return viewer.open(`/${hash ? `#${hash}` : ''}`, { viewport });
}

function centerScreen(page: Page, c: [number, number]): Promise<[number, number]> {
  return page.evaluate(([x, y]) => {
    const app = window.latentmap;
    const [sx, sy] = app.primary!.view.toScreen(x, y);
    const r = app.primary!.view.overlay.getBoundingClientRect();
    return [r.left + sx, r.top + sy] as [number, number];
  }, c);
}

describe('viewer', () => {
  it('draws every cluster of the newest run on the canvas, with a legend of counts', async () => {
    const { page, errors } = await open();
    const drawn = await countPixels(page, null);
    expect(drawn).toBeGreaterThan(ROWS * 2); // several pixels per point
    for (let c = 0; c < 6; c++) expect(await countPixels(page, hexToRgb(OKABE_ITO[c]), 60)).toBeGreaterThan(100);
    const items = await page.locator('.legend-item').allTextContents();
    expect(items).toHaveLength(6);
    expect(items[0]).toContain('500');
    expect(await page.locator('#run-picker').inputValue()).toBe('clusters-a');
    expect(await page.locator('#run-panel').textContent()).toContain('clusters');
    expect(await page.locator('#run-panel svg.chart').count()).toBe(2); // loss and KL curves
    await screenshot(page, 'viewer-map');
    const [png] = await Promise.all([page.waitForEvent('download'), page.locator('#export-png').click()]);
    const bytes = await readFile((await png.path())!);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(png.suggestedFilename()).toBe('clusters-a-map.png');
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('shows a tooltip with the row metadata when hovering a point', async () => {
    const { page } = await open();
    const row = 123;
    const pos = await page.evaluate((r) => window.latentmap.screenOf(r), row);
    expect(pos).not.toBeNull();
    await page.mouse.move(pos![0], pos![1]);
    const tip = page.locator('.tooltip');
    await tip.waitFor({ state: 'visible' });
    const text = (await tip.textContent()) ?? '';
    // the nearest point to the pointer is the row itself unless another lies exactly on top; both are in its cluster
    expect(text).toMatch(/Row \d+ · \d/);
    expect(text).toContain(`${runA.labels[row]}`);
    expect(text).toContain('group');
    expect(text).toContain(['north', 'east', 'south', 'west', 'centre', 'edge'][runA.labels[row]]);
    await screenshot(page, 'viewer-hover');
    await page.mouse.move(2, 2);
    await tip.waitFor({ state: 'hidden' });
    await page.context().close();
  });

  it('hides a class on a legend click and isolates it on a second click', async () => {
    const { page } = await open();
    const orange = hexToRgb(OKABE_ITO[0]);
    const blue = hexToRgb(OKABE_ITO[1]);
    const before = await countPixels(page, orange, 30);
    expect(before).toBeGreaterThan(300);
    await page.locator('.legend-item').first().click();
    await waitForMap(page);
    expect(await countPixels(page, orange, 30)).toBeLessThan(before * 0.02);
    expect(await countPixels(page, blue, 30)).toBeGreaterThan(300);
    expect(await page.locator('.legend-item').first().getAttribute('aria-pressed')).toBe('false');
    await page.locator('.legend-item').first().click(); // isolate
    await waitForMap(page);
    expect(await countPixels(page, orange, 30)).toBeGreaterThan(before * 0.9);
    expect(await countPixels(page, blue, 30)).toBeLessThan(20);
    await screenshot(page, 'viewer-legend-isolate');
    await page.locator('.legend-item').first().click(); // everything back
    await waitForMap(page);
    expect(await countPixels(page, blue, 30)).toBeGreaterThan(300);
    await page.context().close();
  });

  it('counts the points inside a lasso and summarizes them by label', async () => {
    const { page } = await open();
    await page.locator('[data-mode="lasso"]').click();
    const c = runA.centers[2];
    // a 20-gon of radius 12 map units (4 standard deviations) around cluster 2
    const ring: [number, number][] = [];
    for (let k = 0; k <= 20; k++) ring.push([c[0] + 12 * Math.cos((2 * Math.PI * k) / 20), c[1] + 12 * Math.sin((2 * Math.PI * k) / 20)]);
    const screen = await Promise.all(ring.map((p) => centerScreen(page, p)));
    await page.mouse.move(screen[0][0], screen[0][1]);
    await page.mouse.down();
    for (const [x, y] of screen.slice(1)) await page.mouse.move(x, y, { steps: 3 });
    await page.mouse.up();
    await page.locator('#selection-panel').waitFor({ state: 'visible' });
    const shown = Number(await page.locator('.selection-count').getAttribute('data-count'));
    // the exact count for the polygon the viewer stored in the URL, computed here independently
    await page.waitForFunction(() => location.hash.includes('sel=lasso'));
    const state = parseState(await page.evaluate(() => location.hash));
    const sel = state.selection!;
    if (sel.kind !== 'lasso') throw new Error(`expected a lasso, got ${sel.kind}`);
    const expected = selectPolygon(runA.x, runA.y, sel.polygon, null).count;
    expect(shown).toBe(expected);
    expect(shown).toBeGreaterThan(480);
    expect(shown).toBeLessThanOrEqual(500);
    const summary = await page.locator('#selection-panel .summary li').allTextContents();
    expect(summary).toHaveLength(1);
    expect(summary[0]).toContain('2');
    await screenshot(page, 'viewer-lasso');
    // export the selection as CSV: a header and one line per selected row, all of cluster 2
    const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()]);
    const csv = await readFile((await csvDownload.path())!, 'utf8');
    const lines = csv.trim().split('\r\n');
    expect(lines[0]).toBe('index,x,y,error,label,group,score');
    expect(lines).toHaveLength(shown + 1);
    for (const line of lines.slice(1)) expect(line.split(',')[4]).toBe('2');
    const [jsonDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export JSON' }).click()]);
    const json = JSON.parse(await readFile((await jsonDownload.path())!, 'utf8')) as { index: number; label: number }[];
    expect(json).toHaveLength(shown);
    expect(json.every((r) => r.label === 2 && runA.labels[r.index] === 2)).toBe(true);
    await page.keyboard.press('Escape');
    await page.locator('#selection-panel').waitFor({ state: 'hidden' });
    await page.context().close();
  });

  it('opens a detail panel with the row values and its neighbours highlighted', async () => {
    const { page } = await open();
    const row = 40;
    const pos = (await page.evaluate((r) => window.latentmap.screenOf(r), row))!;
    await page.mouse.move(pos[0], pos[1]);
    await page.mouse.down();
    await page.mouse.up();
    const panel = page.locator('#detail-panel');
    await panel.waitFor({ state: 'visible' });
    await page.locator('#detail-panel .neighbor').first().waitFor();
    expect(await page.locator('#detail-panel .neighbor').count()).toBe(10);
    await page.locator('#detail-panel .values-table').waitFor();
    expect(await page.locator('#detail-panel .values-table tbody tr').count()).toBe(6);
    expect(await panel.textContent()).toContain('reconstruction error');
    const neighbors = await page.evaluate(() => window.latentmap.neighborPositions());
    expect(neighbors.length).toBe(10);
    const clicked = Number(/Row (\d+)/.exec((await panel.locator('h3').textContent()) ?? '')![1]);
    for (const n of neighbors) expect(runA.labels[n]).toBe(runA.labels[clicked]);
    await page.waitForFunction(() => /point=\d+/.test(location.hash));
    await screenshot(page, 'viewer-detail');
    await page.context().close();
  });

  it('restores color, hidden classes, selection, zoom and detail from the URL', async () => {
    const { page } = await open();
    await page.locator('#color-by').selectOption('group');
    await page.locator('.legend-item', { hasText: 'east' }).click();
    // the view, fitted, frames the classes still drawn (zoom k0, about 1)
    const k0 = await page.evaluate(() => window.latentmap.primary!.view.getView().k);
    await page.locator('.scatter-overlay').first().focus();
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press('ArrowLeft');
    await page.locator('#search').fill('score:50');
    // a rectangle selection, then a click on a point for the detail panel
    await page.locator('[data-mode="rect"]').click();
    const c = runA.centers[3]; // 'west': on screen after the zoom and pan above
    const a = await centerScreen(page, [c[0] - 5, c[1] - 5]);
    const b = await centerScreen(page, [c[0] + 5, c[1] + 5]);
    await page.mouse.move(a[0], a[1]);
    await page.mouse.down();
    await page.mouse.move(b[0], b[1], { steps: 5 });
    await page.mouse.up();
    await page.locator('#selection-panel').waitFor({ state: 'visible' });
    const selected = Number(await page.locator('.selection-count').getAttribute('data-count'));
    expect(selected).toBeGreaterThan(0);
    await page.locator('[data-mode="pan"]').click();
    // the cluster-3 row nearest the cluster's center (on screen: the rectangle was dragged there)
    let near = 3;
    for (let i = 3; i < ROWS; i += 6) if (Math.hypot(runA.x[i] - c[0], runA.y[i] - c[1]) < Math.hypot(runA.x[near] - c[0], runA.y[near] - c[1])) near = i;
    const pos = (await page.evaluate((r) => window.latentmap.screenOf(r), near))!;
    await page.mouse.click(pos[0], pos[1]);
    await page.locator('#detail-panel').waitFor({ state: 'visible' });
    const detailTitle = await page.locator('#detail-panel h3').textContent();
    await page.waitForFunction(() => ['q=', 'hide=', 'sel=rect', 'point='].every((k) => location.hash.includes(k)));
    await page.waitForTimeout(300);
    const hash = await page.evaluate(() => location.hash);
    const before = await page.evaluate(() => window.latentmap.primary!.view.getView());
    expect(before.k).toBeCloseTo(1.96 * k0, 2);
    await page.context().close();

    const again = await open(hash.slice(1));
    const p2 = again.page;
    await p2.waitForTimeout(100);
    expect(await p2.locator('#color-by').inputValue()).toBe('group');
    expect(await p2.locator('.legend-item', { hasText: 'east' }).getAttribute('aria-pressed')).toBe('false');
    expect(await p2.locator('#search').inputValue()).toBe('score:50');
    const after = await p2.evaluate(() => window.latentmap.primary!.view.getView());
    expect(after.k).toBeCloseTo(before.k, 3);
    expect(after.cx).toBeCloseTo(before.cx, 2);
    expect(after.cy).toBeCloseTo(before.cy, 2);
    expect(Number(await p2.locator('.selection-count').getAttribute('data-count'))).toBe(selected);
    expect(await p2.locator('#detail-panel h3').textContent()).toBe(detailTitle);
    await screenshot(p2, 'viewer-url-restored');
    expect(await p2.evaluate(() => location.hash)).toBe(hash);
    await p2.context().close();
  });

  it('compares two runs side by side with hover linked by row index', async () => {
    const { page } = await open('run=clusters-a&compare=clusters-b');
    await page.locator('.pane.secondary canvas.scatter-points').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('.pane').length === 2);
    await waitForMap(page);
    expect(await countPixels(page, null, 0, 'secondary')).toBeGreaterThan(ROWS * 2);
    const pos = (await page.evaluate(() => window.latentmap.screenOf(77)))!;
    await page.mouse.move(pos[0], pos[1]);
    await page.locator('.tooltip').waitFor({ state: 'visible' });
    // the linked ring (orange) appears on the other map's overlay: it is painted at that map's next animation
    // frame, which may come after the tooltip shows, so the overlay is read until it does (or the wait times out)
    const ringPixels = await page
      .waitForFunction(() => {
        const c = document.querySelector('.pane.secondary canvas.scatter-overlay') as HTMLCanvasElement;
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let p = 0; p < d.length; p += 4) if (d[p + 3] > 200 && d[p] > 200 && d[p + 1] > 90 && d[p + 1] < 150 && d[p + 2] < 40) n++;
        return n > 10 ? n : false;
      }, null, { timeout: 10_000, polling: 50 })
      .then((h) => h.jsonValue() as Promise<number>)
      .catch(() => 0);
    expect(ringPixels).toBeGreaterThan(10);
    await screenshot(page, 'viewer-compare');
    await page.context().close();
  });

  it('pans, zooms and opens a point from the keyboard alone', async () => {
    const { page } = await open();
    const view = () => page.evaluate(() => window.latentmap.primary!.view.getView());
    await page.locator('.pane.primary .scatter-overlay').focus();
    const v0 = await view();
    await page.keyboard.press('+');
    expect((await view()).k).toBeCloseTo(v0.k * 1.4, 5);
    await page.keyboard.press('ArrowRight');
    expect((await view()).cx).toBeGreaterThan(v0.cx);
    await page.keyboard.press('0');
    expect((await view()).k).toBe(1);
    await page.keyboard.press('Enter');
    await page.locator('#detail-panel').waitFor({ state: 'visible' });
    await page.keyboard.press('Escape');
    await page.locator('#detail-panel').waitFor({ state: 'hidden' });
    await page.context().close();
  });

  it('rings the new points of a transform run and lets them be colored and hidden as a class', async () => {
    const ringPixels = (p: Page) => countPixels(p, [0x33, 0x33, 0x33], 6);
    const { page } = await open('run=clusters-t');
    expect(await page.locator('.pane.primary .pane-title').textContent()).toContain('300 new (ringed)');
    const rings = await ringPixels(page);
    expect(rings).toBeGreaterThan(300);
    await page.locator('#color-by').selectOption('placement');
    const items = await page.locator('.legend-item').allTextContents();
    expect(items).toEqual(['base run2,700', 'new (transform)300']); // name and count spans
    await page.locator('.legend-item', { hasText: 'new (transform)' }).click(); // hide the new points
    await waitForMap(page);
    expect(await ringPixels(page)).toBeLessThan(rings * 0.05);
    await screenshot(page, 'viewer-transform');
    await page.context().close();
    const plain = await open('run=clusters-a');
    expect(await ringPixels(plain.page)).toBeLessThan(rings * 0.05);
    await plain.page.context().close();
  });

  it('draws at the device pixel ratio, so points stay sharp on high-density screens', async () => {
    const { page } = await viewer.open('/', { viewport: { width: 1000, height: 700 }, deviceScaleFactor: 2 });
    const size = await page.evaluate(() => {
      const c = document.querySelector('.pane.primary canvas.scatter-points') as HTMLCanvasElement;
      return { width: c.width, css: c.getBoundingClientRect().width };
    });
    expect(size.width).toBe(Math.round(size.css * 2));
    expect(await countPixels(page, null)).toBeGreaterThan(ROWS * 8); // about four times the pixels of ratio 1
    await page.context().close();
  });

  it('explains an empty runs directory and offers the new-run form', async () => {
    const bare = await viewer.serveEmpty('empty');
    try {
      const page = await viewer.visit(`${bare.url}/#run=missing`);
      await page.locator('.empty h2').waitFor();
      expect(await page.locator('.empty').textContent()).toContain('latentmap run');
      await page.locator('.empty button').click();
      await page.locator('dialog.new-run').waitFor();
      // a first run arrives (as when a run started in the form ends): its map replaces the card
      await page.keyboard.press('Escape');
      await writeClusterRun(bare.runsDir, { id: 'first', rows: 200, seed: 3 });
      await page.evaluate(() => (window as unknown as { latentmap: { afterNewRun(id: string): Promise<void> } }).latentmap.afterNewRun('first'));
      await waitForMap(page);
      expect(await page.locator('#maps .empty').count()).toBe(0);
      expect(await page.locator('#maps .pane.primary').count()).toBe(1);
      await page.context().close();
    } finally {
      await bare.close();
    }
  });

  it('uploads a file chosen in the new-run form, shows its shape, and starts the run on it; a bad file is refused with the server’s reason; a CSV may say how it is read', async () => {
    const bare = await viewer.serveEmpty('upload');
    try {
      const page = await viewer.visit(`${bare.url}/`, { width: 1280, height: 900 });
      await page.locator('.empty button').click();
      await page.locator('dialog.new-run').waitFor();
      const csv = ['x,y,z,species', ...Array.from({ length: 40 }, (_, i) => `${((i * 3) % 17) + 0.5},${(i * 7) % 13},${(i % 5) * 1.5},${i % 2 ? 'a' : 'b'}`)].join('\n');
      await page.locator('#nr-file').setInputFiles({ name: 'mine.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.waitForFunction(() => /rows/.test(document.querySelector('#nr-file-status')?.textContent ?? ''));
      expect(await page.locator('#nr-file-status').textContent()).toBe('mine.csv: 40 rows; 3 feature columns, 1 other (species); labels from “species”. The run reads this file.');
      expect(await page.locator('#nr-dataset').isDisabled()).toBe(true);
      // the run is asked for with the upload, not a dataset (answered here, so no job runs)
      let sent: Record<string, unknown> | null = null;
      await page.route('**/api/runs', async (route) => {
        sent = route.request().postDataJSON() as Record<string, unknown>;
        await route.fulfill({ status: 400, contentType: 'application/json', body: '{"error":"stopped by the test"}' });
      });
      await page.locator('dialog.new-run button[type=submit]').click();
      await page.locator('.form-error', { hasText: 'stopped by the test' }).waitFor();
      const uploads = (await (await fetch(`${bare.url}/api/uploads`)).json()) as { id: string; name: string }[];
      expect(uploads.map((u) => u.name)).toEqual(['mine.csv']);
      expect(sent).toMatchObject({ upload: uploads[0]!.id });
      expect(sent).not.toHaveProperty('dataset');
      // a file the loaders refuse: the server's reason, and the dataset field is back
      await page.locator('#nr-file').setInputFiles({ name: 'bad.npy', mimeType: 'application/octet-stream', buffer: Buffer.from('not numpy at all') });
      await page.waitForFunction(() => /was not uploaded/.test(document.querySelector('#nr-file-status')?.textContent ?? ''));
      expect(await page.locator('#nr-file-status').textContent()).toMatch(/^bad\.npy was not uploaded: .*bad\.npy/);
      expect(await page.locator('#nr-dataset').isDisabled()).toBe(false);
      // how a CSV is read goes with the upload: a file whose first line is data
      await page.locator('#nr-file-header').selectOption('no');
      await page.locator('#nr-file-encoding').fill('latin1');
      const plain = Buffer.from(Array.from({ length: 40 }, (_, i) => `${i + 0.5},${(i * 7) % 13},caf\xe9`).join('\n'), 'latin1');
      await page.locator('#nr-file').setInputFiles({ name: 'plain.csv', mimeType: 'text/csv', buffer: plain });
      await page.waitForFunction(() => /^plain\.csv: 40 rows/.test(document.querySelector('#nr-file-status')?.textContent ?? ''));
      const listed = (await (await fetch(`${bare.url}/api/uploads`)).json()) as { name: string; header: string; encoding: string | null }[];
      expect(listed[0]).toMatchObject({ name: 'plain.csv', header: 'no', encoding: 'latin1' });
      await page.context().close();
    } finally {
      await bare.close();
    }
  });

  it('says so when the URL names a run that does not exist, and shows the newest', async () => {
    const { page } = await open('run=no-such-run');
    expect(await page.locator('#status').textContent()).toContain('no-such-run');
    expect(await page.locator('#run-picker').inputValue()).toBe('clusters-a');
    await page.context().close();
  });

  it('works in a narrow window', async () => {
    const { page, errors } = await open('', { width: 420, height: 860 });
    expect(await countPixels(page, null)).toBeGreaterThan(ROWS);
    const box = await page.locator('.pane.primary').boundingBox();
    expect(box!.width).toBeGreaterThan(380);
    expect(box!.width).toBeLessThanOrEqual(420);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'viewer-narrow');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
