import { join } from 'node:path';
import { filtersFingerprint } from '@omnidim-stream/core';
import type { ExportEvent, RunProgress } from './events.js';
import {
  beforeExportCommit,
  checkCompleteness,
  manifestSourceStats,
  syncResult,
} from './export-commit-checks.js';
import { fingerprintOf } from './export-fingerprint.js';
import {
  type ExportCallLogsOptions,
  type ResolvedExportOptions,
  resolveExportCallLogsOptions,
} from './export-options.js';
import { type ExportResult, emptyExportResult } from './export-result.js';
import { type ExportRunContext, exportSource, exportStateOf, sourceOptionsFor } from './export-source.js';
import { planRun, trustedTimeLimit } from './incremental.js';
import { objectStateKey, runOnObjectStore, targetsObjectStore } from './object-store-run.js';
import { type PipelineOptions, runPipeline } from './run-pipeline.js';
import type { PreparedRunState } from './run-state.js';
import { checkSourceOptions } from './source.js';
import { windowRecords } from './window-records.js';

/**
 * Exports the call logs of the OmniDimension API into a Hive-partitioned dataset (Parquet, CSV
 * or NDJSON) with every guarantee of the `omnidim-stream export` command, which is a thin
 * wrapper around it: the options are validated before any request or write; the dataset lock is
 * held for the run; a run aborted (`signal`) or crashed after a checkpoint is resumed by the same
 * call; the commit is atomic and refused when the API announced more calls than were handed on
 * (`IncompleteExportError`) or when an empty answer would replace a dataset with rows; broken
 * records go to a quarantine file and, with `raw`, every call log to a raw archive, both
 * committed with the data; with `incremental`, only the newest date partitions are re-read and
 * the state advances only after the commit. A failed run leaves the previous dataset and state
 * byte-for-byte intact. Progress and notes arrive as events (`onEvent`), never on a terminal.
 *
 * @example
 * ```ts
 * const result = await exportCallLogs({ apiKey, outDir: 'lake', checkpointPages: 5, signal });
 * console.log(result.counts.calls, result.completeness?.proven, result.resumedFrom);
 * ```
 */
export async function exportCallLogs(options: ExportCallLogsOptions): Promise<ExportResult> {
  const resolved = resolveExportCallLogsOptions(options);
  if (targetsObjectStore(options)) return exportToObjectStore(options, resolved);
  const emit = (event: ExportEvent) => resolved.onEvent?.(event);
  const result = emptyExportResult(resolved.runId, resolved.outDir, resolved.format, resolved.tables);
  let error: unknown;
  try {
    await runExport(resolved, result, emit);
    return result;
  } catch (caught) {
    error = caught;
    throw caught;
  } finally {
    emit({ type: 'end', result, error });
  }
}

async function runExport(
  options: ResolvedExportOptions,
  result: ExportResult,
  emit: (event: ExportEvent) => void,
): Promise<void> {
  const timeLimit = trustedTimeLimit(options.now());
  const plan = await planRun(
    options.incremental,
    {
      timeZone: options.timeZone,
      format: options.format,
      tables: options.tables,
      filters: filtersFingerprint(options.filters),
    },
    options.outDir,
    timeLimit,
    options.partitionBy,
  );
  if (plan.note) emit({ type: 'plan', note: plan.note });
  result.mode = options.incremental ? plan.kind : 'full';
  result.incremental = options.incremental
    ? {
        stateFile: options.incremental.stateFile,
        lookback: options.incremental.lookback,
        cutoff: plan.cutoff === undefined ? null : new Date(plan.cutoff).toISOString(),
        cutoffDate: plan.cutoffDate ?? null,
        previousRunId: plan.previous?.lastRunId ?? null,
        stateWritten: false,
      }
    : null;
  const progress: RunProgress = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  const ctx: ExportRunContext = {
    options,
    plan,
    timeLimit,
    counters: { records: 0, skippedNewerThanUntil: 0, skippedOlderThanSince: 0 },
    newest: null,
    opened: undefined,
    progress,
    emit,
  };
  const base = sourceOptionsFor(ctx);
  checkSourceOptions(base);
  // Written to its temp file before the data commit (a state that cannot be written fails while
  // the lake is untouched) and renamed into place after it.
  let prepared: PreparedRunState | undefined;
  try {
    const piped = await runPipeline(
      pipelineOptions(ctx, result, base, async () => {
        prepared = await beforeExportCommit(ctx, result);
      }),
    );
    result.checkpoints = piped.checkpoints;
    result.counts = Object.fromEntries(options.tables.map((t) => [t, piped.rows[t] ?? 0]));
    result.files = piped.files;
    result.filesWritten = piped.files.length;
    result.quarantined = piped.quarantined;
    result.quarantineFile = piped.quarantine;
    if (result.completeness) result.completeness.quarantined = piped.quarantined;
    result.raw = piped.raw;
    result.resumedFrom = piped.resumedFrom;
    result.resumedCalls = piped.resumedCalls;
    if (prepared) {
      // Only now, after the data commit: a run that failed never moves the state.
      await prepared.commit();
      prepared = undefined;
      if (result.incremental) result.incremental.stateWritten = true;
    }
  } finally {
    await prepared?.discard();
    if (!result.completeness) checkCompleteness(ctx, result);
    syncResult(ctx, result);
  }
}

/** The pipeline of one export: the windowed, resumable source into the dataset. */
function pipelineOptions(
  ctx: ExportRunContext,
  result: ExportResult,
  base: ReturnType<typeof sourceOptionsFor>,
  beforeCommit: () => Promise<void>,
): PipelineOptions {
  const { options, plan, emit } = ctx;
  return {
    records: ({ resumed, raw }) => {
      const state = exportStateOf(resumed);
      if (state) emit({ type: 'resume', calls: state.core.emitted, position: state.core.position });
      return windowRecords(exportSource(ctx, base, state), {
        window: options.window,
        cutoff: plan.cutoff,
        timeZone: options.timeZone,
        // Enforced by core (maxRecords / stopWhen), so the source ends normally.
        maxRecords: undefined,
        raw,
        counters: ctx.counters,
        onRecord: () => {
          ctx.progress.records = ctx.counters.records;
          emit({ type: 'progress', progress: ctx.progress });
        },
      });
    },
    outDir: options.outDir,
    format: options.format,
    tables: options.tables,
    compression: options.compression,
    rowsPerFile: options.rowsPerFile,
    partitionBy: options.partitionBy,
    targetFileSize: options.targetFileSize,
    csvFormulaGuard: options.csvFormulaGuard,
    transform: options.transform,
    runId: options.runId,
    raw: options.raw,
    rawUnredacted: options.rawUnredacted,
    // Merge-on-write: the run re-read only its lookback window, so each partition it wrote is
    // rewritten as the lake's rows merged with this run's (a month is never re-read whole).
    mode: plan.kind === 'incremental' ? 'mergePartitions' : 'overwrite',
    ...(options.checkpointPages > 0 || options.incremental
      ? {
          resume: {
            fingerprint: fingerprintOf(options, plan),
            onDiscard: (runId, reason) => emit({ type: 'discard', runId, reason }),
            onCheckpoint: (calls) => emit({ type: 'checkpoint', calls }),
          },
        }
      : {}),
    beforeCommit,
    onWarning: (message) => emit({ type: 'warning', message }),
    sourceStats: () => manifestSourceStats(ctx, result),
    signal: options.signal,
    stage: options.stage,
    maxQuarantined: options.maxQuarantined,
    workers: options.workers,
  };
}

/**
 * An export to an object store (object-store-run.ts): the same export on a working copy, the
 * state kept in the bucket beside the data. Every option was checked before this is called.
 */
function exportToObjectStore(
  options: ExportCallLogsOptions,
  resolved: ResolvedExportOptions,
): Promise<ExportResult> {
  const stateKey = resolved.incremental && objectStateKey(resolved.outDir, resolved.incremental.stateFile);
  return runOnObjectStore<ExportEvent, ExportResult>(
    {
      ...options,
      runId: resolved.runId,
      stateKey,
      warning: (message) => ({ type: 'warning', message }),
      failedEnd: (error) => ({
        type: 'end',
        result: emptyExportResult(resolved.runId, resolved.outDir, resolved.format, resolved.tables),
        error,
      }),
    },
    (workDir, onEvent) =>
      exportCallLogs({
        ...options,
        outDir: workDir,
        storage: undefined,
        runId: resolved.runId,
        onEvent,
        ...(options.incremental && stateKey
          ? { incremental: { ...options.incremental, stateFile: join(workDir, stateKey) } }
          : {}),
      }),
  );
}
