/**
 * Everything one run of the page engine (run-pages.ts) holds: its abort controller, HTTP pool,
 * reconciler, requests, guards and what it learnt of the list so far, with the bookkeeping every
 * response goes through. Opened once per run; `close()` releases the pool whatever happened.
 */
import type { CheckpointTracker } from './checkpoint.js';
import { DriftReconciler } from './drift.js';
import { createEngineEmitter, type EngineEmitter } from './engine-events.js';
import type { EngineListeners } from './engine-page.js';
import type { CallLogStats } from './events.js';
import type { FetchedPage } from './fetch-page.js';
import { createHttpClient } from './http-client.js';
import type { ResolvedOptions } from './options.js';
import { createPageRequests, type PageRequests, type SequencedPage } from './page-requests.js';
import { PROBE_MAX_SIZE } from './probe-window.js';
import { ShortfallLedger } from './shortfall.js';
import { StalePageGuard } from './stale-pages.js';

/** What the run has learnt of the list's size. */
export interface ListView {
  /** Pages the list needs, from the largest total seen (undefined until the anchor is located). */
  planned: number | undefined;
  /** Largest `total_records` seen in this run. */
  maxTotal: number;
  /**
   * `total_records` of the first response of THIS run: bounds runaway paging (for a resumed
   * source the list may have grown well beyond the view since the checkpoint).
   */
  boundBase: number | undefined;
}

/** One run of the engine. */
export interface EngineRun {
  readonly options: ResolvedOptions;
  readonly stats: CallLogStats;
  readonly tracker: CheckpointTracker;
  readonly signal: AbortSignal;
  readonly emit: EngineEmitter;
  readonly reconciler: DriftReconciler;
  readonly requests: PageRequests;
  readonly staleGuard: StalePageGuard;
  readonly view: ListView;
  /** Counts a response and emits its page event (`emitted`: records it passed on). */
  note(fetched: FetchedPage, emitted: number, refetch: boolean): void;
  /** Rows missing from pages that stayed short, until a later whole response covers them. */
  noteShortfall(fetched: SequencedPage): void;
  /** Copies the reconciler's counters into the stats. */
  syncStats(): void;
  /** Aborts what is still in flight and destroys the pool. */
  close(): Promise<void>;
}

/** Opens a run. `stop` is an extra abort source (the Readable's destroy()). */
export function openRun(
  options: ResolvedOptions,
  stats: CallLogStats,
  listeners: EngineListeners,
  stop: AbortSignal | undefined,
  tracker: CheckpointTracker,
): EngineRun {
  const abort = linkAbort([options.signal, stop]);
  const client = createHttpClient({
    baseUrl: options.baseUrl,
    apiKey: options.apiKey,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    concurrency: options.concurrency,
    dispatcher: options.dispatcher,
  });
  const emit = createEngineEmitter(options, stats, listeners);
  const reconciler = new DriftReconciler(options.pageSize, options.resume);
  const requests = createPageRequests(
    options,
    {
      client,
      apiKey: options.apiKey,
      retry: options.retry,
      signal: abort.signal,
      sleep: options.sleep,
      random: options.random,
      onRetry: emit.retry,
      onAttempt: () => {
        stats.requests += 1;
      },
      keepPageBody: options.keepPageBody,
      shallowRecords: options.shallowRecords,
    },
    reconciler,
  );
  if (options.resume) {
    stats.totalAtStart = options.resume.totalAtStart;
    stats.emittedBefore = options.resume.emitted;
    stats.deletionsDetected = options.resume.deletionsDetected;
  }
  const shortfalls = new ShortfallLedger();
  return {
    options,
    stats,
    tracker,
    signal: abort.signal,
    emit,
    reconciler,
    requests,
    staleGuard: new StalePageGuard(options.maxStalePages, Math.ceil(PROBE_MAX_SIZE / options.pageSize) + 1),
    view: { planned: undefined, maxTotal: 0, boundBase: undefined },
    note(fetched, emitted, refetch) {
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
    },
    noteShortfall(fetched) {
      const response = { ...fetched, received: fetched.records.length };
      stats.shortfall = shortfalls.note(response, stats.totalAtStart ?? fetched.total_records);
    },
    syncStats() {
      stats.duplicatesDropped = reconciler.duplicatesDropped;
      stats.insertedSeen = reconciler.insertedSeen;
      stats.deletionsDetected = reconciler.deletionsDetected;
    },
    async close() {
      abort.unlink();
      await client.close();
    },
  };
}

/**
 * One controller aborted by any of `sources`. `unlink()` aborts whatever is still in flight
 * (prefetched pages after a break, retry sleeps) and stops listening to the sources.
 */
function linkAbort(sources: readonly (AbortSignal | undefined)[]): { signal: AbortSignal; unlink(): void } {
  const controller = new AbortController();
  const linked = sources.filter((s): s is AbortSignal => s !== undefined);
  const onAbort = (event: Event) => controller.abort((event.target as AbortSignal).reason);
  for (const s of linked) {
    if (s.aborted) controller.abort(s.reason);
    else s.addEventListener('abort', onAbort, { once: true });
  }
  return {
    signal: controller.signal,
    unlink() {
      if (!controller.signal.aborted) controller.abort(new Error('iteration ended'));
      for (const s of linked) s.removeEventListener('abort', onAbort);
    },
  };
}
