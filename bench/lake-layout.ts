/**
 * Scenario 6, lake layout (issue 16): the Parquet export's CPU per call, data files and bytes at
 * the old grain (`day`: one partition per table per day, at least one file each) and at the new
 * default (`month`, files merged up to the target size), in one run against the same replayed
 * pages (20,000 simulator calls over about a year; --quick: 1,500).
 *
 * Run alone: `node --conditions=source --import tsx bench/lake-layout.ts [--quick]`.
 */
import { type CaseResult, runCase } from './lib/child.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { fmt, mb, printTable } from './lib/table.js';

interface ExportResult extends CaseResult {
  records: number;
  bytes: number;
  files: number;
}

/** CPU µs per call of the Parquet export, day grain then the default grain. */
export interface LayoutFigures {
  dayCpuPerCall: number;
  monthCpuPerCall: number;
}

/**
 * Runs the scenario and prints its table.
 *
 * @example
 * await runStandalone(runLakeLayout);
 */
export async function runLakeLayout(ctx: BenchContext): Promise<LayoutFigures> {
  const records = ctx.quick ? 1_500 : 20_000;
  const replay = await ctx.replay(records);
  const env = { OMNIDIM_API_KEY: replay.apiKey };
  const rows: (string | number)[][] = [];
  const cpu: Record<string, number> = {};
  for (const partitionBy of ['day', 'month'] as const) {
    const out = await ctx.scratch(`layout-${partitionBy}`);
    const r = await runCase<ExportResult>(
      'export',
      { baseUrl: replay.url, concurrency: 4, format: 'parquet', out, partitionBy },
      { env },
    );
    await ctx.discard(out);
    if (r.records !== records)
      throw new Error(`export at ${partitionBy} wrote ${r.records} calls, expected ${records}`);
    cpu[partitionBy] = (r.cpuMs * 1000) / records;
    rows.push([
      partitionBy === 'day' ? 'day (before issue 16)' : 'month (the default)',
      fmt(r.files),
      mb(r.bytes),
      fmt(r.wallMs),
      fmt(cpu[partitionBy]!),
      mb(r.maxRssBytes),
    ]);
  }
  printTable(
    `6. Lake layout — Parquet export of ${fmt(records)} calls, all four tables, before and after`,
    ['grain', 'data files', 'output MB', 'wall ms', 'CPU µs/call', 'peak RSS MB'],
    rows,
    [
      'CPU µs/call = the case process CPU time (user + system, after module loading) ÷ calls (bench/cases/export.ts, library API, default options but the grain).',
      "The simulator's first 2,000 calls are ~4 h apart, later ones ~2 min apart: 20,000 calls span about a year.",
    ],
  );
  return { dayCpuPerCall: cpu['day']!, monthCpuPerCall: cpu['month']! };
}

if (isMain(import.meta.url)) await runStandalone(runLakeLayout);
