/**
 * Payloads of the source's events (hooks `onPage`/`onRetry`/`onProgress`/`onDrift`, and the same
 * payloads as `'page'`/`'retry'`/`'progress'`/`'drift'` events of the Readable) and its live stats.
 * Payloads carry counts, page numbers and redacted context only: never the API key, never records.
 */
import type { OmnidimErrorCode } from './errors.js';

/** A page was received and reconciled (emitted after its records were handed on for yielding). */
export interface PageEvent {
  /** `pageno` of the request (1-based). */
  page: number;
  /** Records in the API response. */
  received: number;
  /** Records passed on from this page after drift reconciliation (new, unique ids). */
  emitted: number;
  /** `total_records` reported with this page. */
  total_records: number;
  /** True when this was a refetch issued to close a drift gap. */
  refetch: boolean;
  /** Attempts this page took (1 = no retry). */
  attempts: number;
  /** Wall time of the request including retries, ms. */
  durationMs: number;
}

/** A failed attempt that will be retried after `delayMs`. */
export interface RetryEvent {
  page: number;
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  /** Code of the failure (`HTTP_STATUS`, `NETWORK`, `TIMEOUT`, `INVALID_RESPONSE`). */
  code: OmnidimErrorCode;
  /** HTTP status when a response arrived. */
  status: number | undefined;
  /** Safe, redacted description of the failure. */
  message: string;
}

/** Progress after each page. */
export interface ProgressEvent {
  /** `total_records` most recently reported by the API. */
  total_records: number;
  /** `total_records` of the first page: the list the export promises to cover. */
  totalAtStart: number;
  /** Pages consumed so far (in order; refetches not counted). */
  pagesDone: number;
  /** Pages planned from `totalAtStart` and `pageSize` (may grow when drift adds pages). */
  pagesPlanned: number;
  /** Call logs passed on so far. */
  records: number;
}

/**
 * The list changed during the export (see drift.ts).
 * - `insert`: `total_records` grew; newer calls pushed older ones to later offsets.
 * - `gap`: a page covered rows after a hole (fetched after more insertions than its successor); refetching.
 * - `deletion`: calls disappeared (total fell, the anchor row moved up, or fewer calls than promised).
 * - `unverified`: continuity across a page boundary could not be proven by the anchor row.
 */
export interface DriftEvent {
  kind: 'insert' | 'gap' | 'deletion' | 'unverified';
  /** Page (pageno) whose response revealed it. */
  page: number;
  totalAtStart: number;
  total_records: number;
  /** Net shift (total_records − totalAtStart) seen with that page. */
  shift: number;
  /** Rows concerned (inserted, gap size, deletions detected); 0 when unknown. */
  count: number;
  detail: string;
}

/** Live counters of one export (also on the Readable as `.stats`). */
export interface CallLogStats {
  /** Page responses accepted (including refetches). */
  pagesFetched: number;
  /** HTTP requests sent (every attempt). */
  requests: number;
  /** Page refetches issued to close drift gaps or re-anchor. */
  refetches: number;
  /** Retried attempts. */
  retries: number;
  /** Rows dropped because their id was already passed on (pages overlapping after insertions). */
  duplicatesDropped: number;
  /** Rows seen that are newer than the export's start (inserted during it; not passed on). */
  insertedSeen: number;
  /**
   * Calls detected as deleted during the export (lower bound), from evidence only: `total_records`
   * below its start value, or the last call read found further down than the totals imply. Calls
   * missing without such evidence (a page that stayed short) are not counted here: they show up
   * as `missing` in {@link completeness}.
   */
  deletionsDetected: number;
  /** Call logs passed on. */
  records: number;
  /** `total_records` of the first page (undefined before it arrives). */
  totalAtStart: number | undefined;
  /** Latest `total_records`. */
  lastTotal: number | undefined;
  /** Calls handed on by earlier runs, per the `resume` checkpoint (0 for a fresh source). */
  emittedBefore: number;
  /**
   * `unverified` drift events: page boundaries whose continuity could not be proven (a gap not
   * closed by refetching, the last call read missing from where it should be, or calls missing at
   * the end). Calls may have been skipped there; {@link completeness} reports it.
   */
  unverified: number;
  /** Pages accepted while still short after their retries (the 'short' fault; see fetch-page.ts). */
  shortPages: number;
  /**
   * Rows those short pages lacked: per page `min(pagesize, total_records − offset) − received`
   * (what the API's own count puts on it), each request counted once. Counted whole even when
   * `stopWhen` fired inside the page: where the missing rows sat is unknown (completeness.ts).
   */
  shortfall: number;
  /** The source ended before the end of its view: `stopWhen` fired or `maxRecords` was reached. */
  stoppedEarly: boolean;
  /** Why it stopped early; undefined while running and when it read to the end of its view. */
  stopReason: StopReason | undefined;
  /**
   * Start offset where the source ended, set when it ends: `totalAtStart` when it read to the end,
   * the position of the call that fired `stopWhen`, or just after the last call for `maxRecords`.
   * The calls of the view above it are what the source promised (see completeness.ts).
   */
  viewEnd: number | undefined;
}

/** Why a source ended before the end of its view. */
export type StopReason = 'stopWhen' | 'maxRecords';

/** Fresh counters (all zero). */
export function createStats(): CallLogStats {
  return {
    pagesFetched: 0,
    requests: 0,
    refetches: 0,
    retries: 0,
    duplicatesDropped: 0,
    insertedSeen: 0,
    deletionsDetected: 0,
    records: 0,
    totalAtStart: undefined,
    lastTotal: undefined,
    emittedBefore: 0,
    unverified: 0,
    shortPages: 0,
    shortfall: 0,
    stoppedEarly: false,
    stopReason: undefined,
    viewEnd: undefined,
  };
}
