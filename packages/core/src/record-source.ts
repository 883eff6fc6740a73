/**
 * Where a parsed call log came from (issue 21): the bytes of the page it was parsed from (the
 * response body as received, UTF-8 JSON) and its place in that page's `call_log_data`. With the
 * `keepPageBody` option core remembers this for every record it parses, so a consumer that hands
 * call logs to a worker thread can send the page once and let the worker decode and parse it,
 * instead of serialising every record again on the consuming thread. Bytes, not the decoded
 * text: a page's bytes copy into a transferred ArrayBuffer for ~1 ms, while posting its text
 * (1.3 M two-byte characters) cost ~15 ms on each side (measured: issue 21). Kept in a WeakMap
 * keyed by the record: the bytes live exactly as long as one of its records does, and a record
 * that was built elsewhere (or copied) simply has no source.
 */

/** A record's page body and its index in that page's `call_log_data` array. */
export interface RecordSource {
  /** The page's whole response body as received (shared by the page's records: do not modify). */
  readonly body: Uint8Array;
  /** `JSON.parse(<body as UTF-8>).call_log_data[index]` is the record, field for field. */
  readonly index: number;
}

const sources = new WeakMap<object, RecordSource>();

/** Remembers `body` as the source of each object of `records` (its `call_log_data`). */
export function rememberPageBody(body: Uint8Array, records: readonly unknown[]): void {
  for (let index = 0; index < records.length; index++) {
    const record = records[index];
    if (typeof record === 'object' && record !== null) sources.set(record, { body, index });
  }
}

/**
 * The page body and index a call log was parsed from, when core parsed it with `keepPageBody`;
 * undefined for anything else.
 *
 * @example
 * for await (const call of callLogs({ apiKey, keepPageBody: true })) {
 *   const source = recordSourceOf(call); // { body, index }
 * }
 */
export function recordSourceOf(record: unknown): RecordSource | undefined {
  return typeof record === 'object' && record !== null ? sources.get(record) : undefined;
}
