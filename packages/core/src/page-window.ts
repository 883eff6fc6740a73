/**
 * Drift arithmetic in start offsets (drift.ts "Coordinates"), exported for tests and docs.
 */

/** Start-offset window a page covered: `[start, end)`. */
export function pageWindow(
  page: number,
  pageSize: number,
  received: number,
  total: number,
  totalAtStart: number,
): { start: number; end: number; shift: number } {
  const shift = total - totalAtStart;
  const start = (page - 1) * pageSize - shift;
  return { start, end: start + received, shift };
}

/** Gap in start offsets between covered `[0, covered)` and a window starting at `start` (0 = none). */
export function gapBefore(covered: number, start: number): number {
  return Math.max(0, start - covered);
}
