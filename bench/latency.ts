/**
 * Scenario 1, latency hiding: 40 pages of 150 calls with 150 ms before each page, read with
 * `callLogs()` at concurrency 1, 2, 4, 8, 16, against the ideal `pages × latency ÷ concurrency`.
 * Target: ≥ 7× faster than sequential at concurrency 8, records still in API order.
 *
 * Run alone: `node --conditions=source --import tsx bench/latency.ts [--quick]`.
 */
import { type CaseResult, runCase } from './lib/child.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { fmt, printTable, ratio } from './lib/table.js';

export interface LatencyFigures {
  speedupAt8: number | undefined;
  ordered: boolean;
}

/**
 * Runs the scenario and prints its table.
 *
 * @example
 * await runStandalone(runLatency);
 */
export async function runLatency(ctx: BenchContext): Promise<LatencyFigures> {
  const latencyMs = 150;
  const records = ctx.quick ? 1_500 : 6_000;
  const levels = ctx.quick ? [1, 8] : [1, 2, 4, 8, 16];
  const replay = await ctx.replay(records);
  replay.setLatency(latencyMs);
  const env = { OMNIDIM_API_KEY: replay.apiKey };
  const pages = replay.pages;
  const rows: (string | number)[][] = [];
  let sequentialMs: number | undefined;
  let floorSequentialMs: number | undefined;
  let speedupAt8: number | undefined;
  let allOrdered = true;
  for (const concurrency of levels) {
    replay.stats.maxInFlight = 0;
    const r = await runCase<CaseResult & { records: number; ordered: boolean }>(
      'core-stream',
      { baseUrl: replay.url, concurrency },
      { env },
    );
    // core requests page 1 alone (its total_records plans the rest), then one empty page never:
    // the ideal counts every page once, the first one unshared.
    const idealMs = latencyMs + ((pages - 1) * latencyMs) / concurrency;
    const inFlight = replay.stats.maxInFlight;
    // The floor at the same concurrency: what undici + JSON.parse alone achieve on this machine
    // now, so a shortfall can be split between the machine's CPU and the library.
    const floor = await runCase<CaseResult & { records: number }>(
      'fetch-floor',
      { baseUrl: replay.url, pageSize: 150, concurrency },
      { env },
    );
    floorSequentialMs ??= floor.wallMs;
    sequentialMs ??= r.wallMs;
    const speedup = sequentialMs / r.wallMs;
    if (concurrency === 8) speedupAt8 = speedup;
    const correct = r.ordered && r.records === records;
    allOrdered &&= correct;
    rows.push([
      concurrency,
      fmt(r.wallMs),
      fmt((pages * latencyMs) / concurrency),
      fmt(idealMs),
      ratio(idealMs / r.wallMs),
      ratio(speedup),
      inFlight,
      fmt(r.cpuMs),
      fmt(floor.wallMs),
      ratio(floorSequentialMs / floor.wallMs),
      fmt(r.records),
      correct ? 'yes' : 'NO',
    ]);
  }
  printTable(
    `1. Latency hiding — ${pages} pages × 150 calls, ${latencyMs} ms per page`,
    [
      'concurrency',
      'wall ms',
      'pages×lat÷c',
      'ideal ms*',
      'efficiency',
      'speed-up',
      'in flight',
      'CPU ms',
      'floor wall ms',
      'floor speed-up',
      'calls',
      'API order & count ok',
    ],
    rows,
    [
      `ideal* = ${latencyMs} ms for page 1 (fetched alone: its total_records plans the pages) + (pages − 1) × ${latencyMs} ÷ concurrency; efficiency = ideal ÷ wall.`,
      `speed-up = sequential wall ÷ wall. Target at concurrency 8: ≥ 7× → ${speedupAt8 === undefined ? 'not measured' : speedupAt8 >= 7 ? `met (${ratio(speedupAt8)})` : `MISSED (${ratio(speedupAt8)})`}.`,
      "Pages are the simulator's own responses, recorded once and replayed from memory after the delay (bench/lib/replay-server.ts), so the simulator's data generation does not cap high concurrency on 2 cores.",
      "in flight = most list requests the server saw at once during the library run; CPU ms = the client process's CPU time for the run: once it nears the wall time, the client is CPU-bound, not latency-bound.",
      'floor = undici request() + JSON.parse of the same pages with the same sliding window, nothing else (bench/cases/fetch-floor.ts).',
      "Order check: ids strictly descending across the whole run (the API's newest-first order), and the count equals the history size.",
    ],
  );
  replay.setLatency(0);
  return { speedupAt8, ordered: allOrdered };
}

if (isMain(import.meta.url)) await runStandalone(runLatency);
