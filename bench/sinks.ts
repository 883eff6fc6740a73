/**
 * Sink throughput and memory. Prints rows/s and peak RSS per format for 20k and 100k simulated
 * calls (simulator generator → transform → dataset sink), and compares hyparquet-writer with
 * parquetjs-lite on the same calls + interactions rows. Each case runs in its own child process
 * so its peak RSS (`resourceUsage().maxRSS`) is its own.
 *
 *   node --conditions=source --import tsx bench/sinks.ts [--calls 20000,100000]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { generateCallLog } from '@omnidim-stream/simulator';
import { createDatasetSink, type DatasetFormat } from '@omnidim-stream/sinks';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import {
  type FlatCallLog,
  flattenCallLog,
  type Row,
  SCHEMAS,
  type TableSchema,
} from '@omnidim-stream/transform';

const SEED = 42;
type CaseName = DatasetFormat | 'transform-only' | 'pair-hyparquet' | 'pair-parquetjs-lite';

interface CaseResult {
  case: CaseName;
  calls: number;
  rows: number;
  seconds: number;
  peakRssMb: number;
  bytes: number;
  files: string[];
}

/** Simulated calls, newest first like the API, flattened by the real transform; generated lazily. */
function* flatLogs(calls: number): Generator<FlatCallLog> {
  for (let i = calls - 1; i >= 0; i--) yield flattenCallLog(generateCallLog(SEED, i));
}

function countRows(log: FlatCallLog, tables: readonly (keyof FlatCallLog['tables'])[]): number {
  return tables.reduce((n, t) => n + log.tables[t].length, 0);
}

async function runCase(name: CaseName, calls: number, out: string): Promise<CaseResult> {
  const started = process.hrtime.bigint();
  let rows = 0;
  let bytes = 0;
  const files: string[] = [];
  if (name === 'transform-only') {
    for (const log of flatLogs(calls))
      rows += countRows(log, ['calls', 'interactions', 'function_calls', 'webhooks']);
  } else if (name === 'ndjson' || name === 'csv' || name === 'parquet') {
    const counted = (function* () {
      for (const log of flatLogs(calls)) {
        rows += countRows(log, ['calls', 'interactions', 'function_calls', 'webhooks']);
        yield log;
      }
    })();
    const sink = createDatasetSink({ out, format: name });
    await pipeline(Readable.from(counted), sink);
    for (const f of sink.manifest!.files) bytes += f.bytes;
  } else {
    const tables = [SCHEMAS.calls, SCHEMAS.interactions];
    const writers = tables.map((schema) => openPairWriter(name, schema, join(out, `${schema.name}.parquet`)));
    for (const log of flatLogs(calls)) {
      for (let t = 0; t < tables.length; t++) {
        for (const row of log.tables[tables[t]!.name]) {
          await writers[t]!.write(row);
          rows++;
        }
      }
    }
    for (const w of writers) await w.close();
    for (const schema of tables) {
      const path = join(out, `${schema.name}.parquet`);
      files.push(path);
      bytes += statSync(path).size;
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { case: name, calls, rows, seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, bytes, files };
}

interface PairWriter {
  write(row: Row): Promise<void>;
  close(): Promise<void>;
}

function openPairWriter(name: CaseName, schema: TableSchema, path: string): PairWriter {
  if (name === 'pair-hyparquet') {
    const writer = createParquetWriter({ schema, destination: path });
    return {
      write: (row) =>
        writer.write(row)
          ? Promise.resolve()
          : new Promise((resolve) => writer.once('drain', () => resolve())),
      close: () =>
        new Promise((resolve, reject) => {
          writer.once('error', reject).end(resolve);
        }),
    };
  }
  // parquetjs-lite 0.8.7 (CommonJS): the design card's original pick.
  const parquet = createRequire(import.meta.url)('parquetjs-lite');
  const types = {
    int64: 'INT64',
    float64: 'DOUBLE',
    boolean: 'BOOLEAN',
    string: 'UTF8',
    json: 'UTF8',
    timestamp: 'TIMESTAMP_MILLIS',
    // The rows hold dates as `YYYY-MM-DD` text; this comparison writer stores the text as is.
    date: 'UTF8',
  };
  const fields = Object.fromEntries(
    schema.columns.map((c) => [c.name, { type: types[c.type], optional: c.nullable }]),
  );
  const opened = parquet.ParquetWriter.openFile(new parquet.ParquetSchema(fields), path);
  return {
    write: async (row) => {
      const clean: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(row)) if (v !== null) clean[k] = v;
      await (await opened).appendRow(clean);
    },
    close: async () => (await opened).close(),
  };
}

async function child(name: CaseName, calls: number, out: string): Promise<void> {
  const result = await runCase(name, calls, out);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

async function duckCount(files: string[]): Promise<number> {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const connection = await (await DuckDBInstance.create(':memory:')).connect();
  let total = 0;
  for (const file of files) {
    const reader = await connection.runAndReadAll(`SELECT count(*)::INT AS n FROM read_parquet('${file}')`);
    total += Number(reader.getRowObjects()[0]!['n']);
  }
  return total;
}

async function parent(callCounts: number[]): Promise<void> {
  const self = fileURLToPath(import.meta.url);
  const cases: [CaseName, number][] = [];
  for (const calls of callCounts) {
    for (const c of ['transform-only', 'ndjson', 'csv', 'parquet'] as const) cases.push([c, calls]);
  }
  for (const calls of callCounts) cases.push(['pair-hyparquet', calls], ['pair-parquetjs-lite', calls]);
  console.log(
    `node ${process.version}, seed ${SEED}; rows = rows of all tables written (pairs: calls + interactions)`,
  );
  console.log('case                  calls     rows       s      rows/s  peak RSS MB   MB out  DuckDB check');
  for (const [name, calls] of cases) {
    const out = mkdtempSync(join(tmpdir(), 'bench-sinks-'));
    try {
      const run = spawnSync(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', self, '--child', name, String(calls), out],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      if (run.status !== 0) {
        console.log(`${name} ${calls}: failed\n${run.stderr}`);
        continue;
      }
      const r = JSON.parse(run.stdout.trim().split('\n').pop()!) as CaseResult;
      let check = '';
      if (r.files.length > 0) {
        const n = await duckCount(r.files);
        check = n === r.rows ? `ok (${n} rows)` : `MISMATCH ${n} != ${r.rows}`;
      }
      console.log(
        [
          r.case.padEnd(20),
          String(r.calls).padStart(7),
          String(r.rows).padStart(8),
          r.seconds.toFixed(2).padStart(7),
          Math.round(r.rows / r.seconds)
            .toString()
            .padStart(11),
          r.peakRssMb.toFixed(0).padStart(12),
          (r.bytes / 1e6).toFixed(1).padStart(8),
          ` ${check}`,
        ].join(' '),
      );
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
}

const args = process.argv.slice(2);
if (args[0] === '--child') {
  await child(args[1] as CaseName, Number(args[2]), args[3]!);
} else {
  const i = args.indexOf('--calls');
  const counts = i >= 0 ? args[i + 1]!.split(',').map(Number) : [20_000, 100_000];
  await parent(counts);
}
