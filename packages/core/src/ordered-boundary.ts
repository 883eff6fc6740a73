/**
 * The ordered path's first step (drift.ts "Deletions: the ordered path"): where on a page the
 * calls after the anchor start, proven by ids when the page overlaps the anchor, by the totals or
 * a boundary probe when it does not. Deletions below the anchor are counted from overlaps.
 */
import { idlessRun } from './anchor-tracking.js';
import { idOf } from './call-id.js';
import { noteDeletions } from './drift-evidence.js';
import type { DriftDecision, PageReading } from './drift-page.js';
import type { AnchorSighting, DriftState } from './drift-state.js';
import { numericKey } from './id-order.js';
import { probeTarget, probeWindow } from './probe-window.js';

/** Where the page continues the list. */
export interface OrderedBoundary {
  /** Index of the first row after the last row at or above the anchor (0: none on the page). */
  c: number;
  /** Index of the anchor itself on the page (−1: absent). */
  anchorAt: number;
  /** Where id-less rows may be passed on from. */
  resumeAt: number;
  /** The anchor's sighting before this page. */
  seen: AnchorSighting | undefined;
  /** False for a short page: its positions are not evidence of deletions. */
  exact: boolean;
}

/** Locates the boundary; a refetch decision when a probe must read it first. */
export function orderedBoundary(
  s: DriftState,
  r: PageReading,
  anchorKey: number,
): OrderedBoundary | DriftDecision {
  const b = locate(s, r, anchorKey);
  const { seen } = b;
  // Expected index of the anchor on this page from the totals (exact under head insertions).
  const j =
    seen !== undefined
      ? seen.pos + (r.input.total_records - seen.total) - r.offset
      : s.covered - 1 - r.offset + r.shift + s.correction;
  if (b.c > 0) {
    overlap(s, r, b, j);
    return b;
  }
  return proveContinuity(s, r, seen, j) ?? b;
}

function locate(s: DriftState, r: PageReading, anchorKey: number): OrderedBoundary {
  const { records } = r.input;
  // A short page (fetch-page.ts: rows missing while total_records says more exist) places its
  // rows too high by the rows it lacks above them: its positions are not evidence of deletions.
  const exact = records.length === r.size || r.offset + records.length >= r.input.total_records;
  let c = 0;
  let anchorAt = -1;
  for (let i = 0; i < records.length; i += 1) {
    const id = idOf(records[i]);
    const key = numericKey(id);
    if (key !== undefined && key >= anchorKey) c = i + 1;
    if (id !== undefined && id === s.anchor?.id) anchorAt = i;
  }
  // Where id-less rows may be passed on from. After the anchor (or the row at or above it
  // closest to it), skip the id-less rows passed on after it. When the anchor is not on the page
  // and no row with an id below it is either, the whole page may lie above the anchor: an
  // id-less row after the last row at or above it is then not proven to be below it.
  const olderOnPage = records.slice(c).some((row) => idOf(row) !== undefined);
  const resumeAt = c === 0 ? 0 : anchorAt < 0 && !olderOnPage ? records.length : c + idlessRun(s, records, c);
  return { c, anchorAt, resumeAt, seen: s.sighting, exact };
}

/** Overlap: the successors of the anchor in this response start at c (proven). */
function overlap(s: DriftState, r: PageReading, b: OrderedBoundary, j: number): void {
  const { records, total_records: total } = r.input;
  const { c, anchorAt, seen, exact } = b;
  const { seq, offset } = r;
  const full = c < records.length || records.length < r.size;
  if (seen?.exact && exact && full && seq > seen.seq && seen.seq >= s.countedSeq) {
    // Forward in time, the anchor's successor moved down by insertions minus deletions
    // above it; the totals also count deletions below it: the difference is those.
    const below = c - 1 - j;
    s.countedSeq = seq;
    if (below > 0) {
      s.deletionsBelow += below;
      noteDeletions(
        s,
        Math.max(s.deletionsBelow, s.deletionsFromAnchors),
        r.events,
        r.event,
        'rows below the last call read disappeared',
      );
    }
  }
  if (c === records.length && records.length === r.size) {
    // Every row is at or above the anchor: it is further down now.
    s.probeAim = { pos: offset + records.length, total };
    if (anchorAt >= 0 && (seen === undefined || seq > seen.seq)) {
      s.sighting = { pos: offset + anchorAt, total, seq, exact };
    }
  }
}

/**
 * No overlap: accepted when the totals prove the page starts right after the last row passed on;
 * otherwise a probe reads the boundary (or, refetches spent, an `unverified` event).
 */
function proveContinuity(
  s: DriftState,
  r: PageReading,
  seen: AnchorSighting | undefined,
  j: number,
): DriftDecision | undefined {
  const { records, page, total_records: total } = r.input;
  // The last row passed on: the anchor, or the id-less rows after it (j + trailing).
  const anchorLast = seen !== undefined && seen.pos + s.trailing + 1 >= seen.total;
  const lastPassed = seen !== undefined ? j + s.trailing : j;
  const placed = records.length > 0 && lastPassed === -1;
  // The totals prove the boundary only forward in time: this page SERVED after the sighting
  // (its request left once the sighting had arrived, whatever the arrival order). Served before
  // or alongside it, calls deleted below the anchor in between slide over the boundary, and
  // insertions at the head can keep the totals equal: then only a list with no sign of deletion
  // and the same total on both responses is taken as unchanged, provisionally (`quietProofs`,
  // withdrawn as unverified as soon as deletions show, see withdrawQuietProofs).
  const after = seen !== undefined && r.sentAfter >= seen.seq;
  const quiet = seen !== undefined && !s.deletionSeen && s.deletionsDetected === 0 && total === seen.total;
  if (placed && !after && quiet && !anchorLast) s.quietProofs += 1;
  const proven =
    anchorLast ||
    (placed && (seen === undefined || after || quiet)) ||
    (seen === undefined && records.length === 0);
  if (proven) return undefined;
  if (r.force) {
    r.events.push(r.event('unverified', 0, `continuity before page ${page} could not be proven; continuing`));
    return undefined;
  }
  // This response starts after the anchor, but nothing proves that no call sat between
  // them (deletions above the boundary slide calls up across it): read the boundary itself
  // in one response, a probe with its own page size, then offer this page again.
  if (r.input.pageSize !== undefined && r.input.pageSize !== s.pageSize) {
    // A probe that missed: the anchor is above its window.
    s.probeAim = { pos: r.offset - Math.ceil(r.size / 2), total };
  }
  r.events.push(
    r.event(
      'gap',
      Math.max(0, -1 - j),
      `page ${page} does not overlap the last call read; reading the boundary again`,
    ),
  );
  const window = probeWindow(probeTarget(s));
  return { kind: 'refetch', refetchPage: window.page, pageSize: window.pageSize, events: r.events };
}
