import { describe, expect, it } from 'vitest';
import type { CallLogCheckpoint } from '../src/checkpoint.js';
import { DriftReconciler } from '../src/drift.js';

/** Ids `count..1`, newest first, served by offset like GET /calls/logs. */
function list(count: number) {
  return Array.from({ length: count }, (_, i) => count - i);
}
function page(ids: number[], pageno: number, size: number) {
  return {
    page: pageno,
    records: ids.slice((pageno - 1) * size, pageno * size).map((id) => ({ id })),
    total_records: ids.length,
  };
}
const checkpoint = (view: number[], emitted: number): CallLogCheckpoint => ({
  version: 1,
  pageSize: 10,
  filters: '',
  totalAtStart: view.length,
  newestId: view[0] as number,
  emitted,
  lastId: view[emitted - 1] as number,
  position: emitted,
  shift: 0,
  deletionsDetected: 0,
});

describe('DriftReconciler resumed from a checkpoint', () => {
  it('never hands on a call at or above lastId, even when the totals say the page follows the anchor', () => {
    // Between the runs 5 calls arrived at the head, and the anchor (the 30th call) plus 4 older
    // calls were deleted: total_records is unchanged, so the arithmetic says page 4 starts right
    // after the anchor, but it starts 4 rows above where the anchor was (calls already handed on).
    const view = list(100);
    const cp = checkpoint(view, 30);
    const r = new DriftReconciler(10, cp);
    const gone = new Set([cp.lastId, 10, 11, 12, 13]);
    const now = [105, 104, 103, 102, 101, ...view.filter((id) => !gone.has(id))];
    expect(now.length).toBe(100);
    const d = r.accept(page(now, 4, 10));
    expect(d.kind).toBe('accept');
    const got = d.kind === 'accept' ? d.records.map((x) => x.id) : [];
    expect(got).toEqual(view.slice(30, 36));
    expect(r.duplicatesDropped).toBe(4);
  });

  it('re-anchors on lastId after arrivals and counts rows above the view as inserted', () => {
    const view = list(100);
    const r = new DriftReconciler(10, checkpoint(view, 30));
    const now = [...[112, 111, 110, 109, 108, 107, 106, 105, 104, 103, 102, 101], ...view];
    r.observeTotal(now.length);
    expect(r.anchorPage(now.length)).toBe(5); // anchor at offset 29 + 12 = 41
    // Page 5 holds offsets 40..49 = view[28..37]: the anchor at index 1.
    const d = r.accept(page(now, 5, 10));
    expect(d.kind === 'accept' ? d.records.map((x) => x.id) : []).toEqual(view.slice(30, 38));
    expect(d.kind === 'accept' ? d.offsets : []).toEqual([30, 31, 32, 33, 34, 35, 36, 37]);
    expect(r.insertedSeen).toBe(0);
    expect(r.duplicatesDropped).toBe(2); // view[28], view[29] (the anchor)
  });

  it('a fresh reconciler never passes on a call newer than the first row of page 1', () => {
    const view = list(30);
    const r = new DriftReconciler(10);
    r.accept(page(view, 1, 10));
    // A later page (out of the arithmetic's sight) carrying a call newer than the view.
    const d = r.accept({
      page: 2,
      records: [{ id: 31 }, ...view.slice(10, 19).map((id) => ({ id }))],
      total_records: 30,
    });
    expect(d.kind === 'accept' ? d.records.map((x) => x.id) : []).toEqual(view.slice(10, 19));
    expect(r.insertedSeen).toBe(1);
  });
});
