// The map's explanatory layers in headless chromium: density contours drawn and toggled, clusters found
// (in a Web Worker, exactly as the direct functions find them) with a label on each (the dominant class),
// Color by cluster, both kept in the URL.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { readPoints } from '../../pipeline/runs/artifacts.js';
import { labelClusters } from '../../web/src/app/clusters.js';
import { categoryColumn, fitExtent, type DecodedPoints } from '../../web/src/points.js';
import { clusterResolution, densityGrid } from '../../web/src/scatter/density.js';
import { findClusters } from '../../web/src/scatter/mode-clusters.js';
import { screenshot } from './browser.js';
import { writeClusterRun } from './fixture.js';
import { useViewer } from './use-viewer.js';

const viewer = useViewer({
  name: 'layers',
  runs: async (runsDir) => {
    await writeClusterRun(runsDir, { id: 'eight', rows: 4000, clusters: 8, seed: 11, name: 'eight clusters' });
  },
});

/** Overlay pixels close to the contour color (#2b3a55, drawn semi-transparent). */
function contourPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const c = window.latentmap.primary!.view.overlay;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let p = 0; p < d.length; p += 4) if (d[p + 3] > 40 && d[p] < 90 && d[p + 1] < 100 && d[p + 2] > 50 && d[p + 2] < 140) n++;
    return n;
  });
}

const frames = (page: Page) => page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Waits until the clusters (found in the worker) are labelled on the map, then two frames. */
async function clustersShown(page: Page): Promise<void> {
  await page.waitForFunction(() => window.latentmap.primary!.view.marks.shownLabels.length > 0);
  await frames(page);
}

describe('map layers', () => {
  it('draws density contours when toggled on and removes them when toggled off', async () => {
    const { page, errors } = await viewer.open();
    expect(await contourPixels(page)).toBe(0);
    await page.locator('#layer-contours').check();
    await frames(page);
    const on = await contourPixels(page);
    expect(on).toBeGreaterThan(2000);
    await page.waitForFunction(() => location.hash.includes('layers=contours'));
    await screenshot(page, 'layers-contours');
    await page.locator('#layer-contours').uncheck();
    await frames(page);
    expect(await contourPixels(page)).toBe(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('finds the clusters, labels each with its dominant class, and offers them in Color by', async () => {
    const { page, errors } = await viewer.open(`/#layers=clusters`);
    await clustersShown(page);
    expect(await page.locator('#layer-clusters').isChecked()).toBe(true);
    const labels = await page.evaluate(() => window.latentmap.primary!.view.marks.shownLabels.map((l) => l.text));
    expect(labels).toHaveLength(8);
    // each cluster of the fixture is one label class: "C3 · 5 (100 %)"
    const classes = labels.map((t) => /^C\d+ · (\d+) \((\d+) %\)$/.exec(t));
    for (const m of classes) {
      expect(m).not.toBeNull();
      expect(Number(m![2])).toBeGreaterThanOrEqual(99);
    }
    expect(new Set(classes.map((m) => m![1])).size).toBe(8);
    await screenshot(page, 'layers-clusters');
    // zoomed in, the labels keep their screen size and stay inside the view
    await page.locator('.pane.primary canvas.scatter-overlay').focus();
    for (let k = 0; k < 4; k++) await page.keyboard.press('+');
    await frames(page);
    const zoomed = await page.evaluate(() => window.latentmap.primary!.view.marks.shownLabels.length);
    expect(zoomed).toBeGreaterThanOrEqual(1);
    // Color by cluster: a legend of 8 clusters (plus noise as missing, if any)
    await page.locator('#color-by').selectOption('cluster');
    await page.waitForFunction(() => document.querySelectorAll('.legend-item').length === 8);
    expect(await page.locator('.legend-item .legend-name').first().textContent()).toMatch(/^C1 · \d+ \(\d+ %\)$/);
    await page.waitForFunction(() => /color=cluster/.test(location.hash) && /layers=clusters/.test(location.hash));
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('clusters found in a worker', () => {
  it('says it is finding them while the map stays usable, then labels each row as the direct functions do', async () => {
    const { page, errors } = await viewer.open();
    // ticked: the answer comes from the worker in a later task, so right after the click the box says it is finding them
    const right = await page.evaluate(() => {
      const box = document.getElementById('layer-clusters') as HTMLInputElement;
      box.click();
      const finding = box.closest('label')!.classList.contains('finding');
      const status = document.getElementById('status')!.textContent;
      // the map answers meanwhile: a hit-test and a redraw run on the main thread
      const v = window.latentmap.primary!.view;
      const { width, height } = v.size();
      const picked = v.pick(width / 2, height / 2);
      v.draw(true);
      return { finding, status, picked, labels: v.marks.shownLabels.length };
    });
    expect(right).toMatchObject({ finding: true, status: 'Finding clusters…', labels: 0 });
    expect(typeof right.picked).toBe('number');
    await clustersShown(page);
    // found by the viewer's worker script (kept for the next map), not on the page
    expect(page.workers().map((w) => new URL(w.url()).pathname)).toContain('/clusters-worker.js');
    expect(await page.locator('#layer-clusters').evaluate((b) => b.closest('label')!.classList.contains('finding'))).toBe(false);
    expect(await page.locator('#status').textContent()).toMatch(/^Clusters: 8 clusters: /);
    // every row's cluster and every label as the page's direct functions give them for the run's points
    const seen = await page.evaluate(() => {
      const p = window.latentmap.primary!;
      const col = p.points.columns.find((c) => c.name === 'cluster')!;
      if (col.kind !== 'category') throw new Error('the cluster column is not categorical');
      const name = (code: number) => (code >= 0 ? col.categories[code] : null);
      return { index: Array.from(p.points.index), cluster: Array.from(col.codes, name), labels: p.view.marks.shownLabels.map((l) => l.text).sort() };
    });
    const table = await readPoints(path.join(viewer.runsDir, 'eight'));
    const x = table.getChild('x')!.toArray() as Float32Array;
    const y = table.getChild('y')!.toArray() as Float32Array;
    const labelCol = table.getChild('label')!;
    const label = categoryColumn('label', Array.from({ length: x.length }, (_, i) => String(labelCol.get(i))));
    const index = Int32Array.from(table.getChild('index')!.toArray() as ArrayLike<number>);
    const points = { n: x.length, index, x, y, error: null, isNew: null, label, columns: [label], extent: fitExtent(x, y), raw: [] } as DecodedPoints;
    const { side, blur } = clusterResolution(x.length);
    const found = findClusters(densityGrid(x, y, points.extent, side, blur), x, y);
    const direct = labelClusters(points, found.assignment, found.clusters);
    expect(seen.labels).toEqual(direct.labels.map((l) => l.text).sort());
    const byIndex = new Map(Array.from(index, (r, i) => [r, direct.column.codes[i] >= 0 ? direct.column.categories[direct.column.codes[i]] : null]));
    expect(seen.index.length).toBe(4000);
    expect(seen.cluster).toEqual(seen.index.map((r) => byIndex.get(r)));
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('opens a link colored by cluster with a cluster selected once the clusters come, keeping both in the URL meanwhile', async () => {
    const { page, errors } = await viewer.open(`/#color=cluster&sel=cluster:3`);
    await page.waitForFunction(() => Number(document.querySelector('.selection-count')?.getAttribute('data-count')) > 0);
    await page.waitForFunction(() => document.querySelectorAll('.legend-item').length === 8);
    expect(await page.locator('#color-by').inputValue()).toBe('cluster');
    expect(await page.locator('#selection-panel h3').textContent()).toMatch(/in cluster C3 · /);
    const hash = decodeURIComponent(await page.evaluate(() => location.hash));
    expect(hash).toMatch(/color=cluster/);
    expect(hash).toMatch(/sel=cluster:3/);
    // the clusters were found for the color, the layer stays off: no labels, and no "finding" left behind
    expect(await page.evaluate(() => window.latentmap.primary!.view.marks.shownLabels.length)).toBe(0);
    expect(await page.locator('#status').textContent()).not.toBe('Finding clusters…');
    // a cluster hidden in the legend is hidden again when the link is opened: the URL keeps it while they are found
    const second = await page.locator('.legend-item .legend-name').nth(1).textContent();
    await page.locator('.legend-item').nth(1).click();
    await page.waitForFunction(() => /hide=/.test(location.hash));
    const link = await page.evaluate(() => location.hash);
    await page.reload();
    expect(await page.evaluate(() => location.hash)).toBe(link);
    await page.waitForFunction(() => document.querySelectorAll('.legend-item').length === 8 && (document.getElementById('color-by') as HTMLSelectElement).value === 'cluster');
    expect(await page.locator('.legend-item.off .legend-name').allTextContents()).toEqual([second]);
    await page.waitForFunction((link) => location.hash === link, link);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('cluster labels at every zoom', () => {
  it('zoomed in deep, off every peak, labels the cluster on screen, whole inside the view, none overlapping', async () => {
    const { page, errors } = await viewer.open(`/#layers=clusters`);
    await clustersShown(page);
    // the fixture's class c sits at 30 (cos, sin)(2 pi c / 8) with sd 3; look 7 units beside the centre of
    // the first label's class, at 40 times the fitted zoom: its peak is far off screen
    // the status line says how many clusters were found and why
    await page.waitForFunction(() => /^Clusters: 8 clusters: \d+ density peaks? in the map/.test(document.getElementById('status')?.textContent ?? ''));
    const first = await page.evaluate(() => window.latentmap.primary!.view.marks.shownLabels[0]);
    const cls = Number(/^C\d+ · (\d+) /.exec(first.text)![1]);
    const cx = 30 * Math.cos((2 * Math.PI * cls) / 8);
    const cy = 30 * Math.sin((2 * Math.PI * cls) / 8);
    const seen = await page.evaluate(
      ([x, y]) => {
        const v = window.latentmap.primary!.view;
        v.setView({ cx: x + 7, cy: y, k: 40 });
        return new Promise<{ peak: [number, number]; size: { width: number; height: number } }>((r) =>
          requestAnimationFrame(() => requestAnimationFrame(() => r({ peak: v.toScreen(x, y), size: v.size() }))),
        );
      },
      [cx, cy],
    );
    expect(seen.peak[0] < 0 || seen.peak[0] > seen.size.width || seen.peak[1] < 0 || seen.peak[1] > seen.size.height).toBe(true);
    const shown = await page.evaluate(() => window.latentmap.primary!.view.marks.shownLabels);
    expect(shown.map((l) => l.text)).toEqual([first.text]);
    for (const l of shown) {
      expect(l.x - l.width / 2).toBeGreaterThanOrEqual(0);
      expect(l.x + l.width / 2).toBeLessThanOrEqual(seen.size.width);
      expect(l.y).toBeGreaterThan(0);
      expect(l.y).toBeLessThan(seen.size.height);
    }
    await screenshot(page, 'layers-clusters-deep-zoom');
    // back at the fitted zoom every cluster is labelled and no two labels overlap
    await page.evaluate(() => window.latentmap.primary!.view.setView({ cx: 0, cy: 0, k: 1 }));
    await frames(page);
    const all = await page.evaluate(() => window.latentmap.primary!.view.marks.shownLabels);
    expect(all).toHaveLength(8);
    for (let i = 0; i < all.length; i++) {
      for (let j = i + 1; j < all.length; j++) {
        const apart = Math.abs(all[i].x - all[j].x) >= (all[i].width + all[j].width) / 2 || Math.abs(all[i].y - all[j].y) >= 18;
        expect(apart).toBe(true);
      }
    }
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('explain a cluster or the filtered rows', () => {
  it('selects a cluster when its label is clicked, and explains it', async () => {
    const { page, errors } = await viewer.open(`/#layers=clusters`);
    await clustersShown(page);
    const label = await page.evaluate(() => {
      const app = window.latentmap;
      const l = app.primary!.view.marks.shownLabels.find((s) => s.id === 2)!;
      const r = app.primary!.view.overlay.getBoundingClientRect();
      return { x: r.left + l.x, y: r.top + l.y, text: l.text };
    });
    await page.mouse.click(label.x, label.y);
    await page.waitForFunction(() => location.hash.includes('sel=cluster:2'));
    expect(await page.locator('#selection-panel h3').textContent()).toMatch(new RegExp(`^[\\d,]+ in cluster ${label.text.replace(/[()]/g, '\\$&')} of 4,000$`));
    // the cluster's rows: its label class, all of them (the fixture's clusters are pure)
    const count = Number(await page.locator('.selection-count').getAttribute('data-count'));
    const share = /\((\d+) %\)/.exec(label.text)![1];
    expect(Number(share)).toBeGreaterThanOrEqual(99);
    expect(count).toBeGreaterThan(300);
    expect(await page.locator('#selection-panel .summary li').count()).toBe(1);
    await page.locator('#selection-panel .explain-table tbody tr').first().waitFor({ timeout: 30_000 });
    // the fixture has no model: the typical member is the mean alone, and the panel says why
    await page.locator('#selection-panel .typical-table').waitFor({ timeout: 30_000 });
    expect(await page.locator('#selection-panel .typical-note').textContent()).toMatch(/^Nothing decoded: /);
    // the detail did not open: the click went to the label
    expect(await page.locator('#detail-panel').isHidden()).toBe(true);
    await page.reload();
    await page.waitForFunction(() => Number(document.querySelector('.selection-count')?.getAttribute('data-count')) > 0);
    expect(Number(await page.locator('.selection-count').getAttribute('data-count'))).toBe(count);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('selects the rows passing the filters with Explain, and follows the filters', async () => {
    const { page, errors } = await viewer.open(`/#filter=label:3|5`);
    await page.locator('.filter-count').waitFor();
    const passing = Number(/^([\d,]+) of/.exec((await page.locator('.filter-count').textContent())!)![1].replace(/,/g, ''));
    await page.locator('button.explain-filter').click();
    await page.waitForFunction(() => location.hash.includes('sel=filter'));
    expect(Number(await page.locator('.selection-count').getAttribute('data-count'))).toBe(passing);
    expect(await page.locator('#selection-panel h3').textContent()).toMatch(/passing the filters/);
    expect(await page.locator('#selection-panel .summary li').count()).toBe(2);
    // one more class in the filter: the selection follows
    await page.locator('.filter-item[data-column="label"] g.bar[data-category="0"]').click({ modifiers: ['Shift'] });
    await page.waitForFunction(() => /label:0\|3\|5|label:3\|5\|0/.test(decodeURIComponent(location.hash)));
    await page.waitForFunction(() => document.querySelectorAll('#selection-panel .summary li').length === 3);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('linked filter charts', () => {
  it('brushing the error histogram dims the rest of the map, recounts the label bars, and lives in the URL', async () => {
    const { page, errors } = await viewer.open();
    const chart = page.locator('.filter-item[data-column="error"] svg');
    await chart.waitFor();
    // the feature charts fetched and drawn (the panel is drawn again when they arrive): a drag then stays on one chart
    await page.waitForFunction(() => !document.querySelector('.filter-loading') && document.querySelector('.filter-item[data-column^="feature:"]'));
    const labelBars = () => page.locator('.filter-item[data-column="label"] rect.kept').evaluateAll((els) => els.map((e) => Number(e.getAttribute('height'))));
    const before = await labelBars();
    const box = (await chart.boundingBox())!;
    // the fixture's error grows with the class: brushing the lowest quarter keeps the first classes
    await page.mouse.move(box.x + box.width * 0.03, box.y + box.height * 0.4);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height * 0.4, { steps: 5 });
    await page.mouse.up();
    await page.waitForFunction(() => /filter=error:/.test(location.hash));
    const count = await page.locator('.filter-count').textContent();
    const m = /^([\d,]+) of 4,000 rows$/.exec(count ?? '');
    expect(m).not.toBeNull();
    const passing = Number(m![1].replace(/,/g, ''));
    expect(passing).toBeGreaterThan(100);
    expect(passing).toBeLessThan(4000);
    const after = await labelBars();
    expect(after.filter((h, c) => h < before[c] - 0.5).length).toBeGreaterThan(0); // other chart recounted
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await screenshot(page, 'filters-brush');
    // a bar click adds a second filter; reload restores both
    await page.locator('.filter-item[data-column="label"] g.bar[data-category="0"]').click();
    await page.waitForFunction(() => /filter=.*label:0/.test(decodeURIComponent(location.hash)));
    const hash = await page.evaluate(() => location.hash);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('.filter-item.active').length === 2);
    expect(await page.evaluate(() => location.hash)).toBe(hash);
    expect(errors).toEqual([]);
    await page.context().close();
  });
});

describe('explain a selection', () => {
  it('lists the columns that most set a selected cluster apart, with the standardized difference and both means', async () => {
    // cluster 0 of the fixture sits at (30, 0); its features are 0 + noise against 1..7 elsewhere
    const { page, errors } = await viewer.open(`/#sel=rect:22,-8,38,-8,38,8,22,8`);
    await page.locator('#selection-panel .explain-table tbody tr').first().waitFor({ timeout: 30_000 });
    // the map's own columns come at once; the input features with the decoded mean, after which the table is whole
    await page.locator('#selection-panel .explain-pending').waitFor({ state: 'detached', timeout: 30_000 });
    const rows = await page.locator('#selection-panel .explain-table tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    expect(rows.length).toBeGreaterThanOrEqual(6);
    const top = rows.slice(0, 6).map((r) => r[0]);
    expect(top.filter((name) => name.startsWith('feature_')).length).toBeGreaterThanOrEqual(5);
    const d = Number(rows[0][1]);
    expect(d).toBeLessThan(-1.2); // lower than the rest by more than a pooled sd
    expect(Number(rows[0][2])).toBeLessThan(0.3); // selected mean near 0
    expect(Number(rows[0][3])).toBeGreaterThan(3); // rest's mean near 4
    await screenshot(page, 'explain-selection');
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
