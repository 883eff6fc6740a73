/**
 * The prefetch window (run-pages.ts "Backpressure bound"): the pages after the one needed now,
 * {@link readAhead} of them, within the plan and `maxPages`. Nothing is prefetched before
 * the plan exists (page 1 alone, or a resumed source still locating its anchor). At most
 * `concurrency` of them are in flight at once (page-requests.ts "Reading ahead").
 *
 * ## The closing page
 * A list whose `total_records` fills its last planned page exactly (3,000 calls at 150 a page)
 * ends only on the empty page after it (page-end.ts `endsTheList`): that page is requested
 * anyway, so it belongs to the window like any planned page. Left out, it was a round trip of
 * its own after the last page arrived (500 ms at 500 ms per page: bench/latency.ts). It stays
 * within the hard bound (page-plan.ts `hardPageBound`: the pages the largest total fills plus
 * one). When the last planned page is short, nothing past it is prefetched.
 */
import type { ListView } from './engine-run.js';
import type { ResolvedOptions } from './options.js';
import { hardPageBound } from './page-plan.js';

/**
 * Pages requested ahead of the one being consumed: `2 × (concurrency − 1)`. With `concurrency`
 * in flight, a round of answers can wait unread while the next round is in flight, so on a
 * consumer slower than the network the connections stay busy (bench/latency.ts: with the old
 * window, `concurrency − 1` pages refilled only on the consumer's demand, the last round of 8
 * left at 2,627 ms). `concurrency` 1 reads ahead nothing: each page is requested once the one
 * before it has been read, refetches included (README "Parallel requests, any serve order").
 * Pages fetched that long before they are read may, under heavy drift, hold only calls read
 * since: the stale-page guard does not count a page requested before the last progress
 * (stale-pages.ts "Read ahead"). The price is memory: up to that many parsed pages buffered
 * (bench/memory.ts).
 *
 * @example
 * readAhead(4); // 6: holding page 3, pages up to 9 may have been requested
 */
export function readAhead(concurrency: number): number {
  return 2 * (concurrency - 1);
}

/** Pages to prefetch along with `pageno`, as `{ from, to }` (empty when `to < from`). */
export function prefetchWindow(
  pageno: number,
  view: ListView,
  options: ResolvedOptions,
): { from: number; to: number } {
  if (view.planned === undefined || view.boundBase === undefined) return { from: pageno + 1, to: pageno };
  const closing = view.maxTotal >= view.planned * options.pageSize ? 1 : 0;
  const last = Math.min(
    view.planned + closing,
    options.maxPages,
    hardPageBound(view.boundBase, view.maxTotal, options.pageSize),
  );
  return { from: pageno + 1, to: Math.min(pageno + readAhead(options.concurrency), last) };
}
