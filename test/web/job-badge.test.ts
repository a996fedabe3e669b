import { describe, expect, it } from 'vitest';
import { badgeActions, whenComplete } from '../../web/src/ui/job-badge.js';

describe('the running-job badge and the map looked at', () => {
  it('offers to watch the map while it forms, not before and not while it is watched', () => {
    expect(badgeActions({ phase: 'running', forming: false, watching: false })).toEqual(['show']);
    expect(badgeActions({ phase: 'running', forming: true, watching: false })).toEqual(['show', 'watch']);
    expect(badgeActions({ phase: 'running', forming: true, watching: true })).toEqual(['show']);
  });

  it('offers the finished run, or why it failed', () => {
    expect(badgeActions({ phase: 'complete', forming: false, watching: false })).toEqual(['open']);
    expect(badgeActions({ phase: 'failed', forming: false, watching: false })).toEqual(['details']);
  });

  it('opens the finished run in place only for a user who watched it form; else offers it', () => {
    expect(whenComplete({ dialogOpen: false, watchingMap: false })).toBe('offer');
    expect(whenComplete({ dialogOpen: false, watchingMap: true })).toBe('open');
    expect(whenComplete({ dialogOpen: true, watchingMap: false })).toBe('open');
  });
});
