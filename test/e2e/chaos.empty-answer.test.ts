/**
 * Issue 11.6: an API that suddenly answers "no calls" (`total_records: 0`) after a lake of 300
 * calls exists must not replace it with an empty one and exit 0. A full export (no `--state`, or
 * `--state --full`) that finds no call refuses: exit 4 (a safety bound: the API's answer is not
 * believable, retry at the next tick), nothing committed, the lake and state byte-identical;
 * `--allow-empty` says an empty result is expected.
 */
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, DuckReader } from './harness/dataset.js';
import { expectLakeUnchanged, snapshotLake } from './harness/lake-snapshot.js';
import { runCliInProcess } from './harness/run-cli.js';
import { describeRun, exportArgv, keyEnv, summaryOf, tempDir } from './harness/scenario.js';
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

async function simulatorOf(records: number, seed: number): Promise<RunningSimulator> {
  const sim = await startSimulator({ seed, records, apiKey: LEAK_KEY });
  sims.push(sim);
  return sim;
}

describe('issue 11.6: the API suddenly answers no calls', () => {
  it.each([
    ['a plain full export', [] as string[]],
    ['a --state run with --full', ['--state', '--full']],
  ])('%s: exit 4, the lake of 300 calls byte-identical; --allow-empty empties it', async (_name, flags) => {
    const seed = scenarioSeed(116) + flags.length;
    const full = await simulatorOf(SETTINGS.records, seed);
    const dir = await tempDir('empty');
    cleanups.push(dir.remove);
    const out = `${dir.path}/lake`;
    const args = (baseUrl: string, extra: string[] = []) =>
      exportArgv({
        out,
        format: 'parquet',
        baseUrl,
        pageSize: SETTINGS.pageSize,
        extra: [...(flags.includes('--state') ? ['--state'] : []), ...extra],
      });
    const first = await runCliInProcess(args(full.url), keyEnv());
    expect(first.code, describeRun(first)).toBe(0);
    const { rows } = await checkDataset(reader, out, 'parquet', replayHint());
    expect(rows.calls).toBe(SETTINGS.records);
    const before = await snapshotLake(out);

    const empty = await simulatorOf(0, seed);
    const refused = await runCliInProcess(
      args(empty.url, flags.includes('--full') ? ['--full'] : []),
      keyEnv(),
    );
    expect(refused.code, describeRun(refused)).toBe(4);
    expect(refused.stderr).toContain('--allow-empty');
    expect(summaryOf(refused).error?.code).toBe('LIMIT_EXCEEDED');
    await expectLakeUnchanged(before, out, undefined, replayHint());
    expect(empty.stats.listRequests).toBeGreaterThan(0);

    const allowed = await runCliInProcess(
      args(empty.url, [...(flags.includes('--full') ? ['--full'] : []), '--allow-empty']),
      keyEnv(),
    );
    expect(allowed.code, describeRun(allowed)).toBe(0);
    const after = await checkDataset(reader, out, 'parquet', replayHint());
    expect(after.rows.calls).toBe(0);
  });

  it('an incremental --state run against the empty API replaces nothing and keeps every call', async () => {
    const seed = scenarioSeed(117);
    const full = await simulatorOf(SETTINGS.records, seed);
    const dir = await tempDir('empty-inc');
    cleanups.push(dir.remove);
    const out = `${dir.path}/lake`;
    const argv = (baseUrl: string) =>
      exportArgv({ out, format: 'parquet', baseUrl, pageSize: SETTINGS.pageSize, extra: ['--state'] });
    expect((await runCliInProcess(argv(full.url), keyEnv())).code).toBe(0);
    const empty = await simulatorOf(0, seed);
    const run = await runCliInProcess(argv(empty.url), keyEnv());
    expect(run.code, describeRun(run)).toBe(0);
    const { rows } = await checkDataset(reader, out, 'parquet', replayHint());
    expect(rows.calls, replayHint()).toBe(SETTINGS.records);
  });
});
