/**
 * Goal 6 of issue 21, looked at over time: is the peak RSS of an export state that grows with the
 * calls, or a spike on a plateau? The built CLI exports 20,000 and 200,000 calls to Parquet from
 * the live simulator (as bench/memory.ts does) with a preload sampling `process.memoryUsage()`
 * every 50 ms (bench/lib/rss-timeline-preload.mjs); each run prints its peak and when it came,
 * the RSS the run sat at (median and 90th percentile of the samples), and the V8 heap and
 * external memory at the peak. Not part of `pnpm bench`: the 200k run takes ~1 minute.
 *
 *   node --conditions=source --import tsx bench/memory-timeline.ts [--quick]
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '@omnidim-stream/simulator';
import { builtCli } from './lib/built-cli.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { fmt, mb, printTable } from './lib/table.js';

const PRELOAD = fileURLToPath(new URL('./lib/rss-timeline-preload.mjs', import.meta.url));

/** One sample: ms since start, rss, heapTotal, heapUsed, external, arrayBuffers (bytes). */
type Sample = [number, number, number, number, number, number];

/** The value below which `share` of `values` lie (nearest rank). */
function percentile(values: readonly number[], share: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))] ?? Number.NaN;
}

/**
 * Runs both sizes and prints the table.
 *
 * @example
 * await runStandalone(runMemoryTimeline);
 */
export async function runMemoryTimeline(ctx: BenchContext): Promise<void> {
  const sizes = ctx.quick ? [600, 1_500] : [20_000, 200_000];
  const rows: (string | number)[][] = [];
  for (const records of sizes) {
    const samples = await timeline(ctx, records);
    const rss = samples.map((s) => s[1]);
    const peak = samples.reduce((a, b) => (b[1] > a[1] ? b : a));
    const end = samples.at(-1)![0];
    rows.push([
      fmt(records),
      fmt(end),
      mb(peak[1]),
      `${fmt(peak[0])} (${((peak[0] / end) * 100).toFixed(0)}%)`,
      mb(percentile(rss, 0.5)),
      mb(percentile(rss, 0.9)),
      mb(peak[2]),
      mb(peak[4]),
      fmt(samples.length),
    ]);
  }
  printTable(
    'Goal 6 over time — RSS of the CLI exporting to Parquet, sampled every 50 ms',
    [
      'calls',
      'run ms',
      'peak RSS MB',
      'peak at ms',
      'median RSS MB',
      'p90 RSS MB',
      'heap at peak MB',
      'external at peak MB',
      'samples',
    ],
    rows,
    [
      "run ms = from the preload to exit (the process's own clock); peak at = when the highest sample came (share of the run).",
      'median and p90 RSS = of every sample: where the run sat. A peak far above them is a spike; a peak near the end with the median rising is growth.',
      "Sampled RSS (process.memoryUsage) can miss a spike between samples, so its peak may be below bench/memory.ts's VmHWM.",
    ],
  );
}

/** One CLI export of `records` calls with the sampler preloaded; its samples. */
async function timeline(ctx: BenchContext, records: number): Promise<Sample[]> {
  const sim = await startSimulator({ seed: 1, records });
  const out = await ctx.scratch('memory-timeline');
  const file = join(out, 'timeline.json');
  try {
    const argv = ['export', '--out', join(out, 'lake'), '--base-url', sim.url, '--json'];
    const env = { OMNIDIM_API_KEY: sim.apiKey, OMNIDIM_BENCH_RSS_TIMELINE_FILE: file };
    const r = await builtCli(argv, env, ['--import', PRELOAD]);
    if (r.code !== 0) throw new Error(`omnidim-stream export exited ${r.code}: ${r.stderr.slice(-2000)}`);
    return JSON.parse(await readFile(file, 'utf8')) as Sample[];
  } finally {
    await sim.close();
    await ctx.discard(out);
  }
}

if (isMain(import.meta.url)) await runStandalone(runMemoryTimeline);
