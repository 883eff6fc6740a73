/**
 * Where a parsed call log came from (issue 21): the JSON text of the page it was parsed from and
 * its place in that page's `call_log_data`. With the `keepPageText` option core remembers this
 * for every record it parses, so a consumer that hands call logs to a worker thread can send the
 * page text once (a structured clone copies a flat string as one block) and let the worker parse
 * it, instead of serialising every record again on the consuming thread. Kept in a WeakMap keyed
 * by the record: the text lives exactly as long as one of its records does, and a record that
 * was built elsewhere (or copied) simply has no source.
 */

/** A record's page text and its index in that page's `call_log_data` array. */
export interface RecordSource {
  /** The page's whole response body, as parsed. */
  readonly text: string;
  /** `JSON.parse(text).call_log_data[index]` is the record, field for field. */
  readonly index: number;
}

const sources = new WeakMap<object, RecordSource>();

/** Remembers `text` as the source of each object of `records` (its `call_log_data`). */
export function rememberPageText(text: string, records: readonly unknown[]): void {
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    if (typeof record === 'object' && record !== null) sources.set(record, { text, index });
  }
}

/**
 * The page text and index a call log was parsed from, when core parsed it with `keepPageText`;
 * undefined for anything else.
 *
 * @example
 * for await (const call of callLogs({ apiKey, keepPageText: true })) {
 *   const source = recordSourceOf(call); // { text, index }
 * }
 */
export function recordSourceOf(record: unknown): RecordSource | undefined {
  return typeof record === 'object' && record !== null ? sources.get(record) : undefined;
}
