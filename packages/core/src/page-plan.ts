/**
 * Page planning from `total_records`. The plan sizes the prefetch window and the runaway guard;
 * it is never the only stop rule (paging also stops on a short or empty page), because the
 * total changes while an export runs (docs/api-notes.md "Ordering and paging").
 */

/**
 * Pages needed for `total` records at `pageSize` (at least 1: an empty list is one empty page).
 *
 * @example
 * planPageCount(301, 150); // 3
 */
export function planPageCount(total: number, pageSize: number): number {
  return Math.max(1, Math.ceil(total / pageSize));
}

/**
 * Hard bound on page numbers for a server that never returns a short page: the pages the largest
 * `total_records` seen can fill plus one (for the final empty page), and never more than twice
 * the first plan plus 10 (the list would have to double during the export). Exceeding it is a
 * `LimitExceededError`, not a silent stop.
 *
 * @example
 * hardPageBound(300, 300, 150); // 3
 */
export function hardPageBound(totalAtStart: number, maxTotalSeen: number, pageSize: number): number {
  return Math.min(planPageCount(maxTotalSeen, pageSize) + 1, 2 * planPageCount(totalAtStart, pageSize) + 10);
}
