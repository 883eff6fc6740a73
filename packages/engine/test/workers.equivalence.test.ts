/**
 * Issue 21: the worker-thread path (`workers: 2`) writes exactly what the main-thread path
 * (`workers: 0`) writes: the same rows of every table (read back with DuckDB, compared as
 * multisets of whole rows), the same quarantine lines in the same order, the same manifest row
 * counts. Two simulators with the same seed, odd records (broken ones included) and drift serve
 * the same history to both runs (concurrency 1 keeps the drift's page order deterministic).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { afterEach, describe, expect, it } from 'vitest';
import { exportCallLogs } from '../src/index.js';
import { duck, engineScope } from './helpers.js';

const SIM: SimulatorOptions = {
  records: 300,
  seed: 21,
  oddRecords: { rate: 0.15 },
  drift: { insertPerPage: 2, deletePerPage: 1, maxInserted: 12 },
};

/** Every row of `table` as JSON text, sorted: the multiset DuckDB reads back. */
async function rowsOf(lake: string, table: string, format: string): Promise<string[]> {
  const dir = join(lake, table);
  const from =
    format === 'parquet'
      ? `(SELECT to_json(t)::VARCHAR AS r FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = false) t)`
      : format === 'csv'
        ? `(SELECT to_json(t)::VARCHAR AS r FROM read_csv('${dir}/**/*.csv*', header = true, all_varchar = true, hive_partitioning = false) t)`
        : `(SELECT json::VARCHAR AS r FROM read_ndjson_objects('${dir}/**/*.ndjson*'))`;
  const rows = await duck(`SELECT r FROM ${from} ORDER BY r`);
  return rows.map((row) => String(row['r']));
}

async function quarantineLines(lake: string, file: string | null): Promise<string[]> {
  return file === null ? [] : (await readFile(join(lake, file), 'utf8')).split('\n').filter(Boolean);
}

describe('workers: 2 writes what workers: 0 writes', () => {
  const scope = engineScope();
  const sims: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.close();
  });

  async function exportWith(workers: number, format: 'parquet' | 'csv' | 'ndjson') {
    const sim = await startSimulator(SIM);
    sims.push(sim);
    const lake = await scope.lake();
    const result = await exportCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: lake,
      format,
      pageSize: 50,
      concurrency: 1,
      checkpointPages: 3,
      workers,
    });
    const manifest = JSON.parse(await readFile(join(lake, '_manifest.json'), 'utf8')) as {
      tables: Record<string, { rows: number }>;
    };
    return { lake, result, manifest, ids: sim.ids() };
  }

  it.each([['parquet'], ['csv'], ['ndjson']] as const)(
    '%s: same rows, quarantine, manifest',
    async (format) => {
      const main = await exportWith(0, format);
      const threads = await exportWith(2, format);
      expect(threads.ids).toEqual(main.ids);
      expect(main.result.quarantined).toBeGreaterThan(0);
      expect(threads.result.quarantined).toBe(main.result.quarantined);
      expect(await quarantineLines(threads.lake, threads.result.quarantineFile)).toEqual(
        await quarantineLines(main.lake, main.result.quarantineFile),
      );
      for (const table of TABLE_NAMES) {
        const expected = await rowsOf(main.lake, table, format);
        expect(expected.length, table).toBeGreaterThan(0);
        expect(await rowsOf(threads.lake, table, format), table).toEqual(expected);
        expect(threads.manifest.tables[table]?.rows, table).toBe(main.manifest.tables[table]?.rows);
        expect(threads.result.counts[table], table).toBe(expected.length);
      }
      // Several checkpoints ran through the workers' hand-back.
      expect(threads.result.checkpoints).toBeGreaterThan(1);
    },
  );
});
