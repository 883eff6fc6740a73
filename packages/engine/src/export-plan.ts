import { filtersFingerprint, paginateCallLogPages } from '@omnidim-stream/core';
import { HIVE_DEFAULT_PARTITION, readManifest } from '@omnidim-stream/sinks';

const HIVE_DEFAULT_PARTITION_DIR = `date=${HIVE_DEFAULT_PARTITION}`;

import type { ExportCallLogsOptions } from './export-options.js';
import { resolveExportCallLogsOptions } from './export-options.js';
import { planRun, trustedTimeLimit } from './incremental.js';
import { checkSourceOptions, coreOptions, type SourceOptions } from './source.js';

/** What {@link planExport} found: what `exportCallLogs()` with the same options would do now. */
export interface ExportPlan {
  /** `full` (everything, replacing the dataset) or `incremental` (down to `cutoff`). */
  mode: 'full' | 'incremental';
  /** Incremental: the instant paging stops at (ISO), and the oldest date partition re-read. */
  cutoff: string | null;
  cutoffDate: string | null;
  /** Why a `--state` run would be full, when something needs saying. */
  note: string | null;
  /** `total_records` the API announced for these filters (the key was accepted). */
  announcedCalls: number;
  /** Pages of `pageSize` the run would read at most (capped by `maxRecords`). */
  pagesAtMost: number;
  /**
   * True when the run would stop earlier, at `since` or the cutoff: the API has no date filter,
   * so `announcedCalls` and `pagesAtMost` are then upper bounds, not a promise.
   */
  upperBound: boolean;
  /**
   * The date partitions of the current dataset the run would replace: every one on a full run,
   * those from `cutoffDate` on for an incremental one (newer dates may be added too).
   */
  replacedPartitions: string[];
  /** Date partitions the dataset holds now (0 when there is none yet). */
  existingPartitions: number;
}

/**
 * A dry run (issue 19): validates the options exactly as {@link exportCallLogs} does, reads the
 * state and the manifest, and sends ONE request (`GET /calls/logs?pagesize=1`, with the filters)
 * to check the key and learn `total_records`. It takes no lock and writes nothing: not even
 * `outDir` is created. Errors are the export's (401 → `UNAUTHORIZED`, …).
 *
 * @example
 * ```ts
 * const plan = await planExport({ apiKey, outDir: 'lake', incremental: { stateFile: 'lake/_state.json', lookbackMs: 86_400_000 } });
 * console.log(plan.mode, plan.cutoffDate, plan.pagesAtMost, plan.replacedPartitions);
 * ```
 */
export async function planExport(options: ExportCallLogsOptions): Promise<ExportPlan> {
  const resolved = resolveExportCallLogsOptions(options);
  const source: SourceOptions = {
    apiKey: resolved.apiKey,
    baseUrl: resolved.baseUrl,
    pageSize: 1,
    concurrency: 1,
    filters: resolved.filters,
    retries: resolved.retries,
    maxRetryDelayMs: resolved.maxRetryDelayMs,
    timeoutMs: resolved.timeoutMs,
    maxResponseBytes: resolved.maxResponseBytes,
    signal: resolved.signal,
  };
  checkSourceOptions({ ...source, pageSize: resolved.pageSize, concurrency: resolved.concurrency });
  const plan = await planRun(
    resolved.incremental,
    {
      timeZone: resolved.timeZone,
      format: resolved.format,
      tables: resolved.tables,
      filters: filtersFingerprint(resolved.filters),
    },
    resolved.outDir,
    trustedTimeLimit(resolved.now()),
    resolved.partitionBy,
  );
  const announcedCalls = await announcedTotal(source);
  const partitions = await datePartitions(resolved.outDir);
  const cutoffDate = plan.cutoffDate;
  const capped = Math.min(announcedCalls, resolved.maxRecords ?? Number.POSITIVE_INFINITY);
  return {
    mode: plan.kind,
    cutoff: plan.cutoff === undefined ? null : new Date(plan.cutoff).toISOString(),
    cutoffDate: cutoffDate ?? null,
    note: plan.note ?? null,
    announcedCalls,
    pagesAtMost: Math.ceil(capped / resolved.pageSize),
    upperBound: resolved.window.since !== undefined || plan.cutoff !== undefined,
    replacedPartitions:
      cutoffDate === undefined ? partitions : partitions.filter((p) => p.slice('date='.length) >= cutoffDate),
    existingPartitions: partitions.length,
  };
}

/** `total_records` from the first page of one call: one request, then the source is closed. */
async function announcedTotal(source: SourceOptions): Promise<number> {
  const pages = paginateCallLogPages(coreOptions(source));
  try {
    for await (const page of pages) return page.total_records;
    return 0;
  } finally {
    await pages.return(undefined);
  }
}

/** The distinct `date=…` partitions of the dataset's manifest, sorted (none without a dataset). */
async function datePartitions(outDir: string): Promise<string[]> {
  const manifest = await readManifest(outDir).catch(() => undefined);
  const dates = new Set<string>();
  for (const file of manifest?.files ?? []) {
    dates.add(file.partition.date === null ? HIVE_DEFAULT_PARTITION_DIR : `date=${file.partition.date}`);
  }
  return [...dates].sort();
}
