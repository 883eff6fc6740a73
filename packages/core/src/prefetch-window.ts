/**
 * The prefetch window (run-pages.ts "Backpressure bound"): the page needed now and up to
 * `concurrency − 1` after it, within the plan and `maxPages`. Nothing is prefetched before the
 * plan exists (page 1 alone, or a resumed source still locating its anchor).
 */
import type { ListView } from './engine-run.js';
import type { ResolvedOptions } from './options.js';

/** Pages to prefetch along with `pageno`, as `{ from, to }` (empty when `to < from`). */
export function prefetchWindow(
  pageno: number,
  view: ListView,
  options: ResolvedOptions,
): { from: number; to: number } {
  if (view.planned === undefined || view.boundBase === undefined) return { from: pageno + 1, to: pageno };
  return { from: pageno + 1, to: Math.min(pageno + options.concurrency - 1, view.planned, options.maxPages) };
}
