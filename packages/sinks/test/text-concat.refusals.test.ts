/**
 * Issue 21 review: the text byte-concatenators (text-concat.ts) keep a source's bytes only when
 * they are what this codebase's writers write; anything else is refused with code `SINK`
 * (nothing committed) rather than copied into a merged file whose readers would then lose rows.
 * Outputs are read back with Node's gunzip / a CSV parser, not with the code under test.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { CountedSource } from '../src/byte-source.js';
import { bytesSource } from '../src/byte-sources.js';
import { concatCsv, concatNdjson, concatNdjsonGzip } from '../src/text-concat.js';

const source = (bytes: Uint8Array | string, rows: number): CountedSource => ({
  ...bytesSource(typeof bytes === 'string' ? Buffer.from(bytes) : bytes),
  rows,
});

async function concatOf(concat: typeof concatNdjson, sources: CountedSource[]) {
  const chunks: Uint8Array[] = [];
  const counted = await concat(sources, async (chunk) => {
    chunks.push(Buffer.from(chunk));
  });
  return { ...counted, bytes: Buffer.concat(chunks) };
}

describe('text-concat: sources that are not what our writers write are refused', () => {
  it('gzip NDJSON: members concatenated read back whole with gunzip', async () => {
    const merged = await concatOf(concatNdjsonGzip, [
      source(gzipSync('{"a":1}\n{"a":2}\n'), 2),
      source(gzipSync('{"a":3}\n'), 1),
    ]);
    expect(merged.rows).toBe(3);
    expect(gunzipSync(merged.bytes).toString()).toBe('{"a":1}\n{"a":2}\n{"a":3}\n');
  });

  it('gzip NDJSON: a member followed by zero bytes (gunzip stops there: the next sources would be lost) is refused', async () => {
    const padded = Buffer.concat([gzipSync('{"a":1}\n'), Buffer.alloc(32)]);
    const sources = [source(padded, 1), source(gzipSync('{"a":2}\n'), 1)];
    // What a reader of the copied bytes would see: the second source's row is gone.
    expect(gunzipSync(Buffer.concat([padded, gzipSync('{"a":2}\n')])).toString()).toBe('{"a":1}\n');
    await expect(concatOf(concatNdjsonGzip, sources)).rejects.toMatchObject({ code: 'SINK' });
  });

  it('gzip NDJSON: a truncated member, or one not ending in a newline, is refused', async () => {
    const whole = gzipSync('{"a":1}\n{"a":2}\n');
    await expect(
      concatOf(concatNdjsonGzip, [source(whole.subarray(0, whole.length - 6), 2)]),
    ).rejects.toMatchObject({ code: 'SINK' });
    await expect(concatOf(concatNdjsonGzip, [source(gzipSync('{"a":1}'), 1)])).rejects.toMatchObject({
      code: 'SINK',
    });
  });

  it('NDJSON: a source not ending in a newline is refused; rows are the newlines', async () => {
    const merged = await concatOf(concatNdjson, [source('{"a":1}\n', 1), source('{"a":"x\\ny"}\n', 1)]);
    expect(merged.rows).toBe(2);
    await expect(
      concatOf(concatNdjson, [source('{"a":1}', 1), source('{"a":2}\n', 1)]),
    ).rejects.toMatchObject({ code: 'SINK' });
  });

  it('CSV: one header kept, records with quoted newlines whole; different header bytes refused', async () => {
    const merged = await concatOf(concatCsv, [
      source('id,text\n1,"a\nb"\n', 1),
      source('id,text\n2,c\n', 1),
      source('', 0),
    ]);
    expect(merged.rows).toBe(2);
    expect(parse(merged.bytes, { columns: true })).toEqual([
      { id: '1', text: 'a\nb' },
      { id: '2', text: 'c' },
    ]);
    await expect(
      concatOf(concatCsv, [source('id,text\n1,a\n', 1), source('id,"text"\n2,b\n', 1)]),
    ).rejects.toMatchObject({ code: 'SINK' });
    await expect(
      concatOf(concatCsv, [source('id,text\n1,a\n', 1), source('id,text\n2,b', 1)]),
    ).rejects.toMatchObject({ code: 'SINK' });
  });
});
