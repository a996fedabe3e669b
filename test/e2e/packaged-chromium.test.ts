// The fallback browser: where Debian's chromium is not installed, the browser tests drive the Chromium inside
// the @sparticuz/chromium devDependency. This machine may have Debian's, so the fallback is forced here
// (CHROMIUM_PATH=packaged) and must launch headless and draw; a browser that cannot start fails, never skips.
import { afterAll, describe, expect, it } from 'vitest';
import { chromiumPath, launchBrowser } from './browser.js';

describe('the packaged Chromium (the fallback when no system browser is installed)', () => {
  const before = process.env.CHROMIUM_PATH;
  afterAll(() => {
    if (before === undefined) delete process.env.CHROMIUM_PATH;
    else process.env.CHROMIUM_PATH = before;
  });

  it('unpacks, launches headless and draws on a canvas', async () => {
    process.env.CHROMIUM_PATH = 'packaged';
    const exe = await chromiumPath();
    expect(exe.source).toBe('@sparticuz/chromium');
    const { browser, close } = await launchBrowser();
    try {
      expect(browser.version()).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
      const page = await browser.newPage();
      await page.setContent('<canvas id="c" width="20" height="20"></canvas>');
      const painted = await page.evaluate(() => {
        const ctx = (document.getElementById('c') as HTMLCanvasElement).getContext('2d')!;
        ctx.fillStyle = 'rgb(200, 30, 60)';
        ctx.fillRect(0, 0, 10, 20);
        const data = ctx.getImageData(0, 0, 20, 20).data;
        let n = 0;
        for (let p = 0; p < data.length; p += 4) if (data[p] === 200 && data[p + 1] === 30 && data[p + 2] === 60 && data[p + 3] === 255) n++;
        return n;
      });
      expect(painted).toBe(200);
    } finally {
      await close();
    }
  });
});
