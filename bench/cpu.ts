/**
 * Scenario 2, CPU cost per call: a zero-latency server, 20k calls. The floor is the same pages
 * fetched with undici and `JSON.parse`d, nothing else; against it: the core stream alone and a
 * full export (core → transform → dataset sink) to NDJSON, CSV and Parquet.
 * Targets: NDJSON ≥ 0.5 × the floor's calls/s, Parquet ≥ 0.25 ×. A missed target is profiled
 * (`--cpu-prof`) and its top self-time functions printed.
 *
 * Run alone: `node --conditions=source --import tsx bench/cpu.ts [--quick] [--profile[=DIR]]`.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type CaseResult, runCase } from './lib/child.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { summarizeProfileDir } from './lib/cpu-profile.js';
import { fmt, mb, printTable, ratio } from './lib/table.js';

type Format = 'ndjson' | 'csv' | 'parquet';
const TARGETS: Partial<Record<Format, number>> = { ndjson: 0.5, parquet: 0.25 };
/** The library's default concurrency (core DEFAULTS.concurrency), used for every run but the sequential floor. */
const CONCURRENCY = 4;

interface ExportResult extends CaseResult {
  records: number;
  rows: Record<string, number>;
  bytes: number;
}

export interface CpuFigures {
  floorCallsPerSec: number;
  ratios: Partial<Record<Format | 'core', number>>;
}

/**
 * Runs the scenario and prints its tables.
 *
 * @example
 * await runStandalone(runCpu);
 */
export async function runCpu(ctx: BenchContext): Promise<CpuFigures> {
  const records = ctx.quick ? 1_500 : 20_000;
  const replay = await ctx.replay(records);
  const env = { OMNIDIM_API_KEY: replay.apiKey };
  const base = { baseUrl: replay.url, pageSize: 150 };
  const rows: (string | number)[][] = [];
  const perSec = (r: CaseResult) => (records / r.wallMs) * 1000;
  let floorCpuPerCall = Number.NaN;
  const line = (
    name: string,
    c: number,
    r: CaseResult,
    floor: number,
    extra: { out?: number; target?: number },
  ) => {
    const rel = perSec(r) / floor;
    const cpuPerCall = (r.cpuMs * 1000) / records;
    const verdict =
      extra.target === undefined ? '' : `≥ ${extra.target}× ${rel >= extra.target ? 'met' : 'MISSED'}`;
    rows.push([
      name,
      c,
      fmt(r.wallMs),
      fmt(perSec(r)),
      ratio(rel),
      fmt(cpuPerCall),
      ratio(floorCpuPerCall / cpuPerCall),
      mb(r.maxRssBytes),
      extra.out === undefined ? '' : mb(extra.out),
      verdict,
    ]);
    return rel;
  };

  const floorSeq = await runCase('fetch-floor', { ...base, concurrency: 1 }, { env });
  const floorPar = await runCase('fetch-floor', { ...base, concurrency: CONCURRENCY }, { env });
  const floor = perSec(floorPar);
  floorCpuPerCall = (floorPar.cpuMs * 1000) / records;
  line('floor: undici + JSON.parse', 1, floorSeq, floor, {});
  line('floor: undici + JSON.parse', CONCURRENCY, floorPar, floor, {});
  const ratios: CpuFigures['ratios'] = {};
  const core = await runCase('core-stream', { baseUrl: replay.url, concurrency: CONCURRENCY }, { env });
  ratios.core = line('core stream only (callLogs)', CONCURRENCY, core, floor, {});

  const missed: Format[] = [];
  for (const format of ['ndjson', 'csv', 'parquet'] as const) {
    const out = await ctx.scratch(`cpu-${format}`);
    const r = await runCase<ExportResult>(
      'export',
      { baseUrl: replay.url, concurrency: CONCURRENCY, format, out },
      { env },
    );
    await ctx.discard(out);
    if (r.records !== records)
      throw new Error(`export to ${format} wrote ${r.records} calls, expected ${records}`);
    const target = TARGETS[format];
    const rel = line(`export → ${format} (4 tables)`, CONCURRENCY, r, floor, {
      out: r.bytes,
      ...(target ? { target } : {}),
    });
    ratios[format] = rel;
    if (target !== undefined && rel < target) missed.push(format);
  }
  printTable(
    `2. CPU cost per call — ${fmt(records)} calls, 0 ms latency, ${fmt(replay.bytes / records)} bytes of JSON per call`,
    [
      'case',
      'conc.',
      'wall ms',
      'calls/s',
      '÷ floor',
      'CPU µs/call',
      'CPU ÷ floor',
      'peak RSS MB',
      'output MB',
      'target',
    ],
    rows,
    [
      `÷ floor = calls/s ÷ the floor's calls/s at concurrency ${CONCURRENCY} (${fmt(floor)} calls/s); the sequential floor is shown for reference.`,
      "CPU µs/call = the case process's CPU time (user + system, after module loading) ÷ calls; CPU ÷ floor = the floor's CPU µs/call at the same concurrency ÷ this row's: the same ratio in CPU time, much less sensitive to other load on a shared machine than wall time.",
      'Exports go through the library API: callLogs() → createFlattenStream() → createDatasetSink() (bench/cases/export.ts), all four tables, default options.',
      "The server replays the simulator's recorded pages from memory (bench/lib/replay-server.ts) so that generating calls does not bound the floor.",
    ],
  );

  const profileFormats: Format[] = ctx.profileDir ? ['ndjson', 'csv', 'parquet'] : ctx.quick ? [] : missed;
  for (const format of profileFormats) {
    const dir = join(ctx.profileDir ?? (await ctx.scratch('profiles')), format);
    await mkdir(dir, { recursive: true });
    const out = await ctx.scratch(`prof-${format}`);
    await runCase(
      'export',
      { baseUrl: replay.url, concurrency: CONCURRENCY, format, out },
      { env, cpuProfDir: dir },
    );
    await ctx.discard(out);
    const summary = await summarizeProfileDir(dir);
    printTable(
      `2.${format}. Profile of the export → ${format} (--cpu-prof, main thread, ${fmt(summary.busyMs)} ms busy): top self time`,
      ['%', 'self ms', 'function (file)'],
      summary.functions.slice(0, 15).map((f) => [`${f.percent.toFixed(1)}%`, fmt(f.selfMs), f.name]),
      [
        `By workspace package (innermost package frame on the stack, libraries and native calls included): ${summary.packages
          .map((p) => `${p.name} ${p.percent.toFixed(0)}%`)
          .join(', ')}.`,
        'Under tsx, modules are compiled to a few lines, so positions are not given: functions are named with their file.',
      ],
    );
  }
  return { floorCallsPerSec: floor, ratios };
}

if (isMain(import.meta.url)) await runStandalone(runCpu);
