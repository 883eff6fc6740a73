import type { ColumnSchema, TableName, TableSchema } from '@omnidim-stream/transform';

/**
 * Columns of long free text (transcripts, prompts, remarks, bodies, signed links): min/max
 * statistics of them prune nothing (no reader filters a transcript by range) and cost the most
 * of any column to compute, since hyparquet-writer compares the whole strings code point by code
 * point and transcripts share long prefixes ("Bot: Hello…"). Their dictionary trial stays: the
 * writer rejects a column of distinct texts from a 1,000-value sample, and keeps a dictionary
 * where texts do repeat (templated bot answers).
 */
export const FREE_TEXT_COLUMNS: Readonly<Record<TableName, readonly string[]>> = Object.freeze({
  calls: Object.freeze([
    'recording_url',
    'internal_recording_url',
    'call_conversation',
    'transcript',
    'sentiment_analysis_details',
    'cqs_score_message',
    'llm_prompt',
  ]),
  interactions: Object.freeze(['user_query', 'bot_response', 'evaluation_remarks']),
  function_calls: Object.freeze(['result']),
  webhooks: Object.freeze(['response_body', 'error_message']),
});

/**
 * Columns that hold a distinct value on every row (the natural keys of one row): a dictionary
 * never wins, so the writer is told PLAIN and skips the trial (its sample and, where the sample
 * passes, the full build).
 */
export const UNIQUE_COLUMNS: Readonly<Record<TableName, readonly string[]>> = Object.freeze({
  calls: Object.freeze(['id']),
  interactions: Object.freeze(['id']),
  function_calls: Object.freeze([]),
  webhooks: Object.freeze(['id']),
});

/** The per-column part of hyparquet-writer's `ColumnSource` that this sink sets. */
export interface ParquetColumnOptions {
  /** Chunk min/max/null count (and the encoding stats) in the footer. */
  readonly statistics: boolean;
  /** A page index (column + offset index) where a chunk spans several pages. */
  readonly columnIndex: boolean;
  /** `'PLAIN'` skips the dictionary trial; undefined lets the writer choose. */
  readonly encoding?: 'PLAIN';
}

/**
 * Whether readers prune by a column's min/max: ids, numbers, times, dates, booleans and short
 * labels yes; JSON text and {@link FREE_TEXT_COLUMNS} no.
 */
function prunable(table: TableName, column: ColumnSchema): boolean {
  if (column.type === 'json') return false;
  return !(column.type === 'string' && FREE_TEXT_COLUMNS[table]?.includes(column.name));
}

/**
 * The writer options of each column of a table, in schema order, chosen from the declared
 * schema alone (bench/parquet-writers.ts measures what they save). Statistics and the page
 * index are kept wherever a reader can skip data by them; a column written without statistics
 * still reads back value for value.
 *
 * @example
 * parquetColumnOptions(CALLS_SCHEMA)[0]; // { statistics: true, columnIndex: true, encoding: 'PLAIN' } (id)
 */
export function parquetColumnOptions(schema: TableSchema): ParquetColumnOptions[] {
  return schema.columns.map((column) => {
    const keep = prunable(schema.name, column);
    const unique = UNIQUE_COLUMNS[schema.name]?.includes(column.name) ?? false;
    return unique
      ? { statistics: keep, columnIndex: keep, encoding: 'PLAIN' }
      : { statistics: keep, columnIndex: keep };
  });
}
