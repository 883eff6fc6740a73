/**
 * Issue 17: CSV and NDJSON carry each declared type through DuckDB's own inference (whole
 * doubles as `12.0`, dates as `YYYY-MM-DD`), and Parquet footers say who wrote them in a form
 * parquet-java parses, with the caller's key/value metadata.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createCsvWriter, createNdjsonWriter } from '@omnidim-stream/sinks';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import type { TableSchema } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duck, duckTypes, tempDir } from './helpers.js';

const SCHEMA: TableSchema = {
  name: 'calls',
  version: 9,
  primaryKey: ['id'],
  columns: [
    { name: 'id', type: 'int64', nullable: false, description: '' },
    { name: 'seconds', type: 'float64', nullable: true, description: '' },
    { name: 'day', type: 'date', nullable: true, description: '' },
  ],
};

// Every double whole (no 2.5, no 1e21 to give the type away): the writers' spelling alone must
// keep the column DOUBLE.
const ROWS = [
  { id: 1, seconds: 12, day: '2024-02-29' },
  { id: 2, seconds: 0, day: '1999-12-31' },
  { id: 3, seconds: -7, day: null },
  { id: 4, seconds: null, day: '2030-01-01' },
  { id: 5, seconds: 3, day: '2024-01-01' },
];

// parquet-java VersionParser.FORMAT, anchored (Java's matches() is a whole-string match).
const PARQUET_JAVA_VERSION = /^(.*?)\s+version\s*(?:([^(]*?)\s*(?:\(\s*build\s*([^)]*?)\s*\))?)?$/;

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('declared-types');
});
afterAll(() => dir.remove());

const PLAIN = {
  parquet: (path: string) => `read_parquet('${path}')`,
  csv: (path: string) => `read_csv('${path}')`,
  ndjson: (path: string) => `read_json('${path}')`,
} as const;

describe.each(['parquet', 'csv', 'ndjson'] as const)('%s: plain DuckDB inference', (format) => {
  it('reads a column of whole doubles as DOUBLE and a date column as DATE, values intact', async () => {
    const path = join(dir.path, `types.${format}`);
    const writer =
      format === 'parquet'
        ? createParquetWriter({ schema: SCHEMA, destination: path })
        : format === 'csv'
          ? createCsvWriter({ schema: SCHEMA, destination: path })
          : createNdjsonWriter({ schema: SCHEMA, destination: path });
    await pipeline(Readable.from(ROWS), writer);
    const types = await duckTypes(`SELECT * FROM ${PLAIN[format](path)}`);
    expect(types).toEqual({ id: 'BIGINT', seconds: 'DOUBLE', day: 'DATE' });
    const rows = await duck(
      `SELECT id, seconds, day::VARCHAR AS day FROM ${PLAIN[format](path)} ORDER BY id`,
    );
    expect(rows).toEqual([
      { id: '1', seconds: 12, day: '2024-02-29' },
      { id: '2', seconds: 0, day: '1999-12-31' },
      { id: '3', seconds: -7, day: null },
      { id: '4', seconds: null, day: '2030-01-01' },
      { id: '5', seconds: 3, day: '2024-01-01' },
    ]);
  });
});

describe('the text of whole doubles and dates', () => {
  it('NDJSON and CSV write 12.0, not 12, and the date as YYYY-MM-DD', async () => {
    const ndjson = await readFile(join(dir.path, 'types.ndjson'), 'utf8');
    expect(ndjson.split('\n')[0]).toBe('{"id":1,"seconds":12.0,"day":"2024-02-29"}');
    const csv = await readFile(join(dir.path, 'types.csv'), 'utf8');
    expect(csv.split('\n').slice(0, 3)).toEqual(['id,seconds,day', '1,12.0,2024-02-29', '2,0.0,1999-12-31']);
  });

  it('a date that is not a calendar date is refused by every writer', async () => {
    for (const create of [createCsvWriter, createNdjsonWriter, createParquetWriter]) {
      const writer = create({ schema: SCHEMA, destination: join(dir.path, 'bad.out') });
      await expect(
        pipeline(Readable.from([{ id: 1, seconds: 1, day: '2024-02-30' }]), writer),
      ).rejects.toThrow(/Column "day" \(date\)/);
    }
  });
});

describe('Parquet footer', () => {
  it("created_by parses with parquet-java's pattern; key/value metadata has the caller's pairs", async () => {
    const path = join(dir.path, 'meta.parquet');
    const writer = createParquetWriter({
      schema: SCHEMA,
      destination: path,
      keyValueMetadata: {
        'omnidim.time_zone': 'Asia/Kolkata',
        'omnidim.run_id': 'r-1',
        'omnidim.table': 'x',
      },
    });
    await pipeline(Readable.from(ROWS), writer);
    const [meta] = await duck(`SELECT created_by FROM parquet_file_metadata('${path}')`);
    const match = PARQUET_JAVA_VERSION.exec(String(meta?.['created_by']));
    expect(match?.slice(1)).toEqual(['omnidim-stream', '0.1.0', 'hyparquet-writer-0.17.0']);
    const kv = await duck(
      `SELECT decode(key) AS k, decode(value) AS v FROM parquet_kv_metadata('${path}') ORDER BY k`,
    );
    expect(kv).toEqual([
      { k: 'omnidim.run_id', v: 'r-1' },
      { k: 'omnidim.schema_version', v: '9' },
      // The writer's own pairs win: readers branch on them.
      { k: 'omnidim.table', v: 'calls' },
      { k: 'omnidim.time_zone', v: 'Asia/Kolkata' },
    ]);
  });

  it('a chunk of several pages gets a column index and an offset index (a page index)', async () => {
    const path = join(dir.path, 'paged.parquet');
    // 250k distinct int64 ids in one row group: 2 MB, two pages of hyparquet-writer's 1 MiB.
    const rows = Array.from({ length: 250_000 }, (_, i) => ({ id: i, seconds: i / 2, day: '2024-01-01' }));
    const writer = createParquetWriter({ schema: SCHEMA, destination: path, rowGroupRows: 250_000 });
    await pipeline(Readable.from(rows), writer);
    const { parquetMetadataAsync, asyncBufferFromFile } = await import('hyparquet');
    const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
    const id = metadata.row_groups[0]!.columns[0]!;
    expect(id.column_index_offset).toBeDefined();
    expect(id.offset_index_offset).toBeDefined();
  });
});
