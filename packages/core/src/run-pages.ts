/**
 * The page engine: an async generator over `GET /calls/logs`, with parallel prefetch in page
 * order, backpressure, drift reconciliation (drift.ts) and bounded loops. A short loop; each
 * policy is a named function of its own file: the prefetch window (prefetch-window.ts), the
 * bounds (page-bounds.ts), locating a resumed anchor (resume-locate.ts), reconciliation with its
 * refetches (reconcile-page.ts), the stop rules and the end of the list (page-end.ts); the
 * shortfall and stale-page guards are kept by the run (engine-run.ts).
 *
 * ## Backpressure bound (exact)
 * Page 1 is fetched alone (its `total_records` plans the pages). After that, when the consumer
 * asks for page k, and again once page k's response is in (the plan may just have been made or
 * grown: "Latency" below), the window becomes pages k + 1 … k + 2 × (concurrency − 1) (within the
 * plan, its closing empty page included, and `maxPages`: prefetch-window.ts `readAhead`). Its
 * pages leave in page order, at most `concurrency` window requests in flight at once; each
 * answer sends the next page of the window (page-requests.ts "Reading ahead"), whether or not the
 * consumer has asked for anything since. So while a consumer holds page k (or is paused in the
 * middle of its records), at most `k + 2 × (concurrency − 1)` page requests have been made
 * in total: at most `2 × (concurrency − 1)` pages ahead of the one being consumed, fetched or in
 * flight, of which at most `concurrency` in flight (before issue 21's read-ahead: `concurrency − 1`
 * ahead, refilled only on the consumer's demand). Retries reuse the page's slot; drift refetches
 * (only when a gap is detected) are awaited one at a time in the consumer's path, on the pool's
 * spare connection. The Readable adapter adds its own object buffer (`highWaterMark`, default
 * 16 records).
 *
 * ## Latency (issue 21 goal 5)
 * The window is opened as soon as page k is reconciled and the plan is known, before page k is
 * handed on: page 1's `total_records` starts pages 2 … concurrency + 1 while page 1 is still being
 * read, instead of after its consumer asked for page 2 (that cost the consumer's whole page-1
 * time, ~165 ms in bench/latency.ts). A stop rule that ends the read on page k (`stopWhen`,
 * `maxRecords`) opens no window: the page holding an incremental run's watermark is the last
 * one requested, as before, and a stop found on page k empties the window (requests already in
 * flight are aborted when the consumer comes back). The request for page k itself
 * leaves before the rest of its window, so the page awaited is never queued behind its
 * successors. What the reconciler may conclude is unchanged too: each request carries the
 * arrivals it left after (`sentAfter`, page-requests.ts), and totals prove a boundary only for a
 * page sent after the response that located the last call read (ordered-boundary.ts).
 *
 * ## Stop rule (`stopWhen`, issue 6 incremental runs)
 * Each call about to be handed on is offered to `stopWhen`, in order. The first one it accepts is
 * not handed on; the calls before it are, then the source ends normally: no page is requested
 * after that one, and prefetched pages still in flight are aborted when the consumer comes back.
 *
 * ## Resume (`resume`, issue 6 crash resume)
 * A checkpoint (checkpoint.ts) fixes the view (`totalAtStart`, `newestId`) and the position
 * (`position`, `lastId`). A resumed source:
 * 1. requests first the page where the next call sat at the checkpoint's shift:
 *    `floor((position + shift) / pageSize) + 1`, alone. With nothing changed since, that is the page
 *    right after the last one handed on, so no page already handed on is fetched again. Calls that
 *    arrived since push the anchor (`lastId`) down: with up to `pageSize` of them the anchor is on
 *    that same page, which is therefore re-read once (unavoidable: only the anchor proves where
 *    the previous run stopped);
 * 2. if that page's `total_records` puts the anchor on a later page (more than `pageSize` calls
 *    arrived), jumps straight there (bounded by `maxRefetchesPerGap`), discarding the page;
 * 3. continues as usual: the drift reconciler re-anchors on `lastId` and never hands on a call
 *    newer than the view or not older than `lastId` (drift.ts "Resuming").
 * Deletions between the runs are detected as during one run (`total_records` below the start).
 */
import { throwIfAborted } from './abort.js';
import { idOf } from './call-id.js';
import type { CheckpointTracker } from './checkpoint.js';
import type { EngineListeners, EnginePage } from './engine-page.js';
import { type EngineRun, openRun } from './engine-run.js';
import { AbortError } from './errors.js';
import type { CallLogStats } from './events.js';
import type { FetchedPage } from './fetch-page.js';
import type { ResolvedOptions } from './options.js';
import { checkPageBounds } from './page-bounds.js';
import { applyStopRules, type EarlyEnd, endsTheList } from './page-end.js';
import { planPageCount } from './page-plan.js';
import { prefetchWindow } from './prefetch-window.js';
import { type ReconciledPage, reconcilePage } from './reconcile-page.js';
import { anchorJump, resumePage } from './resume-locate.js';

/**
 * The engine. `stop` is an extra abort source (the Readable's destroy()). Owns the HTTP pool:
 * closed in `finally`, whichever way the iteration ends (end, error, break, abort).
 */
export async function* runPages(
  options: ResolvedOptions,
  stats: CallLogStats,
  listeners: EngineListeners,
  stop: AbortSignal | undefined,
  tracker: CheckpointTracker,
): AsyncGenerator<EnginePage, void, undefined> {
  const run = openRun(options, stats, listeners, stop, tracker);
  const { resume } = options;
  try {
    throwIfAborted(run.signal);
    // A resumed source locates its anchor before prefetching (see "Resume" above).
    let located = resume === undefined || resume.lastId === null;
    let jumps = 0;
    let pageno = resume === undefined ? 1 : resumePage(resume);
    for (;;) {
      checkPageBounds(pageno, run.view, options);
      // The page needed now leaves first, then the rest of its window (see "Latency").
      const taken = run.requests.take(pageno);
      openWindow(run, pageno);
      const fetched = await taken;
      const totalAtStart = observeList(run, pageno, fetched);
      if (!located) {
        const target = anchorJump(run, pageno, fetched, jumps);
        if (target !== undefined) {
          jumps += 1;
          pageno = target;
          continue;
        }
        located = true;
      }
      const planned = Math.max(run.view.planned ?? 0, planPageCount(fetched.total_records, options.pageSize));
      run.view.planned = planned;
      if (fetched.short) stats.shortPages += 1;
      run.noteShortfall(fetched);
      const page = await reconcilePage(run, pageno, fetched);
      const { end, ...out } = handOnPage(run, fetched, page, { pageno, planned, totalAtStart });
      // The plan exists (page 1's total, or a resumed anchor located): the window opens now,
      // not once this page has been consumed (see "Latency"); unless a stop rule ended the
      // read on this page (an incremental run's watermark on page 1 reads page 1 alone).
      if (end) run.requests.stopPrefetch();
      else openWindow(run, pageno);
      yield out;
      if (end) return;
      if (endsTheList(fetched, pageno, planned, options.pageSize)) {
        for (const e of run.reconciler.finish(fetched.total_records)) run.emit.drift(e);
        run.syncStats();
        stats.viewEnd = stats.totalAtStart;
        return;
      }
      pageno += 1;
    }
  } catch (error) {
    if (run.signal.aborted && !(error instanceof AbortError)) throw new AbortError(run.signal.reason);
    throw error;
  } finally {
    await run.close();
  }
}

/** Requests the pages of `pageno`'s prefetch window not yet asked for (prefetch-window.ts). */
function openWindow(run: EngineRun, pageno: number): void {
  const window = prefetchWindow(pageno, run.view, run.options);
  run.requests.prefetch(window.from, window.to);
}

/**
 * What each response in page order tells about the list: its size, the bound and the view.
 * Returns `totalAtStart` (the view's, fixed by the first response or the checkpoint).
 */
function observeList(run: EngineRun, pageno: number, fetched: FetchedPage): number {
  const { stats, view } = run;
  if (view.boundBase === undefined) view.boundBase = fetched.total_records;
  const totalAtStart = stats.totalAtStart ?? fetched.total_records;
  stats.totalAtStart = totalAtStart;
  if (pageno === 1) {
    run.tracker.fixView(
      totalAtStart,
      fetched.records.map(idOf).find((id) => id !== undefined),
    );
  }
  view.maxTotal = Math.max(view.maxTotal, fetched.total_records);
  return totalAtStart;
}

/** Applies the stop rules to a reconciled page, counts it and reports progress. */
function handOnPage(
  run: EngineRun,
  fetched: FetchedPage,
  page: ReconciledPage,
  at: { pageno: number; planned: number; totalAtStart: number },
): EnginePage & { end: EarlyEnd | undefined } {
  const { pageno } = at;
  const { stats } = run;
  const { records, offsets, end } = applyStopRules(page, run.options, stats.records, run.tracker.position);
  stats.records += records.length;
  if (end) {
    stats.stoppedEarly = true;
    stats.stopReason = end.reason;
    stats.viewEnd = end.viewEnd;
  }
  run.emit.progress({
    total_records: fetched.total_records,
    totalAtStart: at.totalAtStart,
    pagesDone: pageno,
    pagesPlanned: at.planned,
    records: stats.records,
  });
  const result = {
    page: pageno,
    records,
    received: fetched.records.length,
    total_records: fetched.total_records,
    refetched: page.refetched,
    attempts: fetched.attempts,
    durationMs: fetched.durationMs,
  };
  return { result, offsets, shift: run.reconciler.latestShift, end };
}
