/**
 * What a run did: the body of the summary the CLI prints with `--json` (the CLI adds `command`,
 * `status`, `exitCode`, `error`, `startedAt` and `durationMs`). Its keys are stable.
 */
export interface ConvertResult {
  runId: string;
  outputDir: string;
  format: string;
  /** Rows written per table (only the selected tables). */
  counts: Record<string, number>;
  /** Call logs read from the source (after `since`/`until`). */
  records: number;
  pages: number;
  quarantined: number;
  /** The run's quarantined records `{ reason, detail, record }` (secrets masked), relative to `outputDir`; null when none. */
  quarantineFile: string | null;
  filesWritten: number;
  /** Paths of the files written, relative to `outputDir`. */
  files: string[];
}

/** The result of `exportCallLogs()`; see {@link ConvertResult} for the shared keys. */
export interface ExportResult extends ConvertResult {
  /** Call logs skipped because they were newer than `until`. */
  skippedNewerThanUntil: number;
  /** Stray calls older than `since` among newer ones (stray-old-call.ts): outside the window, not written. */
  skippedOlderThanSince: number;
  retries: number;
  duplicatesDropped: number;
  driftSeen: number;
  /** The raw archive, relative to `outputDir`, or null. */
  raw: string | null;
  /** `full` (everything, replacing the dataset) or `incremental` (partitions re-read from a state). */
  mode: 'full' | 'incremental';
  /** Incremental runs: the state file, lookback, cutoff and whether the state was advanced. */
  incremental: {
    stateFile: string;
    lookback: string;
    /** The run stopped after a run of calls older than this instant (stray-old-call.ts) (start of `cutoffDate`). */
    cutoff: string | null;
    /** The oldest date partition the run replaced. */
    cutoffDate: string | null;
    previousRunId: string | null;
    stateWritten: boolean;
  } | null;
  /**
   * What the API promised against what was handed on (core's `completeness()`), plus the
   * quarantined count (accounted for, not missing). Reported whether the run passed or not.
   */
  completeness: {
    ended: boolean;
    expected: number;
    emitted: number;
    missing: number;
    proven: boolean;
    reason: string;
    quarantined: number;
  } | null;
  /** The interrupted run this run resumed from, or null. */
  resumedFrom: string | null;
  /** Calls that run had already staged. */
  resumedCalls: number;
  /** Checkpoints this run wrote. */
  checkpoints: number;
}

/** A convert result before anything was read. */
export function emptyConvertResult(
  runId: string,
  outputDir: string,
  format: string,
  tables: readonly string[],
): ConvertResult {
  return {
    runId,
    outputDir,
    format,
    counts: Object.fromEntries(tables.map((t) => [t, 0])),
    records: 0,
    pages: 0,
    quarantined: 0,
    quarantineFile: null,
    filesWritten: 0,
    files: [],
  };
}

/** An export result before anything was read. */
export function emptyExportResult(
  runId: string,
  outputDir: string,
  format: string,
  tables: readonly string[],
): ExportResult {
  return {
    ...emptyConvertResult(runId, outputDir, format, tables),
    skippedNewerThanUntil: 0,
    skippedOlderThanSince: 0,
    retries: 0,
    duplicatesDropped: 0,
    driftSeen: 0,
    raw: null,
    mode: 'full',
    incremental: null,
    completeness: null,
    resumedFrom: null,
    resumedCalls: 0,
    checkpoints: 0,
  };
}
