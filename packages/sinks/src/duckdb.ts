import type { LogicalType, TableSchema } from '@omnidim-stream/transform';

/**
 * DuckDB type of each logical type when reading NDJSON/CSV (Parquet carries its own types).
 * `json` columns are read as VARCHAR holding the JSON text (as written; `json(col)` parses it),
 * which keeps them identical across the three formats. Timestamps are UTC instants written
 * with a `Z`, so they are TIMESTAMPTZ, like the Parquet files' `isAdjustedToUTC` timestamps.
 */
export const DUCKDB_TYPES: Readonly<Record<LogicalType, string>> = Object.freeze({
  int64: 'BIGINT',
  float64: 'DOUBLE',
  boolean: 'BOOLEAN',
  string: 'VARCHAR',
  json: 'VARCHAR',
  timestamp: 'TIMESTAMPTZ',
  date: 'DATE',
});

/**
 * The `columns = {...}` struct literal for DuckDB's `read_csv`/`read_json`, derived from the
 * schema so nothing is type-sniffed.
 *
 * @example
 * duckdbColumns(CALLS_SCHEMA); // "{'id': 'BIGINT', 'bot_name': 'VARCHAR', …}"
 */
export function duckdbColumns(schema: TableSchema): string {
  return `{${schema.columns.map((c) => `${sqlString(c.name)}: ${sqlString(DUCKDB_TYPES[c.type])}`).join(', ')}}`;
}

/** The DuckDB table function and file glob suffix for each format (what a one-line query uses). */
export const DUCKDB_READERS = {
  parquet: { fn: 'read_parquet', glob: '*.parquet' },
  csv: { fn: 'read_csv', glob: '*.csv*' },
  ndjson: { fn: 'read_json', glob: '*.ndjson*' },
} as const satisfies Record<DuckdbReadOptions['format'], { fn: string; glob: string }>;

/** Options of {@link duckdbReadSql}. */
export interface DuckdbReadOptions {
  format: 'ndjson' | 'csv' | 'parquet';
  /** A path or glob, e.g. `lake/calls/** /*.parquet` (without the space). */
  path: string;
  schema: TableSchema;
  /** Add the Hive partition column (`month`, `date` or `year`, the lake's grain). Default true. */
  hivePartitioning?: boolean;
}

/**
 * The DuckDB table function call that reads files written by these sinks with the schema's
 * types: `SELECT * FROM ${duckdbReadSql(...)}`. For CSV it sets `allow_quoted_nulls = false`,
 * so `""` reads as an empty string and an empty cell as NULL (how the CSV writer tells them apart).
 *
 * @example
 * duckdbReadSql({ format: 'csv', path: 'lake/calls/*\/*.csv', schema: CALLS_SCHEMA });
 */
export function duckdbReadSql(options: DuckdbReadOptions): string {
  const path = sqlString(options.path);
  const hive = `hive_partitioning = ${options.hivePartitioning === false ? 'false' : 'true'}`;
  switch (options.format) {
    case 'parquet':
      return `read_parquet(${path}, ${hive})`;
    case 'csv':
      return `read_csv(${path}, header = true, delim = ',', quote = '"', escape = '"', allow_quoted_nulls = false, columns = ${duckdbColumns(options.schema)}, ${hive})`;
    case 'ndjson':
      return `read_json(${path}, format = 'newline_delimited', columns = ${duckdbColumns(options.schema)}, ${hive})`;
  }
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A double-quoted SQL identifier (column and view names). */
export function sqlIdentifier(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
