export { type CompactLakeOptions, type CompactLakeResult, compactLake } from './compact-lake.js';
export {
  type ConvertCallLogsOptions,
  checkArchiveInput,
  convertCallLogs,
} from './convert-call-logs.js';
export { InputError, QuarantineLimitError, UsageError } from './errors.js';
export type { ConvertEvent, ExportEvent, RunProgress } from './events.js';
export { exportCallLogs } from './export-call-logs.js';
export {
  EXPORT_CALL_LOGS_DEFAULTS,
  EXPORT_FORMATS,
  type ExportCallLogsOptions,
  type ExportFormat,
  type IncrementalOptions,
  type ResolvedExportOptions,
  type RowStage,
  resolveExportCallLogsOptions,
} from './export-options.js';
export { type ExportPlan, planExport } from './export-plan.js';
export type { ConvertResult, ExportResult } from './export-result.js';
export {
  newerTrustedWatermark,
  planRun,
  type RunPlan,
  startOfLocalDate,
  trustedTimeLimit,
  WATERMARK_CLOCK_SKEW_MS,
} from './incremental.js';
export {
  checkQuarantineLimit,
  type QuarantineLimit,
  type ResolvedQuarantineLimit,
  resolveQuarantineLimit,
} from './quarantine-limit.js';
export { QUARANTINE_DIR, quarantinePath, RAW_DIR, rawArchivePath } from './raw-archive.js';
export {
  type ArchiveStats,
  type ReadArchiveOptions,
  RecordAssembler,
  readCallLogArchive,
} from './read-archive.js';
export { newRunId } from './run-id.js';
export { CheckpointMark, type PipelineOptions, type PipelineResult, runPipeline } from './run-pipeline.js';
export { type RunState, readRunState, type Watermark } from './run-state.js';
export { StagedLog } from './staged-log.js';
export {
  isValidTimeZone,
  parseWindowBound,
  type TimeWindow,
  timeOfCallInstant,
  windowPosition,
} from './time-window.js';
export { type WindowCounters, windowRecords } from './window-records.js';
export {
  availableCpus,
  cpuQuota,
  defaultWorkers,
  type ReadCgroupFile,
  WORKER_LIMITS,
} from './worker-count.js';
