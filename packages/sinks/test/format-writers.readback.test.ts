import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { gunzipSync } from 'node:zlib';
import { InvalidOptionError } from '@omnidim-stream/core';
import { createCsvWriter, createNdjsonWriter, duckdbReadSql, SinkError } from '@omnidim-stream/sinks';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { parse } from 'csv-parse/sync';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ALL_TYPES_SCHEMA,
  AWKWARD_ROWS,
  duck,
  duckTypes,
  hyparquetCompressors,
  listFiles,
  tempDir,
} from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('formats');
});
afterAll(async () => dir.remove());

/** What DuckDB must read back for AWKWARD_ROWS, derived from the input rows (not from our output). */
function expectedRows() {
  return AWKWARD_ROWS.map((r) => ({
    id: String(r.id),
    score: r.score,
    ok: r.ok,
    text: r.text,
    at: r.at === null ? null : r.at.toISOString(),
    payload: r.payload,
  }));
}

const SELECT = `SELECT CAST(id AS VARCHAR) AS id, score, ok, text,
  strftime(timezone('UTC', "at"), '%Y-%m-%dT%H:%M:%S.%gZ') AS "at", CAST(payload AS VARCHAR) AS payload`;

async function write(writer: NodeJS.WritableStream): Promise<void> {
  await pipeline(Readable.from(AWKWARD_ROWS), writer);
}

describe.each([
  ['ndjson', 'none'],
  ['ndjson', 'gzip'],
  ['csv', 'none'],
  ['csv', 'gzip'],
  ['parquet', 'snappy'],
  ['parquet', 'zstd'],
  ['parquet', 'gzip'],
  ['parquet', 'brotli'],
  ['parquet', 'none'],
] as const)('%s writer (%s) read back by DuckDB', (format, compression) => {
  it('keeps every value and the schema types', async () => {
    const ext = format === 'parquet' ? 'parquet' : compression === 'gzip' ? `${format}.gz` : format;
    const path = join(dir.path, `${format}-${compression}.${ext}`);
    const schema = ALL_TYPES_SCHEMA;
    const writer =
      format === 'parquet'
        ? createParquetWriter({ schema, destination: path, compression, rowGroupRows: 3 })
        : format === 'csv'
          ? createCsvWriter({ schema, destination: path, compression: compression as 'none' | 'gzip' })
          : createNdjsonWriter({ schema, destination: path, compression: compression as 'none' | 'gzip' });
    await write(writer);
    const result = writer.result();
    expect(result.rows).toBe(AWKWARD_ROWS.length);
    expect(result.bytes).toBe((await readFile(path)).length);
    const from = duckdbReadSql({ format, path, schema, hivePartitioning: false });
    const rows = await duck(`${SELECT} FROM ${from} ORDER BY id`);
    const expected = expectedRows().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    expect(rows).toEqual(expected);
    const types = await duckTypes(`SELECT * FROM ${from}`);
    expect(types['id']).toBe('BIGINT');
    expect(types['score']).toBe('DOUBLE');
    expect(types['ok']).toBe('BOOLEAN');
    expect(types['text']).toBe('VARCHAR');
    expect(types['at']).toBe('TIMESTAMP WITH TIME ZONE');
    // No temp file left next to the committed one.
    expect((await listFiles(dir.path)).filter((f) => f.startsWith('.'))).toEqual([]);
  });
});

describe('format details', () => {
  it('parquet: hyparquet reads the same values; row groups are bounded', async () => {
    const path = join(dir.path, 'hyparquet.parquet');
    await write(createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination: path, rowGroupRows: 3 }));
    const rows = await parquetReadObjects({
      file: await asyncBufferFromFile(path),
      compressors: await hyparquetCompressors(),
    });
    expect(rows.map((r) => r['id'])).toEqual(AWKWARD_ROWS.map((r) => BigInt(r.id)));
    expect(rows.map((r) => r['text'])).toEqual(AWKWARD_ROWS.map((r) => r.text));
    expect(rows.map((r) => (r['at'] as Date | null)?.getTime() ?? null)).toEqual(
      AWKWARD_ROWS.map((r) => r.at?.getTime() ?? null),
    );
    const groups = await duck(
      `SELECT DISTINCT row_group_id, row_group_num_rows FROM parquet_metadata('${path}') ORDER BY 1`,
    );
    expect(groups.map((g) => g['row_group_num_rows'])).toEqual(['3', '3', '2']);
    const codec = await duck(`SELECT DISTINCT compression FROM parquet_metadata('${path}')`);
    expect(codec).toEqual([{ compression: 'ZSTD' }]);
  });

  it('parquet: rowGroupBytes closes row groups early on long strings', async () => {
    const path = join(dir.path, 'bytes.parquet');
    const rows = Array.from({ length: 10 }, (_, i) => ({
      ...AWKWARD_ROWS[0]!,
      id: i,
      text: 'x'.repeat(1000),
    }));
    await pipeline(
      Readable.from(rows),
      createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination: path, rowGroupBytes: 2500 }),
    );
    const groups = await duck(`SELECT DISTINCT row_group_id FROM parquet_metadata('${path}')`);
    expect(groups.length).toBeGreaterThanOrEqual(4);
    expect(await duck(`SELECT count(*)::INT AS n FROM '${path}'`)).toEqual([{ n: 10 }]);
  });

  it('csv: RFC 4180 round trip through csv-parse; null is an empty cell, "" an empty string', async () => {
    const path = join(dir.path, 'roundtrip.csv');
    await write(createCsvWriter({ schema: ALL_TYPES_SCHEMA, destination: path }));
    const text = await readFile(path, 'utf8');
    const records = parse(text, { columns: true, relax_quotes: false }) as Record<string, string>[];
    expect(Object.keys(records[0]!)).toEqual(ALL_TYPES_SCHEMA.columns.map((c) => c.name));
    expect(records.map((r) => r['text'])).toEqual(AWKWARD_ROWS.map((r) => r.text ?? ''));
    expect(records.map((r) => r['ok'])).toEqual(AWKWARD_ROWS.map((r) => (r.ok === null ? '' : String(r.ok))));
    expect(text).toContain('\n3,,,"",,\n');
  });

  it('csv: formulaGuard prefixes formula-like string cells only when enabled', async () => {
    const guarded = join(dir.path, 'guarded.csv');
    await write(createCsvWriter({ schema: ALL_TYPES_SCHEMA, destination: guarded, formulaGuard: true }));
    const records = parse(await readFile(guarded, 'utf8'), { columns: true }) as Record<string, string>[];
    const byId = new Map(records.map((r) => [r['id'], r]));
    expect(byId.get('2')!['text']).toBe("'=SUM(A1:A2)");
    expect(byId.get('-5')!['text']).toBe("'+1 555");
    expect(byId.get('6')!['text']).toBe("'-minus");
    expect(byId.get('7')!['text']).toBe("'@handle\ttab");
    expect(byId.get('4')!['text']).toBe('naïve café 日本語 🚀');
    // Numbers are never prefixed, even negative ones.
    expect(byId.get('-5')!['id']).toBe('-5');
    expect(byId.get('6')!['payload']).toBe('null');
  });

  it('ndjson: keys in schema order, ISO timestamps, json as strings; gzip is real gzip', async () => {
    const path = join(dir.path, 'order.ndjson.gz');
    await write(createNdjsonWriter({ schema: ALL_TYPES_SCHEMA, destination: path, compression: 'gzip' }));
    const lines = gunzipSync(await readFile(path))
      .toString('utf8')
      .trimEnd()
      .split('\n');
    expect(lines).toHaveLength(AWKWARD_ROWS.length);
    const first = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(Object.keys(first)).toEqual(ALL_TYPES_SCHEMA.columns.map((c) => c.name));
    expect(first['at']).toBe('2024-02-29T23:59:59.123Z');
    expect(first['payload']).toBe(AWKWARD_ROWS[0]!.payload);
  });

  it('ndjson: jsonColumns "embed" writes JSON values DuckDB reads as JSON', async () => {
    const path = join(dir.path, 'embed.ndjson');
    await write(createNdjsonWriter({ schema: ALL_TYPES_SCHEMA, destination: path, jsonColumns: 'embed' }));
    const rows = await duck(
      `SELECT json_extract_string(payload, '$.c') AS c FROM read_json('${path}', format='newline_delimited', columns={'id':'BIGINT','payload':'JSON'}) WHERE id = 9007199254740991`,
    );
    expect(rows).toEqual([{ c: 'é' }]);
  });

  it('rejects bad options before writing, and rows that break the schema', async () => {
    const destination = join(dir.path, 'never.parquet');
    expect(() =>
      createParquetWriter({ schema: ALL_TYPES_SCHEMA, destination, compression: 'lz4' as never }),
    ).toThrow(InvalidOptionError);
    expect(() =>
      createCsvWriter({ schema: ALL_TYPES_SCHEMA, destination, formulaGuard: 'yes' as never }),
    ).toThrow(InvalidOptionError);
    expect(() =>
      createNdjsonWriter({ schema: ALL_TYPES_SCHEMA, destination, compression: 'brotli' as never }),
    ).toThrow(/compression/);
    const writer = createNdjsonWriter({
      schema: ALL_TYPES_SCHEMA,
      destination: join(dir.path, 'bad.ndjson'),
    });
    await expect(pipeline(Readable.from([{ ...AWKWARD_ROWS[0]!, id: 1.5 }]), writer)).rejects.toThrow(
      SinkError,
    );
    const files = await listFiles(dir.path);
    expect(files).not.toContain('never.parquet');
    expect(files).not.toContain('bad.ndjson');
    expect(files.filter((f) => f.startsWith('.'))).toEqual([]);
  });
});
