import { CheckpointMark } from './run-pipeline.js';
import { type TimeWindow, timeOfCallInstant, windowPosition } from './time-window.js';

/** Counters of the export's own stage (after core, before the transform). */
export interface WindowCounters {
  records: number;
  skippedNewerThanUntil: number;
}

/**
 * Applies `since` / `until` / `maxRecords` to the newest-first source and tees each kept call
 * log into the raw archive. The API has no date filter (docs/api-notes.md), but the list is
 * newest first, so the first call older than `since` ends the loop, and breaking out of the
 * `for await` stops core's paging (the export itself hands `since` to core's `stopWhen`, so that
 * the source ends normally and its completeness can be checked). {@link CheckpointMark}s pass
 * through unchanged.
 *
 * @example
 * ```ts
 * const counters = { records: 0, skippedNewerThanUntil: 0 };
 * windowRecords(logs, { window: { until: Date.parse('2026-05-01') }, timeZone: 'UTC', maxRecords: undefined, raw: undefined, counters });
 * ```
 */
export async function* windowRecords(
  source: AsyncIterable<unknown>,
  options: {
    window: TimeWindow;
    timeZone: string;
    maxRecords: number | undefined;
    raw: { write(record: unknown): Promise<void> } | undefined;
    counters: WindowCounters;
    onRecord?: () => void;
  },
): AsyncGenerator<unknown> {
  const { window, timeZone, maxRecords, raw, counters } = options;
  if (maxRecords !== undefined && maxRecords <= 0) return;
  for await (const record of source) {
    if (record instanceof CheckpointMark) {
      yield record;
      continue;
    }
    const time = (record as { time_of_call?: unknown } | null)?.time_of_call;
    const position = windowPosition(timeOfCallInstant(time, timeZone), window);
    if (position === 'older') break;
    if (position === 'newer') {
      counters.skippedNewerThanUntil += 1;
      continue;
    }
    if (raw) await raw.write(record);
    counters.records += 1;
    options.onRecord?.();
    yield record;
    if (maxRecords !== undefined && counters.records >= maxRecords) break;
  }
}
