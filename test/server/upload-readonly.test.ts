// An upload to a runs directory on a read-only file system: 503 with Retry-After, as a job that cannot be
// recorded, never 500. It needs a real read-only mount (Node's recursive mkdir reports ENOENT there, not EROFS,
// which no mocked fs reproduces): a tmpfs mounted, then remounted read-only. Only root may mount; elsewhere
// the test is skipped and says why.
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpError } from '../../server/http-error.js';
import { UploadStore } from '../../server/uploads.js';
import { readOnlyMount } from '../fixtures/read-only-mount.js';

const mount = readOnlyMount('latentmap-ro-upload');
const mnt = mount.dir;

describe.skipIf(mount.skipped !== null)('an upload to a read-only runs directory', () => {
  const runs = path.join(mnt, 'runs');
  const check = async () => ({ rows: 4, columns: 3, label: null, metadata: [], image: null }) as never;
  const body = () => Readable.from([Buffer.from('a,b,c\n1,2,3\n4,5,6\n7,8,9\n1,1,1\n')]) as unknown as IncomingMessage;
  const remount = mount.remount;

  beforeAll(() => {
    mkdirSync(runs);
  });
  afterAll(() => mount.cleanup());

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
