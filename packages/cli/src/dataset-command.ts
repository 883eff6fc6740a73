import { newRunId } from '@omnidim-stream/engine';
import { DUCKDB_READERS } from '@omnidim-stream/sinks';
import type { RunContext } from './commands/export.js';
import { EXIT_CODES, exitCodeFor, UsageError } from './exit-codes.js';
import type { DatasetOptions } from './export-options.js';
import { type CliIo, signalNameOf } from './io.js';
import { writeMetricsFile } from './metrics-file.js';
import type { RunLog } from './run-log.js';
import { createRunObserver } from './run-observer.js';
import { emptySummary, formatSummaryLine, type RunSummary } from './summary.js';

/**
 * Runs `export`/`convert` (and any command that writes a dataset through the engine): the start
 * line, the engine's events as progress and log lines, then the outcome, whatever the terminal:
 * the summary line (or the error) on stderr, the `--json` summary on stdout, and the
 * `--metrics-file`. Resolves to the exit code; only a {@link UsageError} is thrown.
 */
export async function runDatasetCommand(
  command: 'export' | 'convert',
  options: DatasetOptions,
  io: CliIo,
  signal: AbortSignal,
  run: (context: RunContext) => Promise<RunSummary>,
  demo: boolean,
): Promise<number> {
  const now = io.now ?? Date.now;
  const started = now();
  const runId = newRunId(new Date(started));
  const summary = emptySummary(command, runId, options, started);
  const observer = createRunObserver({
    summary,
    progress: { enabled: io.isTTY && !options.quiet && !options.json, stream: io.stderr, now },
    log: { command, format: options.logFormat, quiet: options.quiet, stream: io.stderr, now },
  });
  const log = observer.log;
  log.info('start', `run ${runId} started: ${options.outDir} (${options.format})`, {
    runId,
    outDir: options.outDir,
    format: options.format,
  });
  let code: number = EXIT_CODES.OK;
  try {
    await run({ runId, signal, summary, onEvent: observer.onEvent });
  } catch (error) {
    if (error instanceof UsageError) throw error;
    code = exitCodeFor(error, signalNameOf(signal));
    const interrupted = code === EXIT_CODES.SIGINT || code === EXIT_CODES.SIGTERM;
    summary.status = interrupted ? 'interrupted' : 'failed';
    const message = interrupted
      ? `interrupted (${signalNameOf(signal) ?? 'aborted'}); nothing of this run was committed, the previous dataset is intact; running the same command again resumes from this run's last checkpoint, if it wrote one`
      : (error as Error).message;
    summary.error = { code: errorCode(error, interrupted), message };
    // A refused run committed nothing, but how many records it set aside is what to look at.
    const quarantined = (error as { quarantined?: unknown }).quarantined;
    if (typeof quarantined === 'number') summary.quarantined = quarantined;
  } finally {
    observer.done();
  }
  summary.exitCode = code;
  summary.durationMs = now() - started;
  report(log, summary, options.outDir);
  if (options.metricsFile) await metrics(log, options.metricsFile, summary, now());
  if (options.json) io.stdout.write(`${JSON.stringify(summary)}\n`);
  if (demo && code === EXIT_CODES.OK && !options.quiet) io.stderr.write(demoHint(summary));
  return code;
}

/** The outcome on stderr: the quarantine (a warning: calls the lake lacks), then summary or error. */
function report(log: RunLog, summary: RunSummary, outDir: string): void {
  if (summary.quarantined > 0) {
    const where = summary.quarantineFile ? ` in ${outDir}/${summary.quarantineFile}` : ' (not committed)';
    log.warn('quarantine', `${summary.quarantined} record(s) quarantined${where}`, {
      quarantined: summary.quarantined,
      quarantineFile: summary.quarantineFile,
    });
  }
  const fields = {
    runId: summary.runId,
    exitCode: summary.exitCode,
    durationMs: summary.durationMs,
    records: summary.records,
    pages: summary.pages,
    retries: summary.retries,
    quarantined: summary.quarantined,
    counts: summary.counts,
  };
  if (summary.error) {
    log.error('failed', summary.error.message, { ...fields, code: summary.error.code });
  } else log.info('summary', formatSummaryLine(summary), fields);
}

/** `--metrics-file`: a failure to write it is a warning naming the errno; the run's code stands. */
async function metrics(log: RunLog, path: string, summary: RunSummary, endedAt: number): Promise<void> {
  try {
    await writeMetricsFile(path, summary, endedAt);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    log.warn('metrics', `cannot write the metrics file ${path} (${errno}); the run's outcome is unchanged`, {
      errno,
    });
  }
}

function demoHint(summary: RunSummary): string {
  const { fn, glob } =
    DUCKDB_READERS[summary.format as keyof typeof DUCKDB_READERS] ?? DUCKDB_READERS.parquet;
  return `\nThe demo exported ${summary.records} simulated calls into ${summary.outputDir}. Query it with DuckDB:\n  duckdb -c "SELECT call_status, count(*) AS calls FROM ${fn}('${summary.outputDir}/calls/**/${glob}', hive_partitioning = true) GROUP BY ALL ORDER BY calls DESC"\n`;
}

function errorCode(error: unknown, interrupted: boolean): string {
  if (interrupted) return 'ABORTED';
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'INTERNAL';
}
