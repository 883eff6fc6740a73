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
 *
 * With `shallowRecords` (engine-only, implies keeping the body) core does not parse the page at
 * all: it validates it with page-scan.ts and hands on, for each object of `call_log_data`, a stub
 * holding only its own `id` and `time_of_call` (what paging, drift, checkpoints and the engine's
 * stop rule read), with the call's byte range here; {@link materializeRecord} parses the whole
 * call log back when something on the consuming thread needs it.
 */

import { valueAt } from './page-scan.js';

/** A record's page body and its index in that page's `call_log_data` array. */
export interface RecordSource {
  /** The page's whole response body as received (shared by the page's records: do not modify). */
  readonly body: Uint8Array;
  /** `JSON.parse(<body as UTF-8>).call_log_data[index]` is the record, field for field. */
  readonly index: number;
  /** The length of that page's `call_log_data` (a worker checks it finds the same page). */
  readonly count: number;
}

/** With `shallowRecords`: where the whole call log is in `body` (bytes `[start, end)`). */
export interface StubSource extends RecordSource {
  readonly start: number;
  readonly end: number;
}

const sources = new WeakMap<object, RecordSource | StubSource>();

/** Remembers `body` as the source of each object of `records` (its `call_log_data`). */
export function rememberPageBody(body: Uint8Array, records: readonly unknown[]): void {
  const count = records.length;
  for (let index = 0; index < count; index++) {
    const record = records[index];
    if (typeof record === 'object' && record !== null) sources.set(record, { body, index, count });
  }
}

/**
 * Remembers the source of one row (shallow-page.ts): a stub (a call log reduced to its `id` and
 * `time_of_call`: the `shallowRecords` option) with the call's whole bytes `[start, end)`, or a
 * row parsed whole with its place only.
 */
export function rememberSource(row: object, source: RecordSource | StubSource): void {
  sources.set(row, source);
}

/**
 * The whole call log: for a stub core handed on with `shallowRecords`, the call log parsed from
 * its page's bytes (each call, not cached: a stub stays small); anything else is returned as is.
 * Every consumer of a shallow source that needs more than `id` and `time_of_call` (an archive, a
 * quarantine line, a JSON text) goes through this.
 *
 * @example
 * for await (const call of callLogs({ apiKey, shallowRecords: true })) {
 *   const full = materializeRecord(call); // every field, as without the option
 * }
 */
export function materializeRecord(record: unknown): unknown {
  if (typeof record !== 'object' || record === null) return record;
  const source = sources.get(record);
  if (source === undefined || !('start' in source)) return record;
  return valueAt(source.body, source);
}

/**
 * The page body and index a call log was parsed from, when core parsed it with `keepPageBody`
 * (or scanned it with `shallowRecords`); undefined for anything else.
 *
 * @example
 * for await (const call of callLogs({ apiKey, keepPageBody: true })) {
 *   const source = recordSourceOf(call); // { body, index }
 * }
 */
export function recordSourceOf(record: unknown): RecordSource | undefined {
  return typeof record === 'object' && record !== null ? sources.get(record) : undefined;
}
