/**
 * Completeness: did a source hand on every call it promised? (issue 6, "Completeness").
 *
 * ## The formula
 * A source promises the calls of its view (checkpoint.ts) above `viewEnd`:
 * - `viewEnd = totalAtStart` when it read to the end of the list;
 * - the start offset of the call that fired `stopWhen` (the calls newer than it);
 * - just after the last call handed on when `maxRecords` stopped it.
 *
 * `expected = max(0, viewEnd − deletionsDetected)` and `emitted = emittedBefore + records` (a
 * resumed source counts what earlier runs handed on, from its checkpoint). `missing =
 * max(0, expected − emitted, shortfall)`: calls lost without evidence of a deletion, for instance
 * a page that stayed short after its retries. `shortfall` (`stats.shortfall`) counts each such
 * page's missing rows from the API's own count (`min(pagesize, total_records − offset) −
 * received`): it is what keeps `missing` honest when the call that fires `stopWhen` sits on the
 * short page itself (the stop point's offset is then computed from the short page, so
 * `expected − emitted` alone would be 0). Calls arriving during the export are not
 * part of the view (`insertedSeen`, left to the next run); filters are applied by the API, so
 * `total_records` already counts only matching calls.
 *
 * Deletions are lower bounds and count calls deleted after they were handed on too, and page
 * boundaries the reconciler could not prove (`stats.unverified`) may hide skipped calls: with
 * deletions or unverified boundaries `missing` is a lower bound and `proven` is false. Without
 * them it is exact up to the stop point, except that a short page's missing rows are all counted
 * even when some sat below the stop point (where they sat is unknown): `missing` never
 * undercounts a short page.
 */
import type { CallLogStats } from './events.js';

/** What a source promised and what it handed on; see completeness.ts for the formula. */
export interface Completeness {
  /** False while the source is still running (the figures are then provisional). */
  ended: boolean;
  /** Calls the source promised: `viewEnd − deletionsDetected`. */
  expected: number;
  /** Calls handed on, earlier runs of a resumed source included. */
  emitted: number;
  /** The largest of `expected − emitted`, `shortfall` and 0. */
  missing: number;
  /** Rows missing from pages that stayed short after their retries (`stats.shortfall`). */
  shortfall: number;
  /**
   * True when the source ended, nothing is missing and every page boundary was proven
   * (`stats.unverified === 0`). With unverified boundaries `missing` is only a lower bound.
   */
  proven: boolean;
  /** One line for a summary or an error message (counts only, no data). */
  reason: string;
}

/**
 * Compares what a source handed on with what it promised. Call it after the source ended; a
 * caller that must fail on a shortfall throws `IncompleteExportError(c.missing, c.reason)`.
 *
 * @example
 * const calls = paginateCallLogs({ apiKey });
 * for await (const call of calls) write(call);
 * const c = completeness(calls.stats);
 * if (c.missing > 0) throw new IncompleteExportError(c.missing, c.reason);
 */
export function completeness(stats: CallLogStats): Completeness {
  const emitted = stats.emittedBefore + stats.records;
  const ended = stats.viewEnd !== undefined;
  const viewEnd = stats.viewEnd ?? stats.totalAtStart ?? 0;
  const expected = Math.max(0, viewEnd - stats.deletionsDetected);
  const shortfall = stats.shortfall ?? 0;
  const missing = Math.max(0, expected - emitted, shortfall);
  const scope =
    stats.stopReason === 'stopWhen'
      ? `${viewEnd} call(s) above the stop point`
      : stats.stopReason === 'maxRecords'
        ? `${viewEnd} call(s) up to maxRecords`
        : `total_records ${stats.totalAtStart ?? 0} at the start`;
  const deletions = stats.deletionsDetected > 0 ? ` − ${stats.deletionsDetected} deletion(s) detected` : '';
  const head = `${emitted} of ${expected} expected call(s) handed on (${scope}${deletions})`;
  const unproven =
    stats.unverified > 0 ? `; ${stats.unverified} page boundary(ies) could not be proven continuous` : '';
  const proven = ended && missing === 0 && stats.unverified === 0;
  let reason: string;
  if (!ended) reason = `source still running: ${head}`;
  else if (missing === 0) reason = `${proven ? 'complete' : 'no shortfall counted'}: ${head}${unproven}`;
  else {
    const why =
      stats.shortPages > 0
        ? `${stats.shortPages} page(s) stayed shorter than total_records implies after retries (${shortfall} row(s) short)`
        : 'no deletion was detected to explain them';
    reason = `${missing} call(s) missing: ${head}; ${why}${unproven}`;
  }
  return { ended, expected, emitted, missing, shortfall, proven, reason };
}
