/**
 * A TypeScript consumer of the installed tarballs (test/install.packed-tarballs.test.ts copies it
 * into a project outside the monorepo, compiles it with tsc under NodeNext, bundler and node10
 * resolution, and runs each output). It imports every package and a subpath export, exports
 * `records` simulated calls to a Parquet lake and prints what it wrote as one JSON line.
 * No top-level await, so the same file also compiles to CommonJS (node10).
 *
 *   node out/export-lake.js LAKE_DIR RECORDS
 */
import { pipeline } from 'node:stream/promises';
import { EXIT_CODES } from '@omnidim-stream/cli';
import { callLogs, OmnidimError } from '@omnidim-stream/core';
import { startSimulator } from '@omnidim-stream/simulator';
import { createDatasetSink } from '@omnidim-stream/sinks';
import { createParquetWriter } from '@omnidim-stream/sinks/parquet';
import { createFlattenStream, type TableName } from '@omnidim-stream/transform';

async function exportLake(out: string, records: number): Promise<Partial<Record<TableName, number>>> {
  const sim = await startSimulator({ records });
  const sink = createDatasetSink({ out, format: 'parquet', tables: ['calls'] });
  try {
    await pipeline(
      callLogs({ apiKey: sim.apiKey, baseUrl: sim.url }),
      createFlattenStream({ timeZone: 'UTC' }),
      sink,
    );
  } finally {
    await sim.close();
  }
  const rows: Partial<Record<TableName, number>> = {};
  for (const [table, entry] of Object.entries(sink.manifest?.tables ?? {})) {
    rows[table as TableName] = entry.rows;
  }
  return rows;
}

const [out, records] = process.argv.slice(2);
exportLake(out ?? 'lake', Number(records ?? 10)).then(
  (rows) => {
    const apis = [typeof createParquetWriter, typeof OmnidimError, typeof EXIT_CODES];
    console.log(JSON.stringify({ rows, apis }));
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
