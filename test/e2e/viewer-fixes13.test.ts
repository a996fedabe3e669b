// An outside tester's findings on the viewer (session 13), each in headless chromium over a real run made by
// the command line from a table with missing values (rows 3 and 57 dropped) and 20 features (16 charted at
// once, the rest added by name): a long search message leaves the toolbar where it was, a #row search for a
// dropped row says why, an added feature chart can be removed (by keyboard too) with the URL kept right, and an
// export of a searched map says what it shows.
import { execFile } from 'node:child_process';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ROOT, screenshot } from './browser.js';
import { useViewer } from './use-viewer.js';

const run = promisify(execFile);
const ROWS = 120;
const FEATURES = 20;
const DROPPED = [3, 57];

/** A seeded table: three groups in 20 features, a label column, a missing value in rows 3 and 57. */
function table(): string {
  let s = 17;
  const r = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const lines = [['kind', ...Array.from({ length: FEATURES }, (_, f) => `f${f}`)].join(',')];
  for (let i = 0; i < ROWS; i++) {
    const k = i % 3;
    const v = Array.from({ length: FEATURES }, (_, f) => (k * 4 + (f % 3 === k ? 3 : 0) + r()).toFixed(3));
    if (DROPPED.includes(i)) v[5] = '';
    lines.push([`k${k}`, ...v].join(','));
  }
  return `${lines.join('\n')}\n`;
}

const viewer = useViewer({
  name: 'fixes13',
  runs: async (runsDir) => {
    const csv = path.join(runsDir, '..', `fixes13-${process.pid}.csv`);
    await writeFile(csv, table());
    await run(
      process.execPath,
      [path.join(ROOT, 'bin/latentmap.js'), 'run', '--input', csv, '--label-column', 'kind', '--reducer', 'pca', '--iterations', '250', '--missing', 'drop', '--runs-dir', runsDir, '--id', 'dropped'],
      { cwd: ROOT, timeout: 180_000 },
    ).finally(() => rm(csv, { force: true }));
  },
  timeout: 240_000,
});

/** Where the toolbar's controls are (their boxes), to see that a message moves none of them. */
function controlBoxes(page: Page): Promise<number[][]> {
  return page.evaluate(() =>
    ['#run-picker', '#color-by', '#search', '.modes', '#reset-view', '#export-png', '#layer-contours', '#maps'].map((sel) => {
      const b = document.querySelector(sel)!.getBoundingClientRect();
      return [Math.round(b.x), Math.round(b.y), Math.round(b.width), Math.round(b.height)];
    }),
  );
}

describe('viewer fixes (session 13)', () => {
  it('shows a long search message without moving the toolbar, and says why a dropped row is not on the map', async () => {
    for (const width of [1280, 1000]) {
      const { page, errors } = await viewer.open('/#run=dropped', { viewport: { width, height: 720 }, timeout: 90_000 });
      const before = await controlBoxes(page);
      await page.locator('#search').fill('nosuchcolumn:1..2');
      await page.waitForFunction(() => document.getElementById('search-count')?.classList.contains('error'));
      const message = (await page.locator('#search-count').textContent()) ?? '';
      expect(message).toMatch(/^No column “nosuchcolumn”/);
      expect(message.length).toBeGreaterThan(60);
      expect(await controlBoxes(page)).toEqual(before);
      // the whole message is readable (below the box, not cut)
      const box = (await page.locator('#search-count').boundingBox())!;
      const input = (await page.locator('#search').boundingBox())!;
      expect(box.y).toBeGreaterThanOrEqual(input.y + input.height);
      expect(await page.locator('#search-count').evaluate((e) => e.scrollWidth <= e.clientWidth + 1)).toBe(true);
      if (width === 1280) await screenshot(page, 'fixes13-search-error');

      // a count fits its slot beside the box, and does not move the controls either
      await page.locator('#search').fill('kind:k1');
      await page.waitForFunction(() => /^\d+ matches$/.test(document.getElementById('search-count')?.textContent ?? ''));
      expect(await controlBoxes(page)).toEqual(before);

      // row 3 was dropped for its missing value: said, from what the run recorded
      await page.locator('#search').fill('#3');
      await page.waitForFunction(() => /dropped/.test(document.getElementById('search-count')?.textContent ?? ''));
      expect(await page.locator('#search-count').textContent()).toBe('No match: row 3 was dropped: missing values (the run dropped 2 of 120 rows that had one)');
      expect(await controlBoxes(page)).toEqual(before);
      if (width === 1280) await screenshot(page, 'fixes13-dropped-row');
      // a row that is there is found; one past the end is said so
      await page.locator('#search').fill('#4');
      await page.waitForFunction(() => document.getElementById('search-count')?.textContent === '1 match');
      await page.locator('#search').fill('#500');
      await page.waitForFunction(() => /^No match: no row 500: the run's input has 120 rows/.test(document.getElementById('search-count')?.textContent ?? ''));
      expect(errors).toEqual([]);
      await page.context().close();
    }
  }, 240_000);

  it('removes an added feature chart, by mouse or keyboard, its filter with it, and keeps the URL right', async () => {
    const { page, errors } = await viewer.open('/#run=dropped', { timeout: 90_000 });
    const add = page.locator('#filter-add');
    await add.waitFor();
    await page.waitForFunction(() => !document.querySelector('.filter-loading'));
    // the table's first 16 features are charted at once and cannot be removed
    expect(await page.locator('.filter-item[data-column="feature:f0"]').count()).toBe(1);
    expect(await page.locator('.filter-item[data-column="feature:f0"] .filter-remove').count()).toBe(0);
    await add.selectOption('f18');
    const chart = page.locator('.filter-item[data-column="feature:f18"]');
    await chart.waitFor();
    await page.waitForFunction(() => /charts=f18/.test(location.hash));
    await add.selectOption('f19');
    await page.locator('.filter-item[data-column="feature:f19"] svg').waitFor();
    await page.waitForFunction(() => /charts=f18,f19/.test(location.hash));
    // a reload keeps both added charts
    await page.reload();
    await page.locator('.filter-item[data-column="feature:f19"] svg').waitFor({ timeout: 30_000 });
    expect(await page.locator('.filter-item[data-column="feature:f18"]').count()).toBe(1);
    // brush f18, so its chart holds a filter
    const svg = page.locator('.filter-item[data-column="feature:f18"] svg');
    await svg.scrollIntoViewIfNeeded();
    const b = (await svg.boundingBox())!;
    await page.mouse.move(b.x + b.width * 0.05, b.y + b.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width * 0.5, b.y + b.height * 0.4, { steps: 5 });
    await page.mouse.up();
    await page.locator('.filter-item.active[data-column="feature:f18"]').waitFor();
    await page.waitForFunction(() => /filter=[^&]*f18/.test(location.hash));
    const remove18 = page.locator('.filter-item[data-column="feature:f18"] .filter-remove');
    expect(await remove18.getAttribute('aria-label')).toBe('Remove the chart of f18 and its filter');
    await screenshot(page, 'fixes13-added-charts');
    await remove18.click();
    await page.waitForFunction(() => !document.querySelector('.filter-item[data-column="feature:f18"]'));
    // the URL may be written a moment later (hash-sync writes at most every 200 ms): the chart and its filter leave it
    await page.waitForFunction(() => !/f18/.test(decodeURIComponent(location.hash)));
    const hash = await page.evaluate(() => decodeURIComponent(location.hash));
    expect(hash).not.toMatch(/f18/);
    expect(hash).toMatch(/charts=f19/);
    expect(await page.locator('.filter-count').textContent()).toBe('118 rows');
    // by keyboard: tab to f19's remove button and press Enter; the focus lands on the Add list
    const remove19 = page.locator('.filter-item[data-column="feature:f19"] .filter-remove');
    await page.locator('.filter-item[data-column="feature:f19"] svg').waitFor();
    await remove19.focus();
    expect(await remove19.evaluate((e) => e === document.activeElement && e.tabIndex >= 0)).toBe(true);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => !document.querySelector('.filter-item[data-column="feature:f19"]'));
    await page.waitForFunction(() => !/charts=/.test(location.hash));
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('filter-add');
    // and both are offered again
    expect(await add.locator('option[value="f18"]').count()).toBe(1);
    expect(await add.locator('option[value="f19"]').count()).toBe(1);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 180_000);

  it('captions the SVG export of a searched map with the search and how many of how many points it shows', async () => {
    const { page, errors } = await viewer.open('/#run=dropped');
    await page.locator('#search').fill('kind:k2');
    await page.waitForFunction(() => /^\d+ matches$/.test(document.getElementById('search-count')?.textContent ?? ''));
    const matches = Number((await page.locator('#search-count').textContent())!.split(' ')[0]);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#export-svg').click()]);
    const svg = await readFile((await download.path())!, 'utf8');
    expect(svg).toContain(`Search “kind:k2” · ${matches} of 118 points shown, the rest dimmed`);
    expect(svg).toMatch(/<g class="dimmed" opacity="0.28">/);
    expect(errors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
