import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ProgressCoalescer } from '../../server/progress-coalescer.js';
import type { ProgressEvent } from '../../pipeline/types.js';

const p = (stage: ProgressEvent['stage'], progress: number, extra: Partial<ProgressEvent> = {}): ProgressEvent => ({ type: 'progress', stage, progress, ...extra });

describe('ProgressCoalescer', () => {
  let clock = 0;
  let sent: ProgressEvent[];
  let c: ProgressCoalescer;
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 0;
    sent = [];
    c = new ProgressCoalescer((e) => sent.push(e), 200, () => clock);
  });
  afterEach(() => vi.useRealTimers());
  const advance = (ms: number): void => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };

  it('sends a burst of reports of one stage as its first and, when the interval ends, its latest', () => {
    c.push(p('tsne', 0.1, { iteration: 50, kl: 3 }));
    for (let k = 2; k <= 16; k++) {
      advance(12); // about 80 reports a second, as t-SNE on iris makes them
      c.push(p('tsne', k / 100, { iteration: 50 * k, kl: 3 - k / 10 }));
    }
    expect(sent.map((e) => e.iteration)).toEqual([50]);
    advance(20); // 200 ms after the first one
    expect(sent.map((e) => e.iteration)).toEqual([50, 800]);
    advance(1000);
    expect(sent).toHaveLength(2); // nothing more without a new report
  });

  it('keeps at most one report per interval over a long run, never the same twice', () => {
    for (let k = 1; k <= 1000; k++) {
      advance(5);
      c.push(p('tsne', k / 1001, { iteration: k }));
    }
    advance(200);
    // 5 s of reports: about 25 sent, the last report among them
    expect(sent.length).toBeGreaterThanOrEqual(24);
    expect(sent.length).toBeLessThanOrEqual(27);
    expect(sent.at(-1)!.iteration).toBe(1000);
    const its = sent.map((e) => e.iteration!);
    expect(new Set(its).size).toBe(its.length);
    expect([...its].sort((a, b) => a - b)).toEqual(its);
  });

  it('sends a new stage, a stage start and a stage end at once, after the report kept back', () => {
    c.push(p('train', 0.2, { epoch: 2 }));
    advance(10);
    c.push(p('train', 0.3, { epoch: 3 }));
    advance(10);
    c.push(p('train', 1, { epoch: 10 }));
    expect(sent.map((e) => [e.stage, e.epoch])).toEqual([
      ['train', 2],
      ['train', 3],
      ['train', 10],
    ]);
    advance(10);
    c.push(p('encode', 0));
    advance(10);
    c.push(p('encode', 0.5));
    advance(10);
    c.push(p('tsne', 0.01));
    expect(sent.map((e) => [e.stage, e.progress])).toEqual([
      ['train', 0.2],
      ['train', 0.3],
      ['train', 1],
      ['encode', 0],
      ['encode', 0.5],
      ['tsne', 0.01],
    ]);
  });

  it('flush sends the report kept back before what must follow it; dispose drops it', () => {
    c.push(p('tsne', 0.1));
    advance(10);
    c.push(p('tsne', 0.2));
    c.flush();
    expect(sent.map((e) => e.progress)).toEqual([0.1, 0.2]);
    advance(500);
    expect(sent).toHaveLength(2);
    advance(10);
    c.push(p('tsne', 0.3));
    advance(10);
    c.push(p('tsne', 0.4));
    c.dispose();
    advance(500);
    expect(sent.map((e) => e.progress)).toEqual([0.1, 0.2, 0.3]);
  });
});
