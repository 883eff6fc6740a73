/**
 * Scenario 2 (issue 7): 3 new calls arrive at the head of the list for every page served, at
 * concurrency 4 and 8: every call that existed at the start is exported exactly once, and calls
 * that arrived during the run are not mixed in (core hands on the list as it was at the start).
 */
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader, type Format } from './harness/dataset.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, findKeyLeaks, keyEnv, summaryOf, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SCALE, SETTINGS, scenarioSeed } from './harness/settings.js';

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

const CASES: [number, Format][] = [
  [4, 'parquet'],
  [8, 'csv'],
];

describe('scenario 2: drift', () => {
  it.each(CASES)(
    'concurrency %i (%s): 3 calls inserted per page served, every call of the start exported once',
    async (concurrency, format) => {
      sim = await startSimulator({
        seed: scenarioSeed(2) + concurrency,
        records: SETTINGS.records,
        apiKey: LEAK_KEY,
        drift: { insertPerPage: 3 },
      });
      const expected = sim.ids();
      const dir = await tempDir(`drift-${concurrency}`);
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const hint = `concurrency=${concurrency} ${replayHint()}`;

      const run = await runCliInProcess(
        exportArgv({ out, format, baseUrl: sim.url, pageSize: SETTINGS.pageSize, concurrency }),
        keyEnv(),
      );

      expect(run.code, describeRun(run)).toBe(0);
      const summary = summaryOf(run);
      await checkDataset(reader, out, format, hint);
      const exported = await reader.ids(out, format);
      expect(sim.stats.inserted, hint).toBeGreaterThan(0);
      expect(compareIds(expected, exported), `${hint} inserted=${sim.stats.inserted}`).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
      expect(summary.records, hint).toBe(expected.length);
      expect(await findKeyLeaks(reader, out, format, [run]), hint).toEqual([]);
      console.log(
        `[e2e drift c=${concurrency} ${SCALE}] calls=${expected.length} inserted=${sim.stats.inserted} requests=${sim.stats.listRequests} duplicatesDropped=${summary.duplicatesDropped} duplicates=0 missing=0 ${replayHint()}`,
      );
    },
    SETTINGS.timeoutMs,
  );
});
