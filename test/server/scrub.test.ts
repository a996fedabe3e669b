import { describe, expect, it } from 'vitest';
import { scrubPaths } from '../../server/scrub.js';

describe('scrubPaths', () => {
  it('replaces absolute file paths, keeping the line and column after them', () => {
    expect(scrubPaths('cannot read /srv/data/clients.csv: EACCES')).toBe('cannot read <path>: EACCES');
    expect(scrubPaths('bad value at /home/alice/x.csv:3:7')).toBe('bad value at <path>:3:7');
    expect(scrubPaths('"/etc/passwd" is not under a data root')).toBe('"<path>" is not under a data root');
    expect(scrubPaths('see (C:\\Users\\bob\\x.csv)')).toBe('see (<path>)');
    expect(scrubPaths('input=/tmp/a.csv, labels=/tmp/b.csv')).toBe('input=<path>, labels=<path>');
  });

  it('keeps request lines, this server\'s routes and URLs (without their passwords)', () => {
    expect(scrubPaths('no upload "up-1" (list them with GET /api/uploads)')).toBe('no upload "up-1" (list them with GET /api/uploads)');
    expect(scrubPaths('upload the file (POST /api/uploads) and name it')).toBe('upload the file (POST /api/uploads) and name it');
    expect(scrubPaths('follow /api/runs/r1/events')).toBe('follow /api/runs/r1/events');
    expect(scrubPaths('got "http://127.0.0.1:1/x.csv"')).toBe('got "http://127.0.0.1:1/x.csv"');
    expect(scrubPaths('queue redis://worker:s3cret@queue.internal:6379/0 down')).toBe('queue redis://queue.internal:6379/0 down');
    // a file URL names a file of a machine
    expect(scrubPaths('got "file:///tmp/t13/secret.csv"')).toBe('got "file://<path>"');
  });

  it('keeps names and relative text with slashes', () => {
    for (const text of ['column "km/h" is not numeric', '1/2 of the rows', 'and/or', 'ratio 3 / 4', 'data/x.csv has 3 rows']) {
      expect(scrubPaths(text)).toBe(text);
    }
  });

  it('takes a named directory only as a whole path\'s start, with its `..` resolved, so no answer tells a guessed directory from another', () => {
    const roots = [
      { dir: '/srv/data', as: 'data-root:' },
      { dir: '/work/app', as: '<path>' },
    ];
    // a sibling whose name begins like the directory is any other path
    expect(scrubPaths('cannot read "/srv/dataX/a.csv"', roots)).toBe('cannot read "<path>"');
    expect(scrubPaths('cannot read "/work/appX/a.csv"', roots)).toBe('cannot read "<path>"');
    expect(scrubPaths('cannot read "/work/app/a.csv"', roots)).toBe('cannot read "<path>"');
    // `..` out of the root is not under it, and shows nothing of what lies above
    expect(scrubPaths('cannot read "/srv/data/../../etc/data/x.csv"', roots)).toBe('cannot read "<path>"');
    expect(scrubPaths('read "/srv/data/sub/../a.csv"', roots)).toBe('read "data-root:a.csv"');
    // relative text that contains the directory's name is the writer's own
    expect(scrubPaths('column "a/srv/data/x" is not numeric', roots)).toBe('column "a/srv/data/x" is not numeric');
  });

  it('replaces named directories by their public names, longest first', () => {
    const roots = [
      { dir: '/srv/data', as: 'data-root:' },
      { dir: '/srv/data/runs', as: '<runs>' },
    ];
    expect(scrubPaths('read /srv/data/a/b.csv and /srv/data/runs/r1/manifest.json', roots)).toBe('read data-root:a/b.csv and <runs>/r1/manifest.json');
    // text the server composed: only the named directories go
    expect(scrubPaths('not found: /../etc/passwd in /srv/data/runs', roots, false)).toBe('not found: /../etc/passwd in <runs>');
  });
});
