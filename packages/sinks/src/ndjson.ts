import { createGzip } from 'node:zlib';
import type { Row, TableSchema } from '@omnidim-stream/transform';
import { oneOf } from './option-checks.js';
import { TableWriter, type TableWriterBaseOptions } from './table-writer.js';
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
 * (`toISOString()`), int64/float64 as JSON numbers, null as `null`. Pure; used by the writer.
 *
 * @example
 * encodeNdjson(schema, [{ id: 1, at: new Date(0) }]); // '{"id":1,"at":"1970-01-01T00:00:00.000Z"}\n'
 */
export function encodeNdjson(
  schema: TableSchema,
  rows: readonly Row[],
  jsonColumns: 'string' | 'embed' = 'string',
): string {
  const keys = schema.columns.map((c, i) => `${i === 0 ? '{' : ','}${JSON.stringify(c.name)}:`);
  let out = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < schema.columns.length; i++) {
      const column = schema.columns[i]!;
      const value = checkValue(column, row[column.name]);
      line += keys[i];
      if (value === null) line += 'null';
      else if (value instanceof Date) line += `"${value.toISOString()}"`;
      else if (column.type === 'json' && jsonColumns === 'embed')
        line += embedJson(column.name, value as string);
      else line += JSON.stringify(value);
    }
    out += schema.columns.length === 0 ? '{}\n' : `${line}}\n`;
  }
  return out;
}

function embedJson(_column: string, text: string): string {
  // Re-serialise so the line stays one line and valid even if the text had newlines/spaces.
  return JSON.stringify(JSON.parse(text));
}

/** A Writable of one table's rows that writes NDJSON. */
export class NdjsonWriter extends TableWriter {
  readonly #jsonColumns: 'string' | 'embed';

  constructor(options: NdjsonWriterOptions) {
    const compression = oneOf('compression', options.compression ?? DEFAULTS.compression, ['none', 'gzip']);
    const jsonColumns = oneOf('jsonColumns', options.jsonColumns ?? DEFAULTS.jsonColumns, [
      'string',
      'embed',
    ]);
    super(options, compression === 'gzip' ? [createGzip()] : []);
    this.#jsonColumns = jsonColumns;
  }

  protected encode(rows: readonly Row[]): unknown[] {
    return [encodeNdjson(this.schema, rows, this.#jsonColumns)];
  }

  protected finishEncoding(): unknown[] {
    return [];
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
