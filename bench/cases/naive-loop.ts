/**
 * What a user would write instead of this tool: a sequential loop that fetches every page with
 * `fetch()` and appends the raw call logs to an NDJSON file, then DuckDB turns that file into a
 * Parquet `calls` table (`COPY (SELECT … FROM read_json(…)) TO … (FORMAT parquet)`).
 *
 * Params: { baseUrl, out }. Env: OMNIDIM_API_KEY.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchApiKey, runAsCase } from '../lib/case.js';

interface Params {
  baseUrl: string;
  out: string;
}

await runAsCase<Params>(async ({ baseUrl, out }) => {
  const start = performance.now();
  const rawPath = join(out, 'calls.ndjson');
  const parquetPath = join(out, 'calls.parquet');
  const file = createWriteStream(rawPath);
  const headers = { authorization: `Bearer ${benchApiKey()}` };
  let fetched = 0;
  // The loop dlt/Airbyte/Singer/SDK users end up with: one page at a time, stop on a short page.
  for (let pageno = 1; pageno < 100_000; pageno++) {
    const res = await fetch(`${baseUrl}/calls/logs?pageno=${pageno}&pagesize=150`, { headers });
    if (!res.ok) throw new Error(`HTTP ${res.status} on page ${pageno}`);
    const page = (await res.json()) as { call_log_data: unknown[] };
    for (const call of page.call_log_data) {
      if (!file.write(`${JSON.stringify(call)}\n`)) await once(file, 'drain');
    }
    fetched += page.call_log_data.length;
    if (page.call_log_data.length < 150) break;
  }
  file.end();
  await once(file, 'finish');
  const fetchMs = performance.now() - start;
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  // Nested arrays stay out of the calls table, as in ours (they are tables of their own there).
  await connection.run(
    `COPY (SELECT * EXCLUDE (interactions, post_call_actions) FROM read_json('${rawPath}', format = 'newline_delimited'))
     TO '${parquetPath}' (FORMAT parquet)`,
  );
  const wallMs = performance.now() - start;
  const reader = await connection.runAndReadAll(
    `SELECT count(*)::INTEGER AS n, count(DISTINCT id)::INTEGER AS ids FROM read_parquet('${parquetPath}')`,
  );
  const row = reader.getRowObjects()[0] as { n: number; ids: number };
  connection.closeSync();
  instance.closeSync();
  return {
    wallMs,
    fetchMs,
    duckdbMs: wallMs - fetchMs,
    records: fetched,
    parquetRows: row.n,
    distinctIds: row.ids,
  };
});
