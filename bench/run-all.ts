/**
 * Every benchmark of issue 8, one after the other, each table printed as it completes:
 *
 *   pnpm bench            # full run (~10 min on 2 cores)
 *   pnpm bench --quick    # smoke run: tiny sizes, figures meaningless
 *   pnpm bench --profile  # also keep --cpu-prof profiles of every export (bench-profiles/)
 *
 * Each measured case runs in its own Node process (bench/cases/*.ts) so that its peak RSS and
 * CPU time are its own; servers (simulator, replay) run in this process.
 */

import { runCpu } from './cpu.js';
import { runLakeLayout } from './lake-layout.js';
import { runLatency } from './latency.js';
import { parseBenchArgs } from './lib/args.js';
import { createBenchContext } from './lib/context.js';
import { machineInfo } from './lib/machine.js';
import { runMemory } from './memory.js';
import { runParquetCodecs } from './parquet-codecs.js';
import { runParquetWriters } from './parquet-writers.js';
import { runVersusNaive } from './versus-naive.js';

const args = parseBenchArgs(process.argv.slice(2));
const ctx = createBenchContext(args);
const started = performance.now();
console.log(
  `# omnidim-stream benchmarks${args.quick ? ' (--quick: smoke sizes, figures not meaningful)' : ''}\n`,
);
console.log(machineInfo());
console.log(
  `command: pnpm bench${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
);

const scenarios = [
  ['latency', runLatency],
  ['cpu', runCpu],
  ['versus-naive', runVersusNaive],
  ['parquet-writers', runParquetWriters],
  ['parquet-codecs', runParquetCodecs],
  ['memory', runMemory],
  ['lake-layout', runLakeLayout],
] as const;
const failed: string[] = [];
try {
  for (const [name, run] of scenarios) {
    const t = performance.now();
    try {
      await run(ctx);
    } catch (error) {
      failed.push(name);
      console.log(`\n!! scenario ${name} failed: ${(error as Error).stack ?? String(error)}`);
    }
    console.log(`\n(${name}: ${((performance.now() - t) / 1000).toFixed(0)} s)`);
  }
} finally {
  await ctx.close();
}
console.log(
  `\ntotal: ${((performance.now() - started) / 1000).toFixed(0)} s${failed.length ? `; FAILED: ${failed.join(', ')}` : ''}`,
);
if (failed.length) process.exitCode = 1;
