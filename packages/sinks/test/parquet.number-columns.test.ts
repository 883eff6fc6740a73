/**
 * Issue 21 (CPU per call): the Parquet writer buffers float64, int64, timestamp and date values
 * in a Float64Array per column until the row group is written (number-column.ts; NaN stands for
 * null) instead of as HeapNumbers and BigInts. DuckDB and hyparquet read back every value as
 * written: nulls, zero and negative zero, the largest safe integers, instants and days before
 * 1970, across many row groups; the buffers count against rowGroupBytes.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import type { Row, TableSchema } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duck, hyparquetCompressors, tempDir } from './helpers.js';

const SCHEMA: TableSchema = {
  name: 'calls',
  version: 3,
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'int64', nullable: false, description: 'key' },
    { name: 'count', type: 'int64', nullable: true, description: '' },
    { name: 'score', type: 'float64', nullable: true, description: '' },
    { name: 'at', type: 'timestamp', nullable: true, description: '' },
    { name: 'day', type: 'date', nullable: true, description: '' },
  ],
};

const SPECIAL = {
  count: [0, null, -9_007_199_254_740_991, 9_007_199_254_740_991, 1],
  // No +0 beside -0: a dictionary (hyparquet-writer keys it by a Map, SameValueZero) would
  // write both as whichever came first, with or without this writer's buffers.
  score: [-0, 7, null, 1e308, -2.5e-300, 0.1],
  at: [new Date(-86_400_001), null, new Date(0), new Date('2026-12-01T00:01:02.345Z')],
  day: ['1969-12-31', null, '1970-01-01', '2026-02-28', '1900-03-01'],
};

/** 203 rows cycling through the special values at different periods, so every mix occurs. */
function rows(): Row[] {
  return Array.from({ length: 203 }, (_, i) => ({
    id: i,
    count: SPECIAL.count[i % 5]!,
    score: SPECIAL.score[i % 6]!,
    at: SPECIAL.at[i % 4]!,
    day: SPECIAL.day[(i >> 1) % 5]!,
  }));
}

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('number-columns');
});
afterAll(() => dir.remove());

async function write(name: string, input: Row[], options = {}): Promise<string> {
  const path = join(dir.path, `${name}.parquet`);
  await pipeline(
    Readable.from(input),
    createParquetWriter({ schema: SCHEMA, destination: path, ...options }),
  );
  return path;
}

describe('Parquet numeric columns', () => {
  it('DuckDB reads back every number, instant and day as written, across row groups', async () => {
    const input = rows();
    const path = await write('numbers', input, { rowGroupRows: 17 });
    const back = await duck(
      `SELECT id::VARCHAR AS id, "count"::VARCHAR AS "count", score, epoch_ms("at")::VARCHAR AS "at",
              "day"::VARCHAR AS "day"
       FROM read_parquet('${path}') ORDER BY id::BIGINT`,
    );
    const expected = input.map((r) => ({
      id: String(r['id']),
      count: r['count'] === null ? null : String(r['count']),
      // DuckDB's JSON row objects give doubles as numbers (-0 included)
      score: r['score'],
      at: r['at'] === null ? null : String((r['at'] as Date).getTime()),
      day: r['day'],
    }));
    expect(back).toEqual(expected);
    const [negativeZero] = await duck(
      `SELECT count(*)::INT AS n FROM read_parquet('${path}') WHERE score = 0 AND (1 / score) < 0`,
    );
    expect(negativeZero!['n']).toBe(input.filter((r) => Object.is(r['score'], -0)).length);
  });

  it('hyparquet reads back the same values', async () => {
    const input = rows();
    const path = await write('numbers-hyparquet', input, { rowGroupRows: 50 });
    const { parquetReadObjects, asyncBufferFromFile } = await import('hyparquet');
    const back = await parquetReadObjects({
      file: await asyncBufferFromFile(path),
      compressors: await hyparquetCompressors(),
    });
    expect(back).toHaveLength(input.length);
    back.forEach((r, i) => {
      const w = input[i]!;
      expect(r['id']).toBe(BigInt(w['id'] as number));
      expect(r['count']).toBe(w['count'] === null ? null : BigInt(w['count'] as number));
      expect(Object.is(r['score'], w['score']), `score of row ${i}`).toBe(true);
      expect(r['at'] === null ? null : (r['at'] as Date).getTime()).toBe(
        w['at'] === null ? null : (w['at'] as Date).getTime(),
      );
      expect(r['day'] === null ? null : (r['day'] as Date).toISOString().slice(0, 10)).toBe(w['day']);
    });
  });

  it('buffered numbers count against rowGroupBytes', async () => {
    const input = Array.from({ length: 20_000 }, (_, i) => ({
      id: i,
      count: i,
      score: i / 3,
      at: null,
      day: null,
    }));
    // 5 columns × 8 bytes × 20 000 rows = 800 KB of doubles under a 64 KiB bound.
    const path = await write('numbers-bounded', input, { rowGroupBytes: 64 * 1024 });
    const [r] = await duck(`SELECT count(DISTINCT row_group_id)::INT AS n FROM parquet_metadata('${path}')`);
    expect(r!['n']).toBeGreaterThanOrEqual(8);
  });
});
