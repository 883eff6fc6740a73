import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createDatasetSink, type DatasetFormat, duckdbReadSql } from '@omnidim-stream/sinks';
import { type FlatCallLog, SCHEMAS, type TableName } from '@omnidim-stream/transform';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { duck, listFiles, simulatedLogs, tempDir } from './helpers.js';

/**
 * Issue 16, merge-on-write (`mergePartitions`): a run's calls are merged into the partitions they
 * fall in; the lake's other calls, undated ones included, are carried over; a re-read call's rows
 * are replaced in every table (child tables follow their call). Read back by DuckDB.
 */
let dir: { path: string; remove: () => Promise<void> };
beforeEach(async () => {
  dir = await tempDir('merge');
});
afterEach(async () => dir.remove());

async function write(
  out: string,
  logs: FlatCallLog[],
  format: DatasetFormat,
  mode: 'overwrite' | 'mergePartitions',
) {
  await pipeline(Readable.from(logs), createDatasetSink({ out, format, mode }));
}

/** `log` with no date: it goes to the Hive default partition. */
function undated(log: FlatCallLog): FlatCallLog {
  const copy = structuredClone(log);
  copy.partitionDate = null;
  for (const row of copy.tables.calls ?? []) row['call_date'] = null;
  return copy;
}

async function rows(
  out: string,
  format: DatasetFormat,
  table: TableName,
  select: string,
  where = 'true',
): Promise<Record<string, unknown>[]> {
  const from = duckdbReadSql({ format, path: join(out, table, '*', `*.${format}`), schema: SCHEMAS[table] });
  return duck(`SELECT ${select} FROM ${from} WHERE ${where} ORDER BY ALL`);
}

describe.each(['parquet', 'csv', 'ndjson'] as const)('mergePartitions (%s)', (format) => {
  it('keeps the lake calls the run did not re-read (undated ones too), replaces re-read calls in every table', async () => {
    const out = join(dir.path, 'lake');
    const logs = simulatedLogs(40, 3);
    const first = [undated(logs[0]!), undated(logs[1]!), ...logs.slice(2)];
    await write(out, first, format, 'overwrite');
    const before = await rows(out, format, 'interactions', 'count(*)::INT AS n');

    // Re-read: one undated call with a new recording and no interactions any more, one dated call
    // changed; plus a new undated call. Every other call is only in the lake.
    const changedUndated = undated(logs[0]!);
    changedUndated.tables.calls![0]!['recording_url'] = 'https://rec.example/new-undated.wav';
    const dropped = changedUndated.tables.interactions?.length ?? 0;
    expect(dropped).toBeGreaterThan(0);
    changedUndated.tables.interactions = [];
    changedUndated.tables.function_calls = [];
    const changedDated = structuredClone(logs[5]!);
    changedDated.tables.calls![0]!['recording_url'] = 'https://rec.example/new-dated.wav';
    const fresh = undated(structuredClone(simulatedLogs(41, 3)[0]!));
    await write(out, [fresh, changedUndated, changedDated], format, 'mergePartitions');

    const ids = (await rows(out, format, 'calls', 'id::DOUBLE AS id')).map((r) => Number(r['id']));
    const expected = [...new Set([...first, fresh].map((l) => l.callId))].sort((a, b) => a - b);
    expect(ids).toEqual(expected);
    const urls = await rows(
      out,
      format,
      'calls',
      'recording_url',
      `id IN (${changedUndated.callId}, ${changedDated.callId})`,
    );
    expect(urls.map((r) => r['recording_url'])).toEqual([
      'https://rec.example/new-dated.wav',
      'https://rec.example/new-undated.wav',
    ]);
    const [after] = await rows(out, format, 'interactions', 'count(*)::INT AS n');
    const added = fresh.tables.interactions?.length ?? 0;
    expect(Number(after!['n'])).toBe(Number(before[0]!['n']) - dropped + added);
    const [gone] = await rows(
      out,
      format,
      'interactions',
      'count(*)::INT AS n',
      `call_id = ${changedUndated.callId}`,
    );
    expect(Number(gone!['n'])).toBe(0);
    // One undated partition, merged (not one file per run): the run touched only what it read.
    const files = (await listFiles(out)).filter((f) =>
      f.startsWith('calls/month=__HIVE_DEFAULT_PARTITION__/'),
    );
    expect(files.length).toBe(1);
  });
});
