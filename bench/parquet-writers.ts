/**
 * Scenario 5, Parquet writer choice: hyparquet-writer (what the sinks use) against parquetjs-lite
 * (the design card's pick) writing the same `calls` + `interactions` rows. The measurement is the
 * sinks helper's own (bench/sinks.ts, its `--child pair-…` cases, one process each); this script
 * runs only those cases, in this runner's table format, and reads every file back with DuckDB.
 *
 * Run alone: `node --conditions=source --import tsx bench/parquet-writers.ts [--quick]`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { isolatedNode } from './lib/child.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { fmt, mb, printTable, ratio } from './lib/table.js';

const SINKS_SCRIPT = fileURLToPath(new URL('./sinks.ts', import.meta.url));

/** What bench/sinks.ts prints for one `--child` case. */
interface PairResult {
  case: string;
  calls: number;
  rows: number;
  seconds: number;
  peakRssMb: number;
  bytes: number;
  files: string[];
}

function runPair(name: string, calls: number, out: string): Promise<PairResult> {
  const args = ['--conditions=source', '--import', 'tsx', SINKS_SCRIPT, '--child', name, String(calls), out];
  const [command, argv] = isolatedNode(args);
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{'))
        reject(new Error(`bench/sinks.ts --child ${name} failed (${code}): ${stderr.slice(-2000)}`));
      else resolve(JSON.parse(line) as PairResult);
    });
  });
}

export interface WriterFigures {
  /** hyparquet-writer rows/s ÷ parquetjs-lite rows/s. */
  speed: number;
}

/**
 * Runs the scenario and prints its table.
 *
 * @example
 * await runStandalone(runParquetWriters);
 */
export async function runParquetWriters(ctx: BenchContext): Promise<WriterFigures> {
  // 5,000 calls (~25k rows): parquetjs-lite needs ~75 s for 20k calls on this machine.
  const calls = ctx.quick ? 500 : 5_000;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const results: { label: string; r: PairResult; check: string }[] = [];
  try {
    for (const [name, label] of [
      ['pair-hyparquet', 'hyparquet-writer 0.17 (via the sinks ParquetTableWriter)'],
      ['pair-parquetjs-lite', 'parquetjs-lite 0.8.7'],
    ] as const) {
      const out = await ctx.scratch(name);
      const r = await runPair(name, calls, out);
      let read = 0;
      for (const file of r.files) {
        const reader = await connection.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM read_parquet('${file.replaceAll("'", "''")}')`,
        );
        read += (reader.getRowObjects()[0] as { n: number }).n;
      }
      await ctx.discard(out);
      results.push({
        label,
        r,
        check: read === r.rows ? `ok, ${fmt(read)} rows` : `MISMATCH ${read} ≠ ${r.rows}`,
      });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const [hyp, pjs] = results;
  const speed = hyp && pjs ? hyp.r.rows / hyp.r.seconds / (pjs.r.rows / pjs.r.seconds) : Number.NaN;
  printTable(
    `5. Parquet writer — calls + interactions rows of ${fmt(calls)} simulated calls, one process per writer`,
    ['writer', 'rows', 's', 'rows/s', 'peak RSS MB', 'file MB', 'DuckDB read-back'],
    results.map(({ label, r, check }) => [
      label,
      fmt(r.rows),
      fmt(r.seconds, 2),
      fmt(r.rows / r.seconds),
      fmt(r.peakRssMb, 1),
      mb(r.bytes),
      check,
    ]),
    [
      `hyparquet-writer ÷ parquetjs-lite rows/s: ${ratio(speed)}. Rows come from the simulator's generator through the real transform (no HTTP); the time includes generating and flattening them, the same for both.`,
      "Measured by bench/sinks.ts (the sinks helper's script, `--child pair-…`); `node --conditions=source --import tsx bench/sinks.ts` prints its fuller table (every format, 20k and 100k calls).",
    ],
  );
  return { speed };
}

if (isMain(import.meta.url)) await runStandalone(runParquetWriters);
