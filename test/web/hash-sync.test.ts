import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { HashSync, WRITE_DELAY_MS } from '../../web/src/app/hash-sync.js';
import { emptyState, parseState } from '../../web/src/url-state.js';

/** The URL's hash as history.replaceState left it, and every write. */
let hash = '';
let writes: string[] = [];
let clock = 0;

beforeEach(() => {
  vi.useFakeTimers();
  hash = '';
  writes = [];
  clock = 0;
  vi.stubGlobal('location', {
    pathname: '/',
    search: '',
    get hash() {
      return hash;
    },
  });
  vi.stubGlobal('history', {
    replaceState: (_: unknown, __: string, url: string) => {
      hash = url.slice(url.indexOf('#'));
      writes.push(hash);
    },
  });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function advance(ms: number): void {
  clock += ms;
  vi.advanceTimersByTime(ms);
}

const state = (search: string) => ({ ...emptyState(), run: 'iris', search });

describe('the view state in the URL hash', () => {
  it('writes a change that comes alone at once: a reload right after a click has it', () => {
    const sync = new HashSync(() => clock);
    sync.write(state('a'));
    expect(parseState(hash).search).toBe('a');
    advance(WRITE_DELAY_MS + 1);
    sync.write(state('b'));
    expect(parseState(hash).search).toBe('b');
    expect(writes).toHaveLength(2);
  });

  it('writes at most once a delay while changes keep coming, and the last state when they stop', () => {
    const sync = new HashSync(() => clock);
    // a pan: a change every 16 ms for a second
    for (let i = 0; i < 60; i++) {
      sync.write(state(`frame ${i}`));
      advance(16);
    }
    advance(WRITE_DELAY_MS);
    expect(parseState(hash).search).toBe('frame 59');
    // the first at once, then one per WRITE_DELAY_MS: 1 + 960 / 200 rounded up, and the last
    expect(writes.length).toBeGreaterThanOrEqual(5);
    expect(writes.length).toBeLessThanOrEqual(7);
  });

  it('writes now when asked, dropping a write that was due', () => {
    const sync = new HashSync(() => clock);
    sync.write(state('a'));
    advance(10);
    sync.write(state('b'));
    expect(parseState(hash).search).toBe('a');
    sync.write(state('c'), true);
    expect(parseState(hash).search).toBe('c');
    advance(WRITE_DELAY_MS * 2);
    expect(writes.map((h) => parseState(h).search)).toEqual(['a', 'c']);
  });

  it('does not write a hash it already wrote', () => {
    const sync = new HashSync(() => clock);
    sync.write(state('a'));
    advance(WRITE_DELAY_MS + 1);
    sync.write(state('a'));
    expect(writes).toHaveLength(1);
  });
});
