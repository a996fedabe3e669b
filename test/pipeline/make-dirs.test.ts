import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { causeOf, DirectoryError, makeDirs, whyNotWritable } from '../../pipeline/make-dirs.js';
import { readOnlyMount } from '../fixtures/read-only-mount.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-make-dirs-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('makeDirs', () => {
  it('makes a directory and its missing parents, and is content when they exist (also when made at once)', async () => {
    const deep = path.join(dir, 'a', 'b', 'c');
    await makeDirs(deep);
    expect((await stat(deep)).isDirectory()).toBe(true);
    await makeDirs(deep);
    await Promise.all([1, 2, 3, 4].map(() => makeDirs(path.join(dir, 'x', 'y'))));
    expect((await stat(path.join(dir, 'x', 'y'))).isDirectory()).toBe(true);
  });

  it('names the level that is a file, with ENOTDIR', async () => {
    await writeFile(path.join(dir, 'file'), 'x');
    const err = await makeDirs(path.join(dir, 'file', 'sub', 'deeper')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectoryError);
    expect(err).toMatchObject({ code: 'ENOTDIR', dir: path.join(dir, 'file') });
    expect((err as Error).message).toBe(`cannot make directory ${path.join(dir, 'file')}: a part of the path is a file, not a directory (ENOTDIR)`);
    // the directory itself being a file
    await expect(makeDirs(path.join(dir, 'file'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('says what an errno code means', () => {
    expect(causeOf(Object.assign(new Error('EROFS: read-only file system, mkdir'), { code: 'EROFS' }))).toBe('the file system is read-only (EROFS)');
    expect(causeOf(Object.assign(new Error('EXDEV: cross-device link not permitted, rename'), { code: 'EXDEV' }))).toBe('cross-device link not permitted (EXDEV)');
  });
});

const mount = readOnlyMount('latentmap-ro-make-dirs');

describe.skipIf(mount.skipped !== null)('makeDirs on a read-only file system', () => {
  beforeAll(async () => {
    await mkdir(path.join(mount.dir, 'runs'));
    mount.remount('ro');
  });
  afterAll(() => mount.cleanup());

  it('reports EROFS at the first level it could not make, not the ENOENT of a recursive mkdir', async () => {
    const err = await makeDirs(path.join(mount.dir, 'runs', '.jobs', 'deeper')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DirectoryError);
    expect(err).toMatchObject({ code: 'EROFS', dir: path.join(mount.dir, 'runs', '.jobs') });
    expect((err as Error).message).toBe(`cannot make directory ${path.join(mount.dir, 'runs', '.jobs')}: the file system is read-only (EROFS)`);
    // what exists is fine, read-only or not
    await makeDirs(path.join(mount.dir, 'runs'));
  });

  it('tells why a directory cannot be written (null where it can; a missing one throws)', async () => {
    expect(await whyNotWritable(path.join(mount.dir, 'runs'))).toBe('the file system is read-only (EROFS)');
    expect(await whyNotWritable(dir)).toBeNull();
    await expect(whyNotWritable(path.join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
