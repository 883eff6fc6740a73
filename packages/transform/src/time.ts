/**
 * Wall-clock parsing in an explicit IANA time zone, never the machine's.
 *
 * The API writes `time_of_call` as `MM/DD/YYYY HH:MM:SS` (month first: live data has days like
 * `05/20/2026`) and webhook dates as `YYYY-MM-DD HH:MM:SS`, both without a zone
 * (docs/api-notes.md, "Field semantics"). The zone is an option; the offset for a wall time
 * comes from `Intl.DateTimeFormat`, so `TZ` and the host's zone never matter. UTC needs no
 * `Intl` at all, and other zones' offsets are cached per hour (see `offsetAt`): `Intl` on every
 * conversion was 15% of an export's CPU (issue 8).
 *
 * DST rule (the same as Temporal's `disambiguation: 'compatible'` and java.time):
 * - a wall time in a **gap** (spring forward, e.g. 02:30 on 2026-03-08 in America/New_York)
 *   is read with the offset in force *before* the gap, i.e. moved forward by the gap's length
 *   (02:30 → 03:30 EDT = 07:30Z);
 * - a wall time in an **overlap** (fall back, e.g. 01:30 on 2026-11-01 in America/New_York)
 *   is the *earlier* of the two instants (01:30 EDT = 05:30Z).
 */
import { InvalidOptionError } from '@omnidim-stream/core';

/** A wall-clock date and time, fields as written (month 1–12). */
export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

// `MM/DD/YYYY HH:MM:SS`, month first; one-digit month/day/hour tolerated.
const US_DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4}) (\d{1,2}):(\d{2}):(\d{2})$/;
// `YYYY-MM-DD HH:MM:SS` (webhook dates); a `T` separator is tolerated.
const ISO_LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/;

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Zones whose offset is 0 at every instant: `Intl` canonicalises `utc`, `Etc/UTC`, … to one of
 * these. They skip `Intl` altogether (the default zone, so the common case).
 */
const UTC_ZONES: ReadonlySet<string> = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

/**
 * Instants between which years are 1000–9999, so `Date.UTC` arithmetic and `Intl`'s `year` part
 * agree (`Date.UTC` maps years 0–99 to 19xx and `Intl` writes era years before year 1). Outside
 * it the original `Intl` path runs, so behaviour there is unchanged.
 */
const FAST_MIN_MS = Date.UTC(1000, 0, 2);
const FAST_MAX_MS = Date.UTC(9999, 11, 30);

/**
 * Zone offset (ms) per whole UTC hour, per zone: `Intl#formatToParts` costs ~10 µs, and a call
 * log needs several conversions (issue 8 profile: 15% of an export). An hour is cached only when
 * the offsets at its first and last second agree, i.e. no transition falls inside it (tzdb has no
 * two transitions within an hour of each other); an hour holding a transition is marked `NaN`
 * and every instant in it goes to `Intl`, so DST gaps and overlaps stay exact.
 */
const offsetCaches = new Map<string, Map<number, number>>();
/** Bound per zone (~11 years of hours): past it the cache starts over rather than growing. */
const MAX_CACHED_HOURS = 100_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * Checks an IANA zone name through `Intl` and returns its canonical spelling.
 * Throws {@link InvalidOptionError} naming `option` (default `timeZone`) when `Intl` rejects it.
 *
 * @example
 * validateTimeZone('asia/kolkata'); // 'Asia/Kolkata'
 */
export function validateTimeZone(timeZone: unknown, option = 'timeZone'): string {
  const expected = 'an IANA time zone name such as "UTC" or "America/New_York"';
  if (typeof timeZone !== 'string' || timeZone.trim() === '') {
    throw new InvalidOptionError(option, expected, timeZone);
  }
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch (error) {
    throw new InvalidOptionError(option, expected, timeZone, { cause: error });
  }
}

/**
 * Parses `MM/DD/YYYY HH:MM:SS` (month first) or `YYYY-MM-DD HH:MM:SS` into its wall-clock
 * fields; `null` when the text matches neither or names an impossible date (`02/30/2026`).
 *
 * @example
 * parseWallTime('05/20/2026 09:05:00'); // { year: 2026, month: 5, day: 20, hour: 9, minute: 5, second: 0 }
 */
export function parseWallTime(text: string): WallTime | null {
  const ms = wallTimeMs(text);
  if (Number.isNaN(ms)) return null;
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/**
 * The instant at which the clocks in `timeZone` show `wall`, with the DST rule documented at
 * the top of this file. `timeZone` must already be valid ({@link validateTimeZone}).
 *
 * @example
 * zonedWallTimeToDate({ year: 2026, month: 5, day: 4, hour: 14, minute: 46, second: 15 }, 'Asia/Kolkata');
 * // 2026-05-04T09:16:15.000Z
 */
export function zonedWallTimeToDate(wall: WallTime, timeZone: string): Date {
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return new Date(zonedWallMsToInstant(asUtc, timeZone));
}

/**
 * Parses an API date-time string in `timeZone` into an instant; `null` when unparseable.
 *
 * @example
 * parseApiDateTime('05/04/2026 14:46:15', 'UTC')?.toISOString(); // '2026-05-04T14:46:15.000Z'
 */
export function parseApiDateTime(text: string, timeZone: string): Date | null {
  const asUtc = wallTimeMs(text);
  return Number.isNaN(asUtc) ? null : new Date(zonedWallMsToInstant(asUtc, timeZone));
}

/**
 * The calendar date (`YYYY-MM-DD`) that clocks in `timeZone` show at `instant`: the partition
 * date of a call.
 *
 * @example
 * localDateOf(new Date('2026-05-05T03:30:00Z'), 'America/New_York'); // '2026-05-04'
 */
export function localDateOf(instant: Date, timeZone: string): string {
  const ms = instant.getTime();
  if (ms >= FAST_MIN_MS && ms <= FAST_MAX_MS) {
    const floored = Math.floor(ms / 1000) * 1000;
    // The local wall time is the instant shifted by the zone's offset: no second `Intl` call.
    return formatCivilDate(Math.floor((floored + offsetAt(floored, timeZone)) / DAY_MS));
  }
  const w = intlWallTimeAt(ms, timeZone);
  return `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}`;
}

/**
 * The wall time written as if it were UTC (`Date.UTC` of its fields), or `NaN` when `text` is
 * not a valid API date-time. The exact 19-character forms the API sends are read with char
 * codes; anything else (one-digit fields, surrounding spaces) goes through the regexes.
 */
function wallTimeMs(text: string): number {
  if (text.length === 19) {
    const fast = fixedWidthWallTimeMs(text);
    if (!Number.isNaN(fast)) return fast;
  }
  const trimmed = text.trim();
  const us = US_DATE_TIME.exec(trimmed);
  if (us) return checkedWallMs(+us[3]!, +us[1]!, +us[2]!, +us[4]!, +us[5]!, +us[6]!);
  const iso = ISO_LOCAL_DATE_TIME.exec(trimmed);
  if (iso) return checkedWallMs(+iso[1]!, +iso[2]!, +iso[3]!, +iso[4]!, +iso[5]!, +iso[6]!);
  return Number.NaN;
}

/**
 * `MM/DD/YYYY HH:MM:SS` or `YYYY-MM-DD[ T]HH:MM:SS`, exactly 19 characters; `NaN` when `text`
 * has neither shape (the caller then tries the regexes, which reject or accept it the same way).
 */
function fixedWidthWallTimeMs(t: string): number {
  const c10 = t.charCodeAt(10);
  if (t.charCodeAt(13) !== 58 || t.charCodeAt(16) !== 58) return Number.NaN; // ':'
  const hour = digits2(t, 11);
  const minute = digits2(t, 14);
  const second = digits2(t, 17);
  if (t.charCodeAt(2) === 47 && t.charCodeAt(5) === 47 && c10 === 32) {
    // MM/DD/YYYY HH:MM:SS
    const year = digits2(t, 6) * 100 + digits2(t, 8);
    return checkedWallMs(year, digits2(t, 0), digits2(t, 3), hour, minute, second);
  }
  if (t.charCodeAt(4) === 45 && t.charCodeAt(7) === 45 && (c10 === 32 || c10 === 84)) {
    // YYYY-MM-DD HH:MM:SS (webhook dates; `T` tolerated)
    const year = digits2(t, 0) * 100 + digits2(t, 2);
    return checkedWallMs(year, digits2(t, 5), digits2(t, 8), hour, minute, second);
  }
  return Number.NaN;
}

/** Two ASCII digits at `i` as a number, `NaN` if either is not a digit (`NaN` then poisons the sum). */
function digits2(t: string, i: number): number {
  const a = t.charCodeAt(i) - 48;
  const b = t.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : Number.NaN;
}

/** `Date.UTC` of the fields, or `NaN` for an impossible date or time (or a `NaN` field). */
function checkedWallMs(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
): number {
  if (!(year >= 1000 && month >= 1 && month <= 12 && day >= 1)) return Number.NaN;
  if (day > daysInMonth(year, month)) return Number.NaN;
  if (!(hour <= 23 && minute <= 59 && second <= 59)) return Number.NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}

/** The instant at which `timeZone` shows the wall time `asUtc` (its fields as if UTC). */
function zonedWallMsToInstant(asUtc: number, timeZone: string): number {
  if (UTC_ZONES.has(timeZone) && asUtc >= FAST_MIN_MS && asUtc <= FAST_MAX_MS) return asUtc;
  // Real offsets are within ±18 h, so the offsets a day either side bracket any transition
  // that can affect this wall time.
  const before = offsetAt(asUtc - DAY_MS, timeZone);
  const after = offsetAt(asUtc + DAY_MS, timeZone);
  const early = asUtc - before;
  const earlyValid = offsetAt(early, timeZone) === before;
  if (before === after) return early; // valid, or (never seen) a gap read with `before` anyway
  const late = asUtc - after;
  const lateValid = offsetAt(late, timeZone) === after;
  // Overlap: two valid instants, take the earlier. Gap: none, read with the earlier offset.
  if (earlyValid && lateValid) return Math.min(early, late);
  if (lateValid) return late;
  return early;
}

/** Offset of `timeZone` from UTC at `instantMs`, in ms (east positive), whole seconds. */
function offsetAt(instantMs: number, timeZone: string): number {
  const floored = Math.floor(instantMs / 1000) * 1000;
  if (!(floored >= FAST_MIN_MS - DAY_MS && floored <= FAST_MAX_MS + DAY_MS)) {
    return intlOffsetAt(floored, timeZone);
  }
  if (UTC_ZONES.has(timeZone)) return 0;
  let cache = offsetCaches.get(timeZone);
  if (cache === undefined) {
    formatterFor(timeZone); // throws for an unknown zone before anything is cached for it
    cache = new Map();
    offsetCaches.set(timeZone, cache);
  }
  const hour = Math.floor(floored / HOUR_MS);
  let offset = cache.get(hour);
  if (offset === undefined) {
    const first = intlOffsetAt(hour * HOUR_MS, timeZone);
    const last = intlOffsetAt(hour * HOUR_MS + HOUR_MS - 1000, timeZone);
    offset = first === last ? first : Number.NaN;
    if (cache.size >= MAX_CACHED_HOURS) cache.clear();
    cache.set(hour, offset);
  }
  return Number.isNaN(offset) ? intlOffsetAt(floored, timeZone) : offset;
}

/** {@link offsetAt} through `Intl`, uncached: the reference every cached value comes from. */
function intlOffsetAt(flooredMs: number, timeZone: string): number {
  const w = intlWallTimeAt(flooredMs, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - flooredMs;
}

function intlWallTimeAt(instantMs: number, timeZone: string): WallTime {
  const wall: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (part.type in wall) wall[part.type as keyof WallTime] = Number(part.value);
  }
  return wall;
}
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function daysInMonth(year: number, month: number): number {
  if (month !== 2) return DAYS_IN_MONTH[month - 1]!;
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
}

/** `YYYY-MM-DD` of a day count since 1970-01-01 (H. Hinnant's `civil_from_days`), years ≥ 1. */
function formatCivilDate(days: number): string {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
