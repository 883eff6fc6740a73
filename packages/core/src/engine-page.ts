/**
 * What the page engine (run-pages.ts) yields and whom it tells: the shapes shared by the engine
 * and the entry points built on it (paginate.ts, stream.ts).
 */
import type { CallLog } from './call-log.js';
import type { CallLogCheckpoint } from './checkpoint.js';
import type { DriftEvent, PageEvent, ProgressEvent, RetryEvent } from './events.js';

/** One page as yielded by `paginateCallLogPages`. */
export interface CallLogPageResult {
  /** `pageno` of the page (1-based). */
  page: number;
  /**
   * Call logs to pass on from this page, newest first: unique ids, drift-reconciled (rows from
   * any gap refetch come first), truncated at `maxRecords`.
   */
  records: CallLog[];
  /** Rows the API returned for this page. */
  received: number;
  /** `total_records` reported with this page. */
  total_records: number;
  /** Page numbers refetched before this page to close a drift gap. */
  refetched: number[];
  /** Attempts the page took (1 = no retry). */
  attempts: number;
  /** Request time including retries, ms. */
  durationMs: number;
}

/** A page as the engine yields it: the public result plus each record's start offset. */
export interface EnginePage {
  result: CallLogPageResult;
  /** Start offset of each record of `result.records` (see drift.ts "Coordinates"). */
  offsets: number[];
  /** Latest known shift of the list when the page was yielded (checkpoint.ts `shift`). */
  shift: number;
}

/** Receivers of engine events besides the option hooks (the Readable re-emits them). */
export interface EngineListeners {
  page?: (event: PageEvent) => void;
  retry?: (event: RetryEvent) => void;
  progress?: (event: ProgressEvent) => void;
  drift?: (event: DriftEvent) => void;
  checkpoint?: (checkpoint: CallLogCheckpoint) => void;
}
