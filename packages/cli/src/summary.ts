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
  /** The run's quarantined records `{ reason, detail, record }` (secrets masked), relative to `outputDir`; null when none. */
  quarantineFile: string | null;
  filesWritten: number;
  /** Paths of the files written, relative to `outputDir`. */
  files: string[];
  /** The `--raw` archive, relative to `outputDir`, or null. */
  raw: string | null;
  durationMs: number;
  startedAt: string;
  /** `export`: `full` (everything, replacing the dataset) or `incremental` (`--state`). */
  mode: 'full' | 'incremental' | null;
  /** `--state` runs: the state file, lookback, cutoff and whether the state was advanced. */
  incremental: {
    stateFile: string;
    lookback: string;
    /** The run stopped at the first call older than this instant (start of `cutoffDate`). */
    cutoff: string | null;
    /** The oldest date partition the run replaced. */
    cutoffDate: string | null;
    previousRunId: string | null;
    stateWritten: boolean;
  } | null;
  /**
   * `export`: what the API promised against what was handed on (core's `completeness()`), plus
   * the quarantined count (accounted for, not missing). Reported whether the run passed or not.
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
  /** The interrupted run this run resumed from (crash resume), or null. */
  resumedFrom: string | null;
  /** Calls that run had already staged. */
  resumedCalls: number;
  /** Checkpoints this run wrote (`--checkpoint-pages`). */
  checkpoints: number;
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
