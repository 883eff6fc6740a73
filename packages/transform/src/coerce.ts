/**
 * Per-logical-type coercion of one raw API value.
 *
 * Rules (../shared/api/NOTES.md: Odoo serialises an empty field as `false`, and `""`/`null` are
 * used for the same thing, inconsistently):
 * - `undefined`, `null` and `""` are absent → `null` in every column.
 * - `false` is absent → `null` in every **non-boolean** column; in a boolean column it is `false`.
 * - `int64`: a safe integer, or a string of one (`"12"`); `float64`: a finite number or a numeric
 *   string (`"3.5"`, `"1e3"`); `boolean`: `true`/`false` or the strings `"true"`/`"false"`;
 *   `string`: a string, or a finite number written as text; `timestamp`: `MM/DD/YYYY HH:MM:SS`
 *   or `YYYY-MM-DD HH:MM:SS` read in the `timeZone` option; `json`: any other JSON value,
 *   serialised (`{}` and `[]` are values, not absent).
 * - Anything else does **not fit** (`"abc"` in an int64 column, `1.5` in int64, an object in a
 *   string column, `true` in a number column): the caller keeps it raw in `extra` and counts it.
 */
import type { LogicalType, RowValue } from './table-schema.js';
import { parseApiDateTime } from './time.js';

/** Result of {@link coerceValue}: the column value, or `fits: false` when the value fits no type. */
export type Coerced = { fits: true; value: RowValue } | { fits: false };

const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const ABSENT: Coerced = { fits: true, value: null };
const MISFIT: Coerced = { fits: false };

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
  if (isAbsent(value, type)) return ABSENT;
  switch (type) {
    case 'int64':
      return toInt64(value);
    case 'float64':
      return toFloat64(value);
    case 'boolean':
      if (typeof value === 'boolean') return { fits: true, value };
      if (value === 'true' || value === 'false') return { fits: true, value: value === 'true' };
      return MISFIT;
    case 'string':
      if (typeof value === 'string') return { fits: true, value };
      if (typeof value === 'number' && Number.isFinite(value)) return { fits: true, value: String(value) };
      return MISFIT;
    case 'timestamp': {
      if (typeof value !== 'string') return MISFIT;
      const date = parseApiDateTime(value, timeZone);
      return date === null ? MISFIT : { fits: true, value: date };
    }
    case 'json':
      return toJson(value);
  }
}

function toInt64(value: unknown): Coerced {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && INTEGER_TEXT.test(value.trim())) n = Number(value.trim());
  else return MISFIT;
  return Number.isSafeInteger(n) ? { fits: true, value: n === 0 ? 0 : n } : MISFIT;
}

function toFloat64(value: unknown): Coerced {
  let n: number;
  if (typeof value === 'number') n = value;
  else if (typeof value === 'string' && DECIMAL_TEXT.test(value.trim())) n = Number(value.trim());
  else return MISFIT;
  return Number.isFinite(n) ? { fits: true, value: n } : MISFIT;
}

function toJson(value: unknown): Coerced {
  if (typeof value === 'number' && !Number.isFinite(value)) return MISFIT;
  if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return MISFIT;
  try {
    const text = JSON.stringify(value);
    return text === undefined ? MISFIT : { fits: true, value: text };
  } catch {
    return MISFIT;
  }
}
