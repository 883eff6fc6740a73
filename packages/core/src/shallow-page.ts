/**
 * A page read without parsing it (the `shallowRecords` option, issue 21): its bytes validated
 * by page-scan.ts, its envelope fields parsed alone, and each call of `call_log_data` handed on
 * as a stub `{ id, time_of_call }` (only the keys the call has) whose whole call log stays in the
 * page's bytes (record-source.ts `materializeRecord`). A row that is not an object (null, a
 * number, an array…) is parsed whole, as the full parse has it: core and the transform judge
 * it exactly as without the option.
 */
import type { CallLog } from './call-log.js';
import type { EnvelopeFields } from './page-envelope.js';
import { type PageScan, valueAt } from './page-scan.js';
import { rememberSource } from './record-source.js';

/** The envelope fields the checks read, each parsed from its own bytes. */
export function scannedEnvelope(bytes: Uint8Array, scan: PageScan): EnvelopeFields {
  return {
    status: scan.status && valueAt(bytes, scan.status),
    success: scan.success && valueAt(bytes, scan.success),
    totalRecords: scan.totalRecords && valueAt(bytes, scan.totalRecords),
    length: scan.calls?.length,
  };
}

/**
 * The page's rows: a stub per object, registered with its place in `bytes`; anything else
 * parsed whole (an array is registered like `keepPageBody` registers it).
 *
 * @example
 * const bytes = Buffer.from('{"total_records":1,"call_log_data":[{"id":7,"x":1}]}');
 * shallowRows(bytes, scanPage(bytes)); // [{ id: 7 }]
 */
export function shallowRows(bytes: Uint8Array, scan: PageScan): CallLog[] {
  const calls = scan.calls ?? [];
  const count = calls.length;
  const rows: unknown[] = new Array(count);
  for (let index = 0; index < count; index++) {
    const call = calls[index]!;
    if (!call.isObject) {
      const row = valueAt(bytes, call);
      rows[index] = row;
      // An array goes to a worker by its place in the page, as with `keepPageBody`.
      if (typeof row === 'object' && row !== null) rememberSource(row, { body: bytes, index, count });
      continue;
    }
    const stub: { id?: unknown; time_of_call?: unknown } = {};
    if (call.id) stub.id = valueAt(bytes, call.id);
    if (call.timeOfCall) stub.time_of_call = valueAt(bytes, call.timeOfCall);
    rememberSource(stub, { body: bytes, index, count, start: call.start, end: call.end });
    rows[index] = stub;
  }
  return rows as CallLog[];
}
