import { createGzip } from 'node:zlib';
import type { Row, TableSchema } from '@omnidim-stream/transform';
import { stringify } from 'csv-stringify';
import { doubleText } from './double-text.js';
import { isBoolean, oneOf } from './option-checks.js';
import { TableWriter, type TableWriterBaseOptions } from './table-writer.js';
import { checkValue } from './values.js';

export type { Destination, TableWriterBaseOptions, WrittenFile } from './table-writer.js';
export { TableWriter } from './table-writer.js';

/** Options of {@link createCsvWriter}. */
export interface CsvWriterOptions extends TableWriterBaseOptions {
  /** `'gzip'` writes gzip bytes (name the file `.csv.gz`). Default `'none'`. */
  compression?: 'none' | 'gzip';
  /**
   * Prefix `'` to `string` cells that start with `=`, `+`, `-`, `@`, tab or CR, so a spreadsheet
   * does not run them as formulas (OWASP "CSV injection"). Default `false`: this package writes
   * data-lake files read by DuckDB/Spark/pandas, and the guard changes values (the CSV would no
   * longer match the NDJSON and Parquet exports, and `-` starts many ordinary strings). Turn it
   * on when the CSV is meant to be opened in Excel/Sheets. Numbers, booleans, timestamps and
   * JSON text are never prefixed (JSON text cannot start a formula).
   */
  formulaGuard?: boolean;
}

const DEFAULTS = { compression: 'none', formulaGuard: false } as const;

const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Casts one row into CSV cells in schema order: ISO 8601 UTC timestamps (`…Z`), dates as
 * `YYYY-MM-DD`, `true`/`false`, int64 via `String()`, float64 with a decimal point when whole
 * (`12.0`, see {@link doubleText}), JSON columns as their JSON text, `null` as an empty unquoted cell.
 * Empty strings are written as `""` (see the writer's `quoted_match`) so they stay distinct from
 * null; read with DuckDB's `allow_quoted_nulls=false` to keep that distinction.
 *
 * @example
 * csvCells(schema, { id: 1, name: '=1+1' }, true); // ['1', "'=1+1"]
 */
export function csvCells(schema: TableSchema, row: Row, formulaGuard: boolean): (string | null)[] {
  const cells: (string | null)[] = new Array(schema.columns.length);
  for (let i = 0; i < schema.columns.length; i++) {
    const column = schema.columns[i]!;
    const value = checkValue(column, row[column.name]);
    if (value === null) cells[i] = null;
    else if (value instanceof Date) cells[i] = value.toISOString();
    else if (column.type === 'float64') cells[i] = doubleText(value as number);
    else if (typeof value === 'string') {
      cells[i] = formulaGuard && column.type === 'string' && FORMULA_START.test(value) ? `'${value}` : value;
    } else cells[i] = String(value);
  }
  return cells;
}

/** A Writable of one table's rows that writes RFC 4180 CSV with a header from the schema. */
export class CsvWriter extends TableWriter {
  readonly #formulaGuard: boolean;

  constructor(options: CsvWriterOptions) {
    const compression = oneOf('compression', options.compression ?? DEFAULTS.compression, ['none', 'gzip']);
    const formulaGuard = isBoolean('formulaGuard', options.formulaGuard ?? DEFAULTS.formulaGuard);
    const stringifier = stringify({
      header: true,
      columns: options.schema.columns.map((c) => c.name),
      // Quote only the empty string, so `""` (empty) and an empty cell (null) differ.
      quoted_match: /^$/,
    });
    super(options, compression === 'gzip' ? [stringifier, createGzip()] : [stringifier]);
    this.#formulaGuard = formulaGuard;
  }

  protected encode(rows: readonly Row[]): unknown[] {
    return rows.map((row) => csvCells(this.schema, row, this.#formulaGuard));
  }

  protected finishEncoding(): unknown[] {
    return [];
  }
}

/**
 * Creates a Writable (object mode) of one table's rows that writes CSV (csv-stringify) to a file
 * (atomically) or a stream.
 *
 * @example
 * await pipeline(Readable.from(rows), createCsvWriter({ schema: CALLS_SCHEMA, destination: 'calls.csv' }));
 */
export function createCsvWriter(options: CsvWriterOptions): CsvWriter {
  return new CsvWriter(options);
}
