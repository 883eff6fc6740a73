/**
 * The CLI under drift (calls inserted at the head and deleted further down) at concurrency 8,
 * with the first prefetch window served last page first (simulator `serveOrder`): the order in
 * which the server took the parallel requests must never turn into exit 0 with a call missing.
 * Exit 0 means every starting call that survived the run is in the lake (DuckDB read-back,
 * ids from `sim.ids()` before and after); otherwise exit 5 (not proven complete) and the
 * previous lake byte-for-byte.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningSimulator, serveOrder, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DuckReader } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, SETTINGS } from './harness/settings.js';

let reader: DuckReader;
let sim: RunningSimulator | undefined;
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
});
afterAll(() => reader.close());
afterEach(async () => {
  await sim?.close();
  sim = undefined;
  for (const c of cleanups.splice(0)) await c();
});

describe('drift: the serve order of a prefetch window (CLI)', () => {
  it(
    'insert 5 + delete 5 per page, concurrency 8, window served last page first: exit 0 with every surviving call, or exit 5 and the lake kept',
    async () => {
      const dir = await tempDir('drift-serve-order');
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const argv = (baseUrl: string) =>
        exportArgv({ out, format: 'parquet', baseUrl, pageSize: 15, concurrency: 8 });
      sim = await startSimulator({ records: 300, apiKey: LEAK_KEY });
      const first = await runCliInProcess(argv(sim.url), keyEnv());
      expect(first.code, describeRun(first)).toBe(0);
      await sim.close();
      const manifest = await readFile(join(out, '_manifest.json'));

      const order = serveOrder(8, (p) => -p);
      sim = await startSimulator({
        records: 300,
        apiKey: LEAK_KEY,
        drift: { insertPerPage: 5, deletePerPage: 5 },
        serveGate: order.gate,
      });
      const start = sim.ids();
      const run = await runCliInProcess(argv(sim.url), keyEnv());
      expect(order.served).toEqual([9, 8, 7, 6, 5, 4, 3, 2]);
      expect([0, 5], describeRun(run)).toContain(run.code);
      if (run.code === 5) {
        expect(run.stderr).toMatch(/incomplete/i);
        expect(await readFile(join(out, '_manifest.json'))).toEqual(manifest);
        return;
      }
      const survivors = new Set(sim.ids());
      const exported = new Set(await reader.ids(out, 'parquet'));
      expect(start.filter((id) => survivors.has(id) && !exported.has(id))).toEqual([]);
    },
    SETTINGS.timeoutMs,
  );
});
