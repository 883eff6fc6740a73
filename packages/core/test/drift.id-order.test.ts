/**
 * Issue 11 item 2: the reconciler must not trust id-descending order. Pure: pages are fed in
 * order as the API would serve them; the expected ids come from the test's own list, not from
 * the code under test.
 */
import { describe, expect, it } from 'vitest';
import { DriftReconciler } from '../src/drift.js';
import { isOmnidimError } from '../src/errors.js';
import { showsDisorder } from '../src/id-order.js';

function page(ids: readonly number[], pageno: number, size: number, total = ids.length) {
  return {
    page: pageno,
    records: ids.slice((pageno - 1) * size, pageno * size).map((id) => ({ id })),
    total_records: total,
  };
}

/** Feeds every page of `ids` (no drift) and returns the ids passed on. */
function readAll(r: DriftReconciler, ids: readonly number[], size: number): number[] {
  const out: number[] = [];
  for (let p = 1; (p - 1) * size < ids.length; p += 1) {
    const d = r.accept(page(ids, p, size));
    if (d.kind !== 'accept') throw new Error(`page ${p}: unexpected refetch of ${d.refetchPage}`);
    out.push(...d.records.map((x) => x.id as number));
  }
  return out;
}

const descending = Array.from({ length: 95 }, (_, i) => 1000 - i);
const ORDERS: Record<string, number[]> = {
  ascending: descending.slice().reverse(),
  // One swap exactly across the boundary of pages 3 and 4 (size 10), everything else descending.
  'boundary swap': descending.map((id, i) =>
    i === 29 ? (descending[30] as number) : i === 30 ? (descending[29] as number) : id,
  ),
  shuffled: [...descending].sort((a, b) => ((a * 7919) % 101) - ((b * 7919) % 101)),
};

describe('DriftReconciler with ids out of descending order', () => {
  it.each(Object.keys(ORDERS))('%s, no drift: every call passed on once, in list order', (name) => {
    const ids = ORDERS[name] as number[];
    const r = new DriftReconciler(10);
    expect(readAll(r, ids, 10)).toEqual(ids);
    expect(r.disordered).toBe(true);
    expect(r.deletionsDetected).toBe(0);
    expect(r.insertedSeen).toBe(0);
  });

  it('descending ids stay on the ordered path', () => {
    const r = new DriftReconciler(10);
    expect(readAll(r, descending, 10)).toEqual(descending);
    expect(r.disordered).toBe(false);
  });

  it('ascending ids with calls inserted at the head: the view once, the new calls not passed on', () => {
    const ids = ORDERS['ascending'] as number[];
    const r = new DriftReconciler(10);
    const first = r.accept(page(ids, 1, 10));
    const out = first.kind === 'accept' ? first.records.map((x) => x.id as number) : [];
    // 3 new calls (ids below every other: nothing about them is ordered) before page 2 is served.
    const now = [1, 2, 3, ...ids];
    for (let p = 2; (p - 1) * 10 < now.length; p += 1) {
      const d = r.accept(page(now, p, 10));
      if (d.kind !== 'accept') throw new Error('no refetch expected: the anchor is on each page');
      out.push(...d.records.map((x) => x.id as number));
    }
    expect(out).toEqual(ids);
  });

  it('disorder after a deletion fails loudly (DRIFT) instead of guessing', () => {
    const ids = ORDERS['ascending'] as number[];
    const r = new DriftReconciler(10);
    r.accept(page(ids, 1, 10));
    const fewer = ids.filter((id) => id !== ids[50]);
    let error: unknown;
    try {
      r.accept(page(fewer, 2, 10));
      r.accept(page(fewer, 3, 10));
    } catch (e) {
      error = e;
    }
    expect(isOmnidimError(error) && error.code).toBe('DRIFT');
  });
});

describe('showsDisorder', () => {
  const none = {
    anchorKey: undefined,
    newestKey: 10,
    floorKey: undefined,
    seen: new Set(),
    rowsMaySlip: false,
  };
  it('two ids that do not strictly descend on one page', () => {
    expect(showsDisorder([{ id: 9 }, { id: 9 }], none)).toBe(true);
    expect(showsDisorder([{ id: 9 }, { id: null }, { id: 8 }], none)).toBe(false);
  });
  it('an unread call above the anchor, older than the view, across a page boundary', () => {
    const ctx = { ...none, anchorKey: 5, seen: new Set<unknown>([10, 9, 8, 7, 5]) };
    expect(showsDisorder([{ id: 6 }, { id: 4 }], ctx)).toBe(true);
    // Already passed on (an overlap after insertions), or newer than the view: no evidence.
    expect(showsDisorder([{ id: 7 }, { id: 4 }], ctx)).toBe(false);
    expect(showsDisorder([{ id: 11 }, { id: 4 }], ctx)).toBe(false);
    // Once calls may have slipped past the anchor (deletions, short pages) it proves nothing.
    expect(showsDisorder([{ id: 6 }, { id: 4 }], { ...ctx, rowsMaySlip: true })).toBe(false);
  });
});
