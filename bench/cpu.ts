/**
 * Goal 3 of issue 21, CPU per call: the CPU time of the whole exporting process (every thread)
 * per call, against the fetch+parse floor's (the same pages fetched with undici and
 * `JSON.parse`d, nothing else), on a zero-latency replay of 20,000 calls. Targets: Parquet
 * export ≤ 2× the floor's CPU per call, NDJSON ≤ 1.6×. The exports are `exportCallLogs()` with
 * default options (Parquet reuses goal 1's run). CPU comes from `process.cpuUsage()`, cross-
 * checked with /proc/self/stat, and a first case checks that both count worker threads.
 *
 * Run alone: `node --conditions=source --import tsx bench/cpu.ts [--quick]`.
 */
import { type CaseResult, runCase } from './lib/child.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { runEngineExport } from './lib/engine-run.js';
import { atMost, type GoalRow } from './lib/goals.js';
import { boundLine, profileOnce } from './lib/miss-profile.js';
import { inRounds, medianRun, medians, runsText } from './lib/repeat.js';
import { zeroLatencyCalls } from './lib/sizes.js';
import { fmt, mb, printTable, ratio } from './lib/table.js';

const TARGETS = { parquet: 2, ndjson: 1.6 } as const;
/** The engine's default concurrency (EXPORT_CALL_LOGS_DEFAULTS), given to the floor too. */
const CONCURRENCY = 4;

/**
 * Runs the scenario, prints its table and returns its goal rows.
 *
 * @example
 * await runStandalone(runCpu);
 */
export async function runCpu(ctx: BenchContext): Promise<GoalRow[]> {
  const accounting = await checkThreadAccounting();
  const records = zeroLatencyCalls(ctx.quick);
  const replay = await ctx.replay(records);
  const env = { OMNIDIM_API_KEY: replay.apiKey };
  const rows: (string | number)[][] = [];
  const perCall = (ms: number | null) => (ms === null ? Number.NaN : (ms * 1000) / records);
  // The floor and each export run ctx.repeats times, in turn; each figure is the median run's
  // (repeat.ts). The Parquet runs are goal 1's (same server, same rounds).
  const rounds = await inRounds(ctx.repeats, async (round) => ({
    floor: await runCase(
      'fetch-floor',
      { baseUrl: replay.url, pageSize: 150, concurrency: CONCURRENCY },
      { env },
    ),
    ndjson: await runEngineExport(ctx, { baseUrl: replay.url, format: 'ndjson' }, records, {
      env,
      cacheKey: 'latency 0 ms',
      round,
    }),
    parquet: await runEngineExport(ctx, { baseUrl: replay.url }, records, {
      env,
      cacheKey: 'latency 0 ms',
      round,
    }),
  }));
  const floor = medianRun(
    rounds.map((r) => r.floor),
    (r) => r.cpuMs,
  );
  const floorPerCall = perCall(floor.cpuMs);
  const cpuRuns = (pick: (r: (typeof rounds)[number]) => CaseResult) =>
    runsText(
      rounds.map((r) => perCall(pick(r).cpuMs)),
      fmt,
    );
  const notes = [
    `Each figure is the median run of ${ctx.repeats} (by CPU time). CPU µs/call of each round: floor ${cpuRuns((r) => r.floor)}; ndjson ${cpuRuns((r) => r.ndjson)}; parquet ${cpuRuns((r) => r.parquet)}.`,
  ];
  const line = (name: string, r: CaseResult, out?: number) => {
    rows.push([
      name,
      fmt(r.wallMs),
      fmt((records / r.wallMs) * 1000),
      fmt(perCall(r.cpuMs)),
      fmt(perCall(r.statCpuMs)),
      ratio(perCall(r.cpuMs) / floorPerCall),
      mb(r.maxRssBytes),
      out === undefined ? '' : mb(out),
    ]);
    return perCall(r.cpuMs) / floorPerCall;
  };
  line(`floor: undici + JSON.parse, c = ${CONCURRENCY}`, floor);
  if (!ctx.quick) {
    const core = await runCase('core-stream', { baseUrl: replay.url, concurrency: CONCURRENCY }, { env });
    line('core stream only (callLogs)', core);
  }
  const goals: GoalRow[] = [];
  for (const format of ['ndjson', 'parquet'] as const) {
    const params = format === 'parquet' ? { baseUrl: replay.url } : { baseUrl: replay.url, format };
    const r = medianRun(
      rounds.map((round) => round[format]),
      (run) => run.cpuMs,
    );
    const rel = line(`exportCallLogs() → ${format}, default options`, r, r.bytes);
    const target = TARGETS[format];
    const row: GoalRow = {
      goal: `3. CPU per call, ${format} export ÷ fetch+parse floor (${fmt(records)} calls, 0 ms)`,
      target: `≤ ${target}×`,
      measured: `${ratio(rel)} (${medians(ctx)}${fmt(perCall(r.cpuMs))} ÷ ${fmt(floorPerCall)} µs/call; /proc: ${fmt(perCall(r.statCpuMs))} µs/call)`,
      verdict: atMost(rel, target),
    };
    if (row.verdict === 'missed') {
      const key = format === 'parquet' ? `engine-parquet-${records}-0ms` : `engine-${format}-${records}-0ms`;
      const summary = await profileOnce(
        ctx,
        key,
        `the export → ${format}, ${fmt(records)} calls, 0 ms`,
        (dir) => runEngineExport(ctx, params, records, { env, cpuProfDir: dir }),
      );
      row.bound = boundLine(summary);
    }
    goals.push(row);
  }
  printTable(
    `Goal 3. CPU per call — ${fmt(records)} calls, 0 ms latency, ${fmt(replay.bytes / records)} bytes of JSON per call`,
    ['case', 'wall ms', 'calls/s', 'CPU µs/call', '/proc µs/call', 'CPU ÷ floor', 'peak RSS MB', 'output MB'],
    rows,
    [
      ...notes,
      "CPU µs/call = the case process's CPU time (process.cpuUsage(): user + system, every thread, after module loading) ÷ calls; /proc µs/call = the same span read from /proc/self/stat (utime + stime, 10 ms ticks), the cross-check.",
      `Worker threads counted: ${accounting}`,
      'floor = bench/cases/fetch-floor.ts: undici request() + JSON.parse of the same pages, same sliding window, nothing else. Exports = exportCallLogs() (bench/cases/engine-export.ts).',
      "The server replays the simulator's recorded pages from memory (bench/lib/replay-server.ts) so that generating calls does not bound the floor.",
    ],
  );
  return goals;
}

/**
 * A worker thread spins for 400 ms while the main thread waits: both readers must see most of
 * that CPU (a main-thread-only reading would show a few ms). Throws when they do not, since every
 * CPU figure of the goal table would then be wrong.
 */
async function checkThreadAccounting(): Promise<string> {
  const spinMs = 400;
  const r = await runCase('thread-cpu', { spinMs });
  const stat = r.statCpuMs ?? Number.NaN;
  // Under load the worker gets less than a full core; a quarter of its wall time still rules
  // out main-thread-only accounting (the main thread itself spends ~10–40 ms starting it).
  const seen = r.cpuMs >= spinMs / 4 && (Number.isNaN(stat) || stat >= spinMs / 4);
  const text = `a worker spinning ${spinMs} ms (main thread waiting) → process.cpuUsage() ${fmt(r.cpuMs)} ms, /proc/self/stat ${fmt(stat)} ms: ${seen ? 'yes' : 'NO'}.`;
  if (!seen) throw new Error(`CPU accounting misses worker threads: ${text}`);
  return text;
}

if (isMain(import.meta.url)) await runStandalone(runCpu);
