/**
 * Issue 21: with flatten workers the main thread no longer parses pages (core `shallowRecords`:
 * stubs holding `id` and `time_of_call`). Everything it still writes itself must be the whole
 * call log: the `--raw` archive and the quarantine's stray old calls. Checked against the
 * main-thread path (`workers: 0`, which parses every page) on identical simulators: the same
 * ids (DuckDB) as the simulator serves, the same rows per table, the same quarantine and the
 * same raw archive line for line; and a stray old call of a shallow source reaches the
 * quarantine whole, as the simulator served it.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { paginateCallLogs } from '@omnidim-stream/core';
import { type SimulatorOptions, startSimulator } from '@omnidim-stream/simulator';
import { TABLE_NAMES } from '@omnidim-stream/transform';
import { afterEach, describe, expect, it } from 'vitest';
import { exportCallLogs } from '../src/index.js';
import { StrayOldCall } from '../src/stray-old-call.js';
import { windowRecords } from '../src/window-records.js';
import { callsOf, duck, engineScope } from './helpers.js';

const SIM: SimulatorOptions = {
  records: 400,
  seed: 33,
  oddRecords: { rate: 0.15, hugeTranscriptBytes: 3_000 },
  drift: { insertPerPage: 1, maxInserted: 6 },
};

describe('workers 1 and 2 (shallow main thread) write what workers 0 writes', () => {
  const scope = engineScope();
  const sims: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const s of sims.splice(0)) await s.close();
  });

  async function exportWith(workers: number) {
    const sim = await startSimulator(SIM);
    sims.push(sim);
    const lake = await scope.lake();
    const result = await exportCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      outDir: lake,
      format: 'parquet',
      pageSize: 50,
      concurrency: 1,
      checkpointPages: 3,
      raw: true,
      workers,
    });
    const ids = (await duck(`SELECT id FROM ${callsOf(lake)} ORDER BY id`)).map((r) => Number(r['id']));
    const counts: Record<string, number> = {};
    for (const table of TABLE_NAMES) {
      const rows = await duck(
        `SELECT count(*)::INTEGER AS n FROM read_parquet('${lake}/${table}/**/*.parquet')`,
      );
      counts[table] = Number(rows[0]?.['n']);
    }
    const quarantine =
      result.quarantineFile === null ? '' : await readFile(join(lake, result.quarantineFile), 'utf8');
    const raw = gunzipSync(await readFile(join(lake, result.raw as string)))
      .toString('utf8')
      .split('\n')
      .filter(Boolean);
    return { ids, counts, quarantine, raw, served: sim.ids(), result };
  }

  it('same ids as served, same row counts, quarantine and raw archive (whole call logs, not stubs)', async () => {
    const main = await exportWith(0);
    expect(main.result.quarantined).toBeGreaterThan(0);
    const exported = new Set(main.ids);
    expect(main.served.filter((id) => exported.has(id)).length).toBeGreaterThan(350);
    // Whole call logs: most carry far more than id and time_of_call.
    const wide = main.raw.filter((line) => Object.keys(JSON.parse(line) ?? {}).length > 5);
    expect(wide.length).toBeGreaterThan(350);
    for (const workers of [1, 2]) {
      const threads = await exportWith(workers);
      expect(threads.served, `workers ${workers}`).toEqual(main.served);
      expect(threads.ids, `workers ${workers}`).toEqual(main.ids);
      expect(threads.counts, `workers ${workers}`).toEqual(main.counts);
      expect(threads.quarantine, `workers ${workers}`).toBe(main.quarantine);
      expect(threads.raw, `workers ${workers}`).toEqual(main.raw);
    }
  }, 120_000);

  it('a stray old call from a shallow source reaches the quarantine whole, as served', async () => {
    const sim = await startSimulator({ records: 120, seed: 34 });
    sims.push(sim);
    const stray = sim.ids()[4] as number;
    sim.updateCalls([stray], (log) => {
      log['time_of_call'] = '01/01/2000 00:00:00';
    });
    const res = await fetch(`${sim.url}/calls/logs?pageno=1&pagesize=20`, {
      headers: { authorization: `Bearer ${sim.apiKey}` },
    });
    const served = ((await res.json()) as { call_log_data: { id: number }[] }).call_log_data.find(
      (c) => c.id === stray,
    );
    const source = paginateCallLogs({
      apiKey: sim.apiKey,
      baseUrl: sim.url,
      pageSize: 20,
      shallowRecords: true,
    });
    const counters = { records: 0, skippedNewerThanUntil: 0, skippedOlderThanSince: 0 };
    const strays: unknown[] = [];
    for await (const item of windowRecords(source, {
      window: {},
      cutoff: Date.UTC(2020, 0, 1),
      timeZone: 'UTC',
      maxRecords: undefined,
      raw: undefined,
      counters,
    })) {
      if (item instanceof StrayOldCall) strays.push(item.record);
    }
    expect(served).toBeDefined();
    expect(strays).toStrictEqual([served]);
    expect(counters.records).toBe(119);
  });
});
