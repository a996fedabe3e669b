// A CSV that is one endless line (no line break in 65 MiB) is refused with a clear error naming the line,
// instead of loading ever slower; loading reports its progress in bytes.
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../../pipeline/load/index.js';
import { MAX_ROW_BYTES } from '../../../pipeline/load/csv-tokenizer.js';
import type { ProgressInfo } from '../../../pipeline/types.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'latentmap-endless-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a CSV that is one endless line', () => {
  it('is refused once the row passes the bound, naming the file and line, with progress in bytes on the way', async () => {
    const file = path.join(dir, 'endless.csv');
    await writeFile(file, 'a,b\n1,2\n');
    const out = createWriteStream(file, { flags: 'a' });
    const block = Buffer.from('1,'.repeat(512 * 1024));
    for (let written = 0; written <= MAX_ROW_BYTES + block.length; written += block.length) {
      if (!out.write(block)) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await new Promise<void>((r) => out.end(() => r()));
    const reports: ProgressInfo[] = [];
    const started = Date.now();
    const err = await loadDataset(
      { dataset: null, input: file, labelColumn: null, dataDir: null, limit: null },
      { onProgress: (_p, stage, info) => stage === 'load' && info && reports.push(info) },
    ).catch((e: unknown) => e as Error);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).name).toBe('InputError');
    expect((err as Error).message).toMatch(/endless\.csv:3: /);
    expect((err as Error).message).toMatch(/longer than 64 MiB without a line break/);
    expect(Date.now() - started).toBeLessThan(60_000);
    const withBytes = reports.filter((r) => typeof r.bytes === 'number');
    expect(withBytes.length).toBeGreaterThan(3);
    expect(withBytes.at(-1)!.totalBytes).toBeGreaterThan(MAX_ROW_BYTES);
    expect(withBytes.map((r) => r.bytes!)).toEqual([...withBytes.map((r) => r.bytes!)].sort((a, b) => a - b));
  });
});
