import { resolve } from 'node:path';
import { convertCallLogs } from '@omnidim-stream/engine';
import type { TableName, TransformOptions } from '@omnidim-stream/transform';
import type { DatasetOptions } from '../export-options.js';
import type { CliIo } from '../io.js';
import { objectStoreOptions } from '../object-store-flags.js';
import type { RunSummary } from '../summary.js';
import type { RunContext } from './export.js';

/**
 * `omnidim-stream convert INPUT`: a raw archive (NDJSON from `--raw`, a JSON array of call logs
 * or of API pages, a page object; gzip or not) → the same tables, offline, streaming, through
 * `convertCallLogs()`. `transform` is resolved by the caller before the run is announced (a bad
 * hash key file is a usage error, one line).
 */
export async function runConvert(
  input: string,
  transform: TransformOptions,
  options: DatasetOptions,
  io: CliIo,
  context: RunContext,
): Promise<RunSummary> {
  const path = resolve(io.cwd ?? process.cwd(), input);
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
    ...(options.maxQuarantined === undefined ? {} : { maxQuarantined: options.maxQuarantined }),
    ...(options.workers === undefined ? {} : { workers: options.workers }),
    timeZone: transform.timeZone ?? 'UTC',
    ...(transform.redact ? { redact: transform.redact } : {}),
    ...(transform.hashKey === undefined ? {} : { hashKey: transform.hashKey }),
    ...(transform.payloadConversation === undefined
      ? {}
      : { payloadConversation: transform.payloadConversation }),
    signal: context.signal,
    ...(io.now ? { now: io.now } : {}),
    runId: context.runId,
    ...objectStoreOptions(options),
    onEvent: context.onEvent,
  });
  return context.summary;
}
