/**
 * Calendar dates (`YYYY-MM-DD`): the in-memory form of `date` columns. Every format writes this
 * text as is (Parquet as days since 1970-01-01), and DuckDB's CSV and JSON sniffers read exactly
 * this spelling as DATE (measured with DuckDB 1.5, issue 17), so one check guards all of them.
 */

const DATE_TEXT = /^(\d{4})-(\d{2})-(\d{2})$/;

const DAY_MS = 86_400_000;

/**
 * Days since 1970-01-01 of a `YYYY-MM-DD` calendar date, or `undefined` when the text is not a
 * real date (`2024-02-30`, `2024-2-3`, `20240203`).
 *
 * @example
 * calendarDateDays('1970-01-02'); // 1
 * calendarDateDays('2024-02-30'); // undefined
 */
export function calendarDateDays(text: string): number | undefined {
  const match = DATE_TEXT.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // Date.UTC rolls 2024-02-30 over to March: a real date survives the round trip unchanged.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) {
    return undefined;
  }
  return ms / DAY_MS;
}
