/**
 * The paging entry points: async generators of pages or of call logs, each with its live
 * {@link CallLogStats} and checkpoint. Built on the page engine (run-pages.ts, which documents
 * the backpressure bound, the stop rule and resume) and the hand-on step (hand-on.ts).
 */
import type { CallLog } from './call-log.js';
import type { CallLogCheckpoint, CheckpointTracker } from './checkpoint.js';
import type { CallLogPageResult } from './engine-page.js';
import type { CallLogStats } from './events.js';
import { createStats } from './events.js';
import { checkpointEmitter, createTracker, handOnPages, handOnRecords } from './hand-on.js';
import { type CallLogsOptions, resolveOptions } from './options.js';
import { runPages } from './run-pages.js';

export type { CallLogPageResult } from './engine-page.js';

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

/** Attaches the live stats and the checkpoint getter to a generator. */
function withState<T>(
  generator: AsyncGenerator<T, void, undefined>,
  stats: CallLogStats,
  tracker: CheckpointTracker,
): AsyncGenerator<T, void, undefined> & CallLogSourceState {
  Object.defineProperty(generator, 'stats', { value: stats, enumerable: true });
  Object.defineProperty(generator, 'checkpoint', { get: () => tracker.current(), enumerable: true });
  return generator as AsyncGenerator<T, void, undefined> & CallLogSourceState;
}
