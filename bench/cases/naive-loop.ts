/**
 * What a user would write instead of this tool: a sequential loop that fetches every page with
 * `fetch()` and appends the raw call logs to an NDJSON file, then DuckDB turns that file into a
 * Parquet `calls` table (`COPY (SELECT … FROM read_json(…)) TO … (FORMAT parquet)`).
 *
 * With `prefetch` > 1 (the second peer row), the same loop keeps that many page requests in
 * flight, consumed in page order: our concurrency without our code, so the table separates what
 * is code from what is concurrency.
 *
 * Params: { baseUrl, out, prefetch? }. Env: OMNIDIM_API_KEY.
 */

import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { benchApiKey, runAsCase } from '../lib/case.js';

interface Params {
  baseUrl: string;
  out: string;
  /** Page requests in flight; default 1 (the sequential loop a user writes). */
  prefetch?: number;
}

interface Page {
  call_log_data: unknown[];
}

await runAsCase<Params>(async ({ baseUrl, out, prefetch = 1 }) => {
  const start = performance.now();
  const rawPath = join(out, 'calls.ndjson');
  const parquetPath = join(out, 'calls.parquet');
  const file = createWriteStream(rawPath);
  const headers = { authorization: `Bearer ${benchApiKey()}` };
  let fetched = 0;
  const getPage = async (pageno: number): Promise<Page> => {
    const res = await fetch(`${baseUrl}/calls/logs?pageno=${pageno}&pagesize=150`, { headers });
    if (!res.ok) throw new Error(`HTTP ${res.status} on page ${pageno}`);
    return (await res.json()) as Page;
  };
  // Pages requested ahead (prefetch > 1 only); the ones past the last page are left unread.
  const ahead = new Map<number, Promise<Page>>();
  let next = 1;
  // The loop dlt/Airbyte/Singer/SDK users end up with: one page at a time, stop on a short page.
  for (let pageno = 1; pageno < 100_000; pageno++) {
    while (next < pageno + prefetch) {
      const pending = getPage(next);
      pending.catch(() => {}); // awaited below, or abandoned past the end
      ahead.set(next++, pending);
    }
    const page = await ahead.get(pageno)!;
    ahead.delete(pageno);
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
