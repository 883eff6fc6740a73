/**
 * Goal 4 of issue 21, scaling with cores: the Parquet export of 20,000 replayed calls at 0 ms
 * with `workers` = 0 (everything on the main thread, for reference), 1, 2 and the machine's core
 * count when larger; throughput with N workers ÷ with 1. Target: ≥ 1.7× at 2 on an idle 2-core
 * machine. Until the engine has the `workers` option, every row reads "n/a (no workers option)".
 *
 * Run alone: `node --conditions=source --import tsx bench/scaling.ts [--quick]`.
 */
import { availableParallelism } from 'node:os';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { type EngineExportResult, runEngineExport } from './lib/engine-run.js';
import { atLeast, type GoalRow } from './lib/goals.js';
import { boundLine, profileOnce } from './lib/miss-profile.js';
import { inRounds, medianRun, medians, runsText } from './lib/repeat.js';
import { zeroLatencyCalls } from './lib/sizes.js';
import { fmt, mb, printTable, ratio } from './lib/table.js';
import { hasWorkersOption } from './lib/workers-option.js';

const TARGET_AT_2 = 1.7;
const NO_OPTION = 'n/a (no workers option)';

/**
 * Runs the scenario, prints its table and returns its goal row.
 *
 * @example
 * await runStandalone(runScaling);
 */
export async function runScaling(ctx: BenchContext): Promise<GoalRow[]> {
  const records = zeroLatencyCalls(ctx.quick);
  const cores = availableParallelism();
  const counts = [0, 1, 2, ...(cores > 2 ? [cores] : [])];
  const goal = `4. scaling: throughput with 2 workers ÷ with 1 (Parquet, ${fmt(records)} calls, 0 ms, ${cores} cores)`;
  const target = `≥ ${TARGET_AT_2}× on an idle 2-core machine`;
  const title = `Goal 4. Scaling with cores — Parquet, ${fmt(records)} calls, 0 ms, ${cores} cores available`;
  const headers = [
    'workers',
    'wall ms',
    'calls/s',
    '÷ 1 worker',
    'CPU µs/call',
    'main thread µs/call',
    'cores busy',
    'peak RSS MB',
  ];
  if (!hasWorkersOption()) {
    printTable(
      title,
      headers,
      counts.map((n) => [n, NO_OPTION, '', '', '', '', '', '']),
      [
        'The engine has no `workers` option yet (bench/lib/workers-option.ts): nothing to scale, nothing run.',
      ],
    );
    return [{ goal, target, measured: NO_OPTION, verdict: 'n/a' }];
  }
  const replay = await ctx.replay(records);
  const env = { OMNIDIM_API_KEY: replay.apiKey };
  // Each worker count runs ctx.repeats times, the counts in turn in each round; each row is the
  // median run by wall time (repeat.ts).
  const rounds = await inRounds(ctx.repeats, async () => {
    const round = new Map<number, EngineExportResult>();
    for (const workers of counts) {
      round.set(workers, await runEngineExport(ctx, { baseUrl: replay.url, workers }, records, { env }));
    }
    return round;
  });
  const results = new Map<number, EngineExportResult>();
  for (const workers of counts) {
    results.set(
      workers,
      medianRun(
        rounds.map((round) => round.get(workers)!),
        (r) => r.wallMs,
      ),
    );
  }
  const wallsOf = (workers: number) =>
    runsText(
      rounds.map((round) => round.get(workers)!.wallMs),
      fmt,
    );
  const perSec = (r: EngineExportResult | undefined) => (r ? (records / r.wallMs) * 1000 : Number.NaN);
  const one = perSec(results.get(1));
  printTable(
    title,
    headers,
    counts.map((n) => {
      const r = results.get(n)!;
      return [
        n,
        fmt(r.wallMs),
        fmt(perSec(r)),
        ratio(perSec(r) / one),
        fmt((r.cpuMs * 1000) / records),
        r.mainThreadCpuMs === null ? 'n/a' : fmt((r.mainThreadCpuMs * 1000) / records),
        (r.cpuMs / r.wallMs).toFixed(2),
        mb(r.maxRssBytes),
      ];
    }),
    [
      `Each row is the median run of ${ctx.repeats} by wall time, the worker counts run in turn in each round; wall ms of each round: ${counts.map((n) => `${n} workers ${wallsOf(n)}`).join('; ')}.`,
      'exportCallLogs({ workers: N }), otherwise default options (bench/cases/engine-export.ts); workers 0 = everything on the main thread.',
      'CPU µs/call counts every thread of the process; main thread µs/call is the main thread alone (/proc/thread-self/stat, 10 ms ticks); cores busy = CPU ÷ wall; peak RSS (VmHWM) includes the workers.',
      ceilingLine(results.get(1), cores),
    ],
  );
  const gain = perSec(results.get(2)) / one;
  const row: GoalRow = {
    goal,
    target,
    measured: `${ratio(gain)} (${medians(ctx)}${fmt(perSec(results.get(2)))} ÷ ${fmt(one)} calls/s; workers 0: ${fmt(perSec(results.get(0)))} calls/s)`,
    verdict: atLeast(gain, TARGET_AT_2),
  };
  if (row.verdict === 'missed') {
    const summary = await profileOnce(
      ctx,
      `engine-parquet-${records}-workers-2`,
      `the export with 2 workers`,
      (dir) => runEngineExport(ctx, { baseUrl: replay.url, workers: 2 }, records, { env, cpuProfDir: dir }),
      3, // the main thread and 2 workers
    );
    row.bound = boundLine(summary);
  }
  return [row];
}

/**
 * What this machine allows at all: the run with 1 worker already keeps `busy` cores busy, so N
 * workers can at best reach `cores ÷ busy` times its throughput, with no overhead at all.
 */
function ceilingLine(one: EngineExportResult | undefined, cores: number): string {
  if (!one) return 'ceiling: n/a';
  const busy = one.cpuMs / one.wallMs;
  return `ceiling: the 1-worker run keeps ${busy.toFixed(2)} of ${cores} cores busy, so no worker count can reach more than ${ratio(cores / busy)} its throughput on this machine (${cores} cores ÷ ${busy.toFixed(2)}, before any overhead)`;
}

if (isMain(import.meta.url)) await runStandalone(runScaling);
