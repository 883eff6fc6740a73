import { randomBytes } from 'node:crypto';

/**
 * The one object `--json` prints on stdout at the end of `export` or `convert`, success or not.
 * Its keys are stable; schedulers and dashboards read them.
 */
export interface RunSummary {
  runId: string;
  command: 'export' | 'convert';
  status: 'ok' | 'failed' | 'interrupted';
  exitCode: number;
  outputDir: string;
  format: string;
  /** Rows written per table (only the selected tables). */
  counts: Record<string, number>;
  /** Call logs read from the source (after `--since`/`--until`). */
  records: number;
  /** Call logs skipped because they were newer than `--until`. */
  skippedNewerThanUntil: number;
  pages: number;
  retries: number;
  duplicatesDropped: number;
  driftSeen: number;
  quarantined: number;
  filesWritten: number;
  /** Paths of the files written, relative to `outputDir`. */
  files: string[];
  /** The `--raw` archive, relative to `outputDir`, or null. */
  raw: string | null;
  durationMs: number;
  startedAt: string;
  /** Present when the run failed: the error's stable code and its (secret-free) message. */
  error?: { code: string; message: string };
}

/** A run id that sorts by start time: `20260504T144615Z-1a2b3c`. */
export function newRunId(now: Date = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
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
