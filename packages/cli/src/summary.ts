import type { ExportResult } from '@omnidim-stream/engine';
import type { DatasetOptions } from './export-options.js';

export { newRunId } from '@omnidim-stream/engine';

/**
 * The one object `--json` prints on stdout at the end of `export` or `convert`, success or not:
 * the engine's {@link ExportResult} (for `convert`, its keys that apply, the rest at their empty
 * values) and the command's outcome. Its keys are stable; schedulers and dashboards read them.
 */
export interface RunSummary extends Omit<ExportResult, 'mode'> {
  command: 'export' | 'convert';
  status: 'ok' | 'failed' | 'interrupted';
  exitCode: number;
  durationMs: number;
  startedAt: string;
  /** `export`: `full` (everything, replacing the dataset) or `incremental` (`--state`); `convert`: null. */
  mode: ExportResult['mode'] | null;
  /** Present when the run failed: the error's stable code and its (secret-free) message. */
  error?: { code: string; message: string };
}

/** The summary of a run that has not started yet: every count at 0, status ok. */
export function emptySummary(
  command: RunSummary['command'],
  runId: string,
  options: Pick<DatasetOptions, 'outDir' | 'format' | 'tables'>,
  started: number,
): RunSummary {
  return {
    runId,
    command,
    status: 'ok',
    exitCode: 0,
    outputDir: options.outDir,
    format: options.format,
    counts: Object.fromEntries(options.tables.map((t) => [t, 0])),
    records: 0,
    skippedNewerThanUntil: 0,
    skippedOlderThanSince: 0,
    pages: 0,
    retries: 0,
    duplicatesDropped: 0,
    driftSeen: 0,
    quarantined: 0,
    quarantineFile: null,
    filesWritten: 0,
    files: [],
    raw: null,
    durationMs: 0,
    startedAt: new Date(started).toISOString(),
    mode: command === 'export' ? 'full' : null,
    incremental: null,
    completeness: null,
    resumedFrom: null,
    resumedCalls: 0,
    checkpoints: 0,
  };
}

/** The human line logged on stderr after a successful run (`summary` event). */
export function formatSummaryLine(summary: RunSummary): string {
  const counts = Object.entries(summary.counts)
    .map(([table, n]) => `${table} ${n.toLocaleString('en-US')}`)
    .join(', ');
  const extras = [
    summary.quarantined ? `${summary.quarantined} quarantined` : '',
    summary.duplicatesDropped ? `${summary.duplicatesDropped} duplicates dropped` : '',
    summary.retries ? `${summary.retries} retries` : '',
  ].filter(Boolean);
  return `Wrote ${summary.filesWritten} file(s) to ${summary.outputDir} in ${(summary.durationMs / 1000).toFixed(1)}s: ${counts}${
    extras.length ? ` (${extras.join(', ')})` : ''
  }`;
}
