/**
 * Wall-clock parsing in an explicit IANA time zone, never the machine's.
 *
 * The API writes `time_of_call` as `MM/DD/YYYY HH:MM:SS` (month first: live data has days like
 * `05/20/2026`) and webhook dates as `YYYY-MM-DD HH:MM:SS`, both without a zone
 * (../shared/api/NOTES.md, "Field semantics"). The zone is an option; the offset for a wall time
 * is computed with `Intl.DateTimeFormat`, so `TZ` and the host's zone never matter.
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
const formatters = new Map<string, Intl.DateTimeFormat>();

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
  const trimmed = text.trim();
  let wall: WallTime;
  const us = US_DATE_TIME.exec(trimmed);
  if (us) {
    wall = { year: +us[3]!, month: +us[1]!, day: +us[2]!, hour: +us[4]!, minute: +us[5]!, second: +us[6]! };
  } else {
    const iso = ISO_LOCAL_DATE_TIME.exec(trimmed);
    if (!iso) return null;
    wall = {
      year: +iso[1]!,
      month: +iso[2]!,
      day: +iso[3]!,
      hour: +iso[4]!,
      minute: +iso[5]!,
      second: +iso[6]!,
    };
  }
  if (wall.year < 1000 || wall.month < 1 || wall.month > 12 || wall.day < 1) return null;
  if (wall.day > daysInMonth(wall.year, wall.month)) return null;
  if (wall.hour > 23 || wall.minute > 59 || wall.second > 59) return null;
  return wall;
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
  // Real offsets are within ±18 h, so the offsets a day either side bracket any transition
  // that can affect this wall time.
  const before = offsetAt(asUtc - DAY_MS, timeZone);
  const after = offsetAt(asUtc + DAY_MS, timeZone);
  const candidates: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const instant = asUtc - offset;
    if (offsetAt(instant, timeZone) === offset) candidates.push(instant);
  }
  // Overlap: two valid instants, take the earlier. Gap: none, read with the earlier offset.
  if (candidates.length > 0) return new Date(Math.min(...candidates));
  return new Date(asUtc - before);
}

/**
 * Parses an API date-time string in `timeZone` into an instant; `null` when unparseable.
 *
 * @example
 * parseApiDateTime('05/04/2026 14:46:15', 'UTC')?.toISOString(); // '2026-05-04T14:46:15.000Z'
 */
export function parseApiDateTime(text: string, timeZone: string): Date | null {
  const wall = parseWallTime(text);
  return wall === null ? null : zonedWallTimeToDate(wall, timeZone);
}

/**
 * The calendar date (`YYYY-MM-DD`) that clocks in `timeZone` show at `instant`: the partition
 * date of a call.
 *
 * @example
 * localDateOf(new Date('2026-05-05T03:30:00Z'), 'America/New_York'); // '2026-05-04'
 */
export function localDateOf(instant: Date, timeZone: string): string {
  const w = wallTimeAt(instant.getTime(), timeZone);
  return `${String(w.year).padStart(4, '0')}-${pad2(w.month)}-${pad2(w.day)}`;
}

/** Offset of `timeZone` from UTC at `instantMs`, in ms (east positive), whole seconds. */
function offsetAt(instantMs: number, timeZone: string): number {
  const floored = Math.floor(instantMs / 1000) * 1000;
  const w = wallTimeAt(floored, timeZone);
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second) - floored;
}

function wallTimeAt(instantMs: number, timeZone: string): WallTime {
  const parts = formatterFor(timeZone).formatToParts(new Date(instantMs));
  const get = (type: Intl.DateTimeFormatPartTypes): number => {
    const part = parts.find((p) => p.type === type);
    return part === undefined ? 0 : Number(part.value);
  };
  return {
    year: get('year'),
    month: get('month'),
    day: get('day'),
    hour: get('hour'),
    minute: get('minute'),
    second: get('second'),
  };
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
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}
