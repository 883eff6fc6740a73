import { SinkError } from './errors.js';

/** Hive's name for the partition of rows whose partition value is null. */
export const HIVE_DEFAULT_PARTITION = '__HIVE_DEFAULT_PARTITION__';

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/**
 * The partition directory name (`date=YYYY-MM-DD`) of a call's date. Paths are built only
 * from this validated value and fixed table names, never from record content: anything that is
 * not a real calendar date fails instead of becoming a path segment (no `../`).
 *
 * @example
 * partitionDir('2024-02-29'); // 'date=2024-02-29'
 * partitionDir(null); // 'date=__HIVE_DEFAULT_PARTITION__'
 */
export function partitionDir(date: string | null): string {
  if (date === null) return `date=${HIVE_DEFAULT_PARTITION}`;
  if (!isCalendarDate(date)) {
    throw new SinkError(
      `Invalid partition date ${JSON.stringify(String(date).slice(0, 40))}: expected YYYY-MM-DD`,
    );
  }
  return `date=${date}`;
}

/** True for a `YYYY-MM-DD` string naming a real day. */
export function isCalendarDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === value;
}
