import { duckdbViewsSql, FORMATS, type Format } from '@omnidim-stream/sinks';
import {
  SCHEMA_FORMATS,
  schemaToJson,
  schemaToMarkdown,
  TABLE_NAMES,
  type TableName,
} from '@omnidim-stream/transform';
import { UsageError } from '../exit-codes.js';

/**
 * `schema --format` choices: the transform's renderings, then `duckdb` (the sinks' typed reader
 * views, which need the lake's format and so live in the sinks, not the transform).
 */
export const CLI_SCHEMA_FORMATS = [...SCHEMA_FORMATS, 'duckdb'] as const;

/** Options of {@link runSchema}, as parsed (checked here). */
export interface SchemaCommandOptions {
  table: string | undefined;
  /** `markdown` (default), `json` or `duckdb`. */
  format: string | undefined;
  /** With `duckdb`: the lake's format. Default `parquet`. */
  lakeFormat?: string | undefined;
}

/**
 * `omnidim-stream schema [--table T] [--format json|markdown|duckdb] [--lake-format F]`: the
 * declared table schemas, as rendered by the transform package (the same objects every sink
 * derives its types from; the README's schema section is this command's Markdown output), or as
 * typed DuckDB views of a lake (the `_views.duckdb.sql` every commit writes beside the manifest).
 *
 * @example
 * ```ts
 * process.stdout.write(runSchema({ table: 'calls', format: 'json' }));
 * ```
 */
export function runSchema(options: SchemaCommandOptions): string {
  const { table } = options;
  if (table !== undefined && !(TABLE_NAMES as readonly string[]).includes(table)) {
    throw new UsageError(
      `--table: expected one of ${TABLE_NAMES.join(', ')}, received ${JSON.stringify(table)}`,
    );
  }
  const format = options.format ?? CLI_SCHEMA_FORMATS[0];
  if (!(CLI_SCHEMA_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format: expected one of ${CLI_SCHEMA_FORMATS.join(', ')}, received ${JSON.stringify(format)}`,
    );
  }
  if (format === 'duckdb') {
    const lakeFormat = options.lakeFormat ?? FORMATS[0];
    if (!(FORMATS as readonly string[]).includes(lakeFormat)) {
      throw new UsageError(
        `--lake-format: expected one of ${FORMATS.join(', ')}, received ${JSON.stringify(lakeFormat)}`,
      );
    }
    const tables = table === undefined ? TABLE_NAMES : [table as TableName];
    return duckdbViewsSql({ format: lakeFormat as Format, tables });
  }
  if (format === 'json') {
    const all = schemaToJson();
    const json = table === undefined ? all : all.tables.find((t) => t.name === table);
    return `${JSON.stringify(json, null, 2)}\n`;
  }
  const markdown = schemaToMarkdown();
  if (table === undefined) return markdown;
  // schemaToMarkdown renders every table, one `## name (version n)` section each; keep the one asked for.
  const sections = markdown.split(/^(?=## )/m);
  const section = sections.find((s) => s.startsWith(`## ${table} `) || s.startsWith(`## ${table}\n`));
  return section ?? '';
}
