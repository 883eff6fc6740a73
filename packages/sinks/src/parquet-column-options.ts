import type { ColumnSchema, TableName, TableSchema } from '@omnidim-stream/transform';

/**
 * Columns of long free text (transcripts, prompts, remarks, bodies, signed links): min/max
 * statistics of them prune nothing (no reader filters a transcript by range) and cost the most
 * of any column to compute, since hyparquet-writer compares the whole strings code point by code
 * point and transcripts share long prefixes ("Bot: Hello…"). The dictionary trial stays for those
 * whose texts can repeat (templated bot answers, one agent prompt on every call); the per-call
 * ones (a whole transcript, a signed link) are {@link PLAIN_COLUMNS} too.
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
 * Columns whose values rarely repeat within a row group: the natural keys of a row, the instants
 * of a call or delivery, fine-grained measurements (per-turn latencies, token counts) and
 * per-call text or JSON (a whole transcript, a signed link, a payload). A dictionary of them
 * never halves the column (hyparquet-writer's rule), so the writer is told PLAIN and skips the
 * trial: its 1,000-value sample and, where the sample passes (floats with a few repeats pass
 * it), a full build of a Map over every value that is then thrown away (issue 21: those late
 * rejections were most of `useDictionary`'s time in the Parquet export's profile). zstd still
 * compresses the repeats such a column has. Left to the trial, measured (bench/parquet-codecs.ts
 * data): costs, p50/p99, TTS seconds and call durations, whose few hundred distinct values a
 * dictionary halves in row groups of thousands of rows (PLAIN cost up to +18% on those columns).
 */
export const PLAIN_COLUMNS: Readonly<Record<TableName, readonly string[]>> = Object.freeze({
  calls: Object.freeze([
    'id',
    'time_of_call',
    'recording_available_at',
    'recording_url',
    'internal_recording_url',
    'call_conversation',
    'transcript',
    'extracted_variables',
    'prompt_tokens',
    'total_tokens',
  ]),
  interactions: Object.freeze([
    'id',
    'time_of_call',
    'llm2_time',
    'asr_time',
    'tts_time',
    'latency_llm',
    'latency_tts',
    'total_response_time',
    'total_tokens',
  ]),
  function_calls: Object.freeze(['interaction_id', 'time_taken']),
  webhooks: Object.freeze([
    'id',
    'call_id',
    'call_recording_id',
    'payload_call_id',
    'create_date',
    'payload',
    'payload_call_date',
    'payload_start_time',
    'payload_end_time',
  ]),
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
    const plain = PLAIN_COLUMNS[schema.name]?.includes(column.name) ?? false;
    return plain
      ? { statistics: keep, columnIndex: keep, encoding: 'PLAIN' }
      : { statistics: keep, columnIndex: keep };
  });
}
