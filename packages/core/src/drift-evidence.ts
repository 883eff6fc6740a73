/**
 * Evidence the list changed in a way ids must explain (drift.ts "Deletions: detection" and
 * "Ids out of order"): the latest response's total, deletion bounds, and the switch to the
 * positional path on the first sign that ids do not descend.
 */
import type { DriftEventOf } from './drift-page.js';
import type { DriftState } from './drift-state.js';
import { DriftError } from './errors.js';
import type { DriftEvent } from './events.js';
import { numericKey, showsDisorder } from './id-order.js';

/** Remembers the latest response (largest `seq`) and whether the list has lost calls. */
export function noteLatest(s: DriftState, total: number, seq: number): void {
  if (s.latest !== undefined && seq < s.latest.seq) return;
  if (s.latest !== undefined && total < s.latest.total) s.deletionSeen = true;
  s.latest = { seq, total };
}

/** Raises `deletionsDetected` to `bound` with a `deletion` event (loud when ids are out of order). */
export function noteDeletions(
  s: DriftState,
  bound: number,
  events: DriftEvent[],
  event: DriftEventOf,
  detail: string,
): void {
  if (bound > s.deletionsDetected && s.disordered) cannotReconcile(detail);
  if (bound > s.deletionsDetected) {
    events.push(event('deletion', bound - s.deletionsDetected, detail));
    s.deletionsDetected = bound;
  }
}

/**
 * Switches to the positional path when this response shows ids out of order (see "Ids out of
 * order"); deletions seen before cannot be placed without the order: that fails loudly.
 */
export function checkOrder(s: DriftState, records: readonly unknown[]): void {
  const disorder = showsDisorder(records, {
    anchorKey: s.anchor === undefined ? undefined : numericKey(s.anchor.id),
    newestKey: numericKey(s.newestId),
    floorKey: s.floorId,
    seen: s.seen,
    rowsMaySlip: s.deletionsDetected > 0 || s.deletionSeen || s.shortSeen,
  });
  if (!disorder) return;
  s.disordered = true;
  if (s.deletionsDetected > 0 || s.deletionSeen) {
    cannotReconcile('calls were deleted during the export');
  }
}

/**
 * Boundaries accepted on the assumption that the list was not changing (`quietProofs`) are
 * reported `unverified` once deletions show: insertions at the head may have hidden deletions
 * below the anchor from the totals while those pages were served, sliding calls over the
 * boundary unseen. Reported once; the run then cannot claim completeness (completeness.ts).
 */
export function withdrawQuietProofs(s: DriftState, events: DriftEvent[], event: DriftEventOf): void {
  if (s.quietProofs === 0 || (s.deletionsDetected === 0 && !s.deletionSeen)) return;
  events.push(
    event(
      'unverified',
      0,
      `${s.quietProofs} page boundary(ies) were taken as unchanged from equal totals before deletions showed; calls may have slid over them unseen`,
    ),
  );
  s.quietProofs = 0;
}

/** Ids out of order and drift the positions cannot explain: fail rather than guess. */
export function cannotReconcile(detail: string): never {
  throw new DriftError(
    `call ids are not in descending order and ${detail}: which calls were skipped cannot be proven; nothing is committed, run the export again`,
  );
}
