import type { ConvertEvent, ExportEvent, RunProgress } from '@omnidim-stream/engine';
import { createProgress, formatDuration } from './progress.js';
import { createRunLog, type RunLog, type RunLogOptions } from './run-log.js';
import type { RunSummary } from './summary.js';

/** Any engine event a dataset command receives through `onEvent`. */
export type RunEvent = ExportEvent | ConvertEvent;

/** What a command run reports to, built once by `main()` and handed to the command. */
export interface RunObserver {
  /** The engine's `onEvent`: progress display, log lines, and the summary at `end`. */
  onEvent(event: RunEvent): void;
  /** Clears the progress display for good (before the summary and error lines). */
  done(): void;
  /** The run's log; each line clears the progress frame first. */
  log: RunLog;
}

/**
 * Turns the engine's events into what an operator sees, for every dataset command alike (a new
 * command gets its log lines, progress and summary by passing `onEvent` on, issue 19): the
 * progress display (TTY only), one log line per retry, drift, plan, resume, discard and warning,
 * and the summary filled in from `end`.
 *
 * @example
 * ```ts
 * const observer = createRunObserver({
 *   log: { command: 'export', format: 'text', quiet: false, stream: process.stderr },
 *   summary,
 *   progress: { enabled: process.stderr.isTTY, stream: process.stderr, now: Date.now },
 * });
 * await exportCallLogs({ ...options, onEvent: observer.onEvent });
 * ```
 */
export function createRunObserver(options: {
  log: Omit<RunLogOptions, 'beforeLine'>;
  summary: RunSummary;
  progress: {
    enabled: boolean;
    stream: { write(chunk: string): unknown; columns?: number };
    now: () => number;
  };
}): RunObserver {
  const state: RunProgress = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  const progress = createProgress({ ...options.progress, state });
  const { summary } = options;
  const log = createRunLog({ ...options.log, beforeLine: () => progress.clear() });
  return {
    log,
    onEvent(event) {
      if (event.type === 'progress') {
        Object.assign(state, event.progress);
        progress.update();
        return;
      }
      if (event.type === 'end') {
        Object.assign(summary, event.result);
        return;
      }
      logEvent(log, event, summary.outputDir);
    },
    done: () => progress.done(),
  };
}

/** One log line for an event worth a line (progress and checkpoints are not). */
function logEvent(log: RunLog, event: Exclude<RunEvent, { type: 'progress' | 'end' }>, outDir: string): void {
  switch (event.type) {
    case 'retry': {
      const { page, attempt, delayMs, code, status, message } = event;
      const wait = delayMs === undefined ? '' : ` in ${formatDuration(delayMs)}`;
      log.info(
        'retry',
        `page ${page ?? '?'} attempt ${attempt ?? '?'} failed (${message ?? code ?? 'error'}); retrying${wait} (retry ${event.retries} of this run)`,
        { page, attempt, delayMs, code, status, retries: event.retries },
      );
      return;
    }
    case 'drift':
      log.info(
        'drift',
        `the list changed while paging (${event.kind ?? 'drift'} seen on page ${event.page ?? '?'}): ${event.detail ?? ''}`.trim(),
        { kind: event.kind, page: event.page, count: event.count, driftSeen: event.driftSeen },
      );
      return;
    case 'plan':
      log.info('plan', event.note);
      return;
    case 'resume':
      log.info(
        'resume',
        `resuming an interrupted run of this command after ${event.calls} call(s) (checkpoint at offset ${event.position})`,
        { calls: event.calls, position: event.position },
      );
      return;
    case 'discard':
      log.info(
        'discard',
        `discarding the unfinished run ${event.runId} left in ${outDir}/_staging (${event.reason})`,
        {
          runId: event.runId,
        },
      );
      return;
    case 'warning':
      log.warn('warning', event.message);
      return;
    case 'checkpoint':
      return;
  }
}
