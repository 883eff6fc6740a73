/**
 * Issue 13.1 at the writer level (rows handed to the sinks directly, without the transform): a
 * lone UTF-16 surrogate in a text or JSON cell is stored as U+FFFD by every writer, so DuckDB
 * reads every file and the three formats hold the same value. Before, NDJSON wrote a `\ud800`
 * escape and DuckDB refused the whole file ("no low surrogate in string").
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCsvWriter, createNdjsonWriter, duckdbReadSql } from '@omnidim-stream/sinks';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_TYPES_SCHEMA, duck, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('surrogates');
});
afterAll(async () => dir.remove());

const ROWS = [
  { id: 1, score: null, ok: null, text: 'a\ud800b', at: null, payload: '{"k\udc00":"v\ud800"}' },
  { id: 2, score: null, ok: null, text: 'pair \ud83d\ude00 ok', at: null, payload: '["\ud83d\ude00"]' },
];
const EXPECTED = [
  { id: '1', text: 'a\ufffdb', payload: '{"k\ufffd":"v\ufffd"}' },
  { id: '2', text: 'pair \ud83d\ude00 ok', payload: '["\ud83d\ude00"]' },
];

describe.each([
  ['ndjson', 'string'],
  ['ndjson', 'embed'],
  ['csv', ''],
  ['parquet', ''],
] as const)('%s writer %s', (format, jsonColumns) => {
  it('stores U+FFFD for a lone surrogate; DuckDB reads the file', async () => {
    const schema = ALL_TYPES_SCHEMA;
    const path = join(dir.path, `rows-${format}-${jsonColumns}.${format}`);
    const writer =
      format === 'parquet'
        ? createParquetWriter({ schema, destination: path })
        : format === 'csv'
          ? createCsvWriter({ schema, destination: path })
          : createNdjsonWriter({ schema, destination: path, jsonColumns: jsonColumns as 'string' | 'embed' });
    await pipeline(Readable.from(ROWS), writer);
    const from = duckdbReadSql({ format, path, schema, hivePartitioning: false });
    const rows = await duck(
      `SELECT CAST(id AS VARCHAR) AS id, text, CAST(payload AS VARCHAR) AS payload FROM ${from} ORDER BY id`,
    );
    expect(rows).toEqual(EXPECTED);
  });
});
