/**
 * Handing on what the engine (run-pages.ts) yields, and the checkpoint that follows it: the
 * tracker of one source, records or whole pages handed on with their start offsets, and the
 * checkpoint emitted once the consumer comes back (checkpoint.ts).
 */
import type { CallLog } from './call-log.js';
import { CheckpointTracker } from './checkpoint.js';
import type { CallLogPageResult, EngineListeners, EnginePage } from './engine-page.js';
import type { CallLogStats } from './events.js';
import type { ResolvedOptions } from './options.js';

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
