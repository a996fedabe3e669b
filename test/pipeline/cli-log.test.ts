import { describe, expect, it } from 'vitest';
import { createLogger, formatDuration, stageTimeLeft } from '../../pipeline/cli-log.js';

describe('progress lines say the time left in the stage', () => {
  it('extrapolates from the stage progress so far, and says nothing when too early to tell', () => {
    expect(stageTimeLeft(0.25, 30)).toBeCloseTo(90, 9);
    expect(stageTimeLeft(0.01, 30)).toBeNull();
    expect(stageTimeLeft(0.5, 1)).toBeNull();
    expect(stageTimeLeft(1, 30)).toBeNull();
    expect(formatDuration(3725)).toBe('1h02m');
    expect(formatDuration(185)).toBe('3m05s');
    expect(formatDuration(12.4)).toBe('12s');
  });

  it('text and JSON logs carry the estimate of the current stage', () => {
    let t = 0;
    const lines: string[] = [];
    const text = createLogger({ format: 'text', write: (s) => lines.push(s), tty: false, quiet: false, now: () => t });
    text.progress(0, 'tsne');
    t = 20000;
    text.progress(0.4, 'tsne', { iteration: 400 });
    expect(lines.at(-1)).toMatch(/t-SNE\s+40%\s+iter 400\s+~30s left/);
    const json: string[] = [];
    t = 0;
    const js = createLogger({ format: 'json', write: (s) => json.push(s), tty: false, quiet: false, now: () => t });
    js.progress(0, 'train');
    t = 10000;
    js.progress(0.2, 'train', { epoch: 5 });
    expect(JSON.parse(json.at(-1)!)).toMatchObject({ stage: 'train', progress: 0.2, stageLeft: 40, epoch: 5 });
  });
});

describe('the JSON log while an input loads', () => {
  it('tells the bytes read of the total at once, then at most 4 lines a second', () => {
    let t = 0;
    const json: string[] = [];
    const log = createLogger({ format: 'json', write: (s) => json.push(s), tty: false, quiet: false, now: () => t });
    log.progress(0, 'load');
    t = 10;
    log.progress(0.05, 'load', { bytes: 500_000, totalBytes: 10_000_000 });
    t = 20;
    log.progress(0.1, 'load', { bytes: 1_000_000, totalBytes: 10_000_000 });
    t = 300;
    log.progress(0.3, 'load', { bytes: 3_000_000, totalBytes: 10_000_000 });
    expect(json.map((l) => JSON.parse(l) as { progress: number; bytes?: number })).toMatchObject([
      { progress: 0 },
      { progress: 0.05, bytes: 500_000, totalBytes: 10_000_000 },
      { progress: 0.3, bytes: 3_000_000, totalBytes: 10_000_000 },
    ]);
  });
});
