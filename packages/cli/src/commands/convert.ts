import { resolve } from 'node:path';
import { type ConvertEvent, convertCallLogs, type RunProgress } from '@omnidim-stream/engine';
import type { TableName } from '@omnidim-stream/transform';
import type { DatasetOptions } from '../export-options.js';
import type { CliIo } from '../io.js';
import { createProgress } from '../progress.js';
import { transformOptionsFor } from '../secrets.js';
import type { RunSummary } from '../summary.js';
import type { RunContext } from './export.js';

/**
 * `omnidim-stream convert INPUT`: a raw archive (NDJSON from `--raw`, a JSON array of call logs
 * or of API pages, a page object; gzip or not) → the same tables, offline, streaming, through
 * `convertCallLogs()`.
 */
export async function runConvert(
  input: string,
  options: DatasetOptions,
  io: CliIo,
  context: RunContext,
): Promise<RunSummary> {
  const path = resolve(io.cwd ?? process.cwd(), input);
  const transform = await transformOptionsFor(options, io.env, io.cwd);
  const state: RunProgress = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  const progress = createProgress({
    enabled: io.isTTY && !options.quiet && !options.json,
    stream: io.stderr,
    state,
    now: io.now ?? Date.now,
  });
  const onEvent = (event: ConvertEvent) => {
    if (event.type === 'end') Object.assign(context.summary, event.result);
    else {
      Object.assign(state, event.progress);
      progress.update();
    }
  };
  try {
    await convertCallLogs({
      input: path,
      outDir: options.outDir,
      format: options.format,
      tables: options.tables as TableName[],
      ...(options.compression === undefined ? {} : { compression: options.compression }),
      ...(options.rowsPerFile === undefined ? {} : { rowsPerFile: options.rowsPerFile }),
      partitionBy: options.partitionBy,
      targetFileSize: options.targetFileSize,
      csvFormulaGuard: options.csvFormulaGuard,
      timeZone: transform.timeZone ?? 'UTC',
      ...(transform.redact ? { redact: transform.redact } : {}),
      ...(transform.hashKey === undefined ? {} : { hashKey: transform.hashKey }),
      signal: context.signal,
      ...(io.now ? { now: io.now } : {}),
      runId: context.runId,
      onEvent,
    });
    return context.summary;
  } finally {
    progress.done();
  }
}
