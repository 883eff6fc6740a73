import { createGzip } from 'node:zlib';
import type { Row, TableSchema } from '@omnidim-stream/transform';
import { NdjsonRowEncoder } from './ndjson-row-encoder.js';
import { oneOf } from './option-checks.js';
import { TableWriter, type TableWriterBaseOptions } from './table-writer.js';

export { NdjsonRowEncoder } from './ndjson-row-encoder.js';
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
 * JSON numbers with a decimal point when whole (`12.0`, see `doubleText()`), null as `null`.
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
 * Compiles the NDJSON encoder of one schema once (the writer's {@link NdjsonRowEncoder}); the
 * output of a batch is one string, the UTF-8 decoding of the bytes the writer writes.
 *
 * @example
 * const encode = compileNdjsonEncoder(CALLS_SCHEMA);
 * const text = encode(rows); // one line per row
 */
export function compileNdjsonEncoder(
  schema: TableSchema,
  jsonColumns: 'string' | 'embed' = 'string',
): NdjsonEncoder {
  const encoder = new NdjsonRowEncoder(schema, jsonColumns);
  return (rows) => {
    const full: Buffer[] = [];
    try {
      encoder.encode(rows, full);
      return encoder.text(full);
    } finally {
      // Also on a refused row: the rows before it must not lead the next batch.
      encoder.discard();
    }
  };
}

/**
 * Compiles the line encoder of one schema once: one row → its NDJSON line as a string (see
 * {@link compileNdjsonEncoder}; the writer itself encodes rows straight into bytes).
 *
 * @example
 * const line = compileNdjsonLineEncoder(CALLS_SCHEMA);
 * line(row); // '{"id":1,…}\n'
 */
export function compileNdjsonLineEncoder(
  schema: TableSchema,
  jsonColumns: 'string' | 'embed' = 'string',
): NdjsonLineEncoder {
  const encode = compileNdjsonEncoder(schema, jsonColumns);
  return (row) => encode([row]);
}

/** A Writable of one table's rows that writes NDJSON. */
export class NdjsonWriter extends TableWriter {
  // Encoded lines are handed on in chunks of 64 KiB: one small write per call (a few rows) cost
  // a stream hop, a Buffer and a hash update each.
  readonly #encoder: NdjsonRowEncoder;

  constructor(options: NdjsonWriterOptions) {
    const compression = oneOf('compression', options.compression ?? DEFAULTS.compression, ['none', 'gzip']);
    const jsonColumns = oneOf('jsonColumns', options.jsonColumns ?? DEFAULTS.jsonColumns, [
      'string',
      'embed',
    ]);
    super(options, compression === 'gzip' ? [createGzip()] : []);
    this.#encoder = new NdjsonRowEncoder(this.schema, jsonColumns);
  }

  protected encode(rows: readonly Row[]): unknown[] {
    const full: Buffer[] = [];
    this.#encoder.encode(rows, full);
    return full;
  }

  protected override flushEncoding(): unknown[] {
    const full: Buffer[] = [];
    this.#encoder.flush(full);
    return full;
  }

  protected finishEncoding(): unknown[] {
    return this.flushEncoding();
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
