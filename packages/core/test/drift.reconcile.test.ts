import { describe, expect, it } from 'vitest';
import type { CallLog } from '../src/call-log.js';
import { DriftReconciler } from '../src/drift.js';
import { gapBefore, pageWindow } from '../src/page-window.js';
import { probeWindow } from '../src/probe-window.js';

/** A newest-first list with offset paging, like GET /calls/logs. */
class ListModel {
  ids: number[];
  next: number;
  constructor(count: number) {
    this.ids = Array.from({ length: count }, (_, i) => count - i);
    this.next = count + 1;
  }
  serve(page: number, size: number) {
    const records: CallLog[] = this.ids.slice((page - 1) * size, page * size).map((id) => ({ id }));
    return { page, records, total_records: this.ids.length };
  }
  insert(n: number) {
    for (let i = 0; i < n; i += 1) this.ids.unshift(this.next++);
  }
  deleteAt(index: number) {
    this.ids.splice(index, 1);
  }
}

/** Feeds pages in page order; serves refetches from the list's current state. */
function reconcile(
  pages: ReturnType<ListModel['serve']>[],
  list: ListModel,
  size: number,
  onServe = () => {},
) {
  const r = new DriftReconciler(size);
  const out: unknown[] = [];
  const kinds: string[] = [];
  for (const page of pages) {
    let d = r.accept(page);
    let guard = 0;
    while (d.kind === 'refetch') {
      kinds.push(...d.events.map((e) => e.kind));
      guard += 1;
      expect(guard).toBeLessThan(10);
      const target = d.refetchPage;
      const again = { ...list.serve(target, d.pageSize ?? size), pageSize: d.pageSize };
      onServe();
      const inner = r.acceptRefetch(again);
      kinds.push(...inner.events.map((e) => e.kind));
      if (inner.kind === 'accept') out.push(...inner.records.map((x) => x.id));
      d = r.accept(page);
    }
    if (d.kind === 'accept') {
      kinds.push(...d.events.map((e) => e.kind));
      out.push(...d.records.map((x) => x.id));
    }
  }
  kinds.push(...r.finish(list.ids.length).map((e) => e.kind));
  return { out, kinds, r };
}

describe('drift window arithmetic', () => {
  it('maps a page to the start-offset window it covered', () => {
    expect(pageWindow(3, 10, 10, 105, 100)).toEqual({ start: 15, end: 25, shift: 5 });
    expect(pageWindow(2, 10, 10, 98, 100)).toEqual({ start: 12, end: 22, shift: -2 });
    expect(gapBefore(20, 15)).toBe(0);
    expect(gapBefore(20, 23)).toBe(3);
  });
});

describe('DriftReconciler', () => {
  it('passes a list that does not change through untouched', () => {
    const list = new ListModel(25);
    const pages = [1, 2, 3].map((p) => list.serve(p, 10));
    const { out, kinds, r } = reconcile(pages, list, 10);
    expect(out).toEqual(list.ids);
    expect(kinds).toEqual([]);
    expect(r.duplicatesDropped).toBe(0);
  });

  it('drops the rows insertions pushed onto the next page (sequential reads)', () => {
    const start = new ListModel(30);
    const list = new ListModel(30);
    const startIds = [...start.ids];
    const pages = [];
    for (let p = 1; p <= 4; p += 1) {
      pages.push(list.serve(p, 10));
      list.insert(3);
    }
    const { out, kinds, r } = reconcile(pages, list, 10);
    expect(out).toEqual(startIds);
    expect(r.duplicatesDropped).toBe(9);
    expect(kinds).toContain('insert');
    expect(kinds).not.toContain('deletion');
  });

  it('refetches the gap left when a page is served after its successor (parallel prefetch)', () => {
    const list = new ListModel(40);
    const startIds = [...list.ids];
    const p1 = list.serve(1, 10);
    // Pages 2..4 requested together; the server answers 3 first, then 4, then 2, inserting 4 calls
    // after each page, so page 2 saw more insertions than page 3: rows between them are on neither.
    const served: Record<number, ReturnType<ListModel['serve']>> = {};
    for (const p of [3, 4, 2, 5, 6]) {
      served[p] = list.serve(p, 10);
      list.insert(4);
    }
    const pages = [p1, served[2]!, served[3]!, served[4]!, served[5]!, served[6]!];
    const { out, kinds, r } = reconcile(pages, list, 10, () => list.insert(4));
    expect(kinds).toContain('gap');
    expect(out).toEqual(startIds);
    expect(new Set(out).size).toBe(out.length);
    expect(r.deletionsDetected).toBe(0);
  });

  it('detects deletions of calls not read yet and still passes every surviving call once', () => {
    const list = new ListModel(30);
    const pages = [list.serve(1, 10)];
    list.deleteAt(25); // an older call, not read yet
    pages.push(list.serve(2, 10));
    pages.push(list.serve(3, 10));
    const { out, kinds, r } = reconcile(pages, list, 10);
    expect(kinds).toContain('deletion');
    expect(r.deletionsDetected).toBe(1);
    expect(out).toEqual(list.ids);
  });

  it('closes the hole a deletion of an already-read call opens at a page boundary', () => {
    const list = new ListModel(30);
    const startIds = [...list.ids];
    const pages = [list.serve(1, 10)];
    list.deleteAt(2); // already read: everything older moves up one offset
    pages.push(list.serve(2, 10));
    pages.push(list.serve(3, 10));
    const { out, kinds } = reconcile(pages, list, 10);
    expect(kinds).toContain('deletion');
    expect(kinds).toContain('gap');
    expect(out).toEqual(startIds);
  });
});

describe('probeWindow', () => {
  it.each([0, 5, 60, 149, 150, 299, 1000, 12_345])(
    'one request of at most 150 rows holds offset %i, rows above it and at least half a window below',
    (aim) => {
      const { page, pageSize } = probeWindow(aim);
      expect(pageSize).toBeGreaterThanOrEqual(75);
      expect(pageSize).toBeLessThanOrEqual(150);
      const start = (page - 1) * pageSize;
      const end = page * pageSize;
      expect(start).toBeLessThanOrEqual(Math.max(0, aim - Math.min(aim, 16)));
      expect(end - 1 - aim).toBeGreaterThanOrEqual(Math.floor(pageSize / 2));
    },
  );
});
