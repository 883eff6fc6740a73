/**
 * Is the list really id-descending? (issue 11 item 2). docs/api-notes.md only infers that the list is
 * newest first with ids descending: the backend may sort by date, and a bulk call scheduled
 * earlier can get its id out of turn. The drift reconciler's fast path (drift.ts "Deletions: the
 * ordered path") leans on that order to place calls and to infer deletions; served ascending ids
 * it exported 1 of 300 calls and exited 0 ("299 deletions detected"). So every page is checked
 * before the fast path may use it, and the first evidence of disorder moves the reconciler to
 * the positional path for the rest of the run (drift.ts "Ids out of order").
 */
import { idOf } from './call-id.js';

/** A call id as a number when it is one (or a numeric string, docs/api-notes.md: ids may come as text). */
export function numericKey(id: unknown): number | undefined {
  if (typeof id === 'number') return Number.isFinite(id) ? id : undefined;
  if (typeof id === 'string' && /^\d{1,15}$/.test(id)) return Number(id);
  return undefined;
}

/** What {@link showsDisorder} needs to know about the reconciler's state. */
export interface OrderContext {
  /** Numeric id of the last call passed on (undefined: none yet, or not numeric). */
  anchorKey: number | undefined;
  /** Numeric id of the newest call of the view (first row of page 1 at the start). */
  newestKey: number | undefined;
  /** Resumed: numeric ids at or above this (up to `newestKey`) were handed on by the earlier run. */
  floorKey: number | undefined;
  /** Ids passed on in this run. */
  seen: { has(id: unknown): boolean };
  /**
   * A deletion was detected, a response reported fewer calls than an earlier one, or a response
   * came back short: calls can then have slipped past the anchor unread.
   */
  rowsMaySlip: boolean;
}

/**
 * True when a response proves that ids do not descend:
 * - two numeric ids on the page that do not strictly descend (deletions and head insertions
 *   never cause that in an id-descending list), or
 * - while no call can have slipped past the anchor (no deletion, no short page): a call never
 *   passed on whose id is above the last call passed on but not above the view's newest (so not a call inserted since the start) nor
 *   handed on by an earlier run (resume). In an id-descending list without deletions the rows at
 *   or above the anchor are ones already passed on; with deletions, calls slide up across page
 *   boundaries (and a short page lacks calls) and such a row is a call the ordered path skipped
 *   (it reports it `unverified`, completeness.ts counts it missing).
 *
 * @example
 * showsDisorder([{ id: 5 }, { id: 7 }], { anchorKey: undefined, newestKey: 5, floorKey: undefined, seen: new Set(), rowsMaySlip: false }); // true
 */
export function showsDisorder(rows: readonly unknown[], context: OrderContext): boolean {
  let previous: number | undefined;
  for (let i = 0; i < rows.length; i += 1) {
    const id = idOf(rows[i]);
    const key = numericKey(id);
    if (key === undefined) continue;
    if (previous !== undefined && key >= previous) return true;
    previous = key;
    const { anchorKey, newestKey, floorKey } = context;
    if (context.rowsMaySlip || anchorKey === undefined || key <= anchorKey || context.seen.has(id)) continue;
    const inserted = newestKey !== undefined && key > newestKey;
    const handedOnBefore = floorKey !== undefined && key >= floorKey;
    if (!inserted && !handedOnBefore) return true;
  }
  return false;
}
