/**
 * The wire shapes of `GET /api/v1/calls/logs`, kept deliberately loose.
 *
 * Every field is optional in the vendor's own spec, empty values arrive as `false`, `""` or
 * `null`, and fields are added over time (../shared/api/NOTES.md). The source therefore passes
 * records through untouched; typing and normalisation happen in `@omnidim-stream/transform`.
 */

/** One call log as received. `id` is normally a positive integer but is not trusted here. */
export interface CallLog {
  id?: unknown;
  time_of_call?: unknown;
  [field: string]: unknown;
}

/** The documented response envelope of `GET /calls/logs`. */
export interface CallLogPage {
  call_log_data: CallLog[];
  total_records: number;
}

/** Filters accepted by `GET /calls/logs`, in the library's camelCase. */
export interface CallLogFilters {
  /** Sent as `agentid` (no underscore). */
  agentId?: number;
  /** Sent as `call_status`; the API spells the fourth value with a hyphen. */
  callStatus?: CallStatus;
  /** Sent as `bulk_call_id`. */
  bulkCallId?: number;
}

/** The four values `call_status` accepts. */
export const CALL_STATUSES = ['completed', 'busy', 'failed', 'no-answer'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];
