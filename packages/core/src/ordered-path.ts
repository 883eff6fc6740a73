/**
 * The ordered path of the drift reconciler (drift.ts "Deletions: the ordered path"), taken while
 * the anchor's id is numeric and ids descend: the list is id-descending, so the calls that follow
 * the anchor are exactly the rows with a smaller id; a page holding a row at or above the anchor
 * proves where they start, whatever was inserted or deleted. Positions count the calls passed on.
 */
import { idOf } from './call-id.js';
import type { CallLog } from './call-log.js';
import type { DriftDecision, PageReading } from './drift-page.js';
import type { DriftState } from './drift-state.js';
import { numericKey } from './id-order.js';
import { type OrderedBoundary, orderedBoundary } from './ordered-boundary.js';

/** Reconciles a page on the ordered path (`anchorKey`: the anchor's numeric id). */
export function acceptOrdered(s: DriftState, r: PageReading, anchorKey: number): DriftDecision {
  const boundary = orderedBoundary(s, r, anchorKey);
  if ('kind' in boundary) return boundary;
  return takeOrdered(s, r, anchorKey, boundary);
}

/** Passes on the rows below the boundary that were never passed on, in order. */
function takeOrdered(s: DriftState, r: PageReading, anchorKey: number, b: OrderedBoundary): DriftDecision {
  const { records } = r.input;
  const { c, resumeAt } = b;
  const out: CallLog[] = [];
  const offsets: number[] = [];
  const newest = numericKey(s.newestId);
  let late = 0;
  let lastKeyed = -1;
  for (let i = 0; i < records.length; i += 1) {
    const row = records[i] as CallLog;
    const id = idOf(row);
    if (id === undefined) {
      // No identity: passed on by position only (see "Records without an id").
      if (i >= resumeAt) {
        out.push(row);
        offsets.push(s.covered + out.length - 1);
      } else s.duplicatesDropped += 1;
      continue;
    }
    const key = numericKey(id);
    if (s.seen.has(id)) {
      s.duplicatesDropped += 1;
      continue;
    }
    if (i < c || (key !== undefined && key >= anchorKey)) {
      const afterView = key !== undefined && newest !== undefined && key > newest;
      const before = !afterView && key !== undefined && s.floorId !== undefined && key >= s.floorId;
      if (afterView) s.insertedSeen += 1;
      else if (before) s.duplicatesDropped += 1;
      else if (key !== undefined) late += 1;
      else s.duplicatesDropped += 1;
      continue;
    }
    s.seen.add(id);
    out.push(row);
    offsets.push(s.covered + out.length - 1);
    lastKeyed = out.length - 1;
  }
  if (late > 0) {
    // A call of the view above the last call read that was never passed on: it was skipped
    // at a boundary that could not be proven. Too late to pass it on (order); never silent.
    r.events.push(r.event('unverified', late, `${late} call(s) of the view found above the last call read`));
  }
  advanceOrdered(s, r, b, { out, lastKeyed });
  return { kind: 'accept', records: out, offsets, events: r.events };
}

/** Moves coverage, the anchor and its sighting past the rows just passed on. */
function advanceOrdered(
  s: DriftState,
  r: PageReading,
  b: OrderedBoundary,
  taken: { out: CallLog[]; lastKeyed: number },
): void {
  const { records, total_records: total } = r.input;
  const { out, lastKeyed } = taken;
  const { seen, exact } = b;
  const { seq, offset } = r;
  if (out.length > 0 && lastKeyed < 0) {
    // Only id-less rows: the anchor and its sighting stay; they follow it.
    s.covered += out.length;
    s.passed += out.length;
    s.trailing += out.length;
  } else if (out.length > 0) {
    const anchorRow = out[lastKeyed] as CallLog;
    s.anchor = { id: idOf(anchorRow) };
    s.trailing = out.length - 1 - lastKeyed;
    s.covered += out.length;
    s.passed += out.length;
    s.sighting = { pos: offset + records.indexOf(anchorRow), total, seq, exact };
    s.probeAim = undefined;
  } else if (b.c > 0 && b.anchorAt >= 0 && (seen === undefined || seq > seen.seq)) {
    s.sighting = { pos: offset + b.anchorAt, total, seq, exact };
  }
}
