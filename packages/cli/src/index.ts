export { windowRecords } from './commands/export.js';
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
export { QUARANTINE_DIR, quarantinePath, RAW_DIR, rawArchivePath } from './raw-archive.js';
export { type ArchiveStats, RecordAssembler, readCallLogArchive } from './read-archive.js';
export { type PipelineOptions, runPipeline } from './run-pipeline.js';
export { API_KEY_ENV, loadApiKey, loadHashKey } from './secrets.js';
export { StagedLog } from './staged-log.js';
export type { RunSummary } from './summary.js';
export { parseWindowBound, timeOfCallInstant } from './time-window.js';
