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
import { ROOT, screenshot } from './browser.js';
import { useViewer } from './use-viewer.js';

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
    await page.reload();
    await page.waitForFunction(() => window.latentmap?.primary?.visible && document.getElementById('search-count')?.textContent === '50 matches, all in hidden classes');
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
});
