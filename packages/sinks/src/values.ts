import { type ColumnSchema, calendarDateDays, type RowValue } from '@omnidim-stream/transform';
import { SinkError } from './errors.js';

/**
 * Checks one value against its column's logical type (see `LogicalType` in the transform) and
 * returns it unchanged. Every format calls this before encoding, so a row that breaks the
 * schema fails the same way in NDJSON, CSV and Parquet instead of being written differently
 * (or silently) by each encoder.
 */
export function checkValue(column: ColumnSchema, value: RowValue | undefined): RowValue {
  if (value === null || value === undefined) {
    if (!column.nullable)
      throw new SinkError(`Column "${column.name}" is not nullable but the row holds null`);
    return null;
  }
  switch (column.type) {
    case 'int64':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      break;
    case 'float64':
      // JSON and CSV have no portable spelling of NaN/Infinity; rejecting them keeps the three
      // formats value-for-value identical.
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'string':
    case 'json':
      if (typeof value === 'string') return value;
      break;
    case 'timestamp':
      if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
      break;
    case 'date':
      if (typeof value === 'string' && calendarDateDays(value) !== undefined) return value;
      break;
  }
  throw new SinkError(`Column "${column.name}" (${column.type}) cannot hold ${describeValue(value)}`);
}

function describeValue(value: unknown): string {
  if (value instanceof Date) return 'an invalid Date';
  if (typeof value === 'number') return `the number ${value}`;
  // A string is named only by its type: values may be sensitive (transcripts, payloads).
  return `a ${typeof value}`;
}
