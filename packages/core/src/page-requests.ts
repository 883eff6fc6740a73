/**
 * Page requests of one run: numbered in arrival order, read ahead within a window, and taken in
 * page order (run-pages.ts "Backpressure bound").
 *
 * ## Reading ahead (issue 21 goal 5)
 * The window (prefetch-window.ts) names the pages wanted ahead of the one being consumed; they
 * leave in page order, at most `concurrency` window requests in flight at once, and each answer
 * sends the next one. The network is therefore kept busy while the consumer works through pages
 * already in (before, a page left only when the consumer asked for an earlier one: on a
 * CPU-bound consumer the connections idled). Refetches and probes (`request`) are outside that
 * count: the pool keeps one connection more for them (http-client.ts).
 */
import type { DriftReconciler } from './drift.js';
import { type FetchedPage, type FetchPageDeps, fetchPage } from './fetch-page.js';
import type { ResolvedOptions } from './options.js';

/** A response with the page size it was requested with and its arrival number. */
export type SequencedPage = FetchedPage & { pageSize: number; seq: number; sentAfter: number };

/** The requests of one run. */
export interface PageRequests {
  /** Sends one request now (a refetch or probe: `pageSize` may differ from the run's). */
  request(pageno: number, pageSize?: number): Promise<SequencedPage>;
  /**
   * Wants pages `from…to` (replacing the previous window): those not requested yet leave in page
   * order while fewer than `concurrency` window requests are in flight, and as answers arrive.
   */
  prefetch(from: number, to: number): void;
  /** Sends nothing more ahead (a stop rule ended the read; requests in flight stay). */
  stopPrefetch(): void;
  /** The response for `pageno`: the prefetched one, or a request sent now. */
  take(pageno: number): Promise<SequencedPage>;
}

/** Requests for one run; every response's total goes to the reconciler as soon as it arrives. */
export function createPageRequests(
  options: ResolvedOptions,
  deps: FetchPageDeps,
  reconciler: DriftReconciler,
): PageRequests {
  const inflight = new Map<number, Promise<SequencedPage>>();
  let arrivals = 0;
  // The window: pages `next…last` still to request; `pending` window requests unanswered.
  let next = 1;
  let last = 0;
  let pending = 0;
  const request = (pageno: number, pageSize = options.pageSize): Promise<SequencedPage> => {
    // Each response is numbered in arrival order: the reconciler needs to know which of two
    // responses saw the later state of the list (drift.ts "Deletions").
    // What had arrived when the request left: the server served it after all of those.
    const sentAfter = arrivals;
    const promise = fetchPage({ pageno, pageSize, filters: options.filters }, deps).then((page) => {
      arrivals += 1;
      reconciler.observeTotal(page.total_records, arrivals);
      return { ...page, pageSize, seq: arrivals, sentAfter };
    });
    // Marked handled now: a prefetched page may be abandoned (break/abort) and never awaited.
    promise.catch(() => undefined);
    return promise;
  };
  const send = (pageno: number): Promise<SequencedPage> => {
    pending += 1;
    const promise = request(pageno);
    inflight.set(pageno, promise);
    // An answer frees a slot for the next page of the window; a failure sends nothing more
    // (it is thrown when its page is taken).
    promise.then(
      () => {
        pending -= 1;
        fill();
      },
      () => {
        pending -= 1;
      },
    );
    return promise;
  };
  const fill = (): void => {
    for (; next <= last && pending < options.concurrency && !deps.signal.aborted; next += 1) {
      if (!inflight.has(next)) send(next);
    }
  };
  return {
    request,
    prefetch(from, to) {
      next = Math.max(next, from);
      last = to;
      fill();
    },
    stopPrefetch() {
      last = 0;
    },
    async take(pageno) {
      const fetched = await (inflight.get(pageno) ?? send(pageno));
      inflight.delete(pageno);
      return fetched;
    },
  };
}
