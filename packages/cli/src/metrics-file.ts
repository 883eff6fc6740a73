import { open, readFile, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunSummary } from './summary.js';

/**
 * `--metrics-file PATH` (issue 19): the run's figures in the Prometheus text exposition format,
 * for node_exporter's textfile collector (`--collector.textfile.directory`), written at the end of
 * every run, failed ones included. Every metric is a gauge of the last run, labelled with the
 * command; `omnidim_stream_last_success_timestamp_seconds` is carried over from the previous
 * file when this run failed, so "no success for 2 h" is one alert rule (README, Metrics).
 */
const PREFIX = 'omnidim_stream';

/** One gauge: name (without the prefix), help text, and its samples (labels → value). */
interface Gauge {
  name: string;
  help: string;
  samples: { labels: Record<string, string>; value: number }[];
}

/**
 * The exposition text of a finished run. `lastSuccess` is the time (s) of the last successful
 * run: this one when it succeeded, else the one read from the previous file (absent: never).
 *
 * @example
 * ```ts
 * formatMetrics(summary, { endedAt: Date.now(), lastSuccess: undefined, bytes: 1234 });
 * // '# HELP omnidim_stream_last_run_exit_code …\n# TYPE … gauge\nomnidim_stream_last_run_exit_code{command="export"} 0\n…'
 * ```
 */
export function formatMetrics(
  summary: RunSummary,
  run: { endedAt: number; lastSuccess: number | undefined; bytes: number },
): string {
  const command = { command: summary.command };
  const one = (name: string, help: string, value: number): Gauge => ({
    name,
    help,
    samples: [{ labels: command, value }],
  });
  const gauges: Gauge[] = [
    one('last_run_exit_code', 'Exit code of the last run (0 ok; README "Exit codes").', summary.exitCode),
    one('last_run_timestamp_seconds', 'When the last run ended, Unix time.', run.endedAt / 1000),
    one('last_run_duration_seconds', 'Wall time of the last run.', summary.durationMs / 1000),
    one('last_run_calls', 'Call logs the last run handed to the transform.', summary.records),
    {
      name: 'last_run_rows',
      help: 'Rows the last run wrote, per table (0 when it failed: nothing committed).',
      samples: Object.entries(summary.counts).map(([table, value]) => ({
        labels: { ...command, table },
        value: summary.exitCode === 0 ? value : 0,
      })),
    },
    one('last_run_pages', 'API pages the last run read.', summary.pages),
    one('last_run_retries', 'Page requests the last run retried.', summary.retries),
    one(
      'last_run_duplicates_dropped',
      'Calls seen twice (list drift) and dropped.',
      summary.duplicatesDropped,
    ),
    one('last_run_drift_events', 'Changes of the list reconciled while paging.', summary.driftSeen),
    one(
      'last_run_quarantined',
      'Records the last run set aside in its quarantine file.',
      summary.quarantined,
    ),
    one('last_run_bytes', 'Bytes of the files the last run committed.', run.bytes),
  ];
  if (run.lastSuccess !== undefined) {
    gauges.push(
      one('last_success_timestamp_seconds', 'When a run last ended with exit 0, Unix time.', run.lastSuccess),
    );
  }
  return gauges.map(formatGauge).join('');
}

function formatGauge(gauge: Gauge): string {
  const name = `${PREFIX}_${gauge.name}`;
  const lines = [`# HELP ${name} ${gauge.help}`, `# TYPE ${name} gauge`];
  for (const { labels, value } of gauge.samples) {
    const text = Object.entries(labels)
      .map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
      .join(',');
    lines.push(`${name}{${text}} ${Number.isFinite(value) ? value : 0}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The last-success time (s) recorded in an earlier metrics file, if it has a valid one. */
export async function previousLastSuccess(path: string): Promise<number | undefined> {
  const text = await readFile(path, 'utf8').catch(() => '');
  const match = new RegExp(`^${PREFIX}_last_success_timestamp_seconds(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(
    text,
  );
  const value = Number(match?.[1]);
  return match && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Writes the run's metrics to `path` atomically (a temp file beside it, fsync, rename), so the
 * collector never reads half a file. Mode 0644: node_exporter runs as another user, and the
 * figures hold no secret. Rejects with the file-system error (its errno) on failure.
 */
export async function writeMetricsFile(path: string, summary: RunSummary, endedAt: number): Promise<void> {
  const lastSuccess = summary.exitCode === 0 ? endedAt / 1000 : await previousLastSuccess(path);
  const bytes = summary.exitCode === 0 ? await committedBytes(summary) : 0;
  const text = formatMetrics(summary, { endedAt, lastSuccess, bytes });
  const temp = `${path}.${process.pid}.tmp`;
  // A leftover (or planted symlink) at the temp name goes first, and 'wx' creates the file
  // anew: the write never follows a link out of the metrics directory.
  await unlink(temp).catch(() => undefined);
  const handle = await open(temp, 'wx', 0o644);
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

async function committedBytes(summary: RunSummary): Promise<number> {
  let total = 0;
  for (const file of summary.files) {
    total += await stat(join(summary.outputDir, file)).then(
      (s) => s.size,
      () => 0,
    );
  }
  return total;
}
