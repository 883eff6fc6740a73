/**
 * Issue 21: the worker-thread pipeline (`--workers 2`) keeps crash resume and signals as they are.
 * A real CLI process SIGKILLed after a checkpoint, then rerun: every call of the simulator once
 * (DuckDB read-back), resumed from the checkpoint. SIGTERM after a checkpoint: exit 143, the
 * previous lake byte-for-byte intact, and the process exits by itself (it sets `exitCode`, never
 * calls `process.exit`: a worker thread left running would keep it alive and time the test out).
 * A worker that fails (the test hook OMNIDIM_STREAM_TEST_WORKER_FAULT_AFTER) exits 6 with the
 * previous lake intact.
 */
import { mkdir } from 'node:fs/promises';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader } from './harness/dataset.js';
import { snapshotLake } from './harness/lake-snapshot.js';
import { ROOT, spawnCli } from './harness/run-cli.js';
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

async function setup(records: number) {
  // Slow pages one at a time, so a signal lands long before the last page.
  sim = await startSimulator({ seed: scenarioSeed(21), records, pageLatencyMs: 40, apiKey: LEAK_KEY });
  const dir = await tempDir('workers');
  cleanups.push(dir.remove);
  const out = `${dir.path}/lake`;
  await mkdir(out);
  const argv = (workers = 2) =>
    exportArgv({
      out,
      format: 'parquet',
      baseUrl: sim!.url,
      pageSize: 20,
      concurrency: 1,
      extra: ['--workers', String(workers), '--checkpoint-pages', '1'],
    });
  return { out, argv, expected: sim.ids() };
}

const checkpointed = (f: string) => /^_staging\/[^/]+\/_checkpoint\.json$/.test(f);

describe('--workers 2 under kills, signals and a failing worker', () => {
  it(
    'SIGKILL after a checkpoint, rerun: resumed, every call exactly once',
    async () => {
      const { out, argv, expected } = await setup(600);
      const first = spawnCli(argv(), keyEnv(), ROOT);
      await waitForFile(out, checkpointed, first.done);
      first.child.kill('SIGKILL');
      expect((await first.done).signal).toBe('SIGKILL');

      const rerun = await spawnCli(argv(), keyEnv(), ROOT).done;
      const hint = `${describeRun(rerun)} ${replayHint()}`;
      expect(rerun.code, hint).toBe(0);
      const summary = summaryOf(rerun);
      expect(summary.resumedCalls, hint).toBeGreaterThan(0);
      await checkDataset(reader, out, 'parquet', hint);
      expect(compareIds(expected, await reader.ids(out, 'parquet')), hint).toEqual({
        missing: [],
        duplicated: [],
        unexpected: [],
      });
    },
    SETTINGS.timeoutMs,
  );

  it(
    'SIGTERM after a checkpoint: exit 143, previous lake intact, the process exits by itself',
    async () => {
      const { out, argv } = await setup(400);
      expect((await spawnCli(argv(0), keyEnv(), ROOT).done).code).toBe(0);
      const before = await snapshotLake(out);
      const run = spawnCli(argv(), keyEnv(), ROOT);
      await waitForFile(out, checkpointed, run.done);
      run.child.kill('SIGTERM');
      const stopped = await run.done;
      expect(stopped.code, `${describeRun(stopped)} ${replayHint()}`).toBe(143);
      expect(await snapshotLake(out)).toEqual(before);
    },
    SETTINGS.timeoutMs,
  );

  it(
    'a worker that fails: exit 6, previous lake intact',
    async () => {
      const { out, argv } = await setup(300);
      expect((await spawnCli(argv(0), keyEnv(), ROOT).done).code).toBe(0);
      const before = await snapshotLake(out);
      const env = { ...keyEnv(), OMNIDIM_STREAM_TEST_WORKER_FAULT_AFTER: '50' };
      const failed = await spawnCli(argv(), env, ROOT).done;
      expect(failed.code, `${describeRun(failed)} ${replayHint()}`).toBe(6);
      expect(failed.stderr).toContain('injected worker fault');
      expect(await snapshotLake(out)).toEqual(before);
    },
    SETTINGS.timeoutMs,
  );
});
