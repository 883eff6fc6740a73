/**
 * The engine's source: core's paginated, retrying, drift-safe `paginateCallLogs`, with the
 * counters a run reports (progress, summary) kept in one place.
 */
import {
  type CallLog,
  type CallLogCheckpoint,
  type CallLogFilters,
  type CallLogStats,
  type CallLogsOptions,
  type DriftEvent,
  paginateCallLogs,
  type RetryEvent,
  resolveOptions as resolveCoreOptions,
} from '@omnidim-stream/core';

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

/** Options of {@link openCallLogSource}: core's options, minus the hooks the engine owns; `undefined` means core's default. */
export interface SourceOptions {
  apiKey: string;
  /** Default core's. */
  baseUrl?: string | undefined;
  pageSize: number;
  concurrency: number;
  filters: CallLogFilters;
  /** Retries per page, and the cap of one retry's wait (backoff and Retry-After). */
  retries?: number | undefined;
  maxRetryDelayMs?: number | undefined;
  timeoutMs?: number | undefined;
  maxRecords?: number;
  /** Safety bounds (issue 11): largest body, stale pages in a row, pages in all. */
  maxResponseBytes?: number | undefined;
  maxStalePages?: number | undefined;
  maxPages?: number | undefined;
  signal: AbortSignal;
  /** Core's stop rule (newest first: the first call it accepts ends the source normally). */
  stopWhen?: (call: CallLog) => boolean;
  /** Continue from a checkpoint (crash resume): same view, next call after it. */
  resume?: CallLogCheckpoint;
  /** Remember each call's page body (core `keepPageBody`): the flatten workers parse the page. */
  keepPageBody?: boolean;
  /**
   * Scan pages instead of parsing them here (core `shallowRecords`): the records are stubs with
   * only `id` and `time_of_call`; `materializeRecord` gives the whole call log.
   */
  shallowRecords?: boolean;
  /** Each page boundary's checkpoint (the consumer has had every call of the page). */
  onCheckpoint?: (checkpoint: CallLogCheckpoint) => void;
  /** Called whenever a counter changes (progress). */
  onUpdate?: (counters: SourceCounters) => void;
  /** A failed attempt that core retries, after the counters were updated. */
  onRetry?: (event: RetryEvent) => void;
  /** A change of the list core reconciled or reported, after the counters were updated. */
  onDrift?: (event: DriftEvent) => void;
}

export interface CallLogSource {
  /** The call logs, newest first, deduplicated by core. Breaking out of the loop stops paging. */
  records: AsyncIterable<unknown>;
  counters: SourceCounters;
  /** Core's live stats (for `completeness()`). */
  readonly stats: CallLogStats;
}

/** Core's options for these source options (`undefined` left to core's defaults). */
export function coreOptions(options: SourceOptions, hooks: Partial<CallLogsOptions> = {}): CallLogsOptions {
  return {
    apiKey: options.apiKey,
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
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
    ...(options.keepPageBody ? { keepPageBody: true } : {}),
    ...(options.shallowRecords ? { shallowRecords: true } : {}),
    ...(options.onCheckpoint === undefined ? {} : { onCheckpoint: options.onCheckpoint }),
    signal: options.signal,
    ...hooks,
  };
}

/**
 * Validates the source options with core's own rules, before anything is written or requested.
 * A bad value throws core's `InvalidOptionError` naming core's option (`pageSize`,
 * `retry.limit`, …), never the key; the CLI maps those names to its flags.
 */
export function checkSourceOptions(options: SourceOptions): void {
  resolveCoreOptions(coreOptions(options));
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
      onRetry: (event) => {
        sync();
        options.onRetry?.(event);
      },
      onProgress: (event) => {
        counters.plannedPages = event.pagesPlanned;
        sync();
      },
      onDrift: (event) => {
        counters.driftSeen += 1;
        sync();
        options.onDrift?.(event);
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
