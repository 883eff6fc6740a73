/**
 * The reconciler with responses served in another order than requested (pure, no server): a
 * page served BEFORE the response that located the anchor is placed by equal totals only
 * provisionally, and reported `unverified` once deletions show (insertions at the head hid them
 * from the totals). Pages are built by hand from a newest-first list; `seq` is the arrival
 * order and `sentAfter` the responses that had arrived when each request left, as
 * page-requests.ts numbers them.
 */
import { describe, expect, it } from 'vitest';
import type { CallLog } from '../src/call-log.js';
import { DriftReconciler } from '../src/drift.js';

/** ids 100..71 newest first; page `p` of size 3 is positions 3(p−1)..3p−1. `named`: string ids. */
function page(list: number[], p: number, seq: number, sentAfter: number, named = false) {
  const records: CallLog[] = list.slice((p - 1) * 3, p * 3).map((id) => ({ id: named ? `c${id}` : id }));
  return { page: p, records, total_records: list.length, seq, sentAfter };
}

describe('drift: a boundary taken from equal totals before deletions showed', () => {
  it.each([
    ['numeric ids (ordered path)', false],
    ['string ids (positional path)', true],
  ])('%s: is reported unverified once a deletion shows (a call slid over it unseen)', (_name, named) => {
    const before = Array.from({ length: 30 }, (_, i) => 100 - i);
    // Between the serving of pages 2 and 4 (before) and of pages 3 and 5 (after): one call
    // arrives at the head and call 80 is deleted further down; total_records stays 30.
    const after = [101, ...before.filter((id) => id !== 80)];
    const r = new DriftReconciler(3);
    const events: string[] = [];
    const passed: unknown[] = [];
    const offer = (input: ReturnType<typeof page>) => {
      const d = r.accept(input);
      events.push(...d.events.map((e) => e.kind));
      expect(d.kind).toBe('accept');
      if (d.kind === 'accept') passed.push(...d.records.map((row) => row.id));
    };
    offer(page(before, 1, 1, 0, named));
    // Pages 2, 3, 4 requested together once page 1 had arrived; they arrive 4, 3, 2 …
    offer(page(before, 2, 4, 1, named));
    offer(page(after, 3, 3, 1, named));
    // … so page 4 (served before the change) is placed by equal totals: 92 slid past it.
    offer(page(before, 4, 2, 1, named));
    expect(passed).not.toContain(named ? 'c92' : 92);
    // The positional path sees the deletion at page 3 already (the anchor found one row lower
    // than the totals say), so page 4 is reported at once; the ordered path only at page 5.
    if (!named) expect(events).not.toContain('unverified');
    // Page 5, requested later, overlaps page 4 one row further down than the totals say: the
    // deletion shows, and the boundary before page 4 can no longer be trusted.
    offer(page(after, 5, 5, 4, named));
    expect(events).toContain('deletion');
    expect(events).toContain('unverified');
  });

  it('a page served after the sighting is proven by the totals: no unverified', () => {
    const list = Array.from({ length: 30 }, (_, i) => 100 - i);
    const r = new DriftReconciler(3);
    for (let p = 1; p <= 10; p += 1) {
      const d = r.accept(page(list, p, p, p - 1));
      expect(d.kind).toBe('accept');
      expect(d.events.map((e) => e.kind)).toEqual([]);
    }
    expect(r.finish(30)).toEqual([]);
    expect(r.passed).toBe(30);
  });
});
