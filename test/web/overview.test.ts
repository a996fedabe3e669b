// The overview settings read from the page's query string, and what the note on the map says of the rows held.
import { describe, expect, it } from 'vitest';
import { coverageText, OVERVIEW_ROWS, OVERVIEW_THRESHOLD, REGION_LIMIT, scaleSettings, selectionNote, type Coverage } from '../../web/src/app/overview.js';

describe('the overview settings', () => {
  it('take the defaults without a query string', () => {
    expect(scaleSettings('')).toEqual({ threshold: OVERVIEW_THRESHOLD, overviewRows: OVERVIEW_ROWS, regionLimit: REGION_LIMIT });
    expect(OVERVIEW_THRESHOLD).toBe(10_000_000);
  });

  it('read overview-threshold, overview-rows and region-limit from the query string', () => {
    expect(scaleSettings('?overview-threshold=5000&overview-rows=2000&region-limit=6000')).toEqual({ threshold: 5000, overviewRows: 2000, regionLimit: 6000 });
  });

  it('keep the default for a value that is not a positive whole number', () => {
    expect(scaleSettings('?overview-threshold=-5&overview-rows=1e3&region-limit=0').threshold).toBe(OVERVIEW_THRESHOLD);
    expect(scaleSettings('?overview-rows=1e3').overviewRows).toBe(OVERVIEW_ROWS);
    expect(scaleSettings('?region-limit=0').regionLimit).toBe(REGION_LIMIT);
  });
});

describe('the note on the map', () => {
  const overview: Coverage = { kind: 'overview', runRows: 20_000_000, loaded: 1_000_000, region: null, regionRows: 20_000_000, regionLoaded: 1_000_000, exact: false };
  const region = (exact: boolean): Coverage => ({
    kind: 'region',
    runRows: 20_000_000,
    loaded: 1_400_000,
    region: { x0: 0, y0: 0, x1: 1, y1: 1 },
    regionRows: exact ? 412_345 : 5_321_000,
    regionLoaded: exact ? 412_345 : 2_000_000,
    exact,
  });

  it('says an overview is a sample of N of M points', () => {
    expect(coverageText(overview)).toContain('Overview: 1,000,000 of 20,000,000 points');
  });

  it('says a region holds all its points exactly, or a sample with the true count', () => {
    expect(coverageText(region(true))).toContain('all 412,345 points in this region (exact)');
    expect(coverageText(region(false))).toContain('2,000,000 of 5,321,000 points in this region (a sample');
  });

  it('tells a selection that it covers the loaded points only', () => {
    expect(selectionNote(overview)).toBe('This selection covers the 1,000,000 points loaded, not all 20,000,000 of the run: an overview sample.');
  });
});
