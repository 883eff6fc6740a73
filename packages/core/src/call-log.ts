/**
 * The wire shapes of `GET /api/v1/calls/logs`, typed as documented and kept deliberately loose.
 *
 * Every field is optional in the vendor's own spec, empty values arrive as `false`, `""` or
 * `null` (Odoo serialises an empty field as `false`: any non-boolean field may be `false`), and
 * fields are added over time (docs/api-notes.md "Field semantics"). So each documented field is
 * typed with its documented type `| EmptyValue`, and unknown fields are allowed. The source passes
 * records through untouched (a malformed row may hold anything, see drift.ts "Records without an
 * id"); normalisation happens in `@omnidim-stream/transform`.
 */

/** An empty value as the API sends it (docs/api-notes.md "Field semantics"). */
export type EmptyValue = false | null;

/** One turn of a call (`interactions[]`). */
export interface CallLogInteraction {
  id?: number | EmptyValue;
  interaction_sequence?: number | EmptyValue;
  /** `MM/DD/YYYY HH:MM:SS`, month first, zone undocumented. */
  time_of_call?: string | EmptyValue;
  user_query?: string | EmptyValue;
  bot_response?: string | EmptyValue;
  /** `false`, or one entry per function the agent called. */
  function_call_data?: CallLogFunctionCall[] | EmptyValue;
  [field: string]: unknown;
}

/** A function the agent called during a turn. */
export interface CallLogFunctionCall {
  function_name?: string | EmptyValue;
  args?: unknown;
  result?: unknown;
  success?: boolean | null;
  time_taken?: number | EmptyValue;
  [field: string]: unknown;
}

/** One call log as received (the documented fields; any other field is kept as it came). */
export interface CallLog {
  /** Normally a positive integer (sometimes sent as text); not trusted by the source (call-id.ts). */
  id?: number | string | EmptyValue;
  /** `MM/DD/YYYY HH:MM:SS`, month first; the zone is undocumented (an option of the transform). */
  time_of_call?: string | EmptyValue;
  bot_name?: string | EmptyValue;
  user_name?: string | EmptyValue;
  organization_branch_name?: string | EmptyValue;
  is_bot_response?: boolean | null;
  from_number?: string | EmptyValue;
  to_number?: string | EmptyValue;
  call_direction?: string | EmptyValue;
  /** `M:S` in total minutes, unpadded (`0:0`, `65:3`); prefer `call_duration_in_seconds`. */
  call_duration?: string | number | EmptyValue;
  call_duration_in_seconds?: number | EmptyValue;
  call_duration_in_minutes?: number | EmptyValue;
  /** A signed link, or `false`: sensitive. */
  recording_url?: string | EmptyValue;
  internal_recording_url?: string | EmptyValue;
  recording_available_at?: string | EmptyValue;
  /** Transcript, `<br/>` between turns (`user: …`, `LLM: …`). */
  call_conversation?: string | EmptyValue;
  /** One of {@link CALL_STATUSES} as documented; kept open for values added later. */
  call_status?: string | EmptyValue;
  channel_type?: string | EmptyValue;
  /** `Positive`, `Neutral` or `Negative`. */
  sentiment_score?: string | EmptyValue;
  sentiment_analysis_details?: string | EmptyValue;
  call_type?: string | EmptyValue;
  is_call_transfer?: boolean | null;
  status?: string | EmptyValue;
  cqs_score?: number | EmptyValue;
  cqs_score_message?: string | EmptyValue;
  metric_score_intent?: number | EmptyValue;
  metric_score_relevance?: number | EmptyValue;
  metric_score_latency?: number | EmptyValue;
  metric_score_coherence?: number | EmptyValue;
  p50_latency?: number | EmptyValue;
  p99_latency?: number | EmptyValue;
  prompt_tokens?: number | EmptyValue;
  completion_tokens?: number | EmptyValue;
  total_tokens?: number | EmptyValue;
  total_tts_speaking_minutes?: number | EmptyValue;
  total_tts_speaking_seconds?: number | EmptyValue;
  llm_prompt?: string | EmptyValue;
  aggregated_estimated_cost?: number | EmptyValue;
  call_cost?: number | EmptyValue;
  model_name?: string | EmptyValue;
  model_type?: string | EmptyValue;
  asr_service?: string | EmptyValue;
  tts_service?: string | EmptyValue;
  has_issue?: boolean | null;
  is_simulation?: boolean | null;
  json_evolution_matrix_score?: Record<string, unknown> | EmptyValue;
  issues?: unknown[] | EmptyValue;
  /** Per-agent keys, mixed value types, often the placeholder `"Not provided"`. */
  extracted_variables?: Record<string, unknown> | EmptyValue;
  voice_insides?: unknown;
  amd_detected?: boolean | null;
  amd_answered_by?: string | EmptyValue;
  amd_duration?: number | EmptyValue;
  is_voicemail?: boolean | null;
  is_fax?: boolean | null;
  voicemail_type?: string | EmptyValue;
  hangup_source?: string | EmptyValue;
  hangup_reason?: string | EmptyValue;
  customer_phone_number?: string | EmptyValue;
  evaluation_remarks?: string | EmptyValue;
  error_message?: string | EmptyValue;
  call_request_id?:
    | { id?: number | EmptyValue; type_of_request?: string | EmptyValue; [field: string]: unknown }
    | EmptyValue;
  interactions?: CallLogInteraction[] | EmptyValue;
  /** Webhook deliveries and integrations; payloads and `response_body` are sensitive. */
  post_call_actions?: Record<string, unknown> | EmptyValue;
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
