import { stat } from 'node:fs/promises';
import { InputError, UsageError } from './errors.js';
import type { ConvertEvent, RunProgress } from './events.js';
import { type ExportCallLogsOptions, resolveExportCallLogsOptions } from './export-options.js';
import { type ConvertResult, emptyConvertResult } from './export-result.js';
import { runOnObjectStore, targetsObjectStore } from './object-store-run.js';
import { type ArchiveStats, readCallLogArchive } from './read-archive.js';
import { runPipeline } from './run-pipeline.js';

/** Options of {@link convertCallLogs}: the dataset options of an export, and the input file. */
export interface ConvertCallLogsOptions
  extends Pick<
    ExportCallLogsOptions,
    | 'outDir'
    | 'format'
    | 'tables'
    | 'compression'
    | 'rowsPerFile'
    | 'partitionBy'
    | 'targetFileSize'
    | 'csvFormulaGuard'
    | 'timeZone'
    | 'redact'
    | 'hashKey'
    | 'payloadConversation'
    | 'stage'
    | 'workers'
    | 'signal'
    | 'now'
    | 'runId'
    | 'storage'
    | 's3'
    | 'singleWriter'
    | 'maxQuarantined'
  > {
  /** A raw archive: NDJSON (what `raw` writes), a JSON array of call logs or of API pages, a page object; gzip or not. */
  input: string;
  onEvent?: (event: ConvertEvent) => void;
}

/**
 * The input check of {@link convertCallLogs}, exported so a caller (the CLI) runs the same rule
 * before it announces a run: a path that does not exist or cannot be read is a usage error (code
 * `USAGE`, CLI exit 2: the command line names a wrong file, issue 19), with its errno; a path
 * that is not a regular file is bad input (code `INPUT`, exit 7).
 *
 * @example
 * ```ts
 * await checkArchiveInput('lake/raw/calls-run.ndjson.gz');
 * ```
 */
export async function checkArchiveInput(path: string): Promise<void> {
  const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`input ${path}: cannot read it (${error.code ?? 'unreadable'})`, { cause: error });
  });
  if (!info.isFile()) throw new InputError(`input ${path} is not a file`);
}

/**
 * Rebuilds the tables from a raw archive, offline and streaming, into a dataset with the same
 * lock, quarantine and atomic commit as an export. The input is checked before anything is
 * written (a typo in the path leaves the output untouched; `InputError`, code `INPUT`).
 *
 * @example
 * ```ts
 * const result = await convertCallLogs({ input: 'lake/raw/calls-run.ndjson.gz', outDir: 'lake2' });
 * ```
 */
export async function convertCallLogs(options: ConvertCallLogsOptions): Promise<ConvertResult> {
  // The export's checks of the shared options (one set of rules), with a placeholder key.
  const { input: path, onEvent: _onEvent, ...dataset } = options;
  const resolved = resolveExportCallLogsOptions({ ...dataset, apiKey: 'offline' });
  await checkArchiveInput(path);
  if (targetsObjectStore(options)) {
    // The same convert on a working copy, committed to the bucket (object-store-run.ts).
    return runOnObjectStore<ConvertEvent, ConvertResult>(
      {
        ...options,
        runId: resolved.runId,
        warning: (message) => ({ type: 'warning', message }),
        failedEnd: (error) => ({
          type: 'end',
          result: emptyConvertResult(resolved.runId, resolved.outDir, resolved.format, resolved.tables),
          error,
        }),
      },
      (workDir, onEvent) =>
        convertCallLogs({ ...options, outDir: workDir, storage: undefined, runId: resolved.runId, onEvent }),
    );
  }
  const result = emptyConvertResult(resolved.runId, resolved.outDir, resolved.format, resolved.tables);
  const stats: ArchiveStats = { records: 0, pages: 0, gzip: false };
  const progress: RunProgress = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  async function* counted(): AsyncGenerator<unknown> {
    for await (const record of readCallLogArchive(path, { signal: resolved.signal, stats })) {
      progress.records = stats.records;
      progress.pages = stats.pages;
      options.onEvent?.({ type: 'progress', progress });
      yield record;
    }
  }
  let error: unknown;
  try {
    const piped = await runPipeline({
      records: () => counted(),
      outDir: resolved.outDir,
      format: resolved.format,
      tables: resolved.tables,
      compression: resolved.compression,
      rowsPerFile: resolved.rowsPerFile,
      partitionBy: resolved.partitionBy,
      targetFileSize: resolved.targetFileSize,
      csvFormulaGuard: resolved.csvFormulaGuard,
      transform: resolved.transform,
      runId: resolved.runId,
      raw: false,
      signal: resolved.signal,
      stage: resolved.stage,
      maxQuarantined: resolved.maxQuarantined,
      workers: resolved.workers,
    });
    result.counts = Object.fromEntries(resolved.tables.map((t) => [t, piped.rows[t] ?? 0]));
    result.files = piped.files;
    result.filesWritten = piped.files.length;
    result.quarantined = piped.quarantined;
    result.quarantineFile = piped.quarantine;
    return result;
  } catch (caught) {
    error = caught;
    throw caught;
  } finally {
    result.records = stats.records;
    result.pages = stats.pages;
    options.onEvent?.({ type: 'end', result, error });
  }
}
