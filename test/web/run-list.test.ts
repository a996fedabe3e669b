import { describe, expect, it } from 'vitest';
import type { RunSummary } from '../../pipeline/types.js';
import { chooseRun, RunList, sameRuns } from '../../web/src/app/run-list.js';

const run = (id: string, rows = 100): RunSummary => ({ id, name: id, createdAt: '2026-11-30T16:00:00Z', dataset: 'penguins', rows, reducer: 'autoencoder', variant: 'plain' as RunSummary['variant'], base: null });

describe('which run a URL opens', () => {
  it('opens the run named when it is listed', () => {
    expect(chooseRun('b', [run('a'), run('b')], 'a')).toEqual({ run: 'b', missing: null });
  });

  it('reports a run the list lacks as missing (the caller keeps the URL) and keeps the map on screen meanwhile', () => {
    expect(chooseRun('new', [run('a'), run('b')], 'b')).toEqual({ run: 'b', missing: 'new' });
    // nothing on screen yet: the newest run meanwhile, still reported missing
    expect(chooseRun('new', [run('a'), run('b')], null)).toEqual({ run: 'a', missing: 'new' });
    expect(chooseRun('new', [], null)).toEqual({ run: null, missing: 'new' });
  });

  it('without a run named, keeps the map on screen, else the newest', () => {
    expect(chooseRun(null, [run('a'), run('b')], 'b')).toEqual({ run: 'b', missing: null });
    expect(chooseRun(null, [run('a'), run('b')], null)).toEqual({ run: 'a', missing: null });
    expect(chooseRun(null, [], null)).toEqual({ run: null, missing: null });
  });
});

describe('the run list kept fresh', () => {
  it('says when a refresh changed the list (a CLI run written meanwhile), and not when it did not', async () => {
    let served = [run('a')];
    const list = new RunList(async () => served.slice(), () => undefined);
    expect(await list.refresh()).toBe(true);
    expect(await list.refresh()).toBe(false);
    served = [run('new'), run('a')];
    expect(await list.refresh()).toBe(true);
    expect(list.runs.map((r) => r.id)).toEqual(['new', 'a']);
    // a summary that changed in place counts too
    served = [run('new', 200), run('a')];
    expect(await list.refresh()).toBe(true);
  });

  it('shares one request between refreshes asked for at once', async () => {
    let calls = 0;
    const list = new RunList(async () => (calls++, [run('a')]), () => undefined);
    const [x, y] = await Promise.all([list.refresh(), list.refresh()]);
    expect(calls).toBe(1);
    expect(x && y).toBe(true);
    await list.refresh();
    expect(calls).toBe(2);
  });

  it('compares lists by their runs and order', () => {
    expect(sameRuns([run('a'), run('b')], [run('a'), run('b')])).toBe(true);
    expect(sameRuns([run('a'), run('b')], [run('b'), run('a')])).toBe(false);
    expect(sameRuns([run('a')], [])).toBe(false);
  });
});
