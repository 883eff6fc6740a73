/**
 * The paging engine: async generators over `GET /calls/logs`, with parallel prefetch in page
 * order, backpressure, drift reconciliation (drift.ts) and bounded loops.
 *
 * ## Backpressure bound (exact)
 * Page 1 is fetched alone (its `total_records` plans the pages). After that, when the consumer
 * asks for page k, pages k … k + concurrency − 1 (within the plan and `maxPages`) are requested;
 * nothing more is requested until the consumer asks for page k + 1. So while a consumer holds
 * page k (or is paused in the middle of its records), at most `k + concurrency − 1` page requests
 * have been made in total: at most `concurrency − 1` pages ahead of the one being consumed,
 * `concurrency` pages in flight or buffered including it. Retries reuse the page's slot; drift
 * refetches (only when a gap is detected) are awaited one at a time in the consumer's path.
 * The Readable adapter adds its own object buffer (`highWaterMark`, default 16 records).
 */
import { throwIfAborted } from './abort.js';
import type { CallLog } from './call-log.js';
import { DriftReconciler } from './drift.js';
import { AbortError, DriftError, LimitExceededError } from './errors.js';
import {
  type CallLogStats,
  createStats,
  type DriftEvent,
  type PageEvent,
  type ProgressEvent,
  type RetryEvent,
} from './events.js';
import { type FetchedPage, type FetchPageDeps, fetchPage } from './fetch-page.js';
import { createHttpClient } from './http-client.js';
import { type CallLogsOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { hardPageBound, planPageCount } from './page-plan.js';

/** One page as yielded by {@link paginateCallLogPages}. */
export interface CallLogPageResult {
  /** `pageno` of the page (1-based). */
  page: number;
  /**
   * Call logs to pass on from this page, newest first: unique ids, drift-reconciled (rows from
   * any gap refetch come first), truncated at `maxRecords`.
   */
  records: CallLog[];
  /** Rows the API returned for this page. */
  received: number;
  /** `total_records` reported with this page. */
  total_records: number;
  /** Page numbers refetched before this page to close a drift gap. */
  refetched: number[];
  /** Attempts the page took (1 = no retry). */
  attempts: number;
  /** Request time including retries, ms. */
  durationMs: number;
}

/** The page iterator: an async generator plus live {@link CallLogStats}. */
export type CallLogPageIterator = AsyncGenerator<CallLogPageResult, void, undefined> & {
  readonly stats: CallLogStats;
};
/** The record iterator: an async generator plus live {@link CallLogStats}. */
export type CallLogIterator = AsyncGenerator<CallLog, void, undefined> & { readonly stats: CallLogStats };

/** Receivers of engine events besides the option hooks (the Readable re-emits them). */
export interface EngineListeners {
  page?: (event: PageEvent) => void;
  retry?: (event: RetryEvent) => void;
  progress?: (event: ProgressEvent) => void;
  drift?: (event: DriftEvent) => void;
}

/**
 * Pages of call logs, in the API's order (newest first), fetched `concurrency` at a time as the
 * consumer pulls. The primitive the other entry points are built on. Options are validated
 * immediately (a bad option throws here, before any request).
 *
 * @example
 * for await (const page of paginateCallLogPages({ apiKey: process.env.OMNIDIM_API_KEY ?? '' })) {
 *   console.log(page.page, page.records.length, page.total_records);
 * }
 */
export function paginateCallLogPages(options: CallLogsOptions): CallLogPageIterator {
  const resolved = resolveOptions(options);
  const stats = createStats();
  return withStats(runPages(resolved, stats, {}, undefined), stats);
}

/**
 * Call logs one by one, newest first, each id once (see drift.ts). Built on the page engine;
 * `break` stops all requests and closes the connection pool.
 *
 * @example
 * for await (const call of paginateCallLogs({ apiKey: process.env.OMNIDIM_API_KEY ?? '', maxRecords: 10 })) {
 *   console.log(call.id);
 * }
 */
export function paginateCallLogs(options: CallLogsOptions): CallLogIterator {
  const resolved = resolveOptions(options);
  const stats = createStats();
  return withStats(flatten(runPages(resolved, stats, {}, undefined)), stats);
}

/** Flattens pages to records. */
export async function* flatten(pages: AsyncGenerator<CallLogPageResult, void, undefined>) {
  for await (const page of pages) yield* page.records;
}

function withStats<T>(generator: AsyncGenerator<T, void, undefined>, stats: CallLogStats) {
  Object.defineProperty(generator, 'stats', { value: stats, enumerable: true });
  return generator as AsyncGenerator<T, void, undefined> & { readonly stats: CallLogStats };
}

/**
 * The engine. `stop` is an extra abort source (the Readable's destroy()). Owns the HTTP pool:
 * closed in `finally`, whichever way the iteration ends (end, error, break, abort).
 */
export async function* runPages(
  options: ResolvedOptions,
  stats: CallLogStats,
  listeners: EngineListeners,
  stop: AbortSignal | undefined,
): AsyncGenerator<CallLogPageResult, void, undefined> {
  const controller = new AbortController();
  const sources = [options.signal, stop].filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const s of sources) {
    if (s.aborted) controller.abort(s.reason);
    else s.addEventListener('abort', onAbort, { once: true });
  }
  const signal = controller.signal;
  const client = createHttpClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    concurrency: options.concurrency,
    dispatcher: options.dispatcher,
  });
  const emit = {
    page: (e: PageEvent) => {
      options.onPage?.(e);
      listeners.page?.(e);
    },
    retry: (e: RetryEvent) => {
      stats.retries += 1;
      options.onRetry?.(e);
      listeners.retry?.(e);
    },
    progress: (e: ProgressEvent) => {
      options.onProgress?.(e);
      listeners.progress?.(e);
    },
    drift: (e: DriftEvent) => {
      options.onDrift?.(e);
      listeners.drift?.(e);
      if (options.onDeletion === 'error' && (e.kind === 'deletion' || e.kind === 'unverified')) {
        throw new DriftError(`${e.detail} (page ${e.page}, ${e.count} call(s))`);
      }
    },
  };
  const deps: FetchPageDeps = {
    client,
    apiKey: options.apiKey,
    retry: options.retry,
    signal,
    sleep: options.sleep,
    random: options.random,
    onRetry: emit.retry,
    onAttempt: () => {
      stats.requests += 1;
    },
  };
  const reconciler = new DriftReconciler(options.pageSize);
  const inflight = new Map<number, Promise<FetchedPage>>();
  const request = (pageno: number): Promise<FetchedPage> => {
    const promise = fetchPage({ pageno, pageSize: options.pageSize, filters: options.filters }, deps);
    // Marked handled now: a prefetched page may be abandoned (break/abort) and never awaited.
    promise.then(
      (page) => reconciler.observeTotal(page.total_records),
      () => undefined,
    );
    return promise;
  };
  const note = (fetched: FetchedPage, emitted: number, refetch: boolean) => {
    stats.pagesFetched += 1;
    stats.lastTotal = fetched.total_records;
    emit.page({
      page: fetched.page,
      received: fetched.records.length,
      emitted,
      total_records: fetched.total_records,
      refetch,
      attempts: fetched.attempts,
      durationMs: fetched.durationMs,
    });
  };
  const syncStats = () => {
    stats.duplicatesDropped = reconciler.duplicatesDropped;
    stats.insertedSeen = reconciler.insertedSeen;
    stats.deletionsDetected = reconciler.deletionsDetected;
  };

  try {
    throwIfAborted(signal);
    let planned: number | undefined;
    let maxTotal = 0;
    for (let pageno = 1; ; pageno += 1) {
      if (pageno > options.maxPages) {
        throw new LimitExceededError('maxPages', `the export needs more than ${options.maxPages} page(s)`);
      }
      if (planned !== undefined && stats.totalAtStart !== undefined) {
        const bound = hardPageBound(stats.totalAtStart, maxTotal, options.pageSize);
        if (pageno > bound) {
          throw new LimitExceededError(
            'pages',
            `page ${pageno} requested but total_records (at most ${maxTotal}) fits in ${bound - 1} page(s); the server never returned a short page`,
          );
        }
        // Prefetch window: the page needed now and up to concurrency − 1 after it, within the plan.
        const last = Math.min(pageno + options.concurrency - 1, planned, options.maxPages);
        for (let q = pageno + 1; q <= last; q += 1) if (!inflight.has(q)) inflight.set(q, request(q));
      }
      let pending = inflight.get(pageno);
      if (pending === undefined) {
        pending = request(pageno);
        inflight.set(pageno, pending);
      }
      const fetched = await pending;
      inflight.delete(pageno);
      if (stats.totalAtStart === undefined) stats.totalAtStart = fetched.total_records;
      maxTotal = Math.max(maxTotal, fetched.total_records);
      planned = Math.max(planned ?? 0, planPageCount(fetched.total_records, options.pageSize));

      // Reconcile, refetching to close drift gaps (bounded by maxRefetchesPerGap).
      const out: CallLog[] = [];
      const refetched: number[] = [];
      let decision = reconciler.accept(fetched);
      let accepted: CallLog[] | undefined = decision.kind === 'accept' ? decision.records : undefined;
      while (decision.kind === 'refetch') {
        for (const e of decision.events) emit.drift(e);
        if (refetched.length >= options.maxRefetchesPerGap) {
          decision = reconciler.accept(fetched, true);
          accepted = decision.kind === 'accept' ? decision.records : [];
          break;
        }
        const target = decision.refetchPage;
        stats.refetches += 1;
        refetched.push(target);
        const again = await request(target);
        maxTotal = Math.max(maxTotal, again.total_records);
        const inner = reconciler.acceptRefetch(again);
        for (const e of inner.events) emit.drift(e);
        note(again, inner.kind === 'accept' ? inner.records.length : 0, true);
        // The stale copy of this page is reconciled again below: once the gap is closed its
        // rows are either duplicates (dropped) or follow the new anchor.
        if (inner.kind === 'accept') out.push(...inner.records);
        decision = reconciler.accept(fetched);
        accepted = decision.kind === 'accept' ? decision.records : undefined;
      }
      if (decision.kind === 'accept') for (const e of decision.events) emit.drift(e);
      out.push(...(accepted ?? []));
      note(fetched, accepted?.length ?? 0, false);
      syncStats();

      const room = options.maxRecords - stats.records;
      const records = out.length > room ? out.slice(0, room) : out;
      stats.records += records.length;
      emit.progress({
        total_records: fetched.total_records,
        totalAtStart: stats.totalAtStart,
        pagesDone: pageno,
        pagesPlanned: planned,
        records: stats.records,
      });
      yield {
        page: pageno,
        records,
        received: fetched.records.length,
        total_records: fetched.total_records,
        refetched,
        attempts: fetched.attempts,
        durationMs: fetched.durationMs,
      };
      if (stats.records >= options.maxRecords) return;
      // Stop on an empty page, or a short one that is consistent with total_records. A page
      // that stayed suspiciously short (fetch-page.ts) does not end the export while the plan
      // says more pages exist: the next page's gap check refetches it.
      const isShort = fetched.records.length < options.pageSize;
      if (fetched.records.length === 0 || (isShort && !(fetched.short && pageno < planned))) {
        for (const e of reconciler.finish(fetched.total_records)) emit.drift(e);
        syncStats();
        return;
      }
    }
  } catch (error) {
    if (signal.aborted && !(error instanceof AbortError)) throw new AbortError(signal.reason);
    throw error;
  } finally {
    // Abort whatever is still in flight (prefetched pages after a break, retry sleeps), then
    // destroy the pool so no socket outlives the iteration.
    if (!signal.aborted) controller.abort(new Error('iteration ended'));
    for (const s of sources) s.removeEventListener('abort', onAbort);
    await client.close();
  }
}
