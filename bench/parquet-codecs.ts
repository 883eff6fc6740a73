/**
 * Scenario 6, Parquet codec (issue 17): bytes and CPU of each `--compression` the Parquet writer
 * offers, on the `calls` + `interactions` rows of a few thousand simulated calls, every file read
 * back with DuckDB. The default codec was chosen from this table (README "Reading the lake").
 *
 * Run alone: `node --conditions=source --import tsx bench/parquet-codecs.ts [--quick]`.
 */
import { once } from 'node:events';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateCallLog } from '@omnidim-stream/simulator';
import { COMPRESSIONS } from '@omnidim-stream/sinks';
import { createParquetWriter, type ParquetCompression } from '@omnidim-stream/sinks/parquet';
import { flattenCallLog, type Row, SCHEMAS } from '@omnidim-stream/transform';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { fmt, mb, printTable } from './lib/table.js';

const TABLES = ['calls', 'interactions'] as const;

interface CodecFigures {
  codec: ParquetCompression;
  bytes: number;
  cpuSeconds: number;
  rows: number;
  readBack: number;
}

async function writeTable(
  path: string,
  codec: ParquetCompression,
  table: (typeof TABLES)[number],
  rows: Row[],
) {
  const writer = createParquetWriter({ schema: SCHEMAS[table], destination: path, compression: codec });
  for (let i = 0; i < rows.length; i += 500) {
    if (!writer.writeRows(rows.slice(i, i + 500))) await once(writer, 'drain');
  }
  writer.end();
  await once(writer, 'finish');
}

/**
 * Runs the scenario and prints its table.
 *
 * @example
 * await runStandalone(runParquetCodecs);
 */
export async function runParquetCodecs(ctx: BenchContext): Promise<CodecFigures[]> {
  const calls = ctx.quick ? 300 : 5_000;
  const rows: Record<(typeof TABLES)[number], Row[]> = { calls: [], interactions: [] };
  for (let i = 0; i < calls; i++) {
    const flat = flattenCallLog(generateCallLog(17, i));
    rows.calls.push(...flat.tables.calls);
    rows.interactions.push(...flat.tables.interactions);
  }
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const figures: CodecFigures[] = [];
  // One untimed pass first: the first codec measured would otherwise pay the JIT's warm-up.
  const warm = await ctx.scratch('codec-warm-up');
  for (const table of TABLES) await writeTable(join(warm, `${table}.parquet`), 'none', table, rows[table]);
  await ctx.discard(warm);
  try {
    for (const codec of COMPRESSIONS.parquet as readonly ParquetCompression[]) {
      const dir = await ctx.scratch(`codec-${codec}`);
      const before = process.cpuUsage();
      for (const table of TABLES) await writeTable(join(dir, `${table}.parquet`), codec, table, rows[table]);
      const used = process.cpuUsage(before);
      let bytes = 0;
      let readBack = 0;
      for (const table of TABLES) {
        const path = join(dir, `${table}.parquet`);
        bytes += (await stat(path)).size;
        const reader = await connection.runAndReadAll(
          `SELECT count(*)::INTEGER AS n FROM read_parquet('${path}')`,
        );
        readBack += (reader.getRowObjects()[0] as { n: number }).n;
      }
      await ctx.discard(dir);
      const total = rows.calls.length + rows.interactions.length;
      figures.push({ codec, bytes, cpuSeconds: (used.user + used.system) / 1e6, rows: total, readBack });
    }
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  const none = figures.find((f) => f.codec === 'none');
  printTable(
    `6. Parquet codec — calls + interactions rows of ${fmt(calls)} simulated calls (one process, in turn)`,
    ['codec', 'file MB', '÷ none', 'CPU s (write)', 'DuckDB read-back'],
    figures.map((f) => [
      f.codec,
      mb(f.bytes),
      none ? fmt(f.bytes / none.bytes, 2) : '',
      fmt(f.cpuSeconds, 2),
      f.readBack === f.rows ? `ok, ${fmt(f.readBack)} rows` : `MISMATCH ${f.readBack} ≠ ${f.rows}`,
    ]),
    [
      `Node ${process.version}: zstd is ${'zstdCompressSync' in (await import('node:zlib')) ? "node:zlib's" : 'the WebAssembly build (@bokuweb/zstd-wasm)'}, level 3. CPU is the writer's (encode + compress), rows already flattened.`,
    ],
  );
  return figures;
}

if (isMain(import.meta.url)) await runStandalone(runParquetCodecs);
