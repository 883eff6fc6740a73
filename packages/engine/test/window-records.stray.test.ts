/**
 * The window's handling of old calls (stray-old-call.ts): an old call followed by a newer one is
 * a stray (quarantined, or counted when older than `since`), old calls still held at the end are
 * beyond the window, and no checkpoint is passed on while old calls are held (it could not say
 * what they were, and a resumed run would lose them).
 */
import { describe, expect, it } from 'vitest';
import { CheckpointMark } from '../src/run-pipeline.js';
import { StrayOldCall } from '../src/stray-old-call.js';
import { windowRecords } from '../src/window-records.js';

const NEW = '05/04/2026 10:00:00';
const OLD = '01/01/2000 00:00:00';
const BOUND = Date.UTC(2026, 4, 1);

async function run(items: unknown[], bound: 'since' | 'cutoff') {
  async function* source() {
    yield* items;
  }
  const counters = { records: 0, skippedNewerThanUntil: 0, skippedOlderThanSince: 0 };
  const out: unknown[] = [];
  for await (const item of windowRecords(source(), {
    window: bound === 'since' ? { since: BOUND } : {},
    cutoff: bound === 'cutoff' ? BOUND : undefined,
    timeZone: 'UTC',
    maxRecords: undefined,
    raw: undefined,
    counters,
  })) {
    out.push(item);
  }
  return { out, counters };
}

describe('windowRecords and old calls', () => {
  it('cutoff: a stray among newer calls is yielded for the quarantine; trailing old calls are not', async () => {
    const mark = new CheckpointMark('m');
    const { out, counters } = await run(
      [
        { id: 5, time_of_call: NEW },
        { id: 4, time_of_call: OLD },
        mark,
        { id: 3, time_of_call: NEW },
        { id: 2, time_of_call: OLD },
        { id: 1, time_of_call: OLD },
      ],
      'cutoff',
    );
    const shape = out.map((o) =>
      o instanceof StrayOldCall
        ? ['stray', (o.record as { id: number }).id, o.reason]
        : o instanceof CheckpointMark
          ? ['mark']
          : ['call', (o as { id: number }).id],
    );
    // The mark came while call 4 was held: dropped, not passed on.
    expect(shape).toEqual([
      ['call', 5],
      ['stray', 4, 'OLDER_THAN_CUTOFF'],
      ['call', 3],
    ]);
    expect(counters).toEqual({ records: 2, skippedNewerThanUntil: 0, skippedOlderThanSince: 0 });
  });

  it('since: a stray is counted in skippedOlderThanSince, never yielded', async () => {
    const mark = new CheckpointMark('m');
    const { out, counters } = await run(
      [{ id: 4, time_of_call: OLD }, { id: 3, time_of_call: NEW }, mark, { id: 2, time_of_call: OLD }],
      'since',
    );
    expect(out).toEqual([{ id: 3, time_of_call: NEW }, mark]);
    expect(counters).toEqual({ records: 1, skippedNewerThanUntil: 0, skippedOlderThanSince: 1 });
  });
});
