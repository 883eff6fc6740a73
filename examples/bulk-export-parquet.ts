/**
 * Bulk-export all history to Parquet with the CLI, then query it with DuckDB.
 *
 *   OMNIDIM_API_KEY=… node --conditions=source --import tsx examples/bulk-export-parquet.ts ./lake
 *
 * Without OMNIDIM_API_KEY it starts the built-in simulator on 127.0.0.1 and exports from it.
 * (From a shell, the same export is `omnidim-stream export --out ./lake`.)
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '@omnidim-stream/cli';
import { startSimulator } from '@omnidim-stream/simulator';

const out = process.argv[2] ?? 'bulk-out';
const sim = process.env['OMNIDIM_API_KEY'] ? undefined : await startSimulator({ records: 600 });
const env = sim ? { ...process.env, OMNIDIM_API_KEY: sim.apiKey, OMNIDIM_BASE_URL: sim.url } : process.env;

try {
  const code = await main(['export', '--out', out, '--format', 'parquet', '--quiet'], { env });
  if (code !== 0) process.exit(code);
} finally {
  await sim?.close();
}

const db = await (await DuckDBInstance.create(':memory:')).connect();
const result = await db.runAndReadAll(`
  SELECT call_status, count(*) AS calls, round(avg(call_duration_in_seconds), 1) AS avg_seconds
  FROM read_parquet('${out}/calls/**/*.parquet', hive_partitioning = true)
  GROUP BY call_status ORDER BY calls DESC`);
console.table(result.getRowObjectsJson());
