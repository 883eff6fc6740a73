/**
 * A `Date` as the quoted text of `toISOString()` (`"2025-01-06T21:39:19.000Z"`), written straight
 * into bytes from `getTime()` by calendar arithmetic: `toISOString()` cost ~0.5 µs per value and a
 * string (issue 21). Years outside 0000–9999 (where `toISOString()` writes `+012345` or `-000001`)
 * still go through `toISOString()`.
 */
import { writeAscii } from './ascii-bytes.js';

/** Bytes {@link writeIsoInstant} writes for a year 0000–9999: 24 characters and two quotes. */
export const ISO_INSTANT_BYTES = 26;

const DAY_MS = 86_400_000;
/** 0000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z in ms since the epoch. */
const FIRST_MS = -62_167_219_200_000;
const LAST_MS = 253_402_300_799_999;
const QUOTE = 0x22;
const ZERO = 0x30;

function write2(buf: Uint8Array, at: number, value: number): number {
  const tens = (value / 10) | 0;
  buf[at] = ZERO + tens;
  buf[at + 1] = ZERO + (value - tens * 10);
  return at + 2;
}

/**
 * Writes `"` + `date.toISOString()` + `"` at `at` (the date is valid); returns the offset after.
 * The caller leaves room for 40 bytes.
 *
 * @example
 * writeIsoInstant(buf, 0, new Date(0)); // 26: "1970-01-01T00:00:00.000Z" with quotes
 */
export function writeIsoInstant(buf: Uint8Array, at: number, date: Date): number {
  const ms = date.getTime();
  if (ms < FIRST_MS || ms > LAST_MS) return writeAscii(buf, at, `"${date.toISOString()}"`);
  const days = Math.floor(ms / DAY_MS);
  let rest = ms - days * DAY_MS;
  // Civil date of a day number (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"):
  // eras of 400 years counted from 0000-03-01, so the leap day ends each cycle's year.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra -
      Math.floor(dayOfEra / 1460) +
      Math.floor(dayOfEra / 36_524) -
      Math.floor(dayOfEra / 146_096)) /
      365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  const hours = (rest / 3_600_000) | 0;
  rest -= hours * 3_600_000;
  const minutes = (rest / 60_000) | 0;
  rest -= minutes * 60_000;
  const seconds = (rest / 1000) | 0;
  rest -= seconds * 1000;
  buf[at++] = QUOTE;
  at = write2(buf, at, (year / 100) | 0);
  at = write2(buf, at, year % 100);
  buf[at++] = 0x2d; // -
  at = write2(buf, at, month);
  buf[at++] = 0x2d;
  at = write2(buf, at, day);
  buf[at++] = 0x54; // T
  at = write2(buf, at, hours);
  buf[at++] = 0x3a; // :
  at = write2(buf, at, minutes);
  buf[at++] = 0x3a;
  at = write2(buf, at, seconds);
  buf[at++] = 0x2e; // .
  buf[at++] = ZERO + ((rest / 100) | 0);
  at = write2(buf, at, rest % 100);
  buf[at++] = 0x5a; // Z
  buf[at++] = QUOTE;
  return at;
}
