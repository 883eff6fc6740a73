/**
 * One wrong, old `time_of_call` near the head of the list must not end a run early. The list is
 * ordered by id; a single call dated 01/01/2000 among new calls used to fire the stop rule of
 * `--state` and `--since` runs at once: exit 0, "complete", and every call after it missing.
 * Now paging stops only after a run of consecutive old calls (stray-old-call.ts); the stray is
 * set aside in the quarantine (`--state`) or counted as skipped (`--since`), never dropped
 * silently, and every other call reaches the lake.
 *
 * The expected ids are computed from the simulator's own HTTP answer, its times parsed here
 * (month first, UTC), independently of the exporter; the lake is read back with DuckDB.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader } from './harness/dataset.js';
import { type CliRun, runCliAt } from './harness/run-cli.js';
import { describeRun, exportArgv, tempDir } from './harness/scenario.js';
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

const OLD = '01/01/2000 00:00:00';
const HOUR = 3_600_000;

/** Every call the simulator serves, newest first, with its time parsed here (UTC). */
async function served(sim: RunningSimulator): Promise<{ id: number; time: number }[]> {
  const calls: { id: number; time: number }[] = [];
  for (let pageno = 1; ; pageno++) {
    const res = await fetch(`${sim.url}/calls/logs?pageno=${pageno}&pagesize=100`, {
      headers: { authorization: `Bearer ${sim.apiKey}` },
    });
    const page = (await res.json()) as { call_log_data: { id: number; time_of_call: string }[] };
    for (const c of page.call_log_data) {
      const [, mm, dd, yyyy, time] = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d:\d\d:\d\d)$/.exec(c.time_of_call) ?? [];
      calls.push({ id: c.id, time: Date.parse(`${yyyy}-${mm}-${dd}T${time}Z`) });
    }
    if (page.call_log_data.length < 100) return calls;
  }
}

async function simulator(seed: number): Promise<RunningSimulator> {
  const sim = await startSimulator({ seed, records: SETTINGS.records, apiKey: LEAK_KEY });
  sims.push(sim);
  return sim;
}

function parquetExport(sim: RunningSimulator, out: string, extra: string[]): string[] {
  return exportArgv({ out, format: 'parquet', baseUrl: sim.url, pageSize: SETTINGS.pageSize, extra });
}

async function lakeDir(): Promise<string> {
  const dir = await tempDir('stray-old');
  cleanups.push(dir.remove);
  return `${dir.path}/lake`;
}

function summaryOf(run: CliRun): Record<string, unknown> {
  return JSON.parse(run.stdout.trim().split('\n').pop() ?? '') as Record<string, unknown>;
}

describe('a call dated 2000 near the head of the list', () => {
  it('--state: the next run still exports every new call; the stray goes to the quarantine', async () => {
    const sim = await simulator(scenarioSeed(121));
    const out = await lakeDir();
    const argv = parquetExport(sim, out, ['--state', '--lookback', '24h']);
    const clockOf = async () => Math.max(...(await served(sim)).map((c) => c.time)) + HOUR;
    const first = await runCliAt(await clockOf(), argv);
    expect(first.code, describeRun(first)).toBe(0);

    // 20 new calls arrive; the third newest carries a wrong, old time.
    const arrived = sim.insertCalls(20);
    const newestFirst = [...arrived].sort((a, b) => b - a);
    const stray = newestFirst[2]!;
    const clock = await clockOf();
    sim.updateCalls([stray], (log) => {
      log['time_of_call'] = OLD;
    });
    const second = await runCliAt(clock, argv);
    expect(second.code, describeRun(second)).toBe(0);

    await checkDataset(reader, out, 'parquet', replayHint());
    const { missing, duplicated, unexpected } = compareIds(sim.ids(), await reader.ids(out, 'parquet'));
    expect({ missing, duplicated, unexpected }, replayHint()).toEqual({
      missing: [stray],
      duplicated: [],
      unexpected: [],
    });
    const summary = summaryOf(second);
    expect(summary['quarantined'], describeRun(second)).toBe(1);
    const lines = (await readFile(join(out, String(summary['quarantineFile'])), 'utf8')).trim().split('\n');
    const set = lines.map(
      (l) => JSON.parse(l) as { reason: string; record: { id: number; time_of_call: string } },
    );
    expect(set.map((q) => [q.reason, q.record.id, q.record.time_of_call])).toEqual([
      ['OLDER_THAN_CUTOFF', stray, OLD],
    ]);
  });

  it('--since: every call since the bound is exported; the stray is counted as skipped', async () => {
    const sim = await simulator(scenarioSeed(122));
    const before = await served(sim);
    // The bound: the time of the 60th newest call; the stray is the third newest.
    const since = before[59]!.time;
    const stray = before[2]!.id;
    sim.updateCalls([stray], (log) => {
      log['time_of_call'] = OLD;
    });
    const expected = before.filter((c) => c.time >= since && c.id !== stray).map((c) => c.id);
    const out = await lakeDir();
    const argv = parquetExport(sim, out, ['--since', new Date(since).toISOString(), '--time-zone', 'UTC']);
    const run = await runCliAt(Math.max(...before.map((c) => c.time)) + HOUR, argv);
    expect(run.code, describeRun(run)).toBe(0);

    await checkDataset(reader, out, 'parquet', replayHint());
    const { missing, duplicated, unexpected } = compareIds(expected, await reader.ids(out, 'parquet'));
    expect({ missing, duplicated, unexpected }, replayHint()).toEqual({
      missing: [],
      duplicated: [],
      unexpected: [],
    });
    expect(summaryOf(run), describeRun(run)).toMatchObject({
      records: expected.length,
      skippedOlderThanSince: 1,
      quarantined: 0,
    });
  });
});
