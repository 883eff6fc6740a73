import type { ExportResult } from '@omnidim-stream/engine';

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

/** The human one-liner printed on a TTY after a successful run. */
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
