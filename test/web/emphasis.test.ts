import { describe, expect, it } from 'vitest';
import { combineMasks, projectMask } from '../../web/src/app/emphasis.js';
import { shortcutOf, takesKeys } from '../../web/src/app/shortcuts.js';

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

describe('where shortcuts work', () => {
  it('sends the map keys (+, -, 0, arrows) to the map from outside it', () => {
    for (const k of ['+', '=', '-', '0', 'ArrowLeft']) expect(shortcutOf({ key: k, ctrlKey: false, metaKey: false, inField: false })).toBe('map');
    expect(shortcutOf({ key: '0', ctrlKey: false, metaKey: false, inField: true })).toBeNull();
  });

  it('works with focus on a clicked checkbox, radio or button, not in a text input, text area, select or editable text', () => {
    expect(takesKeys({ tagName: 'INPUT', type: 'checkbox' })).toBe(false);
    expect(takesKeys({ tagName: 'INPUT', type: 'radio' })).toBe(false);
    expect(takesKeys({ tagName: 'BUTTON', type: 'submit' })).toBe(false);
    expect(takesKeys({ tagName: 'CANVAS' })).toBe(false);
    expect(takesKeys(null)).toBe(false);
    expect(takesKeys({ tagName: 'INPUT', type: 'search' })).toBe(true);
    expect(takesKeys({ tagName: 'INPUT', type: 'number' })).toBe(true);
    expect(takesKeys({ tagName: 'INPUT' })).toBe(true);
    expect(takesKeys({ tagName: 'TEXTAREA' })).toBe(true);
    expect(takesKeys({ tagName: 'SELECT' })).toBe(true);
    expect(takesKeys({ tagName: 'DIV', isContentEditable: true })).toBe(true);
  });
});
