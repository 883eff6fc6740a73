/**
 * The positional path of the drift reconciler (drift.ts "Reconciling a page", "Ids out of
 * order"): the anchor found by id, positions from `total_records`, duplicates dropped by id.
 * Used before any call was passed on, for anchors without a numeric id, and for good once ids
 * were seen out of order (every id comparison then off).
 */
import { gapRefetchPage, idlessRun } from './anchor-tracking.js';
import { idOf } from './call-id.js';
import type { CallLog } from './call-log.js';
import { cannotReconcile, noteDeletions } from './drift-evidence.js';
import type { DriftDecision, PageReading } from './drift-page.js';
import type { DriftState } from './drift-state.js';

/** Where on the page the rows to pass on start, and how they are placed. */
interface PositionalStart {
  startIndex: number;
  /** Shift the page's rows are placed with (the anchor's true shift when it was found). */
  pageShift: number;
  /** The anchor went missing: rows with a numeric id above it are newer calls. */
  olderThan: number | undefined;
  /** Id-less rows before this index were passed on already (positional: they have no identity). */
  idlessFrom: number;
}

/** Reconciles a page on the positional path. */
export function acceptPositional(s: DriftState, r: PageReading): DriftDecision {
  const start = positionalStart(s, r);
  if (start === undefined) return { kind: 'refetch', refetchPage: gapRefetchPage(s), events: r.events };
  return takePositional(s, r, start);
}

/** Finds where the page continues the list; undefined when a gap must be refetched first. */
function positionalStart(s: DriftState, r: PageReading): PositionalStart | undefined {
  const { records, page } = r.input;
  const { offset, shift, events, event } = r;
  const base = { pageShift: shift, olderThan: undefined, idlessFrom: 0 };
  const anchorId = s.anchor?.id;
  const anchorIndex = anchorId === undefined ? -1 : records.findIndex((row) => idOf(row) === anchorId);
  if (s.anchor === undefined && s.covered === 0) return { ...base, startIndex: 0 };
  if (anchorIndex >= 0) {
    // The id-less rows passed on after the anchor follow it: skip them.
    const startIndex = anchorIndex + 1 + idlessRun(s, records, anchorIndex + 1);
    const pageShift = offset + anchorIndex - (s.covered - 1 - s.trailing);
    s.correction = Math.max(0, pageShift - shift);
    if (pageShift > shift) {
      s.deletionsFromAnchors = Math.max(s.deletionsFromAnchors, pageShift - shift);
      noteDeletions(s, s.deletionsFromAnchors, events, event, 'rows below the last call read disappeared');
    }
    return { ...base, startIndex, pageShift };
  }
  const j = s.covered - 1 - offset + shift + s.correction;
  if (j < -1 && !r.force) {
    events.push(event('gap', -1 - j, `start offsets ${s.covered}..${s.covered - 2 - j} not covered yet`));
    return undefined;
  }
  if (j < -1) {
    if (s.disordered) cannotReconcile(`a gap before page ${page} could not be closed by refetching`);
    events.push(event('unverified', -1 - j, 'gap could not be closed by refetching; continuing'));
    return { ...base, startIndex: 0 };
  }
  if (j === -1) {
    notePlacedByTotals(s, r);
    return { ...base, startIndex: 0 };
  }
  if (j >= records.length) return { ...base, startIndex: records.length };
  // Only id-less rows were passed on so far: the totals are all that places them.
  if (s.anchor === undefined) return { ...base, startIndex: j + 1 };
  // The anchor should be on this page but is not: it was deleted, or rows moved in a way
  // the totals do not explain. Keep every unseen row older than the anchor.
  if (s.disordered) cannotReconcile(`the last call read is missing from page ${page}`);
  events.push(event('unverified', 0, `the last call read is missing from page ${page}`));
  const olderThan = typeof s.anchor.id === 'number' ? s.anchor.id : undefined;
  return { ...base, startIndex: 0, idlessFrom: j + 1, olderThan };
}

/**
 * A page placed right after the anchor by the totals alone. Sound forward in time only: served
 * before (or alongside) the response that last located the anchor, deletions below the anchor
 * slide calls over the boundary (ordered-boundary.ts proveContinuity). Such a page counts as a
 * provisional proof while no deletion has shown (withdrawn when one does), and is reported
 * `unverified` once deletions have shown.
 */
function notePlacedByTotals(s: DriftState, r: PageReading): void {
  const seen = s.sighting;
  if (seen === undefined || r.sentAfter >= seen.seq) return;
  if (s.deletionsDetected === 0 && !s.deletionSeen) {
    s.quietProofs += 1;
    return;
  }
  r.events.push(
    r.event(
      'unverified',
      0,
      `page ${r.input.page} was placed by totals served in an unknown order while calls are deleted`,
    ),
  );
}

/** Passes on the unseen rows from `start`, dropping duplicates and calls newer than the view. */
function takePositional(s: DriftState, r: PageReading, start: PositionalStart): DriftDecision {
  const { records } = r.input;
  const { offset } = r;
  const { startIndex, pageShift, olderThan, idlessFrom } = start;
  const out: CallLog[] = [];
  const offsets: number[] = [];
  // Out of order, ids say nothing about age: rows are placed by position only.
  const newest = typeof s.newestId === 'number' && !s.disordered ? s.newestId : undefined;
  const floorId = s.disordered ? undefined : s.floorId;
  let lastKeyed = -1;
  for (let i = 0; i < records.length; i += 1) {
    const row = records[i] as CallLog;
    const id = idOf(row);
    if (id === undefined) {
      if (i >= startIndex && i >= idlessFrom) {
        out.push(row);
        offsets.push(offset - pageShift + i);
      }
      continue;
    }
    const known = s.seen.has(id);
    const numeric = typeof id === 'number';
    const afterView = numeric && newest !== undefined && id > newest;
    const tooNew =
      afterView ||
      (numeric && olderThan !== undefined && id > olderThan) ||
      (numeric && floorId !== undefined && id >= floorId);
    if (i < startIndex || tooNew) {
      // Resumed: a row of the view above the anchor was handed on by the earlier run.
      const before = !afterView && numeric && floorId !== undefined && id >= floorId;
      if (known || before) s.duplicatesDropped += 1;
      else s.insertedSeen += 1;
      continue;
    }
    if (known) {
      s.duplicatesDropped += 1;
      continue;
    }
    s.seen.add(id);
    out.push(row);
    offsets.push(offset - pageShift + i);
    lastKeyed = i;
  }
  if (out.length > 0) advancePositional(s, r, { out, pageShift, lastKeyed });
  return { kind: 'accept', records: out, offsets, events: r.events };
}

/** Moves coverage and the anchor past the rows just passed on (`out` is not empty). */
function advancePositional(
  s: DriftState,
  r: PageReading,
  placed: { out: CallLog[]; pageShift: number; lastKeyed: number },
): void {
  const { records, total_records: total } = r.input;
  const { offset } = r;
  const { out, pageShift, lastKeyed } = placed;
  s.covered = Math.max(s.covered, offset - pageShift + records.length);
  s.passed += out.length;
  if (lastKeyed >= 0) {
    s.anchor = { id: idOf(records[lastKeyed]) };
    s.trailing = out.length - 1 - out.indexOf(records[lastKeyed] as CallLog);
    const exact = records.length === r.size || offset + records.length >= total;
    s.sighting = { pos: offset + lastKeyed, total, seq: r.seq, exact };
  } else {
    s.trailing += out.length;
  }
}
