/**
 * Issue 21 review: the commit's byte merge of small part files under conditions the first tests
 * left out: groups split by a small `rowsPerFile` (several merged files per partition), Parquet
 * and gzip NDJSON with flatten workers, a resumed Parquet run, and whole rows of every table
 * compared (DuckDB, as multisets) with an export that never checkpoints (nothing merged).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { parquetReadObjects } from 'hyparquet';
import { describe, expect, it } from 'vitest';
import { type ExportCallLogsOptions, exportCallLogs } from '../src/index.js';
import { duck, engineScope } from './helpers.js';

type Format = 'ndjson' | 'csv' | 'parquet';
interface Manifest {
  files: { path: string; table: string; rows: number }[];
}

/** Every row of `table` as JSON text, sorted (the multiset DuckDB reads back). */
async function rowsOf(lake: string, table: string, format: Format): Promise<string[]> {
  const dir = join(lake, table);
  const from =
    format === 'parquet'
      ? `(SELECT to_json(t)::VARCHAR AS r FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = false) t)`
      : format === 'csv'
        ? `(SELECT to_json(t)::VARCHAR AS r FROM read_csv('${dir}/**/*.csv*', header = true, all_varchar = true, hive_partitioning = false) t)`
        : `(SELECT json::VARCHAR AS r FROM read_ndjson_objects('${dir}/**/*.ndjson*'))`;
  return (await duck(`SELECT r FROM ${from} ORDER BY r`)).map((row) => String(row['r']));
}

async function manifestOf(lake: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(lake, '_manifest.json'), 'utf8')) as Manifest;
}

describe('commit byte merge: whole rows as an export without merges', () => {
  const scope = engineScope();

  async function run(options: ExportCallLogsOptions) {
    const outDir = await scope.lake();
    const result = await exportCallLogs({ ...options, outDir });
    return { lake: outDir, result, manifest: await manifestOf(outDir) };
  }

  it.each<{ format: Format; workers: number; compression?: string }>([
    { format: 'parquet', workers: 2, compression: 'zstd' },
    // snappy: hyparquet reads it without a codec plugin (the whole-file read below).
    { format: 'parquet', workers: 0, compression: 'snappy' },
    { format: 'ndjson', workers: 2, compression: 'gzip' },
    { format: 'csv', workers: 2, compression: 'none' },
  ])(
    '$format workers $workers $compression, rowsPerFile 70: groups split',
    async (c) => {
      const sim = await scope.start({ records: 600, seed: 35, oddRecords: { rate: 0.1 } });
      const base = {
        apiKey: sim.apiKey,
        baseUrl: sim.url,
        outDir: '',
        format: c.format,
        pageSize: 20,
        concurrency: 1,
        workers: c.workers,
        rowsPerFile: 70,
        ...(c.compression ? { compression: c.compression } : {}),
      } satisfies ExportCallLogsOptions;
      const merged = await run({ ...base, checkpointPages: 1 });
      const plain = await run({ ...base, checkpointPages: 0 });
      expect(merged.result.completeness).toMatchObject({ ended: true, missing: 0 });
      for (const table of TABLE_NAMES) {
        const expected = await rowsOf(plain.lake, table, c.format);
        expect(expected.length, table).toBeGreaterThan(0);
        expect(await rowsOf(merged.lake, table, c.format), table).toEqual(expected);
      }
      // Merged files keep to the part-file limit: a file holds at most 69 rows plus one call's rows
      // (a writer ends its file after the call that reaches the limit), whatever merged it.
      for (const table of TABLE_NAMES) {
        const perCall = (await rowsOf(plain.lake, table, c.format)).map((r) => {
          const row = JSON.parse(r) as Record<string, unknown>;
          return String(table === 'calls' ? row['id'] : row['call_id']);
        });
        const counts = new Map<string, number>();
        for (const id of perCall) counts.set(id, (counts.get(id) ?? 0) + 1);
        const bound = 69 + Math.max(...counts.values());
        for (const f of merged.manifest.files.filter((file) => file.table === table)) {
          expect(f.rows, f.path).toBeLessThanOrEqual(bound);
        }
      }
      expect(merged.manifest.files.length).toBeGreaterThan(TABLE_NAMES.length * 4);
      const calls = await rowsOf(merged.lake, 'calls', c.format);
      const ids = calls.map((r) => Number((JSON.parse(r) as { id: unknown }).id));
      expect(new Set(ids).size).toBe(ids.length);
      if (c.compression === 'snappy') {
        // Every merged file read whole by hyparquet: the rows the manifest lists.
        for (const f of merged.manifest.files) {
          const bytes = await readFile(join(merged.lake, f.path));
          const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
          expect((await parquetReadObjects({ file })).length, f.path).toBe(f.rows);
        }
      }
      if (c.format === 'parquet') {
        // A filtered read (row-group statistics) finds each of a few ids once.
        for (const id of sim
          .ids()
          .slice(0, 600)
          .filter((_, i) => i % 97 === 0)) {
          const [row] = await duck(
            `SELECT count(*) AS n FROM read_parquet('${merged.lake}/calls/**/*.parquet') WHERE id = ${id}`,
          );
          expect(Number(row!['n']), String(id)).toBe(1);
        }
      }
    },
    180_000,
  );

  it('parquet workers 2: a resumed run merges adopted files: rows as without checkpoints', async () => {
    const sim = await scope.start({ records: 600, seed: 36 });
    const options = {
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: await scope.lake(),
      format: 'parquet',
      pageSize: 50,
      concurrency: 1,
      workers: 2,
      checkpointPages: 1,
    } satisfies ExportCallLogsOptions;
    const controller = new AbortController();
    let checkpoints = 0;
    const first = exportCallLogs({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'checkpoint' && ++checkpoints === 5) controller.abort();
      },
    });
    await expect(first).rejects.toMatchObject({ name: 'AbortError' });
    const second = await exportCallLogs(options);
    expect(second.resumedCalls).toBeGreaterThan(0);
    const plain = await run({ ...options, checkpointPages: 0 });
    for (const table of TABLE_NAMES) {
      expect(await rowsOf(options.outDir, table, 'parquet'), table).toEqual(
        await rowsOf(plain.lake, table, 'parquet'),
      );
    }
  }, 180_000);
});
