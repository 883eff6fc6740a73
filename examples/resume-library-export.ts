/**
 * A library export that is interrupted and resumed: `exportCallLogs()` checkpoints every few
 * pages; the first run is aborted (AbortSignal) right after its first checkpoint, the same call
 * run again resumes from it, and DuckDB checks that every call is in the lake exactly once.
 *
 *   OMNIDIM_API_KEY=… node --conditions=source --import tsx examples/resume-library-export.ts ./lake
 *
 * Without OMNIDIM_API_KEY it starts the built-in simulator on 127.0.0.1 and exports from it.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { type ExportCallLogsOptions, exportCallLogs } from '@omnidim-stream/engine';
import { startSimulator } from '@omnidim-stream/simulator';

const out = process.argv[2] ?? 'resume-out';
const sim = process.env['OMNIDIM_API_KEY'] ? undefined : await startSimulator({ records: 600 });
const baseUrl = sim?.url ?? process.env['OMNIDIM_BASE_URL'];
const options: ExportCallLogsOptions = {
  apiKey: sim?.apiKey ?? process.env['OMNIDIM_API_KEY'] ?? '',
  ...(baseUrl ? { baseUrl } : {}),
  outDir: out,
  tables: ['calls'],
  pageSize: 50,
  checkpointPages: 2,
};

try {
  // 1. Abort the run once a checkpoint is durable (Ctrl-C or a crash would do the same).
  const controller = new AbortController();
  try {
    await exportCallLogs({
      ...options,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'checkpoint') controller.abort();
      },
    });
    console.log('the first run finished before it could be aborted');
  } catch (error) {
    if ((error as Error).name !== 'AbortError') throw error;
    console.log('first run aborted after a checkpoint; nothing was committed');
  }

  // 2. The same call again resumes from that checkpoint instead of starting over.
  const result = await exportCallLogs(options);
  console.log(`resumed from ${result.resumedFrom} after ${result.resumedCalls} calls`);
  console.log(
    `completeness: expected ${result.completeness?.expected}, missing ${result.completeness?.missing}`,
  );

  // 3. Every call exactly once.
  const db = await (await DuckDBInstance.create(':memory:')).connect();
  const rows = await db.runAndReadAll(
    `SELECT count(*) AS calls, count(DISTINCT id) AS ids FROM read_parquet('${out}/calls/**/*.parquet', hive_partitioning = true)`,
  );
  const [row] = rows.getRowObjectsJson();
  console.log(`lake: ${row?.['calls']} calls, ${row?.['ids']} distinct ids`);
  if (Number(row?.['calls']) !== Number(row?.['ids']) || result.resumedFrom === null) process.exitCode = 1;
} finally {
  await sim?.close();
}
