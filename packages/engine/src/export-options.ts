import { type CallLogFilters, checkInteger, checkOneOf, InvalidOptionError } from '@omnidim-stream/core';
import {
  DATASET_DEFAULTS,
  DEFAULT_PARTITION_GRAIN,
  PARTITION_GRAINS,
  type PartitionGrain,
} from '@omnidim-stream/sinks';
import {
  type RedactionOptions,
  TABLE_NAMES,
  type TableName,
  type TransformOptions,
  validateTimeZone,
} from '@omnidim-stream/transform';
import type { ExportEvent } from './events.js';
import type { ObjectStoreTargetOptions } from './object-store-run.js';
import {
  type QuarantineLimit,
  type ResolvedQuarantineLimit,
  resolveQuarantineLimit,
} from './quarantine-limit.js';
import { newRunId } from './run-id.js';
import type { RowStage } from './run-pipeline.js';
import { parseWindowBound, type TimeWindow } from './time-window.js';
import { defaultWorkers, WORKER_LIMITS } from './worker-count.js';

export type { RowStage };

/** Output formats of the dataset. */
export const EXPORT_FORMATS = ['parquet', 'csv', 'ndjson'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Incremental (scheduled) runs: where the state lives and how far back each run re-reads. */
export interface IncrementalOptions {
  /** Path of the state file (JSON; written only after the data was committed). */
  stateFile: string;
  /** How far before the newest committed call a run re-reads, in ms. */
  lookbackMs: number;
  /** The lookback as a person wrote it (recorded in the state and the result). Default `<ms>ms`. */
  lookback?: string;
  /** Ignore the state: export everything (overwrite) and write a new state. */
  full?: boolean;
}

/** Options of `exportCallLogs()`: one object; every field but `apiKey` and `outDir` optional. */
export interface ExportCallLogsOptions extends ObjectStoreTargetOptions {
  apiKey: string;
  /** Default core's (`https://backend.omnidim.io/api/v1`). */
  baseUrl?: string;
  /**
   * The dataset directory (every file the run writes is inside it), or `s3://bucket/prefix` for a
   * dataset in object storage (with `s3`, `singleWriter`; or pass `storage`).
   */
  outDir: string;
  format?: ExportFormat;
  tables?: readonly TableName[];
  compression?: string;
  rowsPerFile?: number;
  /**
   * Partition grain of the lake: `day`, `month` (default), `year` or `none` (README "Lake
   * layout"). A lake keeps the grain it was created with; change it with `compactLake()`.
   */
  partitionBy?: PartitionGrain;
  /** Target size of a data file in bytes (files split only when they pass it). Default 128 MiB. */
  targetFileSize?: number;
  /** CSV only: prefix `'` to text cells a spreadsheet would run as a formula. */
  csvFormulaGuard?: boolean;
  /** IANA zone of the API's zone-less times (and of `since`/`until` without an offset). */
  timeZone?: string;
  redact?: RedactionOptions;
  /** HMAC key of `hash` redaction actions (never recorded anywhere). */
  hashKey?: TransformOptions['hashKey'];
  /**
   * The webhook payload's conversation copies: `drop` (default) or `keep` (the transform's
   * `payloadConversation`; README "Conversation text, written once").
   */
  payloadConversation?: TransformOptions['payloadConversation'];
  pageSize?: number;
  concurrency?: number;
  /**
   * Worker threads that parse, flatten and encode the rows (issue 21): an integer 0–64, 0 for
   * everything on the main thread. Default from the CPUs this process may use (a cgroup CPU quota
   * counts): see `defaultWorkers()`. Ignored with a `stage` (it runs on the main thread).
   */
  workers?: number;
  retries?: number;
  maxRetryDelayMs?: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  maxStalePages?: number;
  maxPages?: number;
  filters?: CallLogFilters;
  /** Keep calls at or after this instant (a date, local date-time in `timeZone`, ISO instant, ms or Date). */
  since?: string | number | Date;
  /** Keep calls strictly before this instant (same forms as `since`). */
  until?: string | number | Date;
  maxRecords?: number;
  /** Also archive every call log as received under `raw/` (redacted unless `rawUnredacted`). */
  raw?: boolean;
  rawUnredacted?: boolean;
  /** A full export that finds no call may replace a dataset that holds calls. */
  allowEmpty?: boolean;
  /**
   * Refuse the run (code `INCOMPLETE`, nothing committed) when more call logs than this are
   * quarantined: a count (`5`) or a share of the call logs read (`'2%'`). Default: no limit.
   */
  maxQuarantined?: QuarantineLimit;
  incremental?: IncrementalOptions;
  /** Checkpoint every N pages so that the same run, started again, resumes; 0 = never. */
  checkpointPages?: number;
  /** The user stage between flatten and the sink ({@link RowStage}). */
  stage?: RowStage;
  signal?: AbortSignal;
  /** Every event of the run (progress, retry, drift, checkpoint, resume, discard, warning, end). */
  onEvent?: (event: ExportEvent) => void;
  /** Clock (ms since the epoch); injectable for tests. Default `Date.now`. */
  now?: () => number;
  /** Default a new sortable id (`20260504T144615Z-1a2b3c`). */
  runId?: string;
}

/** Defaults of {@link ExportCallLogsOptions}, in one place. */
export const EXPORT_CALL_LOGS_DEFAULTS = {
  format: 'parquet' as ExportFormat,
  tables: TABLE_NAMES,
  timeZone: 'UTC',
  pageSize: 150,
  concurrency: 4,
  checkpointPages: 20,
  partitionBy: DEFAULT_PARTITION_GRAIN,
  targetFileSize: DATASET_DEFAULTS.bytesPerFile,
} as const;

/** {@link ExportCallLogsOptions} validated, defaults filled in. */
export interface ResolvedExportOptions
  extends Omit<
    ExportCallLogsOptions,
    | 'since'
    | 'until'
    | 'format'
    | 'tables'
    | 'timeZone'
    | 'redact'
    | 'signal'
    | 'now'
    | 'runId'
    | 'maxQuarantined'
  > {
  maxQuarantined: ResolvedQuarantineLimit | undefined;
  baseUrl: string | undefined;
  format: ExportFormat;
  tables: TableName[];
  timeZone: string;
  redact: RedactionOptions;
  transform: TransformOptions;
  pageSize: number;
  concurrency: number;
  workers: number;
  filters: CallLogFilters;
  window: TimeWindow;
  raw: boolean;
  rawUnredacted: boolean;
  allowEmpty: boolean;
  csvFormulaGuard: boolean;
  checkpointPages: number;
  partitionBy: PartitionGrain;
  targetFileSize: number;
  incremental: (IncrementalOptions & { lookback: string; full: boolean }) | undefined;
  signal: AbortSignal;
  now: () => number;
  runId: string;
}

/**
 * Validates the options once, before any request or write; a bad value throws core's
 * `InvalidOptionError` naming the option, what was expected and what was received. Source and
 * transform options are further checked by their owners (core, transform) before the run starts.
 */
export function resolveExportCallLogsOptions(options: ExportCallLogsOptions): ResolvedExportOptions {
  const d = EXPORT_CALL_LOGS_DEFAULTS;
  if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
    throw new InvalidOptionError('apiKey', 'a non-empty string', `a ${typeof options.apiKey} (redacted)`);
  }
  const outDir = nonEmptyString(options.outDir, 'outDir');
  const format = options.format ?? d.format;
  if (!EXPORT_FORMATS.includes(format))
    throw new InvalidOptionError('format', EXPORT_FORMATS.join(' | '), format);
  const tables = [...(options.tables ?? d.tables)];
  if (tables.length === 0 || tables.some((t) => !TABLE_NAMES.includes(t))) {
    throw new InvalidOptionError('tables', `a non-empty list of ${TABLE_NAMES.join(', ')}`, options.tables);
  }
  const timeZone = options.timeZone ?? d.timeZone;
  // Checked, but kept as spelled: the state file and the resume fingerprint record it verbatim.
  validateTimeZone(timeZone);
  const window = resolveWindow(options, timeZone);
  const maxRecords = optionalInteger(options.maxRecords, 'maxRecords', 1);
  const incremental = resolveIncremental(options.incremental);
  if (incremental && (window.since !== undefined || window.until !== undefined || maxRecords !== undefined)) {
    // A state describes the whole list; a window or a cap would make the lake partial for good.
    throw new InvalidOptionError('incremental', 'no since, until or maxRecords with it', 'a partial run');
  }
  const redact = options.redact ?? {};
  return {
    ...options,
    baseUrl: options.baseUrl,
    outDir,
    format,
    tables,
    timeZone,
    redact,
    transform: {
      timeZone,
      redact,
      ...(options.hashKey === undefined ? {} : { hashKey: options.hashKey }),
      ...(options.payloadConversation === undefined
        ? {}
        : { payloadConversation: options.payloadConversation }),
    },
    pageSize: options.pageSize ?? d.pageSize,
    concurrency: options.concurrency ?? d.concurrency,
    workers:
      options.workers === undefined
        ? defaultWorkers()
        : checkInteger('workers', options.workers, WORKER_LIMITS),
    filters: options.filters ?? {},
    window,
    maxRecords,
    raw: options.raw === true,
    rawUnredacted: rawUnredacted(options),
    allowEmpty: options.allowEmpty === true,
    maxQuarantined: resolveQuarantineLimit(options.maxQuarantined),
    csvFormulaGuard: options.csvFormulaGuard === true,
    checkpointPages: optionalInteger(options.checkpointPages, 'checkpointPages', 0) ?? d.checkpointPages,
    partitionBy: checkOneOf('partitionBy', options.partitionBy ?? d.partitionBy, PARTITION_GRAINS),
    targetFileSize: checkInteger('targetFileSize', options.targetFileSize ?? d.targetFileSize, {
      min: MIN_TARGET_FILE_SIZE,
      max: Number.MAX_SAFE_INTEGER,
    }),
    incremental,
    signal: options.signal ?? new AbortController().signal,
    now: options.now ?? Date.now,
    runId: options.runId ?? newRunId(new Date((options.now ?? Date.now)())),
    ...(options.stage === undefined ? {} : { stage: checkedStage(options.stage) }),
  };
}

/** 1 MiB: a smaller target would bring the small files back (each file has a footer and an open). */
const MIN_TARGET_FILE_SIZE = 1024 * 1024;

function resolveWindow(options: ExportCallLogsOptions, timeZone: string): TimeWindow {
  const since = bound(options.since, 'since', timeZone);
  const until = bound(options.until, 'until', timeZone);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new InvalidOptionError('since', 'an instant earlier than until', options.since);
  }
  return { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
}

function bound(value: unknown, option: string, timeZone: string): number | undefined {
  if (value === undefined) return undefined;
  const ms =
    value instanceof Date
      ? value.getTime()
      : typeof value === 'number'
        ? value
        : typeof value === 'string'
          ? parseWindowBound(value, timeZone)
          : undefined;
  if (ms === undefined || !Number.isFinite(ms)) {
    throw new InvalidOptionError(
      option,
      'a date (2026-05-01), a local date-time (2026-05-01T08:00), an ISO instant, ms or a Date',
      value,
    );
  }
  return ms;
}

function resolveIncremental(value: IncrementalOptions | undefined): ResolvedExportOptions['incremental'] {
  if (value === undefined) return undefined;
  const stateFile = nonEmptyString(value.stateFile, 'incremental.stateFile');
  const lookbackMs = optionalInteger(value.lookbackMs, 'incremental.lookbackMs', 0);
  if (lookbackMs === undefined)
    throw new InvalidOptionError('incremental.lookbackMs', 'an integer ≥ 0', value.lookbackMs);
  return { stateFile, lookbackMs, lookback: value.lookback ?? `${lookbackMs}ms`, full: value.full === true };
}

function rawUnredacted(options: ExportCallLogsOptions): boolean {
  if (options.rawUnredacted === true && options.raw !== true) {
    throw new InvalidOptionError('rawUnredacted', 'only with raw: true', true);
  }
  return options.rawUnredacted === true;
}

function checkedStage(stage: unknown): RowStage {
  if (typeof stage !== 'function')
    throw new InvalidOptionError('stage', 'a function (row) => row | null', stage);
  return stage as RowStage;
}

function nonEmptyString(value: unknown, option: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new InvalidOptionError(option, 'a non-empty string', value);
  return value;
}

function optionalInteger(value: unknown, option: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidOptionError(option, `an integer ≥ ${min}`, value);
  }
  return value;
}
