// Starts an iris run from the New-run form that is still visibly forming when a test looks, and waits for the
// dialog's live map. A t-SNE step size so small that the map still moves tens of thousands of iterations in: at
// the default, iris settles within about 2,000 iterations and then moves less than a pixel a frame, so a loaded
// machine, where the test looks later in the run, saw no movement. The form does not offer the setting (the API
// does): it is added to the form's request.
import type { Page } from 'playwright-core';

export async function startFormingIrisRun(page: Page, name: string): Promise<void> {
  await page.locator('#new-run').click();
  await page.locator('dialog.new-run').waitFor();
  await page.locator('#nr-dataset').fill('iris');
  await page.locator('#nr-limit').fill('');
  await page.locator('#nr-reducer').selectOption('none');
  await page.locator('#nr-iterations').fill('100000');
  await page.route('**/api/runs', (route) =>
    route.request().method() === 'POST' ? route.continue({ postData: JSON.stringify({ ...route.request().postDataJSON(), tsneLearningRate: 0.001 }) }) : route.continue(),
  );
  await page.locator('#nr-name').fill(name);
  await page.locator('dialog.new-run button[type=submit]').click();
  // the dialog's preview shows it forming
  await page.locator('dialog.new-run .live-map canvas').waitFor({ timeout: 120_000 });
}
