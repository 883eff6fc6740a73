/**
 * Ready-made stop rules for the `stopWhen` option. The list is newest first with ids rising with
 * time (docs/api-notes.md "Ordering and paging"), so an incremental read can stop at the first call it
 * already has. Date-based rules (`--since`) belong to the caller, which owns the `time_of_call`
 * parser and its time zone: core never guesses a zone.
 */

import { idOf } from './call-id.js';
import type { CallLog } from './call-log.js';

/**
 * A `stopWhen` rule that fires at the first call whose numeric id is at or below `id` (for
 * example the newest id a previous run committed). Calls without a numeric id never fire it.
 * Only for lists whose ids descend: where they do not (drift.ts "Ids out of order", issue 11) it
 * stops at the first older-looking id and the calls after it are not read; the CLI's incremental
 * runs stop on `time_of_call` instead.
 *
 * @example
 * for await (const call of paginateCallLogs({ apiKey, stopWhen: stopAtOrBelowId(lastCommittedId) })) {
 *   console.log(call.id); // only calls newer than lastCommittedId
 * }
 */
export function stopAtOrBelowId(id: number): (call: CallLog) => boolean {
  // `call_log_data` may hold rows that are not objects (null, …): they never fire it either.
  return (call) => {
    const callId = idOf(call);
    return typeof callId === 'number' && callId <= id;
  };
}
