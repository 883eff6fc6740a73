/**
 * Boundary probes of the ordered path (drift.ts "Deletions: the ordered path"): one request with
 * its own `pagesize` that reads the list around where the anchor is estimated to be now.
 */
import type { DriftState } from './drift-state.js';

/** Largest `pagesize` the API accepts (docs/api-notes.md "Endpoints"); probes use up to this. */
export const PROBE_MAX_SIZE = 150;
/** Rows a probe keeps above the anchor's estimated position (deletions below it skew the aim). */
const PROBE_MARGIN = 16;

/**
 * The request that reads the list around current offset `aim` in ONE response: a `pagesize`
 * (half of {@link PROBE_MAX_SIZE} up to it) and `pageno` whose window `[(pageno − 1)·size,
 * pageno·size)` holds `aim` with up to 16 rows above it and as many rows below it as possible.
 * A different page size is what lets one response straddle a boundary of the export's page grid.
 *
 * @example
 * probeWindow(299); // { page: 3, pageSize: 141 }: offsets 282..422
 */
export function probeWindow(aim: number, maxSize = PROBE_MAX_SIZE): { page: number; pageSize: number } {
  const target = Math.max(0, aim);
  const above = Math.min(target, PROBE_MARGIN);
  let best = { page: 1, pageSize: maxSize, below: -1 };
  for (let size = maxSize; size >= Math.max(1, Math.ceil(maxSize / 2)); size -= 1) {
    const index = Math.floor((target - above) / size);
    const below = (index + 1) * size - 1 - target;
    if (below > best.below) best = { page: index + 1, pageSize: size, below };
  }
  return { page: best.page, pageSize: best.pageSize };
}

/** Current offset to aim the next probe at: the anchor's estimated position now. */
export function probeTarget(s: DriftState): number {
  const latest = s.latest?.total ?? s.totalAtStart ?? 0;
  if (s.probeAim !== undefined) return s.probeAim.pos + latest - s.probeAim.total;
  if (s.sighting !== undefined) return s.sighting.pos + latest - s.sighting.total;
  return s.covered - 1 + latestShift(s);
}

/** Latest known shift of the anchor (aims a resumed source's first request; see checkpoint.ts). */
export function latestShift(s: DriftState): number {
  return Number.isFinite(s.maxShift) ? s.maxShift + s.correction : 0;
}
