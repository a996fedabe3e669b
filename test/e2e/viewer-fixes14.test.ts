// An outside tester's findings on the viewer (session 14), each in headless chromium over real runs made by the
// command line: iris (its reducer auto chooses none: no reconstruction error) and a 120-row table with a
// negative feature, mapped with PCA. A search whose matches all lie in a class hidden in the legend says so, as
// does its export, whose legend lists the hidden class; the drawn classes stay centred, after a reload too; a
// condition on a run without reconstruction error says why it finds nothing.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROOT, screenshot, waitForPage } from './browser.js';
import { useViewer } from './use-viewer.js';
import { startFormingIrisRun, uploadSlowIris } from './forming-run.js';

const run = promisify(execFile);

const viewer = useViewer({
  name: 'fixes14',
  runs: async (runsDir) => {
    await run(process.execPath, [path.join(ROOT, 'bin/latentmap.js'), 'run', '--dataset', 'iris', '--iterations', '250', '--runs-dir', runsDir, '--id', 'iris'], { cwd: ROOT, timeout: 180_000 });
  },
  timeout: 240_000,
});

/** The drawn points' margins in the map, CSS px: [left, right, top, bottom]. */
function drawnMargins(page: Page): Promise<number[]> {
  return page.evaluate(() => {
    const p = window.latentmap.primary!;
    const { width, height } = p.view.size();
    let x0 = Infinity;
    let y0 = Infinity;
    let x1 = -Infinity;
    let y1 = -Infinity;
    for (let i = 0; i < p.points.n; i++) {
      if (p.visible && !p.visible[i]) continue;
      const [sx, sy] = p.view.toScreen(p.points.x[i], p.points.y[i]);
      x0 = Math.min(x0, sx);
      x1 = Math.max(x1, sx);
      y0 = Math.min(y0, sy);
      y1 = Math.max(y1, sy);
    }
    return [x0, width - x1, y0, height - y1].map(Math.round);
  });
}

/** The margins are balanced (centred) on both axes, within 2 px. */
function expectCentred(m: number[]): void {
  expect(Math.abs(m[0] - m[1])).toBeLessThanOrEqual(2);
  expect(Math.abs(m[2] - m[3])).toBeLessThanOrEqual(2);
  expect(Math.min(...m)).toBeGreaterThanOrEqual(20);
}

describe('viewer fixes (session 14)', () => {
  it('counts and exports a search whose matches lie in a hidden class as what is drawn, and keeps the drawn classes centred', async () => {
    const { page, errors } = await viewer.open('/#run=iris');
    expectCentred(await drawnMargins(page));
    await page.locator('.legend-item', { hasText: 'setosa' }).click();
    await page.waitForFunction(() => /hide=setosa/.test(location.hash));
    // the view was the fitted one: it frames the two classes drawn, centred
    expectCentred(await drawnMargins(page));
    await page.locator('#search').fill('species:setosa');
    await page.waitForFunction(() => document.getElementById('search-count')?.textContent === '50 matches, all in hidden classes');
    // showing the class again: the count follows
    await page.locator('.legend-item', { hasText: 'setosa' }).click({ modifiers: ['Shift'] });
    await page.waitForFunction(() => document.getElementById('search-count')?.textContent === '50 matches');
    await page.locator('.legend-item', { hasText: 'setosa' }).click({ modifiers: ['Shift'] });
    await page.waitForFunction(() => document.getElementById('search-count')?.textContent === '50 matches, all in hidden classes');
    await screenshot(page, 'fixes14-hidden-matches');
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-svg').click()]);
    const svg = await readFile((await download.path())!, 'utf8');
    expect(svg).toContain('Search “species:setosa” · 0 of 100 points shown, the rest dimmed · all 50 of its rows are in the hidden class setosa, not drawn');
    expect(svg).toContain('150 points (100 drawn: 1 class hidden)');
    expect(svg).toMatch(/<rect class="hidden-class"[^>]*\/><text[^>]*>setosa \(50\), hidden<\/text>/);
    // a reload (the view not moved: left out of the URL) frames the drawn classes again, centred
    expect(await page.evaluate(() => location.hash)).not.toMatch(/view=/);
    // the URL holds what is reloaded: setosa hidden again and the search (hash-sync.ts writes a lone change at once)
    expect(await page.evaluate(() => location.hash)).toMatch(/hide=setosa/);
    expect(await page.evaluate(() => location.hash)).toMatch(/q=species/);
    await page.reload();
    await waitForPage(
      page,
      () => window.latentmap?.primary?.visible && document.getElementById('search-count')?.textContent === '50 matches, all in hidden classes',
      'the reloaded map with setosa hidden and the search counted',
    );
    expectCentred(await drawnMargins(page));
    // a view the user moved stays in the URL and through a reload
    await page.evaluate(() => window.latentmap.primary!.view.overlay.focus());
    await page.keyboard.press('ArrowLeft');
    await page.waitForFunction(() => /view=/.test(location.hash));
    const moved = await drawnMargins(page);
    await page.reload();
    await page.waitForFunction(() => window.latentmap?.primary?.visible);
    expect(await drawnMargins(page)).toEqual(moved);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('draws the cluster chart’s turned bar labels whole, inside the chart', async () => {
    const { page, errors } = await viewer.open('/#run=iris&layers=clusters');
    const chart = page.locator('.filter-item[data-column="cluster"] svg');
    await chart.waitFor({ timeout: 30_000 });
    await chart.scrollIntoViewIfNeeded();
    const boxes = await chart.evaluate((svg) => {
      const s = svg.getBoundingClientRect();
      return [...svg.querySelectorAll('text.tick-label')].map((t) => {
        const b = t.getBoundingClientRect();
        return { text: t.textContent, out: Math.max(s.left - b.left, b.right - s.right, s.top - b.top, b.bottom - s.bottom) };
      });
    });
    expect(boxes.length).toBeGreaterThan(1);
    for (const b of boxes) expect(b.out, `${b.text} reaches past the chart`).toBeLessThanOrEqual(0.5);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('keeps a linked filter on a cluster while the clusters are found, and applies it when they come', async () => {
    // the cluster's label and size, as a user who wrote the link saw them
    const first = await viewer.open('/#run=iris&layers=clusters');
    await first.page.waitForFunction(() => window.latentmap.primary!.points.columns.some((c) => c.name === 'cluster'), null, { timeout: 30_000 });
    const { label, size } = await first.page.evaluate(() => {
      const col = window.latentmap.primary!.points.columns.find((c) => c.name === 'cluster')!;
      if (col.kind !== 'category') throw new Error('the cluster column is not a category');
      let size = 0;
      for (let i = 0; i < col.codes.length; i++) if (col.codes[i] === 0) size++;
      return { label: col.categories[0]!, size };
    });
    await first.page.context().close();
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThan(150);
    // a fresh page opens the link while the clusters worker's script is held back
    const { page, errors } = await viewer.open('/#run=iris');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route('**/clusters-worker.js', async (route) => {
      await held;
      await route.continue();
    });
    // the URL form: the value escaped once (app/filters.ts), the filter as it is in the hash (url-state.ts)
    const link = `cluster:${encodeURIComponent(label)}`;
    await page.evaluate((f) => (location.hash = `#run=iris&filter=${f}`), link);
    await page.waitForFunction(() => /^Finding clusters/.test(document.getElementById('status')?.textContent ?? ''));
    expect(await page.evaluate(() => location.hash)).toContain(`filter=${link}`);
    release();
    const want = `${size.toLocaleString('en-US')} of 150 rows`;
    await page.waitForFunction((w) => document.querySelector('#filter-panel .filter-count')?.textContent === w, want, { timeout: 30_000 });
    expect(await page.evaluate(() => location.hash)).toContain(`filter=${link}`);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('asks for a clicked point’s input-space neighbours first, and keeps the hover tooltip off their lines', async () => {
    const { page, errors } = await viewer.open('/#run=iris', { viewport: { width: 1280, height: 800 } });
    const asked: string[] = [];
    page.on('request', (r) => {
      const m = /\/api\/runs\/[^/]+\/(items|neighbors)\/\d+(.*)$/.exec(r.url());
      if (m) asked.push(`${m[1]}${m[2]}`);
    });
    // rows whose map neighbourhood is least like their input one: long lines, a tear
    const rows = await page.evaluate(() => {
      const p = window.latentmap.primary!;
      const col = p.points.raw.find((c) => c.name === 'preservation')!;
      return Array.from({ length: p.points.n }, (_, i) => i).sort((a, b) => (col.get(a) as number) - (col.get(b) as number)).slice(0, 12).map((i) => p.points.index[i]);
    });
    let tested = 0;
    for (const row of rows) {
      asked.length = 0;
      const at = (await page.evaluate((r) => window.latentmap.screenOf(r), row))!;
      await page.mouse.click(at[0], at[1]);
      await page.waitForFunction((r) => window.latentmap.inputNeighborPositions().length > 0 && Number(new URLSearchParams(location.hash.slice(1)).get('point')) === r, row);
      // the input-space request went out before the panel's other requests
      expect(asked[0]).toBe('neighbors?k=10&space=input');
      // hover the point: the tooltip keeps off its lines where a corner allows
      await page.mouse.move(at[0] + 40, at[1] + 40);
      await page.mouse.move(at[0], at[1]);
      await page.locator('.tooltip:not([hidden])').waitFor();
      const cover = await page.evaluate((p0) => {
        const app = window.latentmap;
        const segs = app.inputNeighborPositions().map((j) => {
          const p = app.primary!;
          const [x, y] = app.screenOf(p.points.index[j])!;
          return [p0[0], p0[1], x, y];
        });
        const inside = (s: number[], x0: number, y0: number, x1: number, y1: number) => {
          // sampled: the share of 200 points of the segment inside the box, times its length
          let k = 0;
          for (let t = 0; t <= 1; t += 0.005) {
            const x = s[0] + t * (s[2] - s[0]);
            const y = s[1] + t * (s[3] - s[1]);
            if (x >= x0 && x <= x1 && y >= y0 && y <= y1) k++;
          }
          return (k / 201) * Math.hypot(s[2] - s[0], s[3] - s[1]);
        };
        const b = document.querySelector('.tooltip')!.getBoundingClientRect();
        const now = segs.reduce((a, s) => a + inside(s, b.left, b.top, b.right, b.bottom), 0);
        // where it used to go: below and right of the pointer
        const old = segs.reduce((a, s) => a + inside(s, p0[0] + 14, p0[1] + 14, p0[0] + 14 + b.width, p0[1] + 14 + b.height), 0);
        return { now, old };
      }, at);
      expect(cover.now).toBeLessThanOrEqual(cover.old);
      if (cover.old > 5) {
        expect(cover.now).toBeLessThan(1);
        tested++;
        await screenshot(page, 'fixes14-tooltip-off-lines');
        break;
      }
    }
    // at least one point had lines where the tooltip used to sit
    expect(tested).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 120_000);

  it('says why a condition on the reconstruction error finds nothing on a run without one', async () => {
    const { page, errors } = await viewer.open('/#run=iris');
    for (const q of ['error>0.2', 'error>abc']) {
      await page.locator('#search').fill(q);
      await page.waitForFunction(() => /no reconstruction error/.test(document.getElementById('search-count')?.textContent ?? ''));
      expect(await page.locator('#search-count').textContent()).toMatch(/^This run has no reconstruction error: its reducer is none/);
    }
    // a condition past a column's values says what the column spans
    await page.locator('#search').fill('petal_length>100');
    await page.waitForFunction(() => /^No match: “petal_length” runs from/.test(document.getElementById('search-count')?.textContent ?? ''));
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('keeps the toolbar on one line on a 1,366 px screen (its actions wrapped onto a second line below 1,560 px)', async () => {
    const { page, errors } = await viewer.open('/#run=iris', { viewport: { width: 1366, height: 768 } });
    await page.waitForFunction(() => (document.getElementById('run-picker') as HTMLSelectElement).options.length > 0);
    const rows = await page.evaluate(() => [...document.querySelector('.topbar')!.children].filter((e) => !(e as HTMLElement).hidden).map((e) => Math.round(e.getBoundingClientRect().top)));
    expect(rows.length).toBe(6);
    expect(Math.max(...rows) - Math.min(...rows)).toBeLessThanOrEqual(4);
    // every control keeps a usable width: the search box and both pickers
    for (const id of ['search', 'run-picker', 'color-by']) expect((await page.locator(`#${id}`).boundingBox())!.width).toBeGreaterThanOrEqual(120);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('describes a map forming in the main map in the legend, Color by and status line, and gives the panels back after Back and Stop', async () => {
    const { page, errors } = await viewer.open('/#run=iris&color=preservation', { timeout: 60_000 });
    const legendHead = page.locator('#legend .legend-head, #legend .legend-title, #legend').first();
    await page.waitForFunction(() => (document.getElementById('color-by') as HTMLSelectElement).value === 'preservation');
    const before = await legendHead.textContent();
    const status = page.locator('#status');
    // iris's classes in 3,000 rows: still forming after both looks and the Back between them, however loaded the
    // machine (iris's own 150 rows finished first at load 20, and Stop was gone)
    await startFormingIrisRun(page, 'iris forming', await uploadSlowIris(viewer.url));
    await page.locator('dialog.new-run').getByRole('button', { name: 'Close' }).click();
    const watch = page.locator('#job-badge').getByRole('button', { name: 'Watch the map' });
    const forming = page.locator('.forming-legend');
    const describesForming = async () => {
      await page.waitForFunction(() => window.latentmap.live.frames >= 1, null, { timeout: 120_000 });
      await forming.waitFor();
      expect(await forming.locator('.legend-head').textContent()).toMatch(/^Forming: iris forming · \S+ · 3 classes$/);
      expect(await forming.locator('.forming-class').allTextContents()).toEqual(['setosa', 'versicolor', 'virginica']);
      expect(await page.locator('#legend').isHidden()).toBe(true);
      for (const panel of ['#filter-panel', '#run-panel', '#selection-panel', '#detail-panel']) expect(await page.locator(panel).isHidden()).toBe(true);
      const colorBy = page.locator('#color-by');
      expect(await colorBy.isDisabled()).toBe(true);
      expect(await colorBy.evaluate((s: HTMLSelectElement) => s.selectedOptions[0]?.textContent)).toMatch(/ \(the map forming\)$/);
      expect(await status.textContent()).toMatch(/^Watching the map of “iris forming” form: /);
    };
    await watch.click({ timeout: 120_000 });
    await describesForming();
    await screenshot(page, 'fixes14-forming-panels');
    // back to the map looked at: its legend, Color by, filters and run panel as they were
    await page.locator('#maps .pane.live').getByRole('button', { name: 'Back to iris' }).click();
    await forming.waitFor({ state: 'detached' });
    expect(await legendHead.textContent()).toBe(before);
    expect(await page.locator('#legend').isVisible()).toBe(true);
    expect(await page.locator('#filter-panel').isVisible()).toBe(true);
    expect(await page.locator('#run-panel').isVisible()).toBe(true);
    expect(await page.locator('#color-by').isDisabled()).toBe(false);
    expect(await page.locator('#color-by').inputValue()).toBe('preservation');
    expect(await page.locator('#color-by option[value="__forming"]').count()).toBe(0);
    expect(await status.textContent()).not.toMatch(/^Watching/);
    // watched again and stopped: the finished run opens and the panels describe it
    await watch.click({ timeout: 120_000 });
    await describesForming();
    await page.locator('#maps .pane.live').getByRole('button', { name: 'Stop and keep this map' }).click();
    await page.waitForFunction(() => !document.querySelector('#maps .pane.live') && document.querySelector('#maps .pane.primary .pane-title')?.textContent?.includes('iris forming'), null, { timeout: 120_000 });
    expect(await forming.count()).toBe(0);
    expect(await page.locator('#legend').isVisible()).toBe(true);
    expect(await page.locator('#filter-panel').isVisible()).toBe(true);
    expect(await page.locator('#run-panel').textContent()).toContain('iris forming');
    expect(await page.locator('#color-by').isDisabled()).toBe(false);
    expect(await page.locator('#color-by').inputValue()).toBe(await page.evaluate(() => { const e = window.latentmap.primary!.encoding; return e.kind === 'none' ? '' : e.column.name; }));
    expect(await status.textContent()).not.toMatch(/^Watching/);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 300_000);
});
