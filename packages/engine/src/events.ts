import type { DriftEvent, RetryEvent } from '@omnidim-stream/core';
import type { ConvertResult, ExportResult } from './export-result.js';

/** Live counters of a run (one object, updated in place: read it inside the callback). */
export interface RunProgress {
  pages: number;
  /** From `total_records` ÷ page size (capped by `maxRecords`), once the first page arrived. */
  plannedPages: number | undefined;
  records: number;
  retries: number;
  /**
   * Calls the API announced for this run (`total_records` of the first page, capped by
   * `maxRecords`), once known; what a progress bar runs to.
   */
  announcedCalls?: number | undefined;
  /**
   * True when the run stops at `since` or an incremental cutoff: the API announces its whole
   * list, so {@link announcedCalls} (and `plannedPages`) are then only an upper bound, and a
   * display must not promise them (issue 19: "announced 60 pages, finished after 16").
   */
  upperBound?: boolean;
}

/**
 * What a run reports while it goes, through the `onEvent` option (the engine never writes to a
 * terminal or a log itself; the CLI turns these into its progress line and stderr notes).
 * - `progress`: a page or a call went by (high-frequency: keep the handler cheap);
 * - `retry` / `drift`: core retried a page / reconciled a change of the list while paging (the
 *   running count, and core's `RetryEvent` / `DriftEvent`: page, cause, delay; kind, detail);
 * - `plan`: why an incremental run is a full one;
 * - `resume`: this run continues an interrupted one after `calls` calls;
 * - `discard`: an unfinished run of other options was found and removed;
 * - `checkpoint`: a checkpoint is durable (an abort from now on resumes after `calls` calls);
 * - `warning`: a problem that did not fail the run;
 * - `end`: the run is over, with its result, and the error when it failed.
 */
export type ExportEvent =
  | { type: 'progress'; progress: RunProgress }
  | ({ type: 'retry'; retries: number } & Partial<Omit<RetryEvent, 'type'>>)
  | ({ type: 'drift'; driftSeen: number } & Partial<Omit<DriftEvent, 'type'>>)
  | { type: 'plan'; note: string }
  | { type: 'resume'; calls: number; position: number }
  | { type: 'discard'; runId: string; reason: string }
  | { type: 'checkpoint'; calls: number }
  | { type: 'warning'; message: string }
  | { type: 'end'; result: ExportResult; error: unknown };

/** What `convertCallLogs()` reports: progress, then `end`. */
export type ConvertEvent =
  | { type: 'progress'; progress: RunProgress }
  | { type: 'warning'; message: string }
  | { type: 'end'; result: ConvertResult; error: unknown };
