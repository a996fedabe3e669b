// An upload to a runs directory on a read-only file system: 503 with Retry-After, as a job that cannot be
// recorded, never 500. It needs a real read-only mount (Node's recursive mkdir reports ENOENT there, not EROFS,
// which no mocked fs reproduces): a tmpfs mounted, then remounted read-only. Only root may mount; elsewhere
// the test is skipped and says why.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../server/http-error.js';
import { UploadStore } from '../../server/uploads.js';

const mnt = mkdtempSync(path.join(tmpdir(), 'latentmap-ro-'));
function tryMount(): string | null {
  if (process.getuid?.() !== 0) return 'not root: mounting a read-only file system needs root';
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return `mount refused here (${String((err as Error).message).split('\n')[0]})`;
  }
}
const why = tryMount();
if (why) {
  console.log(`upload-readonly: skipped: ${why}`);
  rmSync(mnt, { recursive: true, force: true });
}

describe.skipIf(why !== null)('an upload to a read-only runs directory', () => {
  const runs = path.join(mnt, 'runs');
  const check = async () => ({ rows: 4, columns: 3, label: null, metadata: [], image: null }) as never;
  const body = () => Readable.from([Buffer.from('a,b,c\n1,2,3\n4,5,6\n7,8,9\n1,1,1\n')]) as unknown as IncomingMessage;
  const remount = (mode: 'ro' | 'rw') => execFileSync('mount', ['-o', `remount,${mode}`, mnt], { stdio: 'pipe' });

  beforeAll(() => {
    mkdirSync(runs);
  });
  afterAll(() => {
    try {
      execFileSync('umount', [mnt], { stdio: 'pipe' });
    } finally {
      rmSync(mnt, { recursive: true, force: true });
    }
  });

  const refused = async (store: UploadStore): Promise<HttpError> => {
    const err = await store.receive(body(), 'g.csv').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(HttpError);
    return err as HttpError;
  };

  it('answers 503 with Retry-After, before and after the uploads directory exists, and keeps nothing', async () => {
    const store = new UploadStore(runs, 1_000_000, check);
    remount('ro');
    try {
      const first = await refused(store); // .uploads not made yet
      expect(first.status).toBe(503);
      expect(first.headers['Retry-After']).toBe('60');
      expect(first.message).toMatch(/could not store the upload \(EROFS\); nothing was kept/);
    } finally {
      remount('rw');
    }
    mkdirSync(store.dir);
    remount('ro');
    try {
      const second = await refused(store);
      expect(second.status).toBe(503);
      expect(readdirSync(store.dir)).toEqual([]);
    } finally {
      remount('rw');
    }
  });
});
