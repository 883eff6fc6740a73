/**
 * Typed DuckDB reader views over a lake: what type inference cannot get right by itself. DuckDB's
 * `read_json` reads every ISO instant as TIMESTAMP without a zone (so under a non-UTC session a
 * join with the Parquet files' TIMESTAMPTZ shifts by the session's offset), and a column that is
 * null in every row comes back as JSON or VARCHAR whatever it was declared (issue 17). These
 * views read each table's files with the declared type of every column, in every format.
 */
import { SCHEMAS, TABLE_NAMES, type TableName, type TableSchema } from '@omnidim-stream/transform';
import { DUCKDB_READERS, DUCKDB_TYPES, duckdbReadSql, sqlIdentifier } from './duckdb.js';
import type { Format } from './formats.js';

/** Options of {@link duckdbViewsSql}. */
export interface DuckdbViewsOptions {
  /** The lake's format (its manifest's `format`). */
  format: Format;
  /** Tables to make a view of. Default: all four. A view of a table with no file fails to create. */
  tables?: readonly TableName[];
  /** Default: the transform's `SCHEMAS`. */
  schemas?: Readonly<Record<TableName, TableSchema>>;
}

const HEADER = `-- Typed DuckDB views of an omnidim-stream lake: one per table, every column with its declared type.
-- Paths are relative to the lake root, so the lake can be moved: run DuckDB from the lake
-- (cd lake && duckdb -init _views.duckdb.sql) or first SET file_search_path = '/path/to/lake';
`;

/**
 * `CREATE OR REPLACE VIEW <table> AS SELECT …` for each table: Parquet columns are cast to their
 * declared types (`union_by_name`, so files of an older schema version read too, missing columns
 * as NULL); CSV and NDJSON are read with explicit `columns`, timestamps as TIMESTAMPTZ. Hive
 * partitioning is off: the partition directory repeats `call_date`, which the view already has.
 *
 * @example
 * await connection.run(duckdbViewsSql({ format: 'ndjson', tables: ['calls'] }));
 */
export function duckdbViewsSql(options: DuckdbViewsOptions): string {
  const schemas = options.schemas ?? SCHEMAS;
  const tables = options.tables ?? TABLE_NAMES;
  const views = TABLE_NAMES.filter((t) => tables.includes(t)).map((t) => viewSql(options.format, schemas[t]));
  return `${HEADER}\n${views.join('\n\n')}\n`;
}

function viewSql(format: Format, schema: TableSchema): string {
  const path = `${schema.name}/**/${DUCKDB_READERS[format].glob}`;
  const columns = schema.columns.map((c) => {
    const name = sqlIdentifier(c.name);
    return format === 'parquet' ? `CAST(${name} AS ${DUCKDB_TYPES[c.type]}) AS ${name}` : name;
  });
  const from =
    format === 'parquet'
      ? `read_parquet('${path}', hive_partitioning = false, union_by_name = true)`
      : duckdbReadSql({ format, path, schema, hivePartitioning: false });
  return `CREATE OR REPLACE VIEW ${sqlIdentifier(schema.name)} AS\nSELECT\n  ${columns.join(',\n  ')}\nFROM ${from};`;
}
