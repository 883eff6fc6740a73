/**
 * An export as the CLI and library users run it: `exportCallLogs()` of @omnidim-stream/engine
 * (resume, completeness, lock, atomic commit), default options unless given. `workers` is passed
 * only when the runner asks for it (bench/lib/workers-option.ts decides whether the engine has
 * it). Reports what the result records: calls read, rows per table, files, bytes written.
 *
 * Params: { baseUrl, out, format?, concurrency?, workers?, tables? }. Env: OMNIDIM_API_KEY.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type ExportCallLogsOptions, type ExportFormat, exportCallLogs } from '@omnidim-stream/engine';
import type { TableName } from '@omnidim-stream/transform';
import { benchApiKey, runAsCase } from '../lib/case.js';

interface Params {
  baseUrl: string;
  out: string;
  format?: ExportFormat;
  concurrency?: number;
  workers?: number;
  tables?: TableName[];
}

await runAsCase<Params>(async ({ baseUrl, out, format, concurrency, workers, tables }) => {
  const start = performance.now();
  // `workers` is the agreed engine option of issue 21; spread in so that this compiles before
  // and after it lands (the runner never passes it to an engine without it).
  const options: ExportCallLogsOptions & { workers?: number } = {
    apiKey: benchApiKey(),
    baseUrl,
    outDir: out,
    ...(format ? { format } : {}),
    ...(concurrency ? { concurrency } : {}),
    ...(tables ? { tables } : {}),
    ...(workers === undefined ? {} : { workers }),
  };
  const result = await exportCallLogs(options);
  const wallMs = performance.now() - start;
  let bytes = 0;
  for (const file of result.files) bytes += (await stat(join(out, file))).size;
  return {
    wallMs,
    records: result.records,
    rows: result.counts,
    files: result.filesWritten,
    bytes,
    proven: result.completeness?.proven ?? false,
  };
});
