export {
  type ArchiveStats,
  type PipelineOptions,
  parseWindowBound,
  QUARANTINE_DIR,
  quarantinePath,
  RAW_DIR,
  RecordAssembler,
  rawArchivePath,
  readCallLogArchive,
  runPipeline,
  StagedLog,
  timeOfCallInstant,
  windowRecords,
} from '@omnidim-stream/engine';
export { EXIT_CODES, type ExitCode, exitCodeFor, InputError, UsageError } from './exit-codes.js';
export {
  BASE_URL_ENV,
  DEFAULT_BASE_URL,
  EXPORT_DEFAULTS,
  type ExportOptions,
  REDACTION_FLAGS,
  resolveExportOptions,
} from './export-options.js';
export type { CliIo } from './io.js';
export { main } from './main.js';
export { formatProgress } from './progress.js';
export { API_KEY_ENV, loadApiKey, loadHashKey } from './secrets.js';
export type { RunSummary } from './summary.js';
