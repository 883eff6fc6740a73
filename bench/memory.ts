/**
 * Scenario 3, memory: peak RSS of a process exporting 20k and then 200k calls to Parquet (all
 * four tables) from the simulator. Target: ≤ 200 MB, and ≤ 10% growth from the small run to the
 * large one (flat memory: the export streams, it does not accumulate). The `convert` of a large
 * JSON file is measured by bench/convert-memory.ts (the CLI's own script) when present.
 *
 * Run alone: `node --conditions=source --import tsx bench/memory.ts [--quick]`.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startSimulator } from '@omnidim-stream/simulator';
import { type CaseResult, isolatedNode, runCase } from './lib/child.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { fmt, mb, printTable } from './lib/table.js';

const LIMIT_BYTES = 200 * 1e6;
const MAX_GROWTH = 0.1;
/** The capped-heap variant: old space 96 MB, young generation semi-spaces 4 MB. */
const CAPPED_HEAP = '--max-old-space-size=96 --max-semi-space-size=4';

export interface MemoryFigures {
  smallRss: number;
  largeRss: number;
  growth: number;
}

/**
 * Runs the scenario and prints its table.
 *
 * @example
 * await runStandalone(runMemory);
 */
export async function runMemory(ctx: BenchContext): Promise<MemoryFigures> {
  const sizes = ctx.quick ? [1_500, 6_000] : [20_000, 200_000];
  const rows: (string | number)[][] = [];
  const baseline = await runCase('noop', {});
  rows.push(['Node + tsx loader, nothing else (baseline)', '', '', mb(baseline.maxRssBytes), '', '', '']);
  // Two heap settings: Node's defaults, and a capped heap. V8 grows its heap lazily while memory
  // is plentiful, so a default-heap peak says more about GC slack than about what the export
  // keeps alive; the capped run (same code, the GC forced to collect) shows the live footprint.
  const variants = [
    { label: 'default heap', nodeOptions: '' },
    { label: `NODE_OPTIONS="${CAPPED_HEAP}"`, nodeOptions: CAPPED_HEAP },
  ];
  const notes: string[] = [];
  const figures: MemoryFigures[] = [];
  for (const variant of variants) {
    const rss: number[] = [];
    for (const records of sizes) {
      // The live simulator (not a replay): 200k calls are ~1.6 GB of JSON, generated page by page.
      const sim = await startSimulator({ seed: 1, records });
      const out = await ctx.scratch(`mem-${records}`);
      let r: CaseResult & { records: number; bytes: number };
      try {
        r = await runCase(
          'export',
          { baseUrl: sim.url, concurrency: 4, format: 'parquet', out },
          {
            env: { OMNIDIM_API_KEY: sim.apiKey, NODE_OPTIONS: variant.nodeOptions },
            timeoutMs: 900_000,
          },
        );
      } finally {
        await sim.close();
        await ctx.discard(out);
      }
      if (r.records !== records) throw new Error(`export wrote ${r.records} calls, expected ${records}`);
      rss.push(r.maxRssBytes);
      const ok = r.maxRssBytes <= LIMIT_BYTES;
      rows.push([
        `export → parquet, ${fmt(records)} calls, ${variant.label}`,
        fmt(records),
        fmt(r.wallMs),
        mb(r.maxRssBytes),
        mb(r.maxRssBytes - baseline.maxRssBytes),
        mb(r.bytes),
        `≤ 200 MB ${ok ? 'met' : 'MISSED'}`,
      ]);
    }
    const [small = 0, large = 0] = rss;
    const growth = (large - small) / small;
    figures.push({ smallRss: small, largeRss: large, growth });
    notes.push(
      `growth ${fmt(sizes[0])} → ${fmt(sizes[1])} calls, ${variant.label}: ${(growth * 100).toFixed(1)}% (target ≤ ${MAX_GROWTH * 100}%: ${growth <= MAX_GROWTH ? 'met' : 'MISSED'}).`,
    );
  }
  printTable(
    `3. Memory — peak RSS exporting to Parquet (4 tables), one process per run`,
    ['case', 'calls', 'wall ms', 'peak RSS MB', 'over baseline MB', 'output MB', 'target'],
    rows,
    [
      ...notes,
      "peak RSS = VmHWM of the exporting process (/proc/self/status; resourceUsage().maxRSS would include the runner's RSS, inherited across fork + exec). The simulator runs in the runner, not in it.",
      'The baseline is the same child process that loads nothing: the tsx loader (running TypeScript sources) costs ~40 MB over plain node; a built package would not pay it.',
    ],
  );
  await runConvertMemory(ctx);
  return figures[0]!;
}

/** Runs the CLI helper's bench/convert-memory.ts, if it exists, passing its output through. */
async function runConvertMemory(ctx: BenchContext): Promise<void> {
  const script = fileURLToPath(new URL('./convert-memory.ts', import.meta.url));
  try {
    await access(script);
  } catch {
    console.log(
      '\n(bench/convert-memory.ts is not present: the `convert` memory figure is not measured in this run.)',
    );
    return;
  }
  // Its arguments are [bigMB=400] [smallMB=40] [format=parquet]; the quick run uses tiny files.
  const args = ['--conditions=source', '--import', 'tsx', script, ...(ctx.quick ? ['4', '1'] : [])];
  console.log(
    `\n## 3b. Memory — \`convert\` of a large JSON file (bench/convert-memory.ts${ctx.quick ? ' 4 1' : ''}, the CLI helper's script)\n`,
  );
  const code = await new Promise<number | null>((resolve, reject) => {
    const [command, argv] = isolatedNode(args);
    const child = spawn(command, argv, { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) console.log(`\n(bench/convert-memory.ts exited with code ${code}.)`);
}

if (isMain(import.meta.url)) await runStandalone(runMemory);
