/**
 * The four declared table schemas. Every sink derives its output from these constants (Parquet
 * types, CSV header order, NDJSON key order); nothing is inferred from data. Changing a column is
 * a code change here, a version bump, and a failing test until the tests agree.
 *
 * Columns keep the API's own snake_case field names. Fields not named like a column are listed
 * in {@link NESTED_FIELD_COLUMNS}; columns computed by the transform in {@link DERIVED_COLUMNS}.
 */
import type { ColumnSchema, LogicalType, TableName, TableSchema } from './table-schema.js';

function col(name: string, type: LogicalType, description: string, nullable = true): ColumnSchema {
  return Object.freeze({ name, type, nullable, description });
}

const EXTRA_DESCRIPTION =
  'JSON object of unknown fields and of values that fit no column type, kept raw under their field name; null when empty';

/** One row per call log. */
export const CALLS_SCHEMA: TableSchema = Object.freeze({
  name: 'calls',
  // 2: call_date became a DATE (was a string), issue 17.
  version: 2,
  description: 'One row per call log (element of call_log_data).',
  primaryKey: ['id'],
  columns: Object.freeze([
    col('id', 'int64', 'Call log id (natural key).', false),
    col('organization_branch_name', 'string', 'Organisation branch.'),
    col('bot_name', 'string', 'Name of the agent (bot) that handled the call.'),
    col('is_bot_response', 'boolean', 'Whether the agent responded at all.'),
    col(
      'time_of_call',
      'timestamp',
      'time_of_call (MM/DD/YYYY HH:MM:SS read in the timeZone option) as a UTC instant.',
    ),
    col(
      'call_date',
      'date',
      'Derived: local date (YYYY-MM-DD) of time_of_call in the timeZone option; the partition date.',
    ),
    col('from_number', 'string', 'Caller number, or a placeholder such as "Chat" on widget channels.'),
    col('to_number', 'string', 'Called number, or a placeholder such as "Assistant".'),
    col('call_direction', 'string', 'inbound or outbound.'),
    col('call_duration', 'string', 'Duration as sent, M:S in total minutes, unpadded (e.g. 65:3).'),
    col('call_duration_in_seconds', 'float64', 'Duration in seconds as sent by the API.'),
    col('call_duration_in_minutes', 'float64', 'Duration in minutes as sent by the API.'),
    col(
      'call_duration_seconds',
      'float64',
      'Derived: call_duration_in_seconds, or call_duration (M:S) parsed when that is missing.',
    ),
    col('recording_url', 'string', 'Signed link to the recording (sensitive; see redact.recordingUrls).'),
    col('internal_recording_url', 'string', 'Internal recording location.'),
    col('recording_available_at', 'timestamp', 'When the recording became available, as a UTC instant.'),
    col('call_conversation', 'string', 'Transcript as sent, turns separated by <br/>.'),
    col(
      'transcript',
      'string',
      'Derived: call_conversation with one line per turn (<br/> → newline, lines trimmed).',
    ),
    col('call_status', 'string', 'completed, busy, failed or no-answer.'),
    col('channel_type', 'string', 'Channel, e.g. voice, Widget-Chat, Web-Call.'),
    col('sentiment_score', 'string', 'Sentiment label: Positive, Neutral or Negative.'),
    col('sentiment_analysis_details', 'string', 'Free-text sentiment summary.'),
    col('call_type', 'string', 'Call type.'),
    col('is_call_transfer', 'boolean', 'Whether the call was transferred.'),
    col('status', 'string', 'Record status.'),
    col('cqs_score', 'float64', 'Call quality score.'),
    col('cqs_score_message', 'string', 'Call quality score explanation.'),
    col('metric_score_intent', 'float64', 'Intent metric score.'),
    col('metric_score_relevance', 'float64', 'Relevance metric score.'),
    col('metric_score_latency', 'float64', 'Latency metric score.'),
    col('metric_score_coherence', 'float64', 'Coherence metric score.'),
    col('p50_latency', 'float64', 'Median response latency, seconds.'),
    col('p99_latency', 'float64', '99th percentile response latency, seconds.'),
    col('prompt_tokens', 'int64', 'LLM prompt tokens.'),
    col('completion_tokens', 'int64', 'LLM completion tokens.'),
    col('total_tokens', 'int64', 'LLM total tokens.'),
    col('total_tts_speaking_minutes', 'float64', 'Text-to-speech speaking time, minutes.'),
    col('total_tts_speaking_seconds', 'float64', 'Text-to-speech speaking time, seconds.'),
    col('llm_prompt', 'string', 'LLM prompt, when the API includes it.'),
    col('aggregated_estimated_cost', 'float64', 'Estimated cost of the call.'),
    col('model_name', 'string', 'LLM model name.'),
    col('model_type', 'string', 'Model type, e.g. chat or voice.'),
    col('asr_service', 'string', 'Speech recognition service.'),
    col('tts_service', 'string', 'Text-to-speech service.'),
    col('has_issue', 'boolean', 'Whether an issue was flagged.'),
    col('is_simulation', 'boolean', 'Whether the call was a simulation.'),
    col('json_evolution_matrix_score', 'json', 'Evolution matrix scores (JSON object).'),
    col('issues', 'json', 'Flagged issues (JSON array).'),
    col('extracted_variables', 'json', 'Per-agent extracted variables (JSON object, mixed value types).'),
    col('voice_insides', 'json', 'Voice insights (undocumented shape; JSON text of the value sent).'),
    col('amd_detected', 'boolean', 'Whether answering-machine detection fired.'),
    col('amd_answered_by', 'string', 'Answering-machine detection verdict.'),
    col('amd_duration', 'float64', 'Answering-machine detection duration, seconds.'),
    col('is_voicemail', 'boolean', 'Whether the call reached voicemail.'),
    col('is_fax', 'boolean', 'Whether the call reached a fax.'),
    col('voicemail_type', 'string', 'Voicemail type.'),
    col('hangup_source', 'string', 'Who hung up.'),
    col('hangup_reason', 'string', 'Why the call ended.'),
    col('user_name', 'string', 'Name of the customer.'),
    col('call_cost', 'float64', 'Cost of the call.'),
    col('call_request_id', 'int64', 'call_request_id.id: the originating request (e.g. bulk call request).'),
    col('call_request_type', 'string', 'call_request_id.type_of_request, e.g. bulk_call.'),
    col(
      'bulk_call_id',
      'int64',
      'Derived: bulk campaign id (top-level bulk_call_id, else the first webhook payload carrying one).',
    ),
    col(
      'bulk_call_name',
      'string',
      'Derived: bulk campaign name (top-level, else payload bulk_call_name or campaign_name).',
    ),
    col('interaction_count', 'int64', 'Derived: number of rows this call has in interactions.', false),
    col('function_call_count', 'int64', 'Derived: number of rows this call has in function_calls.', false),
    col('webhook_count', 'int64', 'Derived: number of rows this call has in webhooks.', false),
    col('email_service_ids', 'json', 'post_call_actions.email_service_ids (JSON array).'),
    col('hubspot_service_ids', 'json', 'post_call_actions.hubspot_service_ids (JSON array).'),
    col('slack_service_ids', 'json', 'post_call_actions.slack_service_ids (JSON array).'),
    col('salesforce_service_ids', 'json', 'post_call_actions.salesforce_service_ids (JSON array).'),
    col('google_sheets_service_ids', 'json', 'post_call_actions.google_sheets_service_ids (JSON array).'),
    col('extra', 'json', EXTRA_DESCRIPTION),
  ]),
});

/** One row per element of `interactions[]`. */
export const INTERACTIONS_SCHEMA: TableSchema = Object.freeze({
  name: 'interactions',
  version: 1,
  description: 'One row per conversation turn (element of interactions[]).',
  primaryKey: ['call_id', 'id', 'interaction_sequence'],
  columns: Object.freeze([
    col('call_id', 'int64', 'Id of the call (calls.id).', false),
    col('id', 'int64', 'Interaction id.'),
    col('interaction_sequence', 'int64', '1-based turn number within the call.'),
    col('user_query', 'string', 'What the user said (null when the user said nothing).'),
    col('bot_response', 'string', 'What the agent answered.'),
    col('customer_phone_number', 'string', 'Customer phone number (sensitive; see redact.phoneNumbers).'),
    col(
      'time_of_call',
      'timestamp',
      'Turn time (MM/DD/YYYY HH:MM:SS read in the timeZone option) as a UTC instant.',
    ),
    col('llm2_time', 'float64', 'LLM time, seconds.'),
    col('asr_time', 'float64', 'Speech recognition time, seconds.'),
    col('tts_time', 'float64', 'Text-to-speech time, seconds.'),
    col('metric_score_intent', 'float64', 'Intent metric score.'),
    col('metric_score_relevance', 'float64', 'Relevance metric score.'),
    col('metric_score_latency', 'float64', 'Latency metric score.'),
    col('metric_score_coherence', 'float64', 'Coherence metric score.'),
    col('latency_llm', 'float64', 'LLM latency, seconds.'),
    col('latency_tts', 'float64', 'Text-to-speech latency, seconds.'),
    col('total_response_time', 'float64', 'Total response time, seconds.'),
    col('evaluation_remarks', 'string', 'Evaluation remarks.'),
    col('total_tokens', 'int64', 'LLM tokens for this turn.'),
    col('has_issue', 'boolean', 'Whether an issue was flagged on this turn.'),
    col('total_cost', 'float64', 'Cost of this turn.'),
    col('issues', 'json', 'Flagged issues (JSON array).'),
    col('json_evolution_matrix_score', 'json', 'Evolution matrix scores (JSON object).'),
    col('tts_speaking_duration', 'float64', 'Text-to-speech speaking duration, seconds.'),
    col('function_call_count', 'int64', 'Derived: number of function_calls rows of this turn.', false),
    col('extra', 'json', EXTRA_DESCRIPTION),
  ]),
});

/** One row per element of `interactions[].function_call_data` (when it is an array). */
export const FUNCTION_CALLS_SCHEMA: TableSchema = Object.freeze({
  name: 'function_calls',
  version: 1,
  description: 'One row per tool call (element of interactions[].function_call_data).',
  primaryKey: ['call_id', 'interaction_id', 'position'],
  columns: Object.freeze([
    col('call_id', 'int64', 'Id of the call (calls.id).', false),
    col('interaction_id', 'int64', 'Id of the interaction (interactions.id).'),
    col(
      'interaction_sequence',
      'int64',
      'Turn number of the interaction (interactions.interaction_sequence).',
    ),
    col('position', 'int64', '0-based index within function_call_data.', false),
    col('function_name', 'string', 'Name of the function the agent called.'),
    col('args', 'json', 'Arguments (JSON object).'),
    col('result', 'string', 'Result as sent; a non-string result is written as JSON text.'),
    col('success', 'boolean', 'Whether the call succeeded.'),
    col('time_taken', 'float64', 'Time taken, seconds.'),
    col('extra', 'json', EXTRA_DESCRIPTION),
  ]),
});

/** One row per element of `post_call_actions.call_recording_webhook_ids[]`. */
export const WEBHOOKS_SCHEMA: TableSchema = Object.freeze({
  name: 'webhooks',
  version: 1,
  description: 'One row per webhook delivery (element of post_call_actions.call_recording_webhook_ids[]).',
  primaryKey: ['call_id', 'id'],
  columns: Object.freeze([
    col('call_id', 'int64', 'Id of the call (calls.id).', false),
    col('id', 'int64', 'Webhook delivery id.'),
    col('name', 'string', 'Delivery name.'),
    col('webhook_url', 'string', 'Receiver URL.'),
    col('webhook_method', 'string', 'HTTP method.'),
    col(
      'payload',
      'json',
      'Payload sent (the API sends JSON inside a string), secret tokens masked (see redact.webhookPayloads); without call_report.full_conversation and call_report.interactions, copies of the conversation, unless payloadConversation is keep.',
    ),
    col('status', 'string', 'Delivery status, e.g. sent, failed, pending.'),
    col('response_code', 'int64', 'Receiver HTTP status.'),
    col('response_body', 'string', "Receiver's raw body, may be HTML (see redact.responseBodies)."),
    col('error_message', 'string', 'Delivery error.'),
    col('call_recording_id', 'int64', 'Call id as recorded by the webhook (equals calls.id).'),
    col('user_id', 'int64', 'Id of the user that owns the webhook.'),
    col(
      'create_date',
      'timestamp',
      'Delivery time (YYYY-MM-DD HH:MM:SS read in the timeZone option) as a UTC instant.',
    ),
    col('create_by', 'string', 'Who created the delivery.'),
    col('payload_call_id', 'int64', 'Derived: payload call_id.'),
    col('payload_bot_id', 'int64', 'Derived: payload bot_id (the agent id, absent from the call log).'),
    col('payload_bot_name', 'string', 'Derived: payload bot_name.'),
    col('payload_call_status', 'string', 'Derived: payload call_status.'),
    col('payload_call_date', 'timestamp', 'Derived: payload call_date as a UTC instant.'),
    col('payload_start_time', 'timestamp', 'Derived: payload start_time as a UTC instant.'),
    col('payload_end_time', 'timestamp', 'Derived: payload end_time as a UTC instant.'),
    col('payload_call_duration', 'float64', 'Derived: payload call_duration, seconds.'),
    col('payload_bulk_call_id', 'int64', 'Derived: payload bulk_call_id.'),
    col('payload_bulk_call_name', 'string', 'Derived: payload bulk_call_name (or campaign_name).'),
    col('extra', 'json', EXTRA_DESCRIPTION),
  ]),
});

/** The four schemas by table name, in {@link TABLE_NAMES} order. */
export const SCHEMAS: Readonly<Record<TableName, TableSchema>> = Object.freeze({
  calls: CALLS_SCHEMA,
  interactions: INTERACTIONS_SCHEMA,
  function_calls: FUNCTION_CALLS_SCHEMA,
  webhooks: WEBHOOKS_SCHEMA,
});

/**
 * Columns computed by the transform rather than copied from an API field of the same name
 * (`extra` included). Every other column is filled from the field with the column's name
 * (`calls.bulk_call_id`/`bulk_call_name` too, falling back to the webhook payload when absent).
 */
export const DERIVED_COLUMNS: Readonly<Record<TableName, readonly string[]>> = Object.freeze({
  calls: [
    'call_date',
    'call_duration_seconds',
    'transcript',
    'call_request_id',
    'call_request_type',
    'interaction_count',
    'function_call_count',
    'webhook_count',
    'email_service_ids',
    'hubspot_service_ids',
    'slack_service_ids',
    'salesforce_service_ids',
    'google_sheets_service_ids',
    'extra',
  ],
  interactions: ['call_id', 'function_call_count', 'extra'],
  function_calls: ['call_id', 'interaction_id', 'interaction_sequence', 'position', 'extra'],
  webhooks: [
    'call_id',
    'payload',
    'payload_call_id',
    'payload_bot_id',
    'payload_bot_name',
    'payload_call_status',
    'payload_call_date',
    'payload_start_time',
    'payload_end_time',
    'payload_call_duration',
    'payload_bulk_call_id',
    'payload_bulk_call_name',
    'extra',
  ],
});

/**
 * API fields that are not copied into a column of the same name, and where they go
 * (`table.column`, or a whole table). Part of the documented mapping that the schema test checks.
 */
export const NESTED_FIELD_COLUMNS: Readonly<Record<string, string>> = Object.freeze({
  call_request_id: 'object split into calls.call_request_id and calls.call_request_type',
  'call_request_id.id': 'calls.call_request_id',
  'call_request_id.type_of_request': 'calls.call_request_type',
  interactions: 'table interactions',
  'interactions[].function_call_data': 'table function_calls',
  post_call_actions: 'object split: its webhook list is a table, its other lists are JSON columns of calls',
  'post_call_actions.call_recording_webhook_ids': 'table webhooks',
  'post_call_actions.email_service_ids': 'calls.email_service_ids',
  'post_call_actions.hubspot_service_ids': 'calls.hubspot_service_ids',
  'post_call_actions.slack_service_ids': 'calls.slack_service_ids',
  'post_call_actions.salesforce_service_ids': 'calls.salesforce_service_ids',
  'post_call_actions.google_sheets_service_ids': 'calls.google_sheets_service_ids',
  'call_recording_webhook_ids[].payload': 'webhooks.payload (JSON text, parsed) and webhooks.payload_*',
});
