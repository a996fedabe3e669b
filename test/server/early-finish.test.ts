import { describe, expect, it } from 'vitest';
import { earlyFinish } from '../../server/jobs/early-finish.js';

describe('finishing a job’s t-SNE early, by stage', () => {
  it('ends t-SNE while the map forms', () => {
    expect(earlyFinish('j1', 'tsne')).toEqual({ kind: 'finish' });
  });

  it('says the map is already complete once t-SNE has ended (the run on its metrics), not that it is not forming yet', () => {
    for (const stage of ['metrics', 'write']) {
      const a = earlyFinish('j1', stage);
      expect(a.kind).toBe('complete');
      const message = (a as { message: string }).message;
      expect(message).toMatch(/already complete/);
      expect(message).toMatch(/finishing its metrics/);
      expect(message).not.toMatch(/not forming yet/);
    }
  });

  it('says the map is not forming yet before t-SNE (only a cancel ends the run then)', () => {
    for (const stage of ['load', 'train', 'encode', undefined]) {
      const a = earlyFinish('j1', stage);
      expect(a.kind).toBe('not-yet');
      expect((a as { message: string }).message).toMatch(/not forming yet \(stage (\w+)\)/);
    }
  });
});
