import { completeness, filtersFingerprint, IncompleteExportError } from '@omnidim-stream/core';
import { refuseEmptyReplacement } from './empty-answer-guard.js';
import type { ExportResult } from './export-result.js';
import type { ExportRunContext } from './export-source.js';
import { type PreparedRunState, prepareRunState, RUN_STATE_VERSION } from './run-state.js';

/**
 * Copies the live counters into the result (the source's, and the window's). Called whenever
 * the result is read: before the commit, for the manifest, and at the end.
 */
export function syncResult(ctx: ExportRunContext, result: ExportResult): void {
  result.records = ctx.counters.records;
  result.skippedNewerThanUntil = ctx.counters.skippedNewerThanUntil;
  result.skippedOlderThanSince = ctx.counters.skippedOlderThanSince;
  const c = ctx.opened?.counters;
  if (!c) return;
  result.pages = c.pages;
  result.retries = c.retries;
  result.duplicatesDropped = c.duplicatesDropped;
  result.driftSeen = c.driftSeen;
}

/**
 * Core's `completeness()` into the result. Core counts the rows missing from pages that stayed
 * short after their retries (its `shortfall`), also when the stop rule fired inside such a page,
 * so `missing` is complete.
 */
export function checkCompleteness(ctx: ExportRunContext, result: ExportResult) {
  if (!ctx.opened) return undefined;
  const c = completeness(ctx.opened.stats);
  result.completeness = { ...c, quarantined: result.quarantined };
  return c;
}

/**
 * Runs once every row is staged, before anything is published; throwing aborts the commit, so
 * the previous dataset and state stay as they were: an incomplete run (the API promised more
 * than was handed on), an empty answer about to replace a dataset with rows, and a state file
 * that cannot be written (written to its temp file now, renamed after the data commit).
 */
export async function beforeExportCommit(
  ctx: ExportRunContext,
  result: ExportResult,
): Promise<PreparedRunState | undefined> {
  const { options, plan } = ctx;
  syncResult(ctx, result);
  const c = checkCompleteness(ctx, result);
  const kept = options.incremental ? ' and state are' : ' is';
  // Only a source that ended by itself has a view to compare with. Not proven (a page boundary
  // the reconciler could not prove continuous) is refused like missing calls: `missing` is then
  // only a lower bound, and a call that slid over such a boundary leaves no count behind
  // (README "Paging safety"; core/test/source.drift-serve-order.test.ts).
  if (c?.ended && (c.missing > 0 || !c.proven)) {
    throw new IncompleteExportError(
      c.missing,
      `${c.reason}. Nothing was committed; the previous dataset${kept} unchanged`,
    );
  }
  if (ctx.opened && plan.kind === 'full' && !options.allowEmpty) {
    await refuseEmptyReplacement({
      outDir: options.outDir,
      records: ctx.counters.records,
      totalAtStart: ctx.opened.stats.totalAtStart,
      incremental: options.incremental !== undefined,
    });
  }
  if (!options.incremental) return undefined;
  return prepareRunState(options.incremental.stateFile, {
    version: RUN_STATE_VERSION,
    lastRunId: options.runId,
    committedAt: new Date(options.now()).toISOString(),
    lastMode: plan.kind,
    watermark: ctx.newest ??
      plan.previous?.watermark ?? { newestId: null, newestTime: null, newestTimeOfCall: null },
    timeZone: options.timeZone,
    format: options.format,
    tables: [...options.tables],
    filters: filtersFingerprint(options.filters),
    pageSize: options.pageSize,
    lookback: options.incremental.lookback,
    outDir: options.outDir,
    partitionBy: options.partitionBy,
  });
}

/** Source totals recorded in `_manifest.json` (read at commit time). */
export function manifestSourceStats(ctx: ExportRunContext, result: ExportResult): Record<string, unknown> {
  syncResult(ctx, result);
  return {
    totalRecords: ctx.opened?.counters.totalRecords ?? null,
    records: result.records,
    skippedNewerThanUntil: result.skippedNewerThanUntil,
    skippedOlderThanSince: result.skippedOlderThanSince,
    pages: result.pages,
    retries: result.retries,
    duplicatesDropped: result.duplicatesDropped,
    driftSeen: result.driftSeen,
    ...(result.completeness ? { completeness: result.completeness } : {}),
  };
}
