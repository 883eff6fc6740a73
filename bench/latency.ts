/**
 * Goal 5 of issue 21, latency hiding where latency dominates: 20 pages of 150 calls, 500 ms
 * before each page, concurrency 8, exported as a user runs it (`omnidim-stream export` as a child
 * process, timed from spawn to exit). Ideal = the same command's start-up (`--version`, median
 * of a few) + page 1 alone + 19 pages in 3 rounds of 8 = start-up + 4 × 500 ms. Target: wall
 * within 10% of the ideal.
 *
 * Run alone: `node --conditions=source --import tsx bench/latency.ts [--quick]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtCli } from './lib/built-cli.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { atMost, type GoalRow } from './lib/goals.js';
import { boundLine, profileOnce } from './lib/miss-profile.js';
import { inRounds, median, medianRun, medians, runsText } from './lib/repeat.js';
import { readTimeline, TIMELINE_PRELOAD, timelineRows } from './lib/run-timeline.js';
import { fmt, printTable, ratio } from './lib/table.js';
import type { TimedProcess } from './lib/timed-process.js';

const PAGES = 20;
const PAGE_SIZE = 150;
const CONCURRENCY = 8;
const TOLERANCE = 0.1;

/** The command as users run it: the built CLI under plain node (bench/lib/built-cli.ts). */
function cli(args: readonly string[], env: Record<string, string> = {}, nodeArgs: string[] = []) {
  return builtCli(args, env, nodeArgs);
}

/**
 * Runs the scenario, prints its table and returns its goal row.
 *
 * @example
 * await runStandalone(runLatency);
 */
export async function runLatency(ctx: BenchContext): Promise<GoalRow[]> {
  // --quick: a shorter delay, same shape (the figures are not meaningful there anyway).
  const latencyMs = ctx.quick ? 100 : 500;
  const records = PAGES * PAGE_SIZE;
  const replay = await ctx.replay(records);
  const env = { OMNIDIM_API_KEY: replay.apiKey };
  const startups: number[] = [];
  for (let i = 0; i < (ctx.quick ? 2 : 5); i++) {
    const r = await cli(['--version']);
    if (r.code !== 0) throw new Error(`omnidim-stream --version exited ${r.code}: ${r.stderr}`);
    startups.push(r.wallMs);
  }
  const startup = median(startups);
  const rounds = 1 + Math.ceil((PAGES - 1) / CONCURRENCY);
  const ideal = startup + rounds * latencyMs;
  replay.setLatency(latencyMs);
  replay.stats.maxInFlight = 0;
  const exportRun = async (nodeArgs: string[] = [], extraEnv: Record<string, string> = {}) => {
    const out = await ctx.scratch('latency');
    try {
      const argv = [
        'export',
        '--out',
        out,
        '--base-url',
        replay.url,
        '--concurrency',
        String(CONCURRENCY),
        '--json',
      ];
      return checked(await cli(argv, { ...env, ...extraEnv }, nodeArgs), records);
    } finally {
      await ctx.discard(out);
    }
  };
  // Every timed run carries the timeline preload (a few diagnostics-channel subscribers: no
  // measurable cost); the median run's marks say where the time between spawn and exit went.
  const runs = await inRounds(ctx.repeats, async () => {
    const marksDir = await mkdtemp(join(tmpdir(), 'omnidim-bench-timeline-'));
    const marksFile = join(marksDir, 'marks.jsonl');
    try {
      const timed = await exportRun(['--import', TIMELINE_PRELOAD], {
        OMNIDIM_BENCH_TIMELINE_FILE: marksFile,
      });
      return { timed, timeline: timelineRows(await readTimeline(marksFile)) };
    } finally {
      await rm(marksDir, { recursive: true, force: true });
    }
  });
  const { timed: run, timeline } = medianRun(runs, (r) => r.timed.wallMs);
  const inFlight = replay.stats.maxInFlight;
  const over = run.wallMs / ideal - 1;
  printTable(
    `Goal 5. Latency hiding — ${PAGES} pages × ${PAGE_SIZE} calls, ${latencyMs} ms per page, concurrency ${CONCURRENCY}, the CLI as a child process`,
    ['measure', 'ms'],
    [
      [`start-up: omnidim-stream --version, median of ${startups.length}`, fmt(startup)],
      [
        `ideal: start-up + page 1 + ${rounds - 1} rounds of ${CONCURRENCY} pages (${rounds} × ${latencyMs} ms)`,
        fmt(ideal),
      ],
      [`omnidim-stream export (spawn → exit), median of ${runs.length}`, fmt(run.wallMs)],
      ['over the ideal', `${(over * 100).toFixed(1)}%`],
      ['most list requests in flight at once (server side)', inFlight],
    ],
    [
      `start-up runs: ${startups.map((ms) => fmt(ms)).join(', ')} ms. The command is the built CLI under plain node (packages/cli/bin/omnidim-stream.js, dist/ compiled by the bench first); \`export --out … --base-url … --concurrency ${CONCURRENCY} --json\`, default options otherwise (Parquet, four tables).`,
      `export runs: ${runsText(
        runs.map((r) => r.timed.wallMs),
        fmt,
      )} ms.`,
      `${fmt(records)} calls checked in the --json summary; pages replayed after the delay (bench/lib/replay-server.ts).`,
    ],
  );
  printTable(
    'Goal 5, the median run on a timeline (ms since the CLI process started, its own clock)',
    ['event', 'ms'],
    timeline,
    [
      "Marks from bench/lib/timeline-preload.mjs: requests and bodies from undici's diagnostics channels, files under --out, fsync/rename calls, exit. Requests sent within 50 ms of each other share a line.",
    ],
  );
  replay.setLatency(0);
  const row: GoalRow = {
    goal: `5. latency hiding: CLI export, ${PAGES} pages × ${PAGE_SIZE} calls, ${latencyMs} ms/page, concurrency ${CONCURRENCY}`,
    target: `wall ≤ ideal + ${TOLERANCE * 100}% (ideal = start-up + ${fmt(rounds * latencyMs)} ms)`,
    measured: `${medians(ctx)}${fmt(run.wallMs)} ms vs ideal ${fmt(ideal)} ms (start-up ${fmt(startup)} ms): ${ratio(run.wallMs / ideal)}`,
    verdict: atMost(over, TOLERANCE),
  };
  if (row.verdict === 'missed') {
    const summary = await profileOnce(
      ctx,
      `cli-latency-${latencyMs}ms`,
      'the CLI export at high latency',
      async (dir) => {
        replay.setLatency(latencyMs);
        try {
          await exportRun(['--cpu-prof', `--cpu-prof-dir=${dir}`]);
        } finally {
          replay.setLatency(0);
        }
      },
    );
    row.bound = boundLine(summary);
  }
  return [row];
}

/** The run must have exited 0 with every call in its --json summary. */
function checked(run: TimedProcess, records: number): TimedProcess {
  if (run.code !== 0) throw new Error(`omnidim-stream export exited ${run.code}: ${run.stderr.slice(-2000)}`);
  const summary = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}') as {
    records?: number;
    counts?: Record<string, number>;
  };
  if (summary.records !== records || summary.counts?.['calls'] !== records)
    throw new Error(`omnidim-stream export reported ${summary.records} calls, expected ${records}`);
  return run;
}

if (isMain(import.meta.url)) await runStandalone(runLatency);
