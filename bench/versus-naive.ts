/**
 * Goals 1 and 2 of issue 21, versus what a user would write: a sequential `fetch()` loop writing
 * raw NDJSON, then DuckDB `COPY (SELECT … FROM read_json(…)) TO 'calls.parquet'`; the same loop
 * with our concurrency (4 pages in flight) as a second peer, so the table separates what is code
 * from what is concurrency; and our export as users run it (`exportCallLogs()`, Parquet, default
 * options). Same replayed server; 0 ms per page on 20,000 calls, 150 ms per page on 6,000.
 * Targets: ≥ 1.2× the sequential loop at 0 ms (stretch 1.5×), ≥ 2.5× at 150 ms.
 *
 * Run alone: `node --conditions=source --import tsx bench/versus-naive.ts [--quick]`.
 */
import { type CaseResult, runCase } from './lib/child.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { runEngineExport } from './lib/engine-run.js';
import { atLeast, type GoalRow } from './lib/goals.js';
import { boundLine, profileOnce } from './lib/miss-profile.js';
import { inRounds, medianRun, medians, runsText } from './lib/repeat.js';
import { zeroLatencyCalls } from './lib/sizes.js';
import { fmt, mb, printTable, ratio } from './lib/table.js';

interface NaiveResult extends CaseResult {
  fetchMs: number;
  duckdbMs: number;
  records: number;
  parquetRows: number;
  distinctIds: number;
}

/** Page requests the prefetching peer keeps in flight: the engine's default concurrency. */
const PEER_PREFETCH = 4;

/**
 * Runs the scenario, prints its table and returns its goal rows.
 *
 * @example
 * await runStandalone(runVersusNaive);
 */
export async function runVersusNaive(ctx: BenchContext): Promise<GoalRow[]> {
  const runs = [
    { latencyMs: 0, records: zeroLatencyCalls(ctx.quick), target: 1.2, stretch: 1.5, goal: '1' },
    { latencyMs: 150, records: ctx.quick ? 300 : 6_000, target: 2.5, stretch: undefined, goal: '2' },
  ];
  const rows: (string | number)[][] = [];
  const notes: string[] = [];
  const goals: GoalRow[] = [];
  for (const { latencyMs, records, target, stretch, goal } of runs) {
    const replay = await ctx.replay(records);
    replay.setLatency(latencyMs);
    const env = { OMNIDIM_API_KEY: replay.apiKey };
    // Rounds interleave the three cases, so a noisy minute hits each of them (repeat.ts).
    const rounds = await inRounds(ctx.repeats, async (round) => ({
      naive: await runNaive(ctx, replay.url, env, records, 1),
      peer: await runNaive(ctx, replay.url, env, records, PEER_PREFETCH),
      ours: await runEngineExport(ctx, { baseUrl: replay.url }, records, {
        env,
        cacheKey: `latency ${latencyMs} ms`,
        round,
      }),
    }));
    const naive = medianRun(
      rounds.map((r) => r.naive),
      (r) => r.wallMs,
    );
    const peer = medianRun(
      rounds.map((r) => r.peer),
      (r) => r.wallMs,
    );
    const ours = medianRun(
      rounds.map((r) => r.ours),
      (r) => r.wallMs,
    );
    const label = `${latencyMs} ms, ${fmt(records)} calls`;
    const gain = naive.wallMs / ours.wallMs;
    const peerGain = peer.wallMs / ours.wallMs;
    const walls = (pick: (r: (typeof rounds)[number]) => CaseResult) =>
      runsText(
        rounds.map((r) => pick(r).wallMs),
        fmt,
      );
    notes.push(
      `${label}, wall ms of each round: loop ${walls((r) => r.naive)}; prefetching loop ${walls((r) => r.peer)}; ours ${walls((r) => r.ours)}.`,
    );
    for (const [approach, r] of [
      ['fetch loop → NDJSON → DuckDB COPY', naive],
      [`same loop, ${PEER_PREFETCH} pages in flight`, peer],
    ] as const) {
      rows.push([
        label,
        approach,
        fmt(r.wallMs),
        `${fmt(r.fetchMs)} + ${fmt(r.duckdbMs)}`,
        fmt(r.cpuMs),
        mb(r.maxRssBytes),
        fmt(r.parquetRows),
        '',
      ]);
    }
    rows.push([
      label,
      'omnidim-stream exportCallLogs() (default options)',
      fmt(ours.wallMs),
      '',
      fmt(ours.cpuMs),
      mb(ours.maxRssBytes),
      fmt(ours.rows['calls']),
      `${ratio(gain)} (${ratio(peerGain)} vs prefetching loop)`,
    ]);
    const verdict = atLeast(gain, target);
    const row: GoalRow = {
      goal: `${goal}. vs the sequential loop + DuckDB COPY, Parquet, ${label}`,
      target: `≥ ${target}×${stretch ? ` (stretch ${stretch}×)` : ''}`,
      measured: `${ratio(gain)} (${medians(ctx)}loop ${fmt(naive.wallMs)} ms ÷ ours ${fmt(ours.wallMs)} ms)${stretch && gain >= stretch ? '; stretch met' : ''}`,
      verdict,
    };
    if (verdict === 'missed') {
      const summary = await profileOnce(
        ctx,
        `engine-parquet-${records}-${latencyMs}ms`,
        `the export, ${label}`,
        (dir) => runEngineExport(ctx, { baseUrl: replay.url }, records, { env, cpuProfDir: dir }),
      );
      row.bound = boundLine(summary);
    }
    goals.push(row, {
      goal: `${goal}b. vs the same loop with ${PEER_PREFETCH} pages in flight, ${label}`,
      target: 'none: separates code from concurrency',
      measured: `${ratio(peerGain)} (${medians(ctx)}loop ${fmt(peer.wallMs)} ms ÷ ours ${fmt(ours.wallMs)} ms)`,
      verdict: 'reference',
    });
    replay.setLatency(0);
  }
  printTable(
    'Goals 1–2. Versus what a user would write: Parquet from the same server',
    [
      'latency, size',
      'approach',
      'wall ms',
      'fetch + DuckDB ms',
      'CPU ms',
      'peak RSS MB',
      'calls rows',
      'ours vs loop',
    ],
    rows,
    [
      `Each figure is the median run of ${ctx.repeats} (wall time), the three cases run in turn in each round.`,
      ...notes,
      'loop = bench/cases/naive-loop.ts: fetch() per page, raw JSON lines to a file, then DuckDB `COPY (SELECT * EXCLUDE (interactions, post_call_actions) FROM read_json(…)) TO calls.parquet`; sequential, then with 4 pages in flight consumed in order (prefetch).',
      'ours = bench/cases/engine-export.ts: exportCallLogs() with default options (Parquet, all four tables, month partitions, lock, manifest, atomic commit, completeness proven), as the CLI runs it.',
      "ours vs loop = loop wall ÷ ours (above 1: ours is faster); CPU ms = the process's CPU time, every thread (DuckDB's COPY uses every core).",
      'The tables differ in quality: DuckDB infers `time_of_call` as VARCHAR and ~15 columns as JSON (the API sends `false` for empty values); ours are typed per the declared schema, and ours also writes interactions, actions and extracted variables.',
    ],
  );
  return goals;
}

async function runNaive(
  ctx: BenchContext,
  baseUrl: string,
  env: Record<string, string>,
  records: number,
  prefetch: number,
): Promise<NaiveResult> {
  const out = await ctx.scratch('naive');
  try {
    const r = await runCase<NaiveResult>('naive-loop', { baseUrl, out, prefetch }, { env });
    if (r.parquetRows !== records || r.distinctIds !== records)
      throw new Error(`naive loop wrote ${r.parquetRows} rows (${r.distinctIds} ids), expected ${records}`);
    return r;
  } finally {
    await ctx.discard(out);
  }
}

if (isMain(import.meta.url)) await runStandalone(runVersusNaive);
