/**
 * Where the anchor (the last call passed on, drift.ts "Coordinates") is now: the page that holds
 * it, the page to refetch to close a gap in front of it, and the id-less rows that follow it.
 */
import { idOf } from './call-id.js';
import type { DriftState } from './drift-state.js';

/**
 * Page that holds the anchor when the list reports `total` (undefined before any row was passed
 * on). Exact under insertions at the head; deletions below the anchor make it a lower bound.
 */
export function anchorPage(s: DriftState, total: number): number | undefined {
  if (s.anchor === undefined || s.covered === 0) return undefined;
  const current = s.covered - 1 + total - (s.totalAtStart ?? total) + s.correction;
  return Math.floor(Math.max(0, current) / s.pageSize) + 1;
}

/** Page to request to fill a gap in front of the current coverage, given the latest shift. */
export function gapRefetchPage(s: DriftState): number {
  if (s.gapCursor !== undefined) return s.gapCursor;
  // The page that now holds the anchor (start offset covered − 1): under insertions the
  // latest shift is the largest one seen; deletions below the anchor do not move it.
  const current = s.covered - 1 + s.maxShift + s.correction;
  return Math.floor(Math.max(0, current) / s.pageSize) + 1;
}

/**
 * Id-less rows at `records[from…]` that are the ones passed on right after the anchor: the run
 * of consecutive id-less rows starting there, at most `trailing` long.
 */
export function idlessRun(s: DriftState, records: readonly unknown[], from: number): number {
  let n = 0;
  while (n < s.trailing && from + n < records.length && idOf(records[from + n]) === undefined) n += 1;
  return n;
}
