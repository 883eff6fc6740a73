import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  createDatasetSink,
  type DatasetFormat,
  DUCKDB_TYPES,
  duckdbReadSql,
  readManifest,
  verifyManifestFiles,
} from '@omnidim-stream/sinks';
import { SCHEMAS, TABLE_NAMES, type TableName } from '@omnidim-stream/transform';
import { asyncBufferFromFile, parquetReadObjects } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duck, duckTypes, hyparquetCompressors, listFiles, simulatedLogs, tempDir } from './helpers.js';

const CALLS = 400;
const FORMATS: DatasetFormat[] = ['ndjson', 'csv', 'parquet'];
const logs = simulatedLogs(CALLS);
let dir: { path: string; remove: () => Promise<void> };
const outs = {} as Record<DatasetFormat, string>;

function ext(format: DatasetFormat): string {
  return format;
}

function reader(format: DatasetFormat, table: TableName): string {
  return duckdbReadSql({
    format,
    path: join(outs[format], table, '*', `*.${ext(format)}`),
    schema: SCHEMAS[table],
  });
}

beforeAll(async () => {
  dir = await tempDir('dataset');
  for (const format of FORMATS) {
    outs[format] = join(dir.path, format);
    const sink = createDatasetSink({
      partitionBy: 'day',
      out: outs[format],
      format,
      rowsPerFile: 150,
      sourceStats: () => ({ totalRecords: CALLS, read: CALLS }),
    });
    await pipeline(Readable.from(logs), sink);
  }
});
afterAll(async () => dir.remove());

/** Expected rows per table and date, computed from the transform's output (the input of the sink). */
function expectedCounts(table: TableName): Map<string, number> {
  const counts = new Map<string, number>();
  for (const log of logs) {
    const key = log.partitionDate ?? 'null';
    counts.set(key, (counts.get(key) ?? 0) + log.tables[table].length);
  }
  for (const [k, v] of counts) if (v === 0) counts.delete(k);
  return counts;
}

describe.each(FORMATS)('%s dataset from simulated calls', (format) => {
  it('has the Hive layout, every row per partition, and the schema types in DuckDB', async () => {
    const files = await listFiles(outs[format]);
    for (const f of files) {
      expect(f).toMatch(
        /^(_manifest\.json|_views\.duckdb\.sql|[a-z_]+\/_SUCCESS|[a-z_]+\/date=\d{4}-\d{2}-\d{2}\/part-[A-Za-z0-9_-]+-\d{5}\.[a-z]+)$/,
      );
    }
    for (const table of TABLE_NAMES) {
      const rows = await duck(
        `SELECT CAST("date" AS VARCHAR) AS d, count(*)::INT AS n FROM ${reader(format, table)} GROUP BY 1`,
      );
      const got = new Map(rows.map((r) => [String(r['d']), Number(r['n'])]));
      expect(got, table).toEqual(expectedCounts(table));
    }
    const calls = await duckTypes(`SELECT * FROM ${reader(format, 'calls')}`);
    expect(calls['id']).toBe('BIGINT');
    expect(calls['time_of_call']).toMatch(/^TIMESTAMP( WITH TIME ZONE)?$/);
    expect(calls['p50_latency']).toBe('DOUBLE');
    expect(calls['total_tokens']).toBe('BIGINT');
    expect(calls['is_simulation']).toBe('BOOLEAN');
    const interactions = await duckTypes(`SELECT * FROM ${reader(format, 'interactions')}`);
    expect(interactions['latency_llm']).toBe('DOUBLE');
    expect(interactions['total_tokens']).toBe('BIGINT');
    expect(interactions['has_issue']).toBe('BOOLEAN');
    // Every declared column, in schema order, then the partition column.
    expect(Object.keys(calls)).toEqual([...SCHEMAS.calls.columns.map((c) => c.name), 'date']);
  });

  it('writes a manifest that matches the files on disk', async () => {
    const manifest = (await readManifest(outs[format]))!;
    expect(manifest.format).toBe(format);
    expect(manifest.mode).toBe('overwrite');
    expect(manifest.callsReceived).toBe(CALLS);
    expect(manifest.source).toEqual({ totalRecords: CALLS, read: CALLS });
    expect(Date.parse(manifest.committedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.startedAt));
    const dataFiles = (await listFiles(outs[format])).filter((f) => !f.split('/').pop()!.startsWith('_'));
    expect(manifest.files.map((f) => f.path).sort()).toEqual(dataFiles);
    expect(await verifyManifestFiles(outs[format])).toEqual([]);
    for (const table of TABLE_NAMES) {
      const expected = [...expectedCounts(table).values()].reduce((a, b) => a + b, 0);
      expect(manifest.tables[table]).toMatchObject({ schemaVersion: SCHEMAS[table].version, rows: expected });
      const marker = JSON.parse(await readFile(join(outs[format], table, '_SUCCESS'), 'utf8'));
      expect(marker.runId).toBe(manifest.runId);
    }
    // Row counts per file, re-counted by DuckDB, and rotation by rowsPerFile (150, checked between calls).
    for (const file of manifest.files.filter((f) => f.table === 'interactions').slice(0, 5)) {
      const sql = duckdbReadSql({
        format,
        path: join(outs[format], file.path),
        schema: SCHEMAS[file.table],
        hivePartitioning: false,
      });
      const [row] = await duck(`SELECT count(*)::INT AS n FROM ${sql}`);
      expect(row!['n']).toBe(file.rows);
      expect(file.partition.date).toBe(file.path.split('/')[1]!.slice('date='.length));
    }
    const biggest = Math.max(...manifest.files.map((f) => f.rows));
    expect(biggest).toBeLessThan(150 + 50);
  });
});

describe('cross-format identity', () => {
  it.each(TABLE_NAMES)('%s: NDJSON, CSV and Parquet give the same rows value for value', async (table) => {
    const schema = SCHEMAS[table];
    // Same projection for all formats: every column cast to the schema's DuckDB type, so a type
    // difference would show up as a value difference.
    const cols = schema.columns
      .map((c) => `CAST("${c.name}" AS ${DUCKDB_TYPES[c.type]}) AS "${c.name}"`)
      .join(', ');
    const order = schema.primaryKey.map((k) => `"${k}"`).join(', ');
    const results = [];
    for (const format of FORMATS) {
      results.push(
        await duck(
          `SELECT ${cols}, CAST("date" AS VARCHAR) AS d FROM ${reader(format, table)} ORDER BY ${order}`,
        ),
      );
    }
    expect(results[0]!.length).toBeGreaterThan(0);
    expect(results[1]).toEqual(results[0]);
    expect(results[2]).toEqual(results[0]);
  });
});

describe('parquet read by hyparquet', () => {
  it('reads the calls files with the same ids and types the transform produced', async () => {
    const manifest = (await readManifest(outs.parquet))!;
    const ids: number[] = [];
    for (const file of manifest.files.filter((f) => f.table === 'calls')) {
      const rows = await parquetReadObjects({
        file: await asyncBufferFromFile(join(outs.parquet, file.path)),
        compressors: await hyparquetCompressors(),
      });
      expect(rows).toHaveLength(file.rows);
      for (const row of rows) {
        expect(typeof row['id']).toBe('bigint');
        expect(row['time_of_call'] === null || row['time_of_call'] instanceof Date).toBe(true);
        ids.push(Number(row['id']));
      }
    }
    expect(ids.sort((a, b) => a - b)).toEqual(logs.map((l) => l.callId).sort((a, b) => a - b));
    const first = logs[0]!.tables.calls[0]!;
    const file = manifest.files.find(
      (f) => f.table === 'calls' && f.partition.date === logs[0]!.partitionDate,
    )!;
    const rows = await parquetReadObjects({
      file: await asyncBufferFromFile(join(outs.parquet, file.path)),
      compressors: await hyparquetCompressors(),
    });
    const same = rows.find((r) => Number(r['id']) === first['id'])!;
    expect((same['time_of_call'] as Date).getTime()).toBe((first['time_of_call'] as Date).getTime());
    expect(same['bot_name']).toBe(first['bot_name']);
  });
});
