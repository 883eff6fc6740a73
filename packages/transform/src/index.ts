export { calendarDateDays } from './calendar-date.js';
export { cleanTranscript, resolveDuration } from './call-derivations.js';
export { type Coerced, coerceValue, isAbsent } from './coerce.js';
export type { FlatCallLog, QuarantinedRecord } from './flat-call-log.js';
export {
  type FlattenResult,
  flattenCallLog,
  InvalidCallLogError,
  type QuarantineReason,
  tryFlattenCallLog,
} from './flatten.js';
export {
  DEFAULT_REDACTION,
  DEFAULT_TRANSFORM_OPTIONS,
  MIN_HASH_KEY_BYTES,
  REDACTION_ACTIONS,
  type RedactionOptions,
  type ResolvedRedaction,
  type ResolvedTransformOptions,
  resolveTransformOptions,
  SECRET_ACTIONS,
  SENSITIVE_ACTIONS,
  type SecretAction,
  type SensitiveAction,
  type TransformOptions,
} from './options.js';
export {
  PAYLOAD_CONVERSATIONS,
  type PayloadConversation,
  withoutConversation,
} from './payload-conversation.js';
export {
  createRedactor,
  MASKED_SECRET,
  maskSecretsDeep,
  PHONE_FIELDS,
  RECORDING_URL_FIELDS,
  REDACTED,
  REDACTED_EMAIL,
  type Redactor,
} from './redact.js';
export { redactCallLog } from './redact-call-log.js';
export type {
  CallsRow,
  FunctionCallsRow,
  InteractionsRow,
  TypedTableRows,
  WebhooksRow,
} from './rows.generated.js';
export {
  SCHEMA_FORMATS,
  type SchemaFormat,
  schemaToJson,
  schemaToMarkdown,
  type TableSchemaJson,
} from './schema-format.js';
export {
  CALLS_SCHEMA,
  DERIVED_COLUMNS,
  FUNCTION_CALLS_SCHEMA,
  INTERACTIONS_SCHEMA,
  NESTED_FIELD_COLUMNS,
  SCHEMAS,
  WEBHOOKS_SCHEMA,
} from './schemas.js';
export {
  createFlattenStats,
  createFlattenStream,
  type FlattenStageOptions,
  type FlattenStats,
  FlattenStream,
  flattenCallLogs,
  flattenStage,
} from './stage.js';
export {
  type ColumnSchema,
  type LogicalType,
  type Row,
  type RowValue,
  TABLE_NAMES,
  type TableName,
  type TableRows,
  type TableSchema,
} from './table-schema.js';
export {
  localDateOf,
  parseApiDateTime,
  parseWallTime,
  validateTimeZone,
  type WallTime,
  zonedWallTimeToDate,
} from './time.js';
export { wellFormedJsonText, wellFormedString } from './well-formed-text.js';
