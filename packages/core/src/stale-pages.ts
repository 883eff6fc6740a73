/**
 * Stop rule for a server that repeats itself (issue 11 item 4): the same page for every `pageno`
 * while `total_records` claims 1e9 calls fetched 30,843 pages in 19 s and would have gone on for
 * hours, because neither a short page nor the page plan ever ended it. Paging must make progress.
 *
 * A page is stale when it hands on no call (its rows are all ones already passed on, or ones
 * newer than the export's view) although it lies past everything read so far: a page still
 * inside the covered part of the list (after a boundary probe read ahead with a larger page
 * size) is catching up, not stale. `maxStalePages` stale pages in a row end the export with a
 * {@link LimitExceededError}. Honest drift does not get there: a whole page of calls already
 * read past the covered part needs a page of insertions at the head between two page reads, and
 * `maxStalePages` of them in a row. An endless stream of calls never seen before under a lying
 * huge total is not stale (each is new): `maxPages` bounds it (it looks like a real huge list).
 *
 * ## Read ahead (issue 21 goal 5)
 * A page requested before the last page that handed on calls (its `sentAfter` below the arrival
 * number of the latest response read then) is neither counted nor a restart: it was fetched ahead
 * (run-pages.ts "Backpressure bound": up to `2 × (concurrency − 1)` pages) and only shows the list
 * as it was before the consumer caught up; under heavy drift (5 insertions + 5 deletions per page
 * served, source.drift-serve-order.test.ts) five such pages in a row used to end honest runs.
 * A server that repeats itself is still caught: once the pages fetched ahead of the last progress
 * are read, every page counts, so the guard fires at most `2 × (concurrency − 1)` pages later.
 *
 * ## Catching up is bounded too
 * A catching-up page restarts the stale count, but it is no progress: pages that hand on nothing,
 * catching up or stale, are also counted in a row against `limit + catchUpAllowance`, where the
 * allowance is the pages a boundary probe (up to 150 calls, probe-window.ts) can read past the
 * page being read, plus one. Without that bound a server repeating one page while its
 * `total_records` grows by a page per answer (the growth reads as insertions at the head, so
 * every page lies inside the covered part) was paged for hours: the hard page bound of a 1e6
 * total is 200,000 pages (hostile review 2026-11-30, `source.stale-pages.test.ts`).
 */
import { LimitExceededError } from './errors.js';

/**
 * Counts stale pages in a row and throws on the `limit`-th.
 *
 * @example
 * const guard = new StalePageGuard(5);
 * guard.page(2, { handedOn: 0, catchingUp: false, total: 1e9 }); // stale 1 of 5
 * guard.page(3, { handedOn: 10, catchingUp: false, total: 1e9 }); // progress: the count restarts
 */
export class StalePageGuard {
  readonly limit: number;
  /** Pages that hand on nothing tolerated in a row beyond `limit` when they catch up. */
  readonly catchUpAllowance: number;
  private stale = 0;
  /** Pages in a row that handed on nothing (stale or catching up), read-ahead ones aside. */
  private idle = 0;
  private firstIdle = 0;
  private firstStale = 0;
  /** Arrival number of the latest response read when a page last handed on calls. */
  private progressAt = 0;

  constructor(limit: number, catchUpAllowance = 0) {
    this.limit = limit;
    this.catchUpAllowance = catchUpAllowance;
  }

  /**
   * One page reconciled (with the refetches made for it): `handedOn` calls passed on,
   * `catchingUp` when the page lies inside the part of the list already covered, `sentAfter` the
   * arrivals before its request left and `seq` the latest arrival read with it (page-requests.ts).
   */
  page(
    pageno: number,
    step: { handedOn: number; catchingUp: boolean; total: number; sentAfter?: number; seq?: number },
  ): void {
    if (step.handedOn > 0) {
      this.stale = 0;
      this.idle = 0;
      this.progressAt = Math.max(this.progressAt, step.seq ?? 0);
      return;
    }
    // Requested before the last progress ("Read ahead"): it says nothing of a server repeating
    // itself, only that the list moved while it waited to be read.
    if (step.sentAfter !== undefined && step.sentAfter < this.progressAt) return;
    if (this.idle === 0) this.firstIdle = pageno;
    this.idle += 1;
    if (this.idle >= this.limit + this.catchUpAllowance)
      throw noProgress(this.idle, this.firstIdle, pageno, step.total);
    if (step.catchingUp) {
      this.stale = 0;
      return;
    }
    if (this.stale === 0) this.firstStale = pageno;
    this.stale += 1;
    if (this.stale >= this.limit) throw noProgress(this.stale, this.firstStale, pageno, step.total);
  }
}

/** The error ending a run whose pages `first…last` (`count` of them) brought nothing new. */
function noProgress(count: number, first: number, last: number, total: number): LimitExceededError {
  return new LimitExceededError(
    'maxStalePages',
    `${count} page(s) in a row (pages ${first} to ${last}) brought no call not already read, while total_records says ${total}: the server repeats itself instead of paging (raise with --max-stale-pages)`,
  );
}
