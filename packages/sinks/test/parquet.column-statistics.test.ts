/**
 * Issue 21 (CPU per call): the Parquet writer skips min/max statistics and the page index of
 * the columns no reader prunes by (free text, JSON text; parquet-column-options.ts) and writes
 * timestamps as their INT64 millis. The columns readers do prune by keep statistics that agree
 * with what DuckDB reads from the data, and every value still reads back as written.
 */
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { CALLS_SCHEMA, INTERACTIONS_SCHEMA, type Row } from '@omnidim-stream/transform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { duck, simulatedLogs, tempDir } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
const logs = simulatedLogs(300, 11);
beforeAll(async () => {
  dir = await tempDir('column-statistics');
});
afterAll(() => dir.remove());

async function write(name: 'calls' | 'interactions'): Promise<string> {
  const path = join(dir.path, `${name}.parquet`);
  const rows: Row[] = logs.flatMap((l): readonly Row[] => l.tables[name]);
  const schema = name === 'calls' ? CALLS_SCHEMA : INTERACTIONS_SCHEMA;
  await pipeline(Readable.from(rows), createParquetWriter({ schema, destination: path }));
  return path;
}

/** column name → its chunk statistics in the first row group, as hyparquet reads the footer. */
async function chunkStatistics(path: string): Promise<Map<string, Record<string, unknown> | undefined>> {
  const { parquetMetadataAsync, asyncBufferFromFile } = await import('hyparquet');
  const metadata = await parquetMetadataAsync(await asyncBufferFromFile(path));
  expect(metadata.row_groups).toHaveLength(1);
  return new Map(
    metadata.row_groups[0]!.columns.map((c) => [
      c.meta_data!.path_in_schema.join('.'),
      c.meta_data!.statistics as Record<string, unknown> | undefined,
    ]),
  );
}

describe('Parquet column statistics', () => {
  it('ids, times and dates keep min/max equal to what DuckDB reads; free text and JSON have none', async () => {
    const path = await write('calls');
    const stats = await chunkStatistics(path);
    const [duckMin] = await duck(
      `SELECT min(id)::VARCHAR AS id_min, max(id)::VARCHAR AS id_max,
              epoch_ms(min(time_of_call))::VARCHAR AS t_min, epoch_ms(max(time_of_call))::VARCHAR AS t_max,
              min(call_date)::VARCHAR AS d_min, max(call_date)::VARCHAR AS d_max,
              count(transcript) AS transcripts
       FROM read_parquet('${path}')`,
    );
    expect(Number(duckMin!['transcripts'])).toBeGreaterThan(0);
    const id = stats.get('id')!;
    expect(String(id['min_value'])).toBe(duckMin!['id_min']);
    expect(String(id['max_value'])).toBe(duckMin!['id_max']);
    const time = stats.get('time_of_call')!;
    expect(String((time['min_value'] as Date).getTime())).toBe(duckMin!['t_min']);
    expect(String((time['max_value'] as Date).getTime())).toBe(duckMin!['t_max']);
    const day = stats.get('call_date')!;
    expect((day['min_value'] as Date).toISOString().slice(0, 10)).toBe(duckMin!['d_min']);
    expect((day['max_value'] as Date).toISOString().slice(0, 10)).toBe(duckMin!['d_max']);
    expect(stats.get('bot_name')?.['min_value']).toBeDefined();
    for (const free of ['call_conversation', 'transcript', 'recording_url', 'extra', 'issues']) {
      expect(stats.get(free), free).toBeUndefined();
    }
  });

  it('interactions: time statistics equal DuckDB min/max, every timestamp reads back as written', async () => {
    const path = await write('interactions');
    const stats = await chunkStatistics(path);
    expect(stats.get('user_query')).toBeUndefined();
    expect(stats.get('id')?.['min_value']).toBeDefined();
    const [bounds] = await duck(
      `SELECT epoch_ms(min(time_of_call))::VARCHAR AS t_min, epoch_ms(max(time_of_call))::VARCHAR AS t_max
       FROM read_parquet('${path}')`,
    );
    const time = stats.get('time_of_call')!;
    expect(String((time['min_value'] as Date).getTime())).toBe(bounds!['t_min']);
    expect(String((time['max_value'] as Date).getTime())).toBe(bounds!['t_max']);
    const expected = logs
      .flatMap((l) => l.tables.interactions)
      .map((r) => (r['time_of_call'] as Date | null)?.getTime() ?? null);
    const read = await duck(`SELECT epoch_ms(time_of_call)::VARCHAR AS t FROM read_parquet('${path}')`);
    expect(read.map((r) => (r['t'] === null ? null : Number(r['t'])))).toEqual(expected);
  });
});
