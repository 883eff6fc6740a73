/**
 * Page requests of one run: numbered in arrival order, prefetched into a window, and taken in
 * page order (run-pages.ts "Backpressure bound").
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
  /** Starts the requests of pages `from…to` not already in flight. */
  prefetch(from: number, to: number): void;
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
  return {
    request,
    prefetch(from, to) {
      for (let q = from; q <= to; q += 1) if (!inflight.has(q)) inflight.set(q, request(q));
    },
    async take(pageno) {
      let pending = inflight.get(pageno);
      if (pending === undefined) {
        pending = request(pageno);
        inflight.set(pageno, pending);
      }
      const fetched = await pending;
      inflight.delete(pageno);
      return fetched;
    },
  };
}
