/**
 * Hostile cases (from the review of 2026-11-30): timestamps written as INT64 millis bigint. Edge instants read back identical
 * (DuckDB and hyparquet), filters on id/time prune correctly across row groups (statistics), and
 * the commit-time merge (concatParquet) of such part files keeps every value.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSource } from '../src/byte-sources.js';
import { createParquetWriter } from '../src/parquet.js';
import { concatParquet } from '../src/parquet-concat.js';
import { ALL_TYPES_SCHEMA, duck, hyparquetCompressors, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('review-ts');
});
afterAll(() => dir.remove());

const INSTANTS: (number | null)[] = [
  Date.UTC(1900, 0, 1, 0, 0, 0, 1),
  -1,
  0,
  1,
  null,
  Date.UTC(1969, 11, 31, 23, 59, 59, 999),
  Date.UTC(2024, 1, 29, 23, 59, 59, 123),
  Date.UTC(9999, 11, 31, 23, 59, 59, 999),
  -62_135_596_800_000, // 0001-01-01
  8_640_000_000_000_000, // max Date
  -8_640_000_000_000_000, // min Date
  Date.UTC(2038, 0, 19, 3, 14, 8, 1),
];
const rows = (base: number) =>
  INSTANTS.map((t, i) => ({
    id: base + i,
    score: null,
    ok: null,
    text: `t${i}`,
    at: t === null ? null : new Date(t),
    payload: null,
  }));

async function write(name: string, base: number, rowGroupRows: number): Promise<string> {
  const path = join(dir.path, name);
  await pipeline(
    Readable.from(rows(base)),
    createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination: path, rowGroupRows }),
  );
  return path;
}

describe('Parquet timestamps as INT64 millis', () => {
  it('edge instants read back identical (DuckDB epoch_ms, hyparquet Date), nulls stay null', async () => {
    const path = await write('a.parquet', 0, 3);
    const got = await duck(
      `SELECT id, epoch_ms("at")::VARCHAR AS t FROM read_parquet('${path}') ORDER BY id`,
    );
    expect(got.map((r) => (r['t'] === null ? null : Number(r['t'])))).toEqual(INSTANTS);
    const hp = await parquetReadObjects({
      file: await asyncBufferFromFile(path),
      compressors: await hyparquetCompressors(),
    });
    expect(hp.map((r) => (r['at'] === null ? null : (r['at'] as Date).getTime()))).toEqual(INSTANTS);
  });

  it('filters by time and id prune row groups correctly (statistics agree with data)', async () => {
    const path = await write('b.parquet', 100, 2);
    for (const [cond, pred] of [
      [`"at" < TIMESTAMPTZ '1970-01-01 00:00:00+00'`, (t: number) => t < 0],
      [`"at" >= TIMESTAMPTZ '1970-01-01 00:00:00+00'`, (t: number) => t >= 0],
      [`"at" > TIMESTAMPTZ '2100-01-01 00:00:00+00'`, (t: number) => t > Date.UTC(2100, 0, 1)],
      [
        `"at" = make_timestamptz(2024, 2, 29, 23, 59, 59.123, 'UTC')`,
        (t: number) => t === Date.UTC(2024, 1, 29, 23, 59, 59, 123),
      ],
    ] as const) {
      const got = await duck(`SELECT id FROM read_parquet('${path}') WHERE ${cond} ORDER BY id`);
      const want = INSTANTS.flatMap((t, i) => (t !== null && pred(t) ? [100 + i] : []));
      expect(
        got.map((r) => Number(r['id'])),
        cond,
      ).toEqual(want);
    }
    const byId = await duck(
      `SELECT id FROM read_parquet('${path}') WHERE id BETWEEN 103 AND 105 ORDER BY id`,
    );
    expect(byId.map((r) => Number(r['id']))).toEqual([103, 104, 105]);
  });

  it('concatParquet of two part files keeps every instant and filters still work', async () => {
    const a = await write('c1.parquet', 200, 5);
    const b = await write('c2.parquet', 300, 4);
    const out = join(dir.path, 'merged.parquet');
    const stream = createWriteStream(out);
    const ha = await open(a);
    const hb = await open(b);
    await concatParquet(
      [fileSource(ha, (await stat(a)).size), fileSource(hb, (await stat(b)).size)],
      async (chunk) => {
        if (!stream.write(chunk)) await once(stream, 'drain');
      },
    );
    stream.end();
    await once(stream, 'close');
    await ha.close();
    await hb.close();
    const got = await duck(`SELECT epoch_ms("at")::VARCHAR AS t FROM read_parquet('${out}') ORDER BY id`);
    expect(got.map((r) => (r['t'] === null ? null : Number(r['t'])))).toEqual([...INSTANTS, ...INSTANTS]);
    const pre = await duck(
      `SELECT count(*)::INT AS n FROM read_parquet('${out}') WHERE "at" < TIMESTAMPTZ '1970-01-01 00:00:00+00'`,
    );
    expect(Number(pre[0]!['n'])).toBe(2 * INSTANTS.filter((t) => t !== null && t < 0).length);
  });
});
