/**
 * Issue 21 review: flatten workers parse each page's body themselves (core `keepPageBody`,
 * worker-rows.ts). Where a run takes only part of a page (a `since`/`until` window, `maxRecords`
 * cut mid-page, a checkpoint after every page), with odd records and drift, `workers: 2` must
 * write the rows `workers: 0` writes (whole rows of every table, DuckDB, as multisets).
 */
import { join } from 'node:path';
import { type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { afterEach, describe, expect, it } from 'vitest';
import { type ExportCallLogsOptions, exportCallLogs } from '../src/index.js';
import { duck, engineScope } from './helpers.js';

const SIM: SimulatorOptions = {
  records: 400,
  seed: 37,
  oddRecords: { rate: 0.15 },
  drift: { insertPerPage: 2, deletePerPage: 1, maxInserted: 12 },
};

async function rowsOf(lake: string, table: string): Promise<string[]> {
  const from = `read_ndjson_objects('${join(lake, table)}/**/*.ndjson*')`;
  return (await duck(`SELECT json::VARCHAR AS r FROM ${from} ORDER BY r`)).map((row) => String(row['r']));
}

describe('workers: a page taken in part gives the rows workers: 0 gives', () => {
  const scope = engineScope();
  const sims: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.close();
  });

  async function exportWith(workers: number, extra: Partial<ExportCallLogsOptions>) {
    const sim = await startSimulator(SIM);
    sims.push(sim);
    const lake = await scope.lake();
    const result = await exportCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: lake,
      format: 'ndjson',
      pageSize: 30,
      concurrency: 1,
      checkpointPages: 1,
      workers,
      ...extra,
    });
    return { lake, result };
  }

  it('a since/until window and maxRecords cut mid-page', async () => {
    // The window: the middle of the history, from a plain export's own times.
    const whole = await exportWith(0, {});
    const [span] = await duck(
      `SELECT quantile_disc(epoch_ms(time_of_call::TIMESTAMP), 0.25) AS lo, quantile_disc(epoch_ms(time_of_call::TIMESTAMP), 0.75) AS hi FROM read_json('${whole.lake}/calls/**/*.ndjson')`,
    );
    const windows: Partial<ExportCallLogsOptions>[] = [
      { since: Number(span!['lo']), until: Number(span!['hi']) },
      { maxRecords: 97 },
      { since: Number(span!['lo']), maxRecords: 61 },
    ];
    for (const extra of windows) {
      const main = await exportWith(0, extra);
      const threads = await exportWith(2, extra);
      expect(threads.result.quarantined, JSON.stringify(extra)).toBe(main.result.quarantined);
      for (const table of TABLE_NAMES) {
        const expected = await rowsOf(main.lake, table);
        if (table === 'calls') expect(expected.length, JSON.stringify(extra)).toBeGreaterThan(20);
        expect(await rowsOf(threads.lake, table), `${table} ${JSON.stringify(extra)}`).toEqual(expected);
      }
    }
  }, 240_000);
});
