/**
 * The goal table of issue 21, in one run: each goal's scenario in turn, its tables printed as it
 * completes, then every goal as a row (target, measured, met or missed, and for a miss what
 * bounds it), written with the machine and the full output into the generated part of
 * BENCHMARKS.md (between its markers; the analysis around them stays).
 *
 *   pnpm bench                  # full run, ~10 min on 2 cores; writes BENCHMARKS.md
 *   pnpm bench --quick          # smoke run: tiny sizes, figures meaningless; writes a temp file
 *   pnpm bench --write=PATH     # the generated part goes to PATH instead
 *   pnpm bench --profile[=DIR]  # keep the CPU profiles of missed goals (default bench-profiles/)
 *   pnpm bench --repeat=N       # runs per timed case (default 3; each goal takes the median run)
 *
 * Before the first case it samples the machine for 2 s, and at the end it sums the whole run: the
 * cores busy with other work than this run (bench/lib/other-work.ts). Above 0.2 cores the report
 * says the run is NOT idle and not a run of record: a shared machine moves every ratio.
 *
 * Each measured case runs in its own Node process (bench/cases/*.ts) so that its peak RSS and
 * CPU time are its own; servers (simulator, replay) run in this process. Deeper scripts not in
 * the run (bench/lake-layout.ts, parquet-codecs.ts, parquet-writers.ts, sinks.ts,
 * convert-memory.ts, transform-cpu.ts, sink-cost.ts, memory-timeline.ts) run on their own.
 */
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCpu } from './cpu.js';
import { runLatency } from './latency.js';
import { parseBenchArgs } from './lib/args.js';
import { generatedSection, writeGenerated } from './lib/benchmarks-md.js';
import { type BenchContext, createBenchContext } from './lib/context.js';
import { type GoalRow, renderGoalTable } from './lib/goals.js';
import { machineInfo } from './lib/machine.js';
import { otherWorkBefore, otherWorkDuring } from './lib/other-work.js';
import { teeStdout } from './lib/output-tee.js';
import { runMemory } from './memory.js';
import { runScaling } from './scaling.js';
import { runVersusNaive } from './versus-naive.js';

const args = parseBenchArgs(process.argv.slice(2));
const ctx = createBenchContext(args);
const writePath =
  args.writePath ??
  (args.quick
    ? join(tmpdir(), `omnidim-bench-quick-${process.pid}.md`)
    : fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url)));
const tee = teeStdout();
// Measured first, with nothing of ours running: other work on the machine moves every ratio.
const otherWork = await otherWorkBefore();
const started = performance.now();
const machine = `${machineInfo()}\n${otherWork.line}\ncommand: pnpm bench${args.quick ? ' --quick (smoke sizes: figures not meaningful)' : ''}${args.repeats === (args.quick ? 1 : 3) ? '' : ` --repeat=${args.repeats}`} (goals 1–5: the median of ${args.repeats} run${args.repeats > 1 ? 's' : ''} of each timed case)`;
console.log(`# omnidim-stream benchmarks\n\n${machine}`);

// Goal 1 runs first: goal 3 reuses its 0 ms Parquet export (bench/lib/engine-run.ts).
const scenarios: [string, (ctx: BenchContext) => Promise<GoalRow[]>][] = [
  ['versus-naive (goals 1–2)', runVersusNaive],
  ['cpu (goal 3)', runCpu],
  ['scaling (goal 4)', runScaling],
  ['latency (goal 5)', runLatency],
  ['memory (goal 6)', runMemory],
];
const goals: GoalRow[] = [];
const failed: string[] = [];
try {
  for (const [name, run] of scenarios) {
    const t = performance.now();
    try {
      goals.push(...(await run(ctx)));
    } catch (error) {
      failed.push(name);
      console.log(`\n!! scenario ${name} failed: ${(error as Error).stack ?? String(error)}`);
      const reason = String((error as Error).message ?? error).split('\n')[0];
      goals.push({ goal: name, target: '', measured: `scenario failed: ${reason}`, verdict: 'n/a' });
    }
    console.log(`\n(${name}: ${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
} finally {
  await ctx.close();
}
const table = renderGoalTable(goals);
console.log(`\n## Goal table\n\n${table}`);
console.log(
  `\ntotal: ${((performance.now() - started) / 1000).toFixed(0)} s; load average at the end: ${machineLoad()}${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}`,
);
console.log(otherWorkDuring(otherWork.start));
tee.stop();
await writeGenerated(writePath, generatedSection({ machine, goals: table, output: tee.text() }));
console.log(`\nwrote the goal table and this output to ${writePath}`);
if (failed.length) process.exitCode = 1;

function machineLoad(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}
