/**
 * Goal 6 of issue 21, memory: peak RSS of the process exporting 20,000 and 200,000 calls the way
 * a user runs it: `omnidim-stream export` built, under plain node (Parquet, default options,
 * Node's default heap flags, so the CLI's own settings apply: README Performance), worker
 * threads included (VmHWM is the whole process's). Target: ≤ 200 MB at both sizes, flat within 10%. The pages come
 * from the live simulator, generated page by page (200k calls are ~1.6 GB of JSON: a replay
 * would hold it all). The small size's peak is the median of `ctx.repeats` runs (~10 s each;
 * bench/lib/repeat.ts), every run's figure printed: one 20k run decided the verdict on its noise
 * (173.5 and 170.4 MB for the same code). So is the 200k peak's (1–2 minutes a run), the two
 * sizes run in turn in each round: two idle runs of the same code peaked at 209.7 and 197.5 MB
 * at 200k (2026-12-01 23:25 and 23:28), one on each side of the target. On a miss, the
 * 20k run is repeated with a capped heap to separate what the export keeps alive from V8's heap
 * slack.
 *
 * Run alone: `node --conditions=source --import tsx bench/memory.ts [--quick]`.
 */
import { startSimulator } from '@omnidim-stream/simulator';
import { type BuiltCliRun, builtCli } from './lib/built-cli.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { atMost, both, type GoalRow } from './lib/goals.js';
import { inRounds, medianRun, medians, runsText } from './lib/repeat.js';
import { fmt, mb, printTable } from './lib/table.js';

const LIMIT_BYTES = 200 * 1e6;
const MAX_GROWTH = 0.1;
/** The diagnostic variant: old space 96 MB, young generation semi-spaces 4 MB. */
const CAPPED_HEAP = ['--max-old-space-size=96', '--max-semi-space-size=4'];

/**
 * Runs the scenario, prints its table and returns its goal row.
 *
 * @example
 * await runStandalone(runMemory);
 */
export async function runMemory(ctx: BenchContext): Promise<GoalRow[]> {
  const [small, large] = ctx.quick ? [600, 1_500] : [20_000, 200_000];
  const baseline = await builtCli(['--version']);
  const rows: (string | number)[][] = [
    ['omnidim-stream --version (baseline: node + the CLI)', '', '', mb(baseline.peakRssBytes)],
  ];
  const measure = async (records: number, nodeArgs: string[], label: string, cliArgs: string[] = []) => {
    const r = await exportFromSimulator(ctx, records, nodeArgs, cliArgs);
    rows.push([label, fmt(records), fmt(r.wallMs), mb(r.maxRssBytes)]);
    return r;
  };
  const runs = await inRounds(ctx.repeats, async () => ({
    small: await exportFromSimulator(ctx, small, []),
    large: await exportFromSimulator(ctx, large, []),
  }));
  const smallRuns = runs.map((r) => r.small);
  const largeRuns = runs.map((r) => r.large);
  const a = medianRun(smallRuns, (r) => r.maxRssBytes);
  const b = medianRun(largeRuns, (r) => r.maxRssBytes);
  const median = ctx.repeats > 1 ? ` (median of ${ctx.repeats})` : '';
  const smallLabel = `omnidim-stream export → parquet, ${fmt(small)} calls, default heap`;
  rows.push([`${smallLabel}${median}`, fmt(small), fmt(a.wallMs), mb(a.maxRssBytes)]);
  rows.push([
    `omnidim-stream export → parquet, ${fmt(large)} calls, default heap${median}`,
    fmt(large),
    fmt(b.wallMs),
    mb(b.maxRssBytes),
  ]);
  const growth = (b.maxRssBytes - a.maxRssBytes) / a.maxRssBytes;
  const verdict = both(
    both(atMost(a.maxRssBytes, LIMIT_BYTES), atMost(b.maxRssBytes, LIMIT_BYTES)),
    atMost(growth, MAX_GROWTH),
  );
  const row: GoalRow = {
    goal: `6. memory: peak RSS, Parquet export, default heap, workers counted (${fmt(small)} and ${fmt(large)} calls)`,
    target: `≤ 200 MB at both, growth ≤ ${MAX_GROWTH * 100}%`,
    measured: `${medians(ctx)}${mb(a.maxRssBytes)} MB → ${mb(b.maxRssBytes)} MB (${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%)`,
    verdict,
  };
  if (verdict === 'missed') {
    const capped = await measure(
      small,
      CAPPED_HEAP,
      `same, ${fmt(small)} calls, node ${CAPPED_HEAP.join(' ')}`,
    );
    // Without checkpoints the run stages one part file per table and partition, so the commit
    // has no small part files to merge: the difference is what the commit's merge adds.
    const unmerged = await measure(
      small,
      [],
      `same, ${fmt(small)} calls, --checkpoint-pages 0 (no merge at commit)`,
      ['--checkpoint-pages', '0'],
    );
    // Not a CPU profile: what bounds memory is what stays alive versus what V8 lets grow.
    row.bound = `baseline (node + the CLI, --version) ${mb(baseline.peakRssBytes)} MB; with a capped heap the ${fmt(small)}-call export peaks at ${mb(capped.maxRssBytes)} MB, so ${mb(a.maxRssBytes - capped.maxRssBytes)} MB of the default-heap peak is V8 heap slack and ${mb(capped.maxRssBytes - baseline.peakRssBytes)} MB over the baseline is what the export keeps alive; without checkpoints (no part files to merge at the commit) it peaks at ${mb(unmerged.maxRssBytes)} MB`;
  }
  printTable(
    'Goal 6. Memory — peak RSS exporting to Parquet (4 tables), one process per run',
    ['case', 'calls', 'wall ms', 'peak RSS MB'],
    rows,
    [
      `growth ${fmt(small)} → ${fmt(large)} calls, default heap: ${(growth * 100).toFixed(1)}% (target ≤ ${MAX_GROWTH * 100}%).`,
      `Each peak is the median of ${ctx.repeats} run${ctx.repeats > 1 ? 's' : ''}, the two sizes in turn in each round (MB, in the order they ran): ${fmt(small)} calls ${runsText(
        smallRuns.map((r) => r.maxRssBytes),
        mb,
      )}; ${fmt(large)} calls ${runsText(
        largeRuns.map((r) => r.maxRssBytes),
        mb,
      )}. The diagnostic rows are one run each.`,
      "peak RSS = VmHWM of the exporting process (/proc/self/status): every thread's memory, workers included; not resourceUsage().maxRSS, which keeps the runner's RSS across fork + exec.",
      'The command is the built CLI under plain node (bench/lib/built-cli.ts: dist/ compiled first), as users run it; the baseline is its --version.',
    ],
  );
  return [row];
}

/** One CLI export from a fresh live simulator of `records` calls, checked for completeness. */
async function exportFromSimulator(
  ctx: BenchContext,
  records: number,
  nodeArgs: string[],
  cliArgs: string[] = [],
): Promise<{ wallMs: number; maxRssBytes: number }> {
  const sim = await startSimulator({ seed: 1, records });
  const out = await ctx.scratch('memory');
  try {
    const argv = ['export', '--out', out, '--base-url', sim.url, '--json', ...cliArgs];
    const r: BuiltCliRun = await builtCli(argv, { OMNIDIM_API_KEY: sim.apiKey }, nodeArgs);
    if (r.code !== 0 || !Number.isFinite(r.peakRssBytes)) {
      throw new Error(`omnidim-stream export exited ${r.code}: ${r.stderr.slice(-2000)}`);
    }
    const summary = JSON.parse(r.stdout.trim().split('\n').at(-1) ?? '{}') as {
      records?: number;
      counts?: Record<string, number>;
    };
    if (summary.records !== records || summary.counts?.['calls'] !== records) {
      throw new Error(`omnidim-stream export reported ${summary.records} calls, expected ${records}`);
    }
    return { wallMs: r.wallMs, maxRssBytes: r.peakRssBytes };
  } finally {
    await sim.close();
    await ctx.discard(out);
  }
}

if (isMain(import.meta.url)) await runStandalone(runMemory);
