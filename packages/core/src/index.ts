export { abortableSleep } from './abort.js';
export { idOf } from './call-id.js';
export type {
  CallLog,
  CallLogFilters,
  CallLogFunctionCall,
  CallLogInteraction,
  CallLogPage,
  CallStatus,
  EmptyValue,
} from './call-log.js';
export { CALL_STATUSES } from './call-log.js';
export type { CallLogCheckpoint } from './checkpoint.js';
export { CHECKPOINT_VERSION, filtersFingerprint, validateCheckpoint } from './checkpoint.js';
export type { Completeness } from './completeness.js';
export { completeness } from './completeness.js';
export type { WideDecoder } from './decode-utf8.js';
export { decodeUtf8, WIDE_DECODER } from './decode-utf8.js';
export type { DriftDecision, DriftPage } from './drift.js';
export { DriftReconciler } from './drift.js';
export * from './errors.js';
export type { CallLogStats, DriftEvent, PageEvent, ProgressEvent, RetryEvent, StopReason } from './events.js';
export type { Range } from './option-check.js';
export {
  API_URL_EXPECTED,
  checkApiUrl,
  checkBoolean,
  checkInteger,
  checkIntegerText,
  checkNumber,
  checkNumberText,
  checkObject,
  checkOneOf,
  checkOptionalFunction,
  isLoopbackHost,
} from './option-check.js';
export type { CallLogsOptions, OnDeletion, ResolvedOptions, RetryOptions } from './options.js';
export {
  DEFAULTS,
  LIMITS,
  MAX_CONCURRENCY,
  MAX_PAGE_SIZE,
  ON_DELETION,
  resolveOptions,
} from './options.js';
export { hardPageBound, planPageCount } from './page-plan.js';
export { type ByteRange, type PageScan, type ScannedCall, scanPage, valueAt } from './page-scan.js';
export { gapBefore, pageWindow } from './page-window.js';
export type {
  CallLogIterator,
  CallLogPageIterator,
  CallLogPageResult,
  CallLogSourceState,
} from './paginate.js';
export { paginateCallLogPages, paginateCallLogs } from './paginate.js';
export { probeWindow } from './probe-window.js';
export { materializeRecord, type RecordSource, recordSourceOf } from './record-source.js';
export { resumePage } from './resume-locate.js';
export type { RetryDelayInput } from './retry.js';
export { computeRetryDelay, parseRetryAfter } from './retry.js';
export { stopAtOrBelowId } from './stop-rule.js';
export type { CallLogStreamEvents } from './stream.js';
export { CallLogStream, callLogs } from './stream.js';
export { formatUrlForMessage } from './url-for-message.js';
