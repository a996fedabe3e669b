// Starts an iris run from the New-run form that is still visibly forming when a test looks, and waits for the
// dialog's live map. A t-SNE step size so small that the map still moves tens of thousands of iterations in: at
// the default, iris settles within about 2,000 iterations and then moves less than a pixel a frame, so a loaded
// machine, where the test looks later in the run, saw no movement. The form does not offer the setting (the API
// does): it is added to the form's request.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from 'playwright-core';

/**
 * Uploads iris's 150 rows `copies` times over (each copy's measurements moved by up to 1% of a millimetre, the
 * species kept) to the server at `base`, and returns the upload's id: a run of iris's classes and columns
 * whose 100,000 t-SNE iterations take minutes rather than seconds, for a test that must find it still forming
 * after several steps on a loaded machine (iris itself ran them all in 15 s, in 50 s at load 20, sooner than
 * such a test took).
 */
export async function uploadSlowIris(base: string, copies = 20): Promise<string> {
  const text = await readFile(path.join(import.meta.dirname, '../../datasets/iris/iris.csv'), 'utf8');
  const [header, ...rows] = text.trim().split('\n');
  const out = [header];
  for (let c = 0; c < copies; c++) {
    for (const [r, row] of rows.entries()) {
      const cells = row.split(',');
      out.push(cells.map((v, j) => (j < 4 ? (Number(v) + (((r * 7 + c * 13 + j) % 11) - 5) * 0.002).toFixed(3) : v)).join(','));
    }
  }
  const res = await fetch(`${base}/api/uploads?name=iris-slow.csv`, { method: 'POST', body: `${out.join('\n')}\n` });
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

/**
 * As below; `upload`: the run reads this upload (uploadSlowIris) instead of the built-in iris the form names.
 */
export async function startFormingIrisRun(page: Page, name: string, upload?: string): Promise<void> {
  await page.locator('#new-run').click();
  await page.locator('dialog.new-run').waitFor();
  await page.locator('#nr-dataset').fill('iris');
  await page.locator('#nr-limit').fill('');
  await page.locator('#nr-reducer').selectOption('none');
  await page.locator('#nr-iterations').fill('100000');
  await page.route('**/api/runs', (route) =>
    route.request().method() === 'POST'
      ? route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), tsneLearningRate: 0.001, ...(upload ? { dataset: undefined, upload } : {}) }) })
      : route.continue(),
  );
  await page.locator('#nr-name').fill(name);
  await page.locator('dialog.new-run button[type=submit]').click();
  // the dialog's preview shows it forming
  await page.locator('dialog.new-run .live-map canvas').waitFor({ timeout: 120_000 });
}
