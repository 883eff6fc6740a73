/**
 * Scenario 5 (issue 7): the API goes down for good (always 503, then a storm of connection
 * resets). The run ends within the retry budget (a bounded number of requests) with exit 4 and a
 * message naming the page; the dataset committed earlier is left byte-identical.
 */
import { EXPORT_DEFAULTS } from '@omnidim-stream/cli';
import { type FaultKind, type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, DuckReader } from './harness/dataset.js';
import { expectLakeUnchanged, snapshotLake } from './harness/lake-snapshot.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, findKeyLeaks, keyEnv, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SETTINGS, scenarioSeed } from './harness/settings.js';

let reader: DuckReader;
const sims: RunningSimulator[] = [];
const cleanups: (() => Promise<void>)[] = [];
beforeAll(async () => {
  reader = await DuckReader.open();
});
afterAll(() => reader.close());
afterEach(async () => {
  for (const s of sims.splice(0)) await s.close();
  for (const c of cleanups.splice(0)) await c();
});

interface Outage {
  name: string;
  /** Pages served normally before the API goes down (0: down from the first request). */
  healthyRequests: number;
  /** The fault of the n-th failing request. */
  fault: (failing: number) => FaultKind;
}

const OUTAGES: Outage[] = [
  { name: 'always 503 from the first request', healthyRequests: 0, fault: () => '503' },
  {
    // Page 1 and a few more succeed, then 503s, then only resets: a mid-export outage.
    name: 'mid-export: 503 then a reset storm',
    healthyRequests: 3,
    fault: (failing) => (failing <= 4 ? '503' : 'reset'),
  },
];

describe('scenario 5: persistent failure', () => {
  it.each(OUTAGES)(
    '$name: exit 4 naming the page, within the retry budget, previous dataset byte-identical',
    async ({ healthyRequests, fault }) => {
      const seed = scenarioSeed(5) + healthyRequests;
      const dir = await tempDir('down');
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      const format = 'parquet';

      // A good export first: the dataset that must survive the outage untouched.
      const healthy = await startSimulator({ seed, records: SETTINGS.records, apiKey: LEAK_KEY });
      sims.push(healthy);
      const first = await runCliInProcess(
        exportArgv({ out, format, baseUrl: healthy.url, pageSize: SETTINGS.pageSize }),
        keyEnv(),
      );
      expect(first.code, describeRun(first)).toBe(0);
      const before = await snapshotLake(out);
      await checkDataset(reader, out, format, replayHint());

      let failing = 0;
      const down = await startSimulator({
        seed,
        records: SETTINGS.records,
        apiKey: LEAK_KEY,
        faults: {
          plan: (request) => {
            if (request <= healthyRequests) return null;
            failing++;
            return fault(failing);
          },
        },
      });
      sims.push(down);
      const concurrency = 4;
      const run = await runCliInProcess(
        exportArgv({ out, format, baseUrl: down.url, pageSize: SETTINGS.pageSize, concurrency }),
        keyEnv(),
      );
      const hint = `${describeRun(run)} requests=${down.stats.listRequests}`;

      expect(run.code, hint).toBe(4);
      // The start line and one line per retried attempt (issue 19: logs without a terminal),
      // then ONE error line naming the page that could not be fetched.
      const lines = run.stderr.trim().split('\n');
      expect(lines[0], hint).toMatch(/^omnidim-stream export: run \S+ started: /);
      const errors = lines.slice(1).filter((l) => !/ failed \(.*\); retrying in /.test(l));
      expect(errors, hint).toHaveLength(1);
      expect(errors[0], hint).toMatch(/page \d+/);
      // The retry budget: each page in flight gets 1 + `--retries` attempts (the CLI's default,
      // as no --retries is given), so the whole run is bounded by the in-flight pages.
      const attempts = 1 + EXPORT_DEFAULTS.retries;
      expect(down.stats.listRequests, hint).toBeGreaterThanOrEqual(healthyRequests + attempts);
      expect(down.stats.listRequests, hint).toBeLessThanOrEqual(healthyRequests + attempts * concurrency);
      // The previous dataset: byte for byte, file for file, still readable.
      await expectLakeUnchanged(before, out, undefined, hint);
      await checkDataset(reader, out, format, replayHint());
      expect(await findKeyLeaks(reader, out, format, [first, run]), hint).toEqual([]);
    },
    SETTINGS.timeoutMs,
  );
});
