/**
 * Where a resumed source starts reading (run-pages.ts "Resume"): the page where the next call
 * sat at the checkpoint's shift, then straight to the anchor's page when the list has grown past
 * it, a bounded number of times.
 */
import type { CallLogCheckpoint } from './checkpoint.js';
import type { EngineRun } from './engine-run.js';
import type { FetchedPage } from './fetch-page.js';

/** First page a resumed source requests (see run-pages.ts "Resume"). */
export function resumePage(checkpoint: CallLogCheckpoint): number {
  return Math.floor(Math.max(0, checkpoint.position + checkpoint.shift) / checkpoint.pageSize) + 1;
}

/**
 * The page to jump to when `fetched` (page `pageno`) lies above the anchor, or undefined when
 * the anchor may be on it (or `jumps` already spent `maxRefetchesPerGap`). A jump counts as a
 * refetch and the page is reported with nothing passed on.
 */
export function anchorJump(
  run: EngineRun,
  pageno: number,
  fetched: FetchedPage,
  jumps: number,
): number | undefined {
  // More calls arrived since the checkpoint than fit between the guess and the anchor:
  // this page holds only calls handed on before (or newer ones); go straight to the anchor.
  const target = run.reconciler.anchorPage(fetched.total_records);
  if (target === undefined || target <= pageno || jumps >= run.options.maxRefetchesPerGap) return undefined;
  run.stats.refetches += 1;
  run.note(fetched, 0, true);
  return target;
}
