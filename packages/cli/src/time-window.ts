/**
 * `--since` / `--until`. The API has no date filter and no sort parameter, but its list is newest
 * first (id descending, `time_of_call` rising with id; shared/api/NOTES.md "Ordering and paging").
 * So `--since` can stop paging at the first call older than it, and `--until` can only skip.
 *
 * `time_of_call` is `MM/DD/YYYY HH:MM:SS` (month first) in an undocumented zone, taken to be the
 * `--time-zone` option; the machine's local zone is never used.
 */

/** An inclusive-exclusive window of instants (ms since the epoch). */
export interface TimeWindow {
  /** Calls at or after this instant are kept; older ones end the export. */
  since?: number;
  /** Calls strictly before this instant are kept; newer ones are skipped. */
  until?: number;
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;
const WITH_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
const TIME_OF_CALL = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})$/;

/**
 * Parses a `--since`/`--until` value: a date (`2026-05-01`, midnight in `timeZone`), a local date
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
  const date = DATE_ONLY.exec(trimmed);
  if (date) return zonedToInstant(Number(date[1]), Number(date[2]), Number(date[3]), 0, 0, 0, timeZone);
  const local = LOCAL_DATE_TIME.exec(trimmed);
  if (local) {
    return zonedToInstant(
      Number(local[1]),
      Number(local[2]),
      Number(local[3]),
      Number(local[4]),
      Number(local[5]),
      Number(local[6] ?? 0),
      timeZone,
    );
  }
  return undefined;
}

/**
 * The instant of a call's `time_of_call` (`MM/DD/YYYY HH:MM:SS`, month first) read in `timeZone`,
 * or `undefined` when it is missing or not in that form (such calls are never dropped by the window).
 *
 * @example
 * ```ts
 * timeOfCallInstant('05/04/2026 14:46:15', 'UTC'); // Date.UTC(2026, 4, 4, 14, 46, 15)
 * ```
 */
export function timeOfCallInstant(value: unknown, timeZone: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TIME_OF_CALL.exec(value.trim());
  if (!m) return undefined;
  return zonedToInstant(
    Number(m[3]),
    Number(m[1]),
    Number(m[2]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
    timeZone,
  );
}

/** Where a call falls relative to the window. */
export type WindowPosition = 'inside' | 'newer' | 'older';

/**
 * Classifies a call's instant: `older` than `since` (the export may stop: the list is newest
 * first), `newer` than or equal to `until` (skip it), or `inside`. Unknown instants are `inside`.
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

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Offset of `timeZone` from UTC at `instant`, in ms. */
function offsetAt(instant: number, timeZone: string): number {
  let fmt = formatters.get(timeZone);
  if (!fmt) {
    fmt = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, fmt);
  }
  const parts: Record<string, number> = {};
  for (const part of fmt.formatToParts(new Date(instant))) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  const asUtc = Date.UTC(
    parts['year'] ?? 0,
    (parts['month'] ?? 1) - 1,
    parts['day'] ?? 1,
    parts['hour'] ?? 0,
    parts['minute'] ?? 0,
    parts['second'] ?? 0,
  );
  return asUtc - (instant - (instant % 1000));
}

/** The instant at which the wall clock in `timeZone` shows the given local time. */
function zonedToInstant(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  timeZone: string,
): number | undefined {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  if (new Date(wall).getUTCDate() !== day) return undefined;
  // Two passes settle DST transitions: guess with the offset at the wall time, then correct.
  const first = wall - offsetAt(wall, timeZone);
  return wall - offsetAt(first, timeZone);
}
