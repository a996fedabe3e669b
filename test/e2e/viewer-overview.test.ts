// A map past the overview threshold in a real browser (the threshold set low on a 20,000-point run through the
// page's query string): the viewer draws the server's overview sample and says so on the map; zoomed into a
// cluster it loads the rows of the region in view, and the points it holds there grow to exactly the run's
// points in that region; a selection says it covers the loaded points only.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { writeClusterRun, type ClusterRun } from './fixture.js';
import { useViewer } from './use-viewer.js';

const ROWS = 20_000;
let run: ClusterRun;
const viewer = useViewer({
  name: 'overview',
  runs: async (runsDir) => {
    run = await writeClusterRun(runsDir, { id: 'big', rows: ROWS, clusters: 10, seed: 3, pointsOnly: true, name: 'past the threshold' });
  },
});

/** The note on the map: its text and what it says of the rows. */
function note(page: Page): Promise<{ text: string; kind: string; loaded: number; exact: string } | null> {
  return page.evaluate(() => {
    const el = document.querySelector<HTMLElement>('.pane.primary .scale-note');
    return el ? { text: el.textContent ?? '', kind: el.dataset.kind ?? '', loaded: Number(el.dataset.loaded), exact: el.dataset.exact ?? '' } : null;
  });
}

/** The visible data box and the input rows of the points held inside it. */
function held(page: Page): Promise<{ box: [number, number, number, number]; rows: number[]; n: number }> {
  return page.evaluate(() => {
    const p = window.latentmap.primary!;
    const { width, height } = p.view.size();
    const [x0, y1] = p.view.toData(0, 0);
    const [x1, y0] = p.view.toData(width, height);
    const rows: number[] = [];
    for (let i = 0; i < p.points.n; i++) {
      const x = p.points.x[i];
      const y = p.points.y[i];
      if (x >= x0 && x <= x1 && y >= y0 && y <= y1) rows.push(p.points.index[i]);
    }
    return { box: [x0, y0, x1, y1] as [number, number, number, number], rows: rows.sort((a, b) => a - b), n: p.points.n };
  });
}

describe('a map past the overview threshold', () => {
  it('draws the overview, says so, and loads the exact points of the region zoomed into', async () => {
    const { page, errors } = await viewer.open('/?overview-threshold=5000&overview-rows=2000&region-limit=6000#run=big', { timeout: 60_000 });
    page.setDefaultTimeout(60_000);
    await page.waitForFunction(() => document.querySelector('.pane.primary .scale-note') !== null);
    const first = (await note(page))!;
    expect(first.kind).toBe('overview');
    expect(first.loaded).toBe(2000);
    expect(first.text).toContain('Overview: 2,000 of 20,000 points');
    expect(await page.evaluate(() => window.latentmap.primary!.points.n)).toBe(2000);
    expect(await page.locator('.pane.primary .pane-title').textContent()).toContain('20,000 points');

    // zoom into the first cluster: far fewer than the region limit of the run's points lie in view
    const [cx, cy] = run.centers[0]!;
    await page.evaluate(([x, y]) => window.latentmap.primary!.view.setView({ cx: x, cy: y, k: 6 }), [cx, cy]);
    const before = await held(page);
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.pane.primary .scale-note')?.dataset.kind === 'region');
    const zoomed = (await note(page))!;
    const after = await held(page);
    expect(after.box).toEqual(before.box);
    const [x0, y0, x1, y1] = after.box;
    const want: number[] = [];
    for (let i = 0; i < ROWS; i++) if (run.x[i]! >= x0 && run.x[i]! <= x1 && run.y[i]! >= y0 && run.y[i]! <= y1) want.push(i);
    expect(want.length).toBeGreaterThan(before.rows.length);
    expect(want.length).toBeLessThan(6000);
    // every point of the run in view, no other, and the note says how many
    expect(after.rows).toEqual(want);
    expect(zoomed.exact).toBe('true');
    expect(zoomed.text).toContain(`all ${want.length.toLocaleString('en-US')} points in this region (exact)`);

    // a selection says it covers the loaded points only
    await page.evaluate(([a, b, c, d]) => window.latentmap.select('rect', [a, b, c, b, c, d, a, d]), [x0, y0, x1, y1]);
    await page.waitForFunction(() => document.querySelector('#selection-panel .scale-selection') !== null);
    expect(await page.locator('#selection-panel .scale-selection').textContent()).toContain('covers the');
    expect(await page.evaluate(() => window.latentmap.selectionCount())).toBe(want.length);

    // zoomed out again: the overview
    await page.evaluate(() => window.latentmap.primary!.view.setView({ cx: 0, cy: 0, k: 0.5 }));
    await page.waitForFunction(() => document.querySelector<HTMLElement>('.pane.primary .scale-note')?.dataset.kind === 'overview');
    expect(await page.evaluate(() => window.latentmap.primary!.points.n)).toBe(2000);
    expect(errors).toEqual([]);
  }, 180_000);
});
