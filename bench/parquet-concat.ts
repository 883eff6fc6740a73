/**
 * Parquet merge at commit (issue 21): a partition's part files (a checkpoint closes every open
 * file) merged into one, by copying row groups (`concatParquet`) against what the commit did
 * before, decoding every row (hyparquet, `readFileRows`) and encoding it again (our writer).
 * Input: the `calls` and `interactions` rows of a 20k-call simulated export, each table written
 * as 8 part files (zstd, the default). Both outputs are read back by DuckDB (row count).
 *
 * `concatParquet` and `readFileRows` are internal to the sinks package (not exported), so they
 * are imported from its source.
 *
 * Run alone: `node --conditions=source --import tsx bench/parquet-concat.ts [--quick]`.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DuckDBInstance } from '@duckdb/node-api';
import { generateCallLog } from '@omnidim-stream/simulator';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { flattenCallLog, type Row, SCHEMAS } from '@omnidim-stream/transform';
import { fileSource } from '../packages/sinks/src/byte-sources.js';
import { readFileRows } from '../packages/sinks/src/lake-rows.js';
import { type ByteSource, concatParquet } from '../packages/sinks/src/parquet-concat.js';
import { type BenchContext, isMain, runStandalone } from './lib/context.js';
import { fmt, mb, printTable, ratio } from './lib/table.js';

const TABLES = ['calls', 'interactions'] as const;
type Table = (typeof TABLES)[number];
const PARTS = 8;

interface MergeFigures {
  method: 'copy row groups' | 'decode + encode';
  inputBytes: number;
  outputBytes: number;
  wallSeconds: number;
  cpuSeconds: number;
  rows: number;
  readBack: number;
}

async function writeRows(path: string, table: Table, rows: readonly Row[]): Promise<void> {
  const writer = createParquetWriter({ schema: SCHEMAS[table], destination: path });
  for (let i = 0; i < rows.length; i += 500) {
    if (!writer.writeRows(rows.slice(i, i + 500))) await once(writer, 'drain');
  }
  writer.end();
  await once(writer, 'finish');
}

/** The part files of each table: rows split in PARTS consecutive slices. */
async function writeParts(dir: string, rows: Record<Table, Row[]>): Promise<Record<Table, string[]>> {
  const parts = { calls: [] as string[], interactions: [] as string[] };
  for (const table of TABLES) {
    const per = Math.ceil(rows[table].length / PARTS);
    for (let p = 0; p < PARTS; p++) {
      const path = join(dir, `${table}-part-${p}.parquet`);
      await writeRows(path, table, rows[table].slice(p * per, (p + 1) * per));
      parts[table].push(path);
    }
  }
  return parts;
}

async function copyMerge(paths: readonly string[], out: string): Promise<void> {
  const handles = await Promise.all(paths.map((p) => open(p)));
  const sink = createWriteStream(out);
  try {
    const sources: ByteSource[] = await Promise.all(
      handles.map(async (h) => fileSource(h, (await h.stat()).size)),
    );
    await concatParquet(sources, async (chunk) => {
      if (!sink.write(chunk)) await once(sink, 'drain');
    });
    sink.end();
    await once(sink, 'finish');
  } finally {
    sink.destroy();
    await Promise.all(handles.map((h) => h.close()));
  }
}

async function reencodeMerge(table: Table, paths: readonly string[], out: string): Promise<void> {
  const writer = createParquetWriter({ schema: SCHEMAS[table], destination: out });
  for (const path of paths) {
    for await (const rows of readFileRows(dirname(path), basename(path), 'parquet', SCHEMAS[table])) {
      if (!writer.writeRows(rows)) await once(writer, 'drain');
    }
  }
  writer.end();
  await once(writer, 'finish');
}

async function measure(
  method: MergeFigures['method'],
  dir: string,
  parts: Record<Table, string[]>,
  count: (path: string) => Promise<number>,
): Promise<MergeFigures> {
  let inputBytes = 0;
  for (const table of TABLES) for (const p of parts[table]) inputBytes += (await stat(p)).size;
  const outs = TABLES.map((t) =>
    join(dir, `${t}-${method === 'copy row groups' ? 'copy' : 'reencode'}.parquet`),
  );
  const wall = performance.now();
  const cpu = process.cpuUsage();
  for (const [i, table] of TABLES.entries()) {
    if (method === 'copy row groups') await copyMerge(parts[table], outs[i]!);
    else await reencodeMerge(table, parts[table], outs[i]!);
  }
  const used = process.cpuUsage(cpu);
  const wallSeconds = (performance.now() - wall) / 1000;
  let outputBytes = 0;
  let readBack = 0;
  for (const out of outs) {
    outputBytes += (await stat(out)).size;
    readBack += await count(out);
  }
  return {
    method,
    inputBytes,
    outputBytes,
    wallSeconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    rows: 0,
    readBack,
  };
}

/**
 * Runs the scenario and prints its table.
 *
 * @example
 * await runStandalone(runParquetConcat);
 */
export async function runParquetConcat(ctx: BenchContext): Promise<MergeFigures[]> {
  const calls = ctx.quick ? 1_000 : 20_000;
  const rows: Record<Table, Row[]> = { calls: [], interactions: [] };
  for (let i = 0; i < calls; i++) {
    const flat = flattenCallLog(generateCallLog(21, i));
    rows.calls.push(...flat.tables.calls);
    rows.interactions.push(...flat.tables.interactions);
  }
  const total = rows.calls.length + rows.interactions.length;
  const dir = await ctx.scratch('parquet-concat');
  const parts = await writeParts(dir, rows);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const count = async (path: string) => {
    const reader = await connection.runAndReadAll(
      `SELECT count(*)::INTEGER AS n FROM read_parquet('${path}')`,
    );
    return (reader.getRowObjects()[0] as { n: number }).n;
  };
  const figures: MergeFigures[] = [];
  try {
    // One untimed pass of each first (JIT warm-up), then the measured passes, alternating.
    await measure('copy row groups', await ctx.scratch('concat-warm'), parts, count);
    await measure('decode + encode', await ctx.scratch('reencode-warm'), parts, count);
    figures.push(await measure('copy row groups', dir, parts, count));
    figures.push(await measure('decode + encode', dir, parts, count));
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
  for (const f of figures) f.rows = total;
  const [copy, reencode] = figures as [MergeFigures, MergeFigures];
  printTable(
    `Parquet merge at commit — calls + interactions of ${fmt(calls)} simulated calls, ${PARTS} zstd part files per table`,
    ['method', 'input MB', 'output MB', 'wall s', 'CPU s', 'MB/s (input)', 'CPU µs/row', 'DuckDB read-back'],
    figures.map((f) => [
      f.method,
      mb(f.inputBytes),
      mb(f.outputBytes),
      fmt(f.wallSeconds, 3),
      fmt(f.cpuSeconds, 3),
      fmt(f.inputBytes / 1e6 / f.wallSeconds, 1),
      fmt((f.cpuSeconds * 1e6) / f.rows, 2),
      f.readBack === f.rows ? `ok, ${fmt(f.readBack)} rows` : `MISMATCH ${f.readBack} ≠ ${f.rows}`,
    ]),
    [
      `copy ÷ decode+encode CPU: ${ratio(copy.cpuSeconds / reencode.cpuSeconds, 3)}; wall: ${ratio(copy.wallSeconds / reencode.wallSeconds, 3)}. Node ${process.version}; one process, local files, page cache warm.`,
    ],
  );
  return figures;
}

if (isMain(import.meta.url)) await runStandalone(runParquetConcat);
