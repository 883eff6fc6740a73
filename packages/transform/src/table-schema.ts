/**
 * The shape of a declared table schema. Schemas are data, exported so that every sink derives
 * its types from them (Parquet physical types, CSV header order, NDJSON key order) instead of
 * inferring anything from the first page.
 */

/** The four tables one call log is flattened into. */
export const TABLE_NAMES = ['calls', 'interactions', 'function_calls', 'webhooks'] as const;
export type TableName = (typeof TABLE_NAMES)[number];

/**
 * Logical column types and their in-memory row representation:
 * - `int64`: `number` (a safe integer); Parquet writers convert to `bigint`
 * - `float64`: `number`
 * - `boolean`: `boolean`
 * - `string`: `string`
 * - `timestamp`: `Date` (an instant; written as UTC)
 * - `date`: `string`, a calendar date `YYYY-MM-DD` (no time, no zone; Parquet DATE, DuckDB DATE)
 * - `json`: `string` holding JSON text
 */
export type LogicalType = 'int64' | 'float64' | 'boolean' | 'string' | 'timestamp' | 'date' | 'json';

export interface ColumnSchema {
  readonly name: string;
  readonly type: LogicalType;
  readonly nullable: boolean;
  /** One line, shown by `omnidim-stream schema`. */
  readonly description: string;
}

export interface TableSchema {
  readonly name: TableName;
  /** Bumped on every change to the columns; recorded in the dataset manifest. */
  readonly version: number;
  /** One line: what one row of the table is. */
  readonly description?: string;
  /** Natural key columns (no hash ids). */
  readonly primaryKey: readonly string[];
  readonly columns: readonly ColumnSchema[];
}

/** A value in a row; see {@link LogicalType} for which JS type each logical type uses. */
export type RowValue = string | number | boolean | Date | null;

/** One row: column name → value, holding exactly the table's columns. */
export type Row = Record<string, RowValue>;

/** Rows of every table produced from one call log. */
export type TableRows = Record<TableName, Row[]>;
