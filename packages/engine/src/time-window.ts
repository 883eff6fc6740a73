/**
 * `since` / `until`. The API has no date filter and no sort parameter, but its list is newest
 * first (id descending, `time_of_call` rising with id; docs/api-notes.md "Ordering and paging").
 * So `since` can stop paging once calls are older than it (after a run of them: one wrong time
 * must not end the export, stray-old-call.ts), and `until` can only skip.
 *
 * There is one parser of wall times in the project, the transform's (`parseApiDateTime`,
 * `zonedWallTimeToDate`): the window reads `time_of_call` exactly as the `calls` table stores it,
 * DST gaps and overlaps included, so a call kept by `until` never has a stored time past it.
 * The machine's local zone is never used.
 */
import { parseApiDateTime, zonedWallTimeToDate } from '@omnidim-stream/transform';

/** An inclusive-exclusive window of instants (ms since the epoch). */
export interface TimeWindow {
  /** Calls at or after this instant are kept; a run of older ones ends the export (stray-old-call.ts). */
  since?: number;
  /** Calls strictly before this instant are kept; newer ones are skipped. */
  until?: number;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/**
 * Parses a `since`/`until` value: a date (`2026-05-01`, midnight in `timeZone`), a local date
 * and time (`2026-05-01T08:00`, in `timeZone`) or an ISO instant with `Z` or an offset. Returns
 * `undefined` when the text is none of these.
 *
 * @example
 * ```ts
 * parseWindowBound('2026-05-01', 'Europe/Paris'); // Date.UTC(2026, 3, 30, 22)
 * ```
 */
export function parseWindowBound(text: string, timeZone: string): number | undefined {
  const trimmed = text.trim();
  if (WITH_ZONE.test(trimmed)) {
    const ms = Date.parse(trimmed);
    return Number.isNaN(ms) ? undefined : ms;
  }
  const m = DATE_ONLY.exec(trimmed) ?? LOCAL_DATE_TIME.exec(trimmed);
  if (!m) return undefined;
  const wall = {
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4] ?? 0),
    minute: Number(m[5] ?? 0),
    second: Number(m[6] ?? 0),
  };
  const asUtc = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  // Date.UTC rolls 02-30 over to 03-02; a rolled-over field means the text named no real time.
  if (
    asUtc.getUTCMonth() !== wall.month - 1 ||
    asUtc.getUTCDate() !== wall.day ||
    asUtc.getUTCHours() !== wall.hour ||
    asUtc.getUTCMinutes() !== wall.minute ||
    asUtc.getUTCSeconds() !== wall.second
  ) {
    return undefined;
  }
  return zonedWallTimeToDate(wall, timeZone).getTime();
}

/**
 * The instant of a call's `time_of_call` read in `timeZone` by the transform's parser, or
 * `undefined` when it is missing or unparseable (such calls are never dropped by the window).
 *
 * @example
 * ```ts
 * timeOfCallInstant('05/04/2026 14:46:15', 'UTC'); // Date.UTC(2026, 4, 4, 14, 46, 15)
 * ```
 */
export function timeOfCallInstant(value: unknown, timeZone: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  return parseApiDateTime(value, timeZone)?.getTime();
}

/** Where a call falls relative to the window. */
export type WindowPosition = 'inside' | 'newer' | 'older';

/**
 * Classifies a call's instant: `older` than `since` (a run of them stops the export: the list is
 * newest first), `newer` than or equal to `until` (skip it), or `inside`. Unknown instants are `inside`.
 */
export function windowPosition(instant: number | undefined, window: TimeWindow): WindowPosition {
  if (instant === undefined) return 'inside';
  if (window.since !== undefined && instant < window.since) return 'older';
  if (window.until !== undefined && instant >= window.until) return 'newer';
  return 'inside';
}

/** True when `timeZone` is an IANA zone name this runtime knows. */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
    return true;
  } catch {
    return false;
  }
}
