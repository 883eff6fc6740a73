import { materializeRecord } from '@omnidim-stream/core';
import { CheckpointMark } from './run-pipeline.js';
import { isOlderThan, StrayOldCall } from './stray-old-call.js';
import { type TimeWindow, timeOfCallInstant, windowPosition } from './time-window.js';

/** Counters of the export's own stage (after core, before the transform). */
export interface WindowCounters {
  records: number;
  skippedNewerThanUntil: number;
  /** Stray calls older than `since` seen among newer ones (stray-old-call.ts): outside the window. */
  skippedOlderThanSince: number;
}

/**
 * Applies `since` / `until` / an incremental `cutoff` / `maxRecords` to the newest-first source
 * and tees each kept call log into the raw archive. The API has no date filter
 * (docs/api-notes.md), but the list is newest first, so the export hands the lower bound to
 * core's `stopWhen`, which ends paging after a run of consecutive old calls (stray-old-call.ts)
 * so that the source ends normally and its completeness can be checked.
 *
 * Old calls are held back until the next call shows what they were: followed by a newer call
 * they are strays (counted in `skippedOlderThanSince` when older than `since`, otherwise yielded
 * as a {@link StrayOldCall} for the quarantine); still held when the source ends, they are the
 * calls past the bound that ended paging and are simply not part of this run.
 * {@link CheckpointMark}s pass through unchanged, except while old calls are held: a checkpoint
 * there could not say what they were, so it is skipped (the next one is taken).
 *
 * @example
 * ```ts
 * const counters = { records: 0, skippedNewerThanUntil: 0, skippedOlderThanSince: 0 };
 * windowRecords(logs, { window: { until: Date.parse('2026-05-01') }, timeZone: 'UTC', maxRecords: undefined, raw: undefined, counters });
 * ```
 */
export async function* windowRecords(
  source: AsyncIterable<unknown>,
  options: {
    window: TimeWindow;
    /** An incremental run's cutoff (ms): older calls are not this run's. */
    cutoff?: number | undefined;
    timeZone: string;
    maxRecords: number | undefined;
    raw: { write(record: unknown): Promise<void> } | undefined;
    counters: WindowCounters;
    onRecord?: () => void;
  },
): AsyncGenerator<unknown> {
  const { window, timeZone, maxRecords, raw, counters } = options;
  if (maxRecords !== undefined && maxRecords <= 0) return;
  const cutoff = options.cutoff;
  const held: { record: unknown; time: unknown; olderThanSince: boolean }[] = [];
  for await (const record of source) {
    if (record instanceof CheckpointMark) {
      if (held.length === 0) yield record;
      continue;
    }
    const time = (record as { time_of_call?: unknown } | null)?.time_of_call;
    const instant = timeOfCallInstant(time, timeZone);
    const position = windowPosition(instant, window);
    if (position === 'older' || isOlderThan(instant, cutoff)) {
      held.push({ record, time, olderThanSince: position === 'older' });
      continue;
    }
    for (const stray of held.splice(0)) {
      if (stray.olderThanSince) counters.skippedOlderThanSince += 1;
      // The quarantine keeps the whole call log, never a shallow source's stub.
      else yield new StrayOldCall(materializeRecord(stray.record), strayDetail(stray.time, cutoff));
    }
    if (position === 'newer') {
      counters.skippedNewerThanUntil += 1;
      continue;
    }
    if (raw) await raw.write(materializeRecord(record));
    counters.records += 1;
    options.onRecord?.();
    yield record;
    if (maxRecords !== undefined && counters.records >= maxRecords) break;
  }
}

function strayDetail(time: unknown, cutoff: number | undefined): string {
  const bound = cutoff === undefined ? 'the cutoff' : new Date(cutoff).toISOString();
  return `time_of_call ${JSON.stringify(time)} is older than this incremental run's cutoff ${bound}, but newer calls follow it in the list; not written (its date partition is not replaced by this run)`;
}
