import { describe, expect, it } from 'vitest';
import { rowIndexParam } from '../../server/params.js';
import { runsDirReadOnly } from '../../server/read-only.js';

describe('route parameters', () => {
  it('reads a row index written in plain decimal digits', () => {
    expect(rowIndexParam('0')).toBe(0);
    expect(rowIndexParam('2147483647')).toBe(2147483647);
  });

  it('refuses any other row index with a 400 that names the path parameter as its field', () => {
    for (const raw of ['abc', '-1', '1e3', '00012', '99999999999999999999999', '2147483648', '']) {
      let thrown: unknown = null;
      try {
        rowIndexParam(raw);
      } catch (err) {
        thrown = err;
      }
      expect(thrown, raw).toMatchObject({ status: 400, extra: { field: 'index' } });
      expect((thrown as Error).message).toMatch(/^invalid row index ".*": use a non-negative whole number$/);
    }
  });
});

describe('the runs directory at start', () => {
  it('refuses an empty string as a runs directory (an InputError naming runs-dir, not a file-system error)', async () => {
    for (const dir of ['', '  ']) {
      const err = await runsDirReadOnly(dir).catch((e: unknown) => e);
      expect(err).toMatchObject({ name: 'InputError' });
      expect((err as Error).message).toBe('field "runs-dir": the runs directory must be a path, not an empty string');
    }
  });
});
