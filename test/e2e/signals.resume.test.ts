/**
 * Issue 12, requirement 2: SIGTERM/SIGINT keep the checkpoint. A real CLI process is stopped
 * (SIGTERM, as a pod eviction or `systemctl stop` does) once it has written a checkpoint; it
 * exits 143 and the lake is as before. The same command with other output-only flags then
 * resumes (its `--json` summary says how many calls it did not fetch again) and the lake holds
 * every call of the simulator exactly once (DuckDB read-back).
 */
import { mkdir } from 'node:fs/promises';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { readManifest } from '@omnidim-stream/sinks';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader } from './harness/dataset.js';
import { ROOT, runCliInProcess, spawnCli } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, summaryOf, tempDir } from './harness/scenario.js';
import { LEAK_KEY, replayHint, SETTINGS, scenarioSeed } from './harness/settings.js';
import { waitForFile } from './harness/wait-for-file.js';

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

describe('signals keep the checkpoint', () => {
  it.each([
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const)(
    '%s after a checkpoint: exit %d, lake untouched; the rerun with other output flags resumes and exports every call once',
    async (signal, expectedCode) => {
      // Slow pages and one page at a time, so the signal lands long before the last page.
      sim = await startSimulator({
        seed: scenarioSeed(12),
        records: 600,
        pageLatencyMs: 40,
        apiKey: LEAK_KEY,
      });
      const expected = sim.ids();
      const dir = await tempDir('signals');
      cleanups.push(dir.remove);
      const out = `${dir.path}/lake`;
      await mkdir(out);
      const argv = (extra: string[]) =>
        exportArgv({ out, format: 'parquet', baseUrl: sim!.url, pageSize: 20, concurrency: 1, extra }).filter(
          (a) => a !== '--json',
        );

      const first = spawnCli([...argv(['--checkpoint-pages', '1', '--quiet'])], keyEnv(), ROOT);
      await waitForFile(out, (f) => /^_staging\/[^/]+\/_checkpoint\.json$/.test(f), first.done);
      first.child.kill(signal);
      const stopped = await first.done;
      const hint = `${describeRun(stopped)} ${replayHint()}`;
      expect(stopped.code, hint).toBe(expectedCode);
      expect(await readManifest(out), hint).toBeUndefined();

      // Other output-only flags (--json instead of --quiet): still the same command.
      const rerun = await runCliInProcess([...argv(['--checkpoint-pages', '1']), '--json'], keyEnv());
      const rerunHint = `${describeRun(rerun)} ${replayHint()}`;
      expect(rerun.code, rerunHint).toBe(0);
      const summary = summaryOf(rerun);
      expect(summary.resumedCalls, rerunHint).toBeGreaterThan(0);
      expect(summary.resumedFrom, rerunHint).not.toBeNull();
      // The resumed run fetched only what the checkpoint did not cover.
      expect(summary.records, rerunHint).toBe(expected.length);
      await checkDataset(reader, out, 'parquet', rerunHint);
      expect(compareIds(expected, await reader.ids(out, 'parquet')), rerunHint).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    },
    SETTINGS.timeoutMs,
  );
});
