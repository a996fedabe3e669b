// The page set-up the viewer benchmarks share (bench:viewer, bench:viewer-overview): the server's points
// streams warmed with their compressed variants made, so a load measures the viewer and not the server's first
// read and compression; a fresh 1280 x 720 page at device pixel ratio 1 with its errors and crashes collected
// and a CDP session (profiles, memory); and the page's memory after a collection.
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';

/** The two requests the viewer makes for a run's points (app/load-points.ts): the first picture's columns, then the rest. */
export const POINTS_QUERIES = ['columns=x,y,label', 'exclude=x,y'] as const;

/**
 * Requests a run's two points streams once and waits (up to `waitMs` each) until the server serves them
 * compressed: its compressed variants are made in the background and would otherwise compete with the page
 * for the cores. Returns the content encoding of each ('identity' when the wait ran out).
 */
export async function warmPoints(serverUrl: string, id: string, waitMs: number): Promise<string[]> {
  const encodings: string[] = [];
  for (const query of POINTS_QUERIES) {
    const url = `${serverUrl}/api/runs/${id}/points?${query}`;
    await (await fetch(url)).arrayBuffer();
    let enc = 'identity';
    for (let waited = 0; waited < waitMs; waited += 1000) {
      const head = await fetch(url, { method: 'HEAD', headers: { 'accept-encoding': 'br, gzip' } });
      enc = head.headers.get('content-encoding') ?? 'identity';
      if (enc !== 'identity') break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    encodings.push(enc);
  }
  return encodings;
}

export interface BenchPage {
  context: BrowserContext;
  page: Page;
  /** Page errors and crashes, as they happen. */
  errors: string[];
  cdp: CDPSession;
}

/** A fresh context and page, 1280 x 720 CSS px at dpr 1. Close `context` when done. */
export async function benchPage(browser: Browser): Promise<BenchPage> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  // tsx compiles the benchmark with esbuild's keepNames, whose __name helper the page lacks
  await context.addInitScript('window.__name = (f) => f');
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('crash', () => errors.push('the page crashed'));
  const cdp = await context.newCDPSession(page);
  return { context, page, errors, cdp };
}

/** The page's memory, bytes: JS heap plus ArrayBuffer backing stores and embedder heap (CDP Runtime.getHeapUsage), after a collection. */
export async function pageMemory(cdp: CDPSession): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
  const heap = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number; embedderHeapUsedSize?: number };
  return heap.usedSize + (heap.backingStorageSize ?? 0) + (heap.embedderHeapUsedSize ?? 0);
}
