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
import type { CallLog } from './call-log.js';
import { type CallLogCheckpoint, CheckpointTracker } from './checkpoint.js';
import { DriftReconciler } from './drift.js';
import { AbortError, DriftError, LimitExceededError } from './errors.js';
import {
  type CallLogStats,
  createStats,
  type DriftEvent,
  type PageEvent,
  type ProgressEvent,
  type RetryEvent,
  type StopReason,
} from './events.js';
import { type FetchedPage, type FetchPageDeps, fetchPage } from './fetch-page.js';
import { createHttpClient } from './http-client.js';
import { type CallLogsOptions, type ResolvedOptions, resolveOptions } from './options.js';
import { hardPageBound, planPageCount } from './page-plan.js';
import { ShortfallLedger } from './shortfall.js';
import { StalePageGuard } from './stale-pages.js';

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

/** What the paging entry points carry besides the generator. */
export interface CallLogSourceState {
  /** Live counters of this source. */
  readonly stats: CallLogStats;
  /**
   * Checkpoint of everything handed on (yielded) so far, at record granularity; undefined before
   * the first page arrives. Pass it as `resume` to continue after the last call handed on.
   */
  readonly checkpoint: CallLogCheckpoint | undefined;
}
/** The page iterator: an async generator plus live {@link CallLogStats} and the checkpoint. */
export type CallLogPageIterator = AsyncGenerator<CallLogPageResult, void, undefined> & CallLogSourceState;
/** The record iterator: an async generator plus live {@link CallLogStats} and the checkpoint. */
export type CallLogIterator = AsyncGenerator<CallLog, void, undefined> & CallLogSourceState;

/** Receivers of engine events besides the option hooks (the Readable re-emits them). */
export interface EngineListeners {
  page?: (event: PageEvent) => void;
  retry?: (event: RetryEvent) => void;
  progress?: (event: ProgressEvent) => void;
  drift?: (event: DriftEvent) => void;
  checkpoint?: (checkpoint: CallLogCheckpoint) => void;
}

/** A response with the page size it was requested with and its arrival number. */
type SequencedPage = FetchedPage & { pageSize: number; seq: number };

/** A page as the engine yields it: the public result plus each record's start offset. */
export interface EnginePage {
  result: CallLogPageResult;
  /** Start offset of each record of `result.records` (see drift.ts "Coordinates"). */
  offsets: number[];
  /** Latest known shift of the list when the page was yielded (checkpoint.ts `shift`). */
  shift: number;
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
  const tracker = createTracker(resolved, stats);
  const engine = runPages(resolved, stats, {}, undefined, tracker);
  return withState(handOnPages(engine, tracker, checkpointEmitter(resolved, {}, tracker)), stats, tracker);
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
  const tracker = createTracker(resolved, stats);
  const engine = runPages(resolved, stats, {}, undefined, tracker);
  return withState(handOnRecords(engine, tracker, checkpointEmitter(resolved, {}, tracker)), stats, tracker);
}

/** The checkpoint tracker of one source (reads deletions from its live stats). */
export function createTracker(options: ResolvedOptions, stats: CallLogStats): CheckpointTracker {
  return new CheckpointTracker(
    options.pageSize,
    options.filters,
    () => stats.deletionsDetected,
    options.resume,
  );
}

/** Calls `onCheckpoint` and the listener with the tracker's current checkpoint. */
export function checkpointEmitter(
  options: ResolvedOptions,
  listeners: EngineListeners,
  tracker: CheckpointTracker,
): () => void {
  return () => {
    const checkpoint = tracker.current();
    if (checkpoint === undefined) return;
    options.onCheckpoint?.(checkpoint);
    listeners.checkpoint?.(checkpoint);
  };
}

/**
 * Hands on records one by one, updating the checkpoint after each; once the consumer comes back
 * after a page's last record, the page-boundary checkpoint is emitted.
 */
export async function* handOnRecords(
  pages: AsyncGenerator<EnginePage, void, undefined>,
  tracker: CheckpointTracker,
  emitCheckpoint: () => void,
): AsyncGenerator<CallLog, void, undefined> {
  for await (const page of pages) {
    const { records } = page.result;
    for (let i = 0; i < records.length; i += 1) {
      const record = records[i] as CallLog;
      tracker.handOn(record, page.offsets[i] as number, page.shift);
      yield record;
    }
    emitCheckpoint();
  }
}

/** Hands on whole pages; the checkpoint is emitted when the consumer comes back for the next. */
export async function* handOnPages(
  pages: AsyncGenerator<EnginePage, void, undefined>,
  tracker: CheckpointTracker,
  emitCheckpoint: () => void,
): AsyncGenerator<CallLogPageResult, void, undefined> {
  for await (const page of pages) {
    const { records } = page.result;
    for (let i = 0; i < records.length; i += 1) {
      tracker.handOn(records[i] as CallLog, page.offsets[i] as number, page.shift);
    }
    yield page.result;
    emitCheckpoint();
  }
}

function withState<T>(
  generator: AsyncGenerator<T, void, undefined>,
  stats: CallLogStats,
  tracker: CheckpointTracker,
): AsyncGenerator<T, void, undefined> & CallLogSourceState {
  Object.defineProperty(generator, 'stats', { value: stats, enumerable: true });
  Object.defineProperty(generator, 'checkpoint', { get: () => tracker.current(), enumerable: true });
  return generator as AsyncGenerator<T, void, undefined> & CallLogSourceState;
}

/** First page a resumed source requests (see "Resume" above). */
export function resumePage(checkpoint: CallLogCheckpoint): number {
  return Math.floor(Math.max(0, checkpoint.position + checkpoint.shift) / checkpoint.pageSize) + 1;
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
  tracker: CheckpointTracker,
): AsyncGenerator<EnginePage, void, undefined> {
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
    maxResponseBytes: options.maxResponseBytes,
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
      if (e.kind === 'unverified') stats.unverified += 1;
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
  const resume = options.resume;
  const reconciler = new DriftReconciler(options.pageSize, resume);
  if (resume) {
    stats.totalAtStart = resume.totalAtStart;
    stats.emittedBefore = resume.emitted;
    stats.deletionsDetected = resume.deletionsDetected;
  }
  const inflight = new Map<number, Promise<SequencedPage>>();
  let arrivals = 0;
  const request = (pageno: number, pageSize = options.pageSize): Promise<SequencedPage> => {
    // Each response is numbered in arrival order: the reconciler needs to know which of two
    // responses saw the later state of the list (drift.ts "Deletions").
    const promise = fetchPage({ pageno, pageSize, filters: options.filters }, deps).then((page) => {
      arrivals += 1;
      reconciler.observeTotal(page.total_records, arrivals);
      return { ...page, pageSize, seq: arrivals };
    });
    // Marked handled now: a prefetched page may be abandoned (break/abort) and never awaited.
    promise.catch(() => undefined);
    return promise;
  };
  // Rows missing from pages that stayed short, until a later whole response covers them.
  const shortfalls = new ShortfallLedger();
  const noteShortfall = (fetched: SequencedPage) => {
    const response = { ...fetched, received: fetched.records.length };
    stats.shortfall = shortfalls.note(response, stats.totalAtStart ?? fetched.total_records);
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

  const staleGuard = new StalePageGuard(options.maxStalePages);

  try {
    throwIfAborted(signal);
    let planned: number | undefined;
    let maxTotal = 0;
    // total_records of the first response of THIS run: bounds runaway paging (for a resumed
    // source the list may have grown well beyond the view since the checkpoint).
    let boundBase: number | undefined;
    // A resumed source locates its anchor before prefetching (see "Resume" above).
    let located = resume === undefined || resume.lastId === null;
    let jumps = 0;
    let pageno = resume === undefined ? 1 : resumePage(resume);
    for (;;) {
      if (pageno > options.maxPages) {
        throw new LimitExceededError('maxPages', `the export needs more than ${options.maxPages} page(s)`);
      }
      if (planned !== undefined && boundBase !== undefined) {
        const bound = hardPageBound(boundBase, maxTotal, options.pageSize);
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
      if (boundBase === undefined) boundBase = fetched.total_records;
      if (stats.totalAtStart === undefined) stats.totalAtStart = fetched.total_records;
      if (pageno === 1)
        tracker.fixView(
          stats.totalAtStart,
          fetched.records.map(idOf).find((id) => id !== undefined),
        );
      maxTotal = Math.max(maxTotal, fetched.total_records);

      if (!located) {
        // More calls arrived since the checkpoint than fit between the guess and the anchor:
        // this page holds only calls handed on before (or newer ones); go straight to the anchor.
        const target = reconciler.anchorPage(fetched.total_records);
        if (target !== undefined && target > pageno && jumps < options.maxRefetchesPerGap) {
          jumps += 1;
          stats.refetches += 1;
          note(fetched, 0, true);
          pageno = target;
          continue;
        }
        located = true;
      }
      planned = Math.max(planned ?? 0, planPageCount(fetched.total_records, options.pageSize));
      if (fetched.short) stats.shortPages += 1;
      noteShortfall(fetched);

      // Reconcile, refetching to close drift gaps (bounded by maxRefetchesPerGap).
      const out: CallLog[] = [];
      const outOffsets: number[] = [];
      const refetched: number[] = [];
      // Current offset up to which the list was read before this page (stale-pages.ts).
      const coveredBefore = reconciler.covered + reconciler.latestShift;
      let decision = reconciler.accept(fetched);
      let accepted = decision.kind === 'accept' ? decision : undefined;
      while (decision.kind === 'refetch') {
        for (const e of decision.events) emit.drift(e);
        if (refetched.length >= options.maxRefetchesPerGap) {
          decision = reconciler.accept(fetched, true);
          accepted = decision.kind === 'accept' ? decision : undefined;
          break;
        }
        const target = decision.refetchPage;
        stats.refetches += 1;
        refetched.push(target);
        const again = await request(target, decision.pageSize);
        noteShortfall(again);
        maxTotal = Math.max(maxTotal, again.total_records);
        const inner = reconciler.acceptRefetch(again);
        for (const e of inner.events) emit.drift(e);
        note(again, inner.kind === 'accept' ? inner.records.length : 0, true);
        // The stale copy of this page is reconciled again below: once the gap is closed its
        // rows are either duplicates (dropped) or follow the new anchor.
        if (inner.kind === 'accept') {
          out.push(...inner.records);
          outOffsets.push(...inner.offsets);
        }
        decision = reconciler.accept(fetched);
        accepted = decision.kind === 'accept' ? decision : undefined;
      }
      if (decision.kind === 'accept') for (const e of decision.events) emit.drift(e);
      if (accepted) {
        out.push(...accepted.records);
        outOffsets.push(...accepted.offsets);
      }
      note(fetched, accepted?.records.length ?? 0, false);
      syncStats();
      staleGuard.page(pageno, {
        handedOn: out.length,
        catchingUp: (pageno - 1) * options.pageSize < coveredBefore,
        total: fetched.total_records,
      });

      // Stop rule first (the call that fires it is not handed on), then maxRecords.
      let records = out;
      let offsets = outOffsets;
      let end: { reason: StopReason; viewEnd: number } | undefined;
      if (options.stopWhen) {
        const at = out.findIndex((call) => options.stopWhen?.(call) === true);
        if (at >= 0) {
          records = out.slice(0, at);
          offsets = outOffsets.slice(0, at);
          end = { reason: 'stopWhen', viewEnd: outOffsets[at] as number };
        }
      }
      const room = options.maxRecords - stats.records;
      if (records.length > room || (end === undefined && records.length === room)) {
        records = records.slice(0, room);
        offsets = offsets.slice(0, room);
        end = { reason: 'maxRecords', viewEnd: (offsets[offsets.length - 1] ?? tracker.position - 1) + 1 };
      }
      stats.records += records.length;
      if (end) {
        stats.stoppedEarly = true;
        stats.stopReason = end.reason;
        stats.viewEnd = end.viewEnd;
      }
      emit.progress({
        total_records: fetched.total_records,
        totalAtStart: stats.totalAtStart,
        pagesDone: pageno,
        pagesPlanned: planned,
        records: stats.records,
      });
      yield {
        result: {
          page: pageno,
          records,
          received: fetched.records.length,
          total_records: fetched.total_records,
          refetched,
          attempts: fetched.attempts,
          durationMs: fetched.durationMs,
        },
        offsets,
        shift: reconciler.latestShift,
      };
      if (end) return;
      // Stop on an empty page, or a short one that is consistent with total_records. A page
      // that stayed suspiciously short (fetch-page.ts) does not end the export while the plan
      // says more pages exist: the next page's gap check refetches it.
      const isShort = fetched.records.length < options.pageSize;
      if (fetched.records.length === 0 || (isShort && !(fetched.short && pageno < planned))) {
        for (const e of reconciler.finish(fetched.total_records)) emit.drift(e);
        syncStats();
        stats.viewEnd = stats.totalAtStart;
        return;
      }
      pageno += 1;
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
