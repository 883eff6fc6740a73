import { createGzip } from 'node:zlib';
import {
  type ColumnSchema,
  type Row,
  type RowValue,
  type TableSchema,
  wellFormedJsonText,
  wellFormedString,
} from '@omnidim-stream/transform';
import { doubleText } from './double-text.js';
import { SinkError } from './errors.js';
import { oneOf } from './option-checks.js';
import { TableWriter, type TableWriterBaseOptions } from './table-writer.js';
import { Utf8Chunks } from './utf8-chunks.js';
import { checkValue } from './values.js';

export type { Destination, TableWriterBaseOptions, WrittenFile } from './table-writer.js';
export { TableWriter } from './table-writer.js';

/** Options of {@link createNdjsonWriter}. */
export interface NdjsonWriterOptions extends TableWriterBaseOptions {
  /** `'gzip'` writes gzip bytes (name the file `.ndjson.gz`). Default `'none'`. */
  compression?: 'none' | 'gzip';
  /**
   * How `json` columns are written. `'string'` (default): as a JSON string holding the JSON text,
   * so the value is the same text in NDJSON, CSV and Parquet and DuckDB reads it back as VARCHAR
   * (`json(col)` parses it). `'embed'`: as the JSON value itself (nested objects in the line).
   */
  jsonColumns?: 'string' | 'embed';
}

const DEFAULTS = { compression: 'none', jsonColumns: 'string' } as const;

/**
 * Encodes rows as NDJSON lines: keys in schema order, timestamps as ISO 8601 UTC
 * (`toISOString()`, ending in `Z`), dates as `"YYYY-MM-DD"`, int64 as JSON integers, float64 as
 * JSON numbers with a decimal point when whole (`12.0`, see {@link doubleText}), null as `null`.
 * Pure; used by the writer.
 *
 * @example
 * encodeNdjson(schema, [{ id: 1, at: new Date(0) }]); // '{"id":1,"at":"1970-01-01T00:00:00.000Z"}\n'
 */
export function encodeNdjson(
  schema: TableSchema,
  rows: readonly Row[],
  jsonColumns: 'string' | 'embed' = 'string',
): string {
  return compileNdjsonEncoder(schema, jsonColumns)(rows);
}

/** Encodes a batch of rows into NDJSON lines (see {@link compileNdjsonEncoder}). */
export type NdjsonEncoder = (rows: readonly Row[]) => string;

/** Encodes one row into one NDJSON line, newline included (see {@link compileNdjsonLineEncoder}). */
export type NdjsonLineEncoder = (row: Row) => string;

/**
 * Compiles the NDJSON encoder of one schema once (see {@link compileNdjsonLineEncoder}); the
 * output of a batch is one string.
 *
 * @example
 * const encode = compileNdjsonEncoder(CALLS_SCHEMA);
 * const text = encode(rows); // one line per row
 */
export function compileNdjsonEncoder(
  schema: TableSchema,
  jsonColumns: 'string' | 'embed' = 'string',
): NdjsonEncoder {
  const line = compileNdjsonLineEncoder(schema, jsonColumns);
  return (rows) => {
    let out = '';
    for (let r = 0; r < rows.length; r++) out += line(rows[r]!);
    return out;
  };
}

/**
 * Compiles the line encoder of one schema once: each column's key is escaped once (`,"name":`)
 * and gets a writer chosen by its type, so encoding a row is one pass of checks and string
 * appends with no per-value type dispatch on the column. One row is one short string, which the
 * writer puts into its chunk Buffer at once (see utf8-chunks.ts for why not one string per batch).
 * Values are checked exactly as {@link checkValue} does (same errors in every format).
 *
 * @example
 * const line = compileNdjsonLineEncoder(CALLS_SCHEMA);
 * line(row); // '{"id":1,…}\n'
 */
export function compileNdjsonLineEncoder(
  schema: TableSchema,
  jsonColumns: 'string' | 'embed' = 'string',
): NdjsonLineEncoder {
  const columns = schema.columns;
  if (columns.length === 0) return () => '{}\n';
  const names = columns.map((c) => c.name);
  const keys = columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  const writers = columns.map((c) => valueWriter(c, jsonColumns));
  const count = columns.length;
  return (row) => {
    let out = '';
    for (let i = 0; i < count; i++) out += keys[i]! + writers[i]!(row[names[i]!]);
    return `${out}}\n`;
  };
}

type ValueWriter = (value: RowValue | undefined) => string;

/** The JSON text of one column's values; anything the column cannot hold goes to checkValue (throws). */
function valueWriter(column: ColumnSchema, jsonColumns: 'string' | 'embed'): ValueWriter {
  const nullable = column.nullable;
  // Fast paths accept exactly what checkValue accepts; every other value (null on a required
  // column, a wrong type) is passed to checkValue, which throws the common error.
  const fallback = (value: RowValue | undefined): string => {
    if ((value === null || value === undefined) && nullable) return 'null';
    checkValue(column, value);
    throw new SinkError(`Column "${column.name}" holds an unexpected value`);
  };
  switch (column.type) {
    case 'int64':
      return (v) => (typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : fallback(v));
    case 'float64':
      // doubleText() of a finite number is a JSON number that DuckDB reads as DOUBLE.
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? doubleText(v) : fallback(v));
    case 'boolean':
      return (v) => (v === true ? 'true' : v === false ? 'false' : fallback(v));
    case 'timestamp':
      // `Z` is the explicit UTC offset. DuckDB's read_json infers TIMESTAMP (no zone) for every
      // ISO spelling with an offset (`Z`, `+00:00`, `+0000`; a space instead of `T` gives VARCHAR),
      // converting the offset to UTC; only the reader views (duckdb.ts) make it TIMESTAMPTZ.
      return (v) => (v instanceof Date && !Number.isNaN(v.getTime()) ? `"${v.toISOString()}"` : fallback(v));
    case 'date':
      return (v) => (typeof v === 'string' ? `"${checkValue(column, v) as string}"` : fallback(v));
    case 'json':
      if (jsonColumns === 'embed') {
        // Re-serialise so the line stays one line and valid even if the text had newlines/spaces.
        return (v) =>
          typeof v === 'string' ? wellFormedJsonText(JSON.stringify(JSON.parse(v))) : fallback(v);
      }
      return (v) => (typeof v === 'string' ? JSON.stringify(wellFormedString(v)) : fallback(v));
    default:
      // A lone surrogate would be written as a `\ud800` escape, which makes DuckDB refuse the
      // whole file; U+FFFD is what the CSV and Parquet writers store for it (issue 13).
      return (v) => (typeof v === 'string' ? JSON.stringify(wellFormedString(v)) : fallback(v));
  }
}

/** A Writable of one table's rows that writes NDJSON. */
export class NdjsonWriter extends TableWriter {
  readonly #line: NdjsonLineEncoder;
  // Encoded lines are handed on in chunks of 64 KiB: one small write per call (a few rows) cost
  // a stream hop, a Buffer and a hash update each.
  readonly #chunks = new Utf8Chunks();

  constructor(options: NdjsonWriterOptions) {
    const compression = oneOf('compression', options.compression ?? DEFAULTS.compression, ['none', 'gzip']);
    const jsonColumns = oneOf('jsonColumns', options.jsonColumns ?? DEFAULTS.jsonColumns, [
      'string',
      'embed',
    ]);
    super(options, compression === 'gzip' ? [createGzip()] : []);
    this.#line = compileNdjsonLineEncoder(this.schema, jsonColumns);
  }

  protected encode(rows: readonly Row[]): unknown[] {
    const full: Buffer[] = [];
    for (let r = 0; r < rows.length; r++) this.#chunks.append(this.#line(rows[r]!), full);
    return full;
  }

  protected finishEncoding(): unknown[] {
    const full: Buffer[] = [];
    this.#chunks.flush(full);
    return full;
  }
}

/**
 * Creates a Writable (object mode) of one table's rows that writes NDJSON to a file (atomically)
 * or a stream. Honours backpressure; flushes on `end()`; `result()` gives rows, bytes, sha256.
 *
 * @example
 * import { pipeline } from 'node:stream/promises';
 * import { Readable } from 'node:stream';
 * await pipeline(Readable.from(rows), createNdjsonWriter({ schema: CALLS_SCHEMA, destination: 'calls.ndjson' }));
 */
export function createNdjsonWriter(options: NdjsonWriterOptions): NdjsonWriter {
  return new NdjsonWriter(options);
}
