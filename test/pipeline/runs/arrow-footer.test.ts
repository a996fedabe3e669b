// An Arrow IPC file's rows and columns from its footer and record batch headers alone.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RecordBatchFileWriter, Table, makeVector, tableFromIPC, tableToIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArrowFileError, readArrowFileStructure } from '../../../pipeline/runs/arrow-footer.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'arrow-footer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function table(n: number, from = 0): Table {
  return new Table({ index: makeVector(Int32Array.from({ length: n }, (_, i) => from + i)), x: makeVector(Float32Array.from({ length: n }, (_, i) => i / 2)) });
}

describe('readArrowFileStructure', () => {
  it('gives the row count of a one-batch file, the same as reading it whole', async () => {
    const file = path.join(dir, 'one.arrow');
    await writeFile(file, tableToIPC(table(1234), 'file'));
    const s = await readArrowFileStructure(file);
    expect(s.rows).toBe(1234);
    expect(s.rows).toBe(tableFromIPC(await readFile(file)).numRows);
    expect(s.fields.map((f) => f.name)).toEqual(['index', 'x']);
    expect(s.batches).toHaveLength(1);
  });

  it('adds the rows of every record batch', async () => {
    const file = path.join(dir, 'three.arrow');
    const writer = new RecordBatchFileWriter();
    for (const [n, from] of [[10, 0], [5, 10], [7, 15]] as const) writer.write(table(n, from).batches[0]!);
    writer.finish();
    await writeFile(file, await writer.toUint8Array());
    const s = await readArrowFileStructure(file);
    expect(s.batches.map((b) => b.rows)).toEqual([10, 5, 7]);
    expect(s.rows).toBe(22);
    expect(s.rows).toBe(tableFromIPC(await readFile(file)).numRows);
  });

  it('refuses a file cut short, a file that is not Arrow, and a footer pointing past the data', async () => {
    const whole = tableToIPC(table(500), 'file');
    const cut = path.join(dir, 'cut.arrow');
    await writeFile(cut, whole.subarray(0, whole.length - 40));
    await expect(readArrowFileStructure(cut)).rejects.toThrow(ArrowFileError);
    const text = path.join(dir, 'text.arrow');
    await writeFile(text, 'index,x\n1,2\n'.repeat(10));
    await expect(readArrowFileStructure(text)).rejects.toThrow(/not an Arrow IPC file/);
    // the footer kept, the record batch it points at cut out of the middle
    const hollow = path.join(dir, 'hollow.arrow');
    const footerLength = Buffer.from(whole.buffer, whole.byteOffset, whole.length).readInt32LE(whole.length - 10);
    const keep = whole.length - 10 - footerLength;
    await writeFile(hollow, Buffer.concat([whole.subarray(0, 8), whole.subarray(keep)]));
    await expect(readArrowFileStructure(hollow)).rejects.toThrow(ArrowFileError);
  });

  it('passes a missing file through as the fs error', async () => {
    await expect(readArrowFileStructure(path.join(dir, 'none.arrow'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
