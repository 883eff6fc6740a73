/**
 * Bounds on the page loop (got's `requestLimit`): a page beyond `maxPages`, or beyond what the
 * largest `total_records` seen can fill (page-plan.ts {@link hardPageBound}), ends the run with a
 * {@link LimitExceededError} rather than a silent stop or an endless loop.
 */
import type { ListView } from './engine-run.js';
import { LimitExceededError } from './errors.js';
import type { ResolvedOptions } from './options.js';
import { hardPageBound } from './page-plan.js';

/** Throws when requesting `pageno` would exceed a bound. */
export function checkPageBounds(pageno: number, view: ListView, options: ResolvedOptions): void {
  if (pageno > options.maxPages) {
    throw new LimitExceededError('maxPages', `the export needs more than ${options.maxPages} page(s)`);
  }
  if (view.planned === undefined || view.boundBase === undefined) return;
  const bound = hardPageBound(view.boundBase, view.maxTotal, options.pageSize);
  if (pageno > bound) {
    throw new LimitExceededError(
      'pages',
      `page ${pageno} requested but total_records (at most ${view.maxTotal}) fits in ${bound - 1} page(s); the server never returned a short page`,
    );
  }
}
