/**
 * Issue 11.1: a future `time_of_call` must not freeze incremental runs. One call dated
 * 01/01/2099 at the head of the list used to become the watermark: every later `--state` run
 * stopped at the first call older than 2098-12-31, read nothing new and exited 0. The call stays
 * a row (partition 2099-01-01); the watermark trusts no time past the run's own clock + 15 h.
 *
 * The run's clock is injected (`io.now`) and set just after the simulator's newest call, as it
 * is in production where new calls carry the current time; no wall clock is read or asserted.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { type RunningSimulator, startSimulator } from '@omnidim-stream/simulator';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { checkDataset, compareIds, DuckReader } from './harness/dataset.js';
import { runCliAt } from './harness/run-cli.js';
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

const FUTURE = '01/01/2099 00:00:00';
const HOUR = 3_600_000;

/**
 * The newest `time_of_call` the simulator serves among `ids`, read straight from its HTTP API
 * (month first, UTC: the simulator's zone), independently of the exporter's parser.
 */
async function newestTimeOf(sim: RunningSimulator, ids: readonly number[]): Promise<number> {
  const res = await fetch(`${sim.url}/calls/logs?pageno=1&pagesize=150`, {
    headers: { authorization: `Bearer ${sim.apiKey}` },
  });
  const page = (await res.json()) as { call_log_data: { id: number; time_of_call: string }[] };
  const times = page.call_log_data
    .filter((c) => ids.includes(c.id))
    .map((c) => {
      const [, mm, dd, yyyy, time] = /^(\d\d)\/(\d\d)\/(\d{4}) (\d\d:\d\d:\d\d)$/.exec(c.time_of_call) ?? [];
      return Date.parse(`${yyyy}-${mm}-${dd}T${time}Z`);
    });
  expect(times.length, 'the calls are on the first page').toBe(ids.length);
  return Math.max(...times);
}

async function lakeWithFutureHead(seed: number) {
  const sim = await startSimulator({ seed, records: SETTINGS.records, apiKey: LEAK_KEY });
  sims.push(sim);
  const [head, ...rest] = sim.ids();
  sim.updateCalls([head!], (log) => {
    log['time_of_call'] = FUTURE;
  });
  const dir = await tempDir('future');
  cleanups.push(dir.remove);
  const out = `${dir.path}/lake`;
  const argv = exportArgv({
    out,
    format: 'parquet',
    baseUrl: sim.url,
    pageSize: SETTINGS.pageSize,
    extra: ['--state', '--lookback', '24h'],
  });
  const clock = (await newestTimeOf(sim, rest.slice(0, 20))) + HOUR;
  const first = await runCliAt(clock, argv);
  expect(first.code, describeRun(first)).toBe(0);
  return { sim, head: head!, newestTrusted: rest[0]!, out, argv, clock };
}

/** New calls arrive; the next run's clock is one hour after the newest of them. */
async function newCallsArrive(
  sim: RunningSimulator,
  count: number,
): Promise<{ ids: number[]; clock: number }> {
  const ids = sim.insertCalls(count);
  return { ids, clock: (await newestTimeOf(sim, ids)) + HOUR };
}

async function expectEveryCallOnce(sim: RunningSimulator, out: string, head: number): Promise<void> {
  await checkDataset(reader, out, 'parquet', replayHint());
  const { missing, duplicated, unexpected } = compareIds(sim.ids(), await reader.ids(out, 'parquet'));
  expect({ missing, duplicated, unexpected }, replayHint()).toEqual({
    missing: [],
    duplicated: [],
    unexpected: [],
  });
  // The 2099 call is still valid data: one row, in its own partition (month, the default grain).
  const rows = await reader.select(out, 'parquet', 'calls', 'call_date, month', `id = ${head}`);
  expect(rows, replayHint()).toEqual([{ call_date: '2099-01-01', month: '2099-01-01' }]);
}

describe('issue 11.1: a call dated 2099 at the head of the list', () => {
  it('does not freeze incremental runs: new calls reach the lake on the next --state run', async () => {
    const { sim, head, newestTrusted, out, argv } = await lakeWithFutureHead(scenarioSeed(111));
    // The state's watermark is the newest call whose time can be trusted, not the 2099 one.
    const state = JSON.parse(await readFile(`${out}/_state.json`, 'utf8')) as {
      watermark: { newestId: unknown };
    };
    expect(state.watermark.newestId, replayHint()).toBe(newestTrusted);
    const arrived = await newCallsArrive(sim, 5);
    const second = await runCliAt(arrived.clock, argv);
    expect(second.code, describeRun(second)).toBe(0);
    await expectEveryCallOnce(sim, out, head);
    // A third run an hour later still reads the newer calls (the watermark did not move to 2099).
    const more = await newCallsArrive(sim, 3);
    const third = await runCliAt(more.clock, argv);
    expect(third.code, describeRun(third)).toBe(0);
    await expectEveryCallOnce(sim, out, head);
  });

  it('heals a state that already holds a 2099 watermark (written before the fix)', async () => {
    const { sim, head, out, argv } = await lakeWithFutureHead(scenarioSeed(112));
    const statePath = `${out}/_state.json`;
    const state = JSON.parse(await readFile(statePath, 'utf8')) as { watermark: Record<string, unknown> };
    state.watermark = { newestId: head, newestTime: '2099-01-01T00:00:00.000Z', newestTimeOfCall: FUTURE };
    await writeFile(statePath, JSON.stringify(state));
    const arrived = await newCallsArrive(sim, 5);
    const second = await runCliAt(arrived.clock, argv);
    expect(second.code, describeRun(second)).toBe(0);
    await expectEveryCallOnce(sim, out, head);
  });
});
