import { describe, expect, it } from 'vitest';
import { combineMasks, projectMask } from '../../web/src/app/emphasis.js';
import { shortcutOf } from '../../web/src/app/shortcuts.js';

describe('emphasis', () => {
  it('intersects the selection and the search, and passes a single mask through', () => {
    const sel = Uint8Array.from([1, 1, 0, 1]);
    const search = Uint8Array.from([0, 1, 1, 1]);
    expect(Array.from(combineMasks(sel, search)!)).toEqual([0, 1, 0, 1]);
    expect(combineMasks(null, search)).toBe(search);
    expect(combineMasks(null, undefined)).toBeNull();
    expect(Array.from(sel)).toEqual([1, 1, 0, 1]); // inputs untouched
  });

  it('lights up the same input rows in the compared map, skipping rows it lacks', () => {
    const mask = Uint8Array.from([1, 0, 1]);
    const index = Int32Array.from([10, 11, 12]);
    const target = new Map([
      [12, 0],
      [11, 1],
    ]);
    expect(Array.from(projectMask(mask, index, (r) => target.get(r) ?? -1, 2))).toEqual([1, 0]);
  });
});

describe('shortcuts', () => {
  const key = (k: string, extra: Partial<{ ctrlKey: boolean; inField: boolean }> = {}) => shortcutOf({ key: k, ctrlKey: false, metaKey: false, inField: false, ...extra });
  it('maps keys to actions outside form fields only', () => {
    expect(key('/')).toBe('search');
    expect(key('l')).toBe('mode-lasso');
    expect(key('r')).toBe('mode-rect');
    expect(key('p')).toBe('mode-pan');
    expect(key('Escape')).toBe('escape');
    expect(key('r', { ctrlKey: true })).toBeNull();
    expect(key('l', { inField: true })).toBeNull();
    expect(key('x')).toBeNull();
  });
});
