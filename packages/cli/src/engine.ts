/**
 * The thin seam between the CLI and the packages it drives (core → transform → sinks, and the
 * simulator). Every other file of the CLI goes through these functions, so a change in a
 * sibling package's surface is absorbed here.
 */
import {
  type CallLog,
  type CallLogCheckpoint,
  type CallLogFilters,
  type CallLogStats,
  type CallLogsOptions,
  InvalidOptionError,
  paginateCallLogs,
  resolveOptions as resolveCoreOptions,
} from '@omnidim-stream/core';
import {
  createDatasetSink,
  type DatasetCheckpoint,
  type DatasetMode,
  type DatasetRunSummary,
  type DatasetSidecar,
  type DatasetSink,
} from '@omnidim-stream/sinks';
import {
  createFlattenStream,
  type FlattenResult,
  type FlattenStream,
  type ResolvedTransformOptions,
  resolveTransformOptions,
  type TransformOptions,
  tryFlattenCallLog,
} from '@omnidim-stream/transform';

import { UsageError } from './exit-codes.js';

export { FAULT_KINDS, startSimulator } from '@omnidim-stream/simulator';

/** Counters the source reports; 0 / undefined until the source reports them. */
export interface SourceCounters {
  pages: number;
  plannedPages: number | undefined;
  /** `total_records` of the first page: what the API said it had when the run started. */
  totalRecords: number | undefined;
  retries: number;
  duplicatesDropped: number;
  /** Drift events (insertions, gaps, deletions) the source reconciled or reported. */
  driftSeen: number;
  insertedSeen: number;
  deletionsDetected: number;
}

/** Options of {@link openCallLogSource}: core's options, minus the hooks the CLI owns. */
export interface SourceOptions {
  apiKey: string;
  baseUrl: string;
  pageSize: number;
  concurrency: number;
  filters: CallLogFilters;
  /** Retries per page, and the cap of one retry's wait (backoff and Retry-After). */
  retries?: number;
  maxRetryDelayMs?: number;
  timeoutMs?: number;
  maxRecords?: number;
  /** Safety bounds (issue 11): largest body, stale pages in a row, pages in all. */
  maxResponseBytes?: number;
  maxStalePages?: number;
  maxPages?: number;
  signal: AbortSignal;
  /** Core's stop rule (newest first: the first call it accepts ends the source normally). */
  stopWhen?: (call: CallLog) => boolean;
  /** Continue from a checkpoint (crash resume): same view, next call after it. */
  resume?: CallLogCheckpoint;
  /** Each page boundary's checkpoint (the consumer has had every call of the page). */
  onCheckpoint?: (checkpoint: CallLogCheckpoint) => void;
  /** Called whenever a counter changes (progress). */
  onUpdate?: (counters: SourceCounters) => void;
}

export interface CallLogSource {
  /** The call logs, newest first, deduplicated by core. Breaking out of the loop stops paging. */
  records: AsyncIterable<unknown>;
  counters: SourceCounters;
  /** Core's live stats (for `completeness()`). */
  readonly stats: CallLogStats;
}

/** Core option names → the CLI flag that sets them, so core's validation errors name the flag. */
const CORE_OPTION_FLAGS: Record<string, string> = {
  apiKey: 'OMNIDIM_API_KEY / --api-key-file',
  baseUrl: '--base-url',
  pageSize: '--page-size',
  concurrency: '--concurrency',
  'retry.limit': '--retries',
  'retry.maxDelayMs': '--max-retry-delay',
  'retry.maxRetryAfterMs': '--max-retry-delay',
  timeoutMs: '--timeout',
  'filters.agentId': '--agent-id',
  'filters.callStatus': '--call-status',
  'filters.bulkCallId': '--bulk-call-id',
  maxRecords: '--max-records',
  maxResponseBytes: '--max-response-size',
  maxStalePages: '--max-stale-pages',
  maxPages: '--max-pages',
};

function coreOptions(options: SourceOptions, hooks: Partial<CallLogsOptions> = {}): CallLogsOptions {
  return {
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    pageSize: options.pageSize,
    concurrency: options.concurrency,
    filters: options.filters,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(options.retries === undefined && options.maxRetryDelayMs === undefined
      ? {}
      : {
          retry: {
            ...(options.retries === undefined ? {} : { limit: options.retries }),
            ...(options.maxRetryDelayMs === undefined
              ? {}
              : { maxDelayMs: options.maxRetryDelayMs, maxRetryAfterMs: options.maxRetryDelayMs }),
          },
        }),
    ...(options.maxRecords === undefined ? {} : { maxRecords: options.maxRecords }),
    ...(options.maxResponseBytes === undefined ? {} : { maxResponseBytes: options.maxResponseBytes }),
    ...(options.maxStalePages === undefined ? {} : { maxStalePages: options.maxStalePages }),
    ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
    ...(options.stopWhen === undefined ? {} : { stopWhen: options.stopWhen }),
    ...(options.resume === undefined ? {} : { resume: options.resume }),
    ...(options.onCheckpoint === undefined ? {} : { onCheckpoint: options.onCheckpoint }),
    signal: options.signal,
    ...hooks,
  };
}

/**
 * Validates the source options with core's own rules, before anything is written or requested;
 * an error names the CLI flag (`--base-url: expected an https URL …`), never the key.
 */
export function checkSourceOptions(options: SourceOptions): void {
  try {
    resolveCoreOptions(coreOptions(options));
  } catch (error) {
    if (error instanceof InvalidOptionError && CORE_OPTION_FLAGS[error.option]) {
      const flag = CORE_OPTION_FLAGS[error.option];
      throw new UsageError(`${flag}: ${error.message.replace(/^Invalid option "[^"]*": /, '')}`);
    }
    throw error;
  }
}

/**
 * Opens core's paginated, retrying, drift-safe source of call logs (`paginateCallLogs`, an
 * async generator: breaking out of the loop stops paging).
 */
export function openCallLogSource(options: SourceOptions): CallLogSource {
  const counters: SourceCounters = {
    pages: 0,
    plannedPages: undefined,
    totalRecords: undefined,
    retries: 0,
    duplicatesDropped: 0,
    driftSeen: 0,
    insertedSeen: 0,
    deletionsDetected: 0,
  };
  const sync = () => {
    const s: CallLogStats = iterator.stats;
    counters.pages = s.pagesFetched;
    counters.retries = s.retries;
    counters.duplicatesDropped = s.duplicatesDropped;
    counters.insertedSeen = s.insertedSeen;
    counters.deletionsDetected = s.deletionsDetected;
    counters.totalRecords = s.totalAtStart;
    options.onUpdate?.(counters);
  };
  const iterator = paginateCallLogs(
    coreOptions(options, {
      onPage: sync,
      onRetry: sync,
      onProgress: (event) => {
        counters.plannedPages = event.pagesPlanned;
        sync();
      },
      onDrift: () => {
        counters.driftSeen += 1;
        sync();
      },
    }),
  );
  return {
    counters,
    get stats() {
      return iterator.stats;
    },
    records: (async function* () {
      try {
        yield* iterator;
      } finally {
        sync();
      }
    })(),
  };
}

/** The transform stage: call log → FlatCallLog; broken records quarantined and counted in `stats`. */
export function createFlatten(options: TransformOptions): FlattenStream {
  return createFlattenStream(options);
}

/** Validates the transform options once (a bad value throws before any request or write). */
export function resolveTransform(options: TransformOptions): ResolvedTransformOptions {
  return resolveTransformOptions(options);
}

/** Flattens one call log, or says why it is quarantined (secrets in the record masked). */
export function flattenOne(record: unknown, options: ResolvedTransformOptions): FlattenResult {
  return tryFlattenCallLog(record, options);
}

export interface SinkOptions {
  outDir: string;
  format: 'parquet' | 'csv' | 'ndjson';
  tables: readonly string[];
  compression?: string;
  rowsPerFile?: number;
  /** CSV only: the sink's `formulaGuard`. */
  formulaGuard?: boolean;
  runId: string;
  /** Source totals recorded in `_manifest.json`, read at commit time. */
  sourceStats: () => Record<string, unknown>;
  /** Runs once every file is staged, before anything becomes visible; throwing aborts the commit. */
  beforeCommit?: (summary: DatasetRunSummary) => Promise<void>;
  /** `overwrite` (default) or `replacePartitions` (incremental runs). */
  mode?: DatasetMode;
  /** Files committed with the data (quarantine, raw archive). */
  sidecars?: () => readonly DatasetSidecar[];
  /** Crash resume: adopt a crashed run's checkpoint when this returns true. */
  resume?: (checkpoint: DatasetCheckpoint) => boolean;
  onDiscard?: (runId: string, reason: string) => void;
  onCheckpoint?: (checkpoint: DatasetCheckpoint) => void;
  /** Whether a failed run keeps its checkpoint for the next run (see the sink's option). */
  keepCheckpoint?: (error: Error | null) => boolean;
  onWarning?: (message: string) => void;
}

/** What a committed run wrote. */
export interface SinkResult {
  rows: Record<string, number>;
  /** Paths relative to the dataset root. */
  files: string[];
}

/** The dataset sink: Hive-partitioned tables, committed atomically when the stream ends. */
export function createSink(options: SinkOptions): DatasetSink {
  return createDatasetSink({
    out: options.outDir,
    format: options.format,
    tables: options.tables as DatasetSinkTables,
    runId: options.runId,
    sourceStats: options.sourceStats,
    ...(options.beforeCommit ? { beforeCommit: options.beforeCommit } : {}),
    ...(options.mode ? { mode: options.mode } : {}),
    ...(options.sidecars ? { sidecars: options.sidecars } : {}),
    ...(options.resume ? { resume: options.resume } : {}),
    ...(options.onDiscard ? { onDiscard: options.onDiscard } : {}),
    ...(options.onCheckpoint ? { onCheckpoint: options.onCheckpoint } : {}),
    ...(options.keepCheckpoint ? { keepCheckpoint: options.keepCheckpoint } : {}),
    ...(options.onWarning ? { onWarning: options.onWarning } : {}),
    ...(options.compression === undefined ? {} : { compression: options.compression }),
    ...(options.rowsPerFile === undefined ? {} : { rowsPerFile: options.rowsPerFile }),
    ...(options.formulaGuard ? { formulaGuard: true } : {}),
  });
}

/** The files and row counts this run committed, from the sink's manifest. */
export function sinkResult(sink: DatasetSink): SinkResult {
  const manifest = sink.manifest;
  if (!manifest) return { rows: {}, files: [] };
  const own = manifest.files.filter((f) => f.runId === sink.runId);
  const rows: Record<string, number> = {};
  for (const file of own) rows[file.table] = (rows[file.table] ?? 0) + file.rows;
  return { rows, files: own.map((f) => f.path) };
}

type DatasetSinkTables = NonNullable<Parameters<typeof createDatasetSink>[0]['tables']>;
