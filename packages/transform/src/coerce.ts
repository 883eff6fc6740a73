/**
 * Per-logical-type coercion of one raw API value.
 *
 * Rules (docs/api-notes.md: Odoo serialises an empty field as `false`, and `""`/`null` are
 * used for the same thing, inconsistently):
 * - `undefined`, `null` and `""` are absent → `null` in every column.
 * - `false` is absent → `null` in every **non-boolean** column; in a boolean column it is `false`.
 * - `int64`: a safe integer, or a string of one (`"12"`); `float64`: a finite number or a numeric
 *   string (`"3.5"`, `"1e3"`); `boolean`: `true`/`false` or the strings `"true"`/`"false"`;
 *   `string`: a string, or a finite number written as text; `timestamp`: `MM/DD/YYYY HH:MM:SS`
 *   or `YYYY-MM-DD HH:MM:SS` read in the `timeZone` option; `date`: a `YYYY-MM-DD` calendar date; `json`: any other JSON value,
 *   serialised (`{}` and `[]` are values, not absent).
 * - Anything else does **not fit** (`"abc"` in an int64 column, `1.5` in int64, an object in a
 *   string column, `true` in a number column): the caller keeps it raw in `extra` and counts it.
 */
import { calendarDateDays } from './calendar-date.js';
import type { LogicalType, RowValue } from './table-schema.js';
import { parseApiDateTime } from './time.js';

/** Result of {@link coerceValue}: the column value, or `fits: false` when the value fits no type. */
export type Coerced = { fits: true; value: RowValue } | { fits: false };

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ABSENT: Coerced = { fits: true, value: null };
const MISFIT: Coerced = { fits: false };

/** What {@link coerceToRowValue} returns for a value that fits no type. */
export const MISFIT_VALUE: unique symbol = Symbol('misfit');

/** True for the API's spellings of "no value" in a column of `type`. */
export function isAbsent(value: unknown, type: LogicalType): boolean {
  return value === undefined || value === null || value === '' || (value === false && type !== 'boolean');
}

/**
 * Coerces `value` to `type` following the rules above.
 *
 * @example
 * coerceValue('12', 'int64', 'UTC');   // { fits: true, value: 12 }
 * coerceValue(false, 'string', 'UTC'); // { fits: true, value: null }
 * coerceValue('abc', 'int64', 'UTC');  // { fits: false }
 */
export function coerceValue(value: unknown, type: LogicalType, timeZone: string): Coerced {
  const coerced = coerceToRowValue(value, type, timeZone);
  if (coerced === MISFIT_VALUE) return MISFIT;
  return coerced === null ? ABSENT : { fits: true, value: coerced };
}

/**
 * {@link coerceValue} without the result object: the column value, or {@link MISFIT_VALUE}.
 * The flattener calls this once per field (~150 times per call log), so it allocates nothing
 * beyond the value itself (issue 8: GC was 10–12% of an export).
 *
 * @example
 * coerceToRowValue('12', 'int64', 'UTC'); // 12
 * coerceToRowValue('abc', 'int64', 'UTC') === MISFIT_VALUE; // true
 */
export function coerceToRowValue(
  value: unknown,
  type: LogicalType,
  timeZone: string,
): RowValue | typeof MISFIT_VALUE {
  if (isAbsent(value, type)) return null;
  switch (type) {
    case 'int64':
      return toInt64(value);
    case 'float64':
      return toFloat64(value);
    case 'boolean':
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      return MISFIT_VALUE;
    case 'string':
      if (typeof value === 'string') return value;
      if (typeof value === 'number' && Number.isFinite(value)) return String(value);
      return MISFIT_VALUE;
    case 'timestamp': {
      if (typeof value !== 'string') return MISFIT_VALUE;
      return parseApiDateTime(value, timeZone) ?? MISFIT_VALUE;
    }
    case 'date':
      return typeof value === 'string' && calendarDateDays(value) !== undefined ? value : MISFIT_VALUE;
    case 'json':
      return toJson(value);
  }
}

function toInt64(value: unknown): number | typeof MISFIT_VALUE {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) n = Number(value.trim());
  else return MISFIT_VALUE;
  return Number.isSafeInteger(n) ? (n === 0 ? 0 : n) : MISFIT_VALUE;
}

function toFloat64(value: unknown): number | typeof MISFIT_VALUE {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) n = Number(value.trim());
  else return MISFIT_VALUE;
  return Number.isFinite(n) ? n : MISFIT_VALUE;
}

function toJson(value: unknown): string | typeof MISFIT_VALUE {
  if (typeof value === 'number' && !Number.isFinite(value)) return MISFIT_VALUE;
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint')
    return MISFIT_VALUE;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? MISFIT_VALUE : text;
  } catch {
    return MISFIT_VALUE;
  }
}
