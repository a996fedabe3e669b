import { describe, expect, it } from 'vitest';
import { trailingThrottle } from '../../web/src/ui/throttle.js';

describe('a throttle that keeps the last call', () => {
  it('runs at once, folds the calls of a burst into one, and makes that one when its time is up', () => {
    let t = 0;
    const timers: { at: number; f: () => void }[] = [];
    let runs = 0;
    const due = trailingThrottle(() => runs++, 250, () => t, (f, ms) => timers.push({ at: t + ms, f }));
    due();
    expect(runs).toBe(1);
    // a burst within 250 ms: nothing yet, one call scheduled for when 250 ms have passed
    t = 10;
    due();
    t = 20;
    due();
    expect(runs).toBe(1);
    expect(timers.map((x) => x.at)).toEqual([250]);
    // no event follows the burst: its last points are still drawn
    t = 250;
    timers.shift()!.f();
    expect(runs).toBe(2);
    // past the interval a call runs at once again
    t = 600;
    due();
    expect(runs).toBe(3);
    expect(timers).toEqual([]);
  });
});
