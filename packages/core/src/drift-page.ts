/**
 * What goes into and out of the drift reconciler for one page (drift.ts), and the per-page
 * reading both reconciliation paths work from.
 */
import type { CallLog } from './call-log.js';
import type { DriftEvent } from './events.js';

/** One page as the reconciler sees it. */
export interface DriftPage {
  page: number;
  records: CallLog[];
  total_records: number;
  /** `pagesize` the page was requested with (a probe's own size); default: the reconciler's. */
  pageSize?: number;
  /**
   * Arrival order of the response (larger = later), set by the engine. Without it a page counts
   * as the latest response when it is reconciled (unit tests feed pages in arrival order).
   */
  seq?: number;
  /**
   * Responses that had arrived when this page's request was sent, set by the engine. A page
   * whose `sentAfter` is at least another response's `seq` was SERVED after that response: the
   * only order between two responses the client can prove (over parallel connections the server
   * may serve requests in any order, and responses may arrive in another). Default: `seq − 1`
   * (unit tests feed pages one after the other).
   */
  sentAfter?: number;
}

/**
 * What to do with a page: pass `records` on (`offsets[i]` is the start offset of `records[i]`),
 * or first fetch `refetchPage` (with `pagesize` = `pageSize` when set: a boundary probe, see
 * "Deletions") and offer this page again.
 */
export type DriftDecision =
  | { kind: 'accept'; records: CallLog[]; offsets: number[]; events: DriftEvent[] }
  | { kind: 'refetch'; refetchPage: number; pageSize?: number; events: DriftEvent[] };

/** Builds a drift event about the page being reconciled. */
export type DriftEventOf = (kind: DriftEvent['kind'], count: number, detail: string) => DriftEvent;

/** One page placed in the list's coordinates (drift.ts "Coordinates"), with its events so far. */
export interface PageReading {
  input: DriftPage;
  /** Accept even when a gap precedes the page (refetch budget spent). */
  force: boolean;
  /** Grid offset of the page's first row: `(page − 1) · size`. */
  offset: number;
  /** `pagesize` the page was requested with. */
  size: number;
  /** Arrival order of the response. */
  seq: number;
  /** Responses that had arrived when the request was sent (see {@link DriftPage.sentAfter}). */
  sentAfter: number;
  /** Net shift `total_records − T0`. */
  shift: number;
  events: DriftEvent[];
  event: DriftEventOf;
}
