/**
 * The prefetch window (run-pages.ts "Backpressure bound"): the page needed now and up to
 * `concurrency − 1` after it, within the plan and `maxPages`. Nothing is prefetched before the
 * plan exists (page 1 alone, or a resumed source still locating its anchor).
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
  return { from: pageno + 1, to: Math.min(pageno + options.concurrency - 1, last) };
}
