import type { CallLog, CallLogCheckpoint } from '@omnidim-stream/core';
import type { ExportEvent, RunProgress } from './events.js';
import type { ResolvedExportOptions } from './export-options.js';
import { newerTrustedWatermark, type RunPlan, watermarkOf } from './incremental.js';
import { CheckpointMark } from './run-pipeline.js';
import type { Watermark } from './run-state.js';
import { type CallLogSource, openCallLogSource, type SourceCounters, type SourceOptions } from './source.js';
import { isOlderThan, OLD_CALLS_TO_STOP } from './stray-old-call.js';
import { timeOfCallInstant, windowPosition } from './time-window.js';
import type { WindowCounters } from './window-records.js';

/** What an export stores in each checkpoint (the pipeline adds its own counters). */
export interface ExportCheckpointState {
  core: CallLogCheckpoint;
  counters: WindowCounters;
  newest: Watermark | null;
}

/**
 * The export's part of a checkpoint read back from disk, checked rather than cast (core checks
 * `core` itself when it resumes from it); undefined when it is not one. A counter a checkpoint of
 * an earlier version lacks starts at 0.
 */
export function exportStateOf(state: unknown): ExportCheckpointState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const { core, counters, newest } = state as Record<string, unknown>;
  if (typeof core !== 'object' || core === null || typeof counters !== 'object' || counters === null) {
    return undefined;
  }
  if (newest !== null && typeof newest !== 'object') return undefined;
  const c = counters as Record<string, unknown>;
  const count = (v: unknown): number | undefined =>
    v === undefined ? 0 : Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : undefined;
  const records = count(c['records']);
  const skippedNewerThanUntil = count(c['skippedNewerThanUntil']);
  const skippedOlderThanSince = count(c['skippedOlderThanSince']);
  if (records === undefined || skippedNewerThanUntil === undefined || skippedOlderThanSince === undefined) {
    return undefined;
  }
  return {
    core: core as CallLogCheckpoint,
    counters: { records, skippedNewerThanUntil, skippedOlderThanSince },
    newest: newest as Watermark | null,
  };
}

/** The mutable state of one export, shared by its source, its commit checks and its result. */
export interface ExportRunContext {
  options: ResolvedExportOptions;
  plan: RunPlan;
  /** Call times past this are not trusted for the watermark ({@link trustedTimeLimit}). */
  timeLimit: number;
  counters: WindowCounters;
  newest: Watermark | null;
  opened: CallLogSource | undefined;
  progress: RunProgress;
  emit: (event: ExportEvent) => void;
}

/**
 * Core's source options for this export, with progress, retry and drift events. Built once and
 * checked by core (`checkSourceOptions`) before the run starts.
 */
export function sourceOptionsFor(ctx: ExportRunContext): SourceOptions {
  const { options, progress, emit } = ctx;
  const cap = options.maxRecords ?? Number.POSITIVE_INFINITY;
  // With since or a cutoff the run ends before the end of the list the API announces.
  progress.upperBound = options.window.since !== undefined || ctx.plan.cutoff !== undefined;
  let drift = 0;
  const workerParsed = options.workers > 0 && options.stage === undefined;
  return {
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    pageSize: options.pageSize,
    concurrency: options.concurrency,
    retries: options.retries,
    maxRetryDelayMs: options.maxRetryDelayMs,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    maxStalePages: options.maxStalePages,
    maxPages: options.maxPages,
    filters: options.filters,
    signal: options.signal,
    // Flatten workers get each page's body to parse (worker-rows.ts); a user stage runs here.
    // They parse it anyway, so this thread only scans it and keeps id and time_of_call (issue 21).
    keepPageBody: workerParsed,
    shallowRecords: workerParsed,
    onUpdate: (c: SourceCounters) => {
      progress.pages = c.pages;
      progress.retries = c.retries;
      if (c.plannedPages !== undefined) {
        progress.plannedPages = Math.min(c.plannedPages, Math.ceil(cap / options.pageSize));
      }
      if (c.totalRecords !== undefined) progress.announcedCalls = Math.min(c.totalRecords, cap);
      drift = c.driftSeen;
      emit({ type: 'progress', progress });
    },
    onRetry: (event) => emit({ ...event, type: 'retry', retries: progress.retries }),
    onDrift: (event) => emit({ ...event, type: 'drift', driftSeen: drift }),
  };
}

/**
 * Core's source, resumed from a checkpoint when there is one, with the stop rules handed to core
 * (so it ends normally and completeness can be checked) and a {@link CheckpointMark} after every
 * `checkpointPages` pages.
 */
export async function* exportSource(
  ctx: ExportRunContext,
  base: SourceOptions,
  resumed: ExportCheckpointState | undefined,
): AsyncGenerator<unknown> {
  const { options, plan } = ctx;
  if (resumed) {
    ctx.counters.records = resumed.counters.records;
    ctx.counters.skippedNewerThanUntil = resumed.counters.skippedNewerThanUntil;
    ctx.counters.skippedOlderThanSince = resumed.counters.skippedOlderThanSince ?? 0;
    ctx.newest = resumed.newest;
  }
  const coreMax =
    options.maxRecords === undefined || options.window.until !== undefined
      ? undefined
      : options.maxRecords - (resumed?.core.emitted ?? 0);
  const stopWhen = stopRule(ctx, plan);
  let pagesSince = 0;
  let due: ExportCheckpointState | undefined;
  ctx.opened = openCallLogSource({
    ...base,
    ...(coreMax === undefined ? {} : coreMax > 0 ? { maxRecords: coreMax } : {}),
    stopWhen: coreMax !== undefined && coreMax <= 0 ? () => true : stopWhen,
    ...(resumed ? { resume: resumed.core } : {}),
    onCheckpoint: (checkpoint) => {
      pagesSince += 1;
      if (options.checkpointPages > 0 && pagesSince >= options.checkpointPages) {
        pagesSince = 0;
        // Counters now cover exactly the calls of the pages before this boundary.
        due = { core: checkpoint, counters: { ...ctx.counters }, newest: ctx.newest };
      }
    },
  });
  for await (const record of ctx.opened.records) {
    if (due) {
      yield new CheckpointMark(due);
      due = undefined;
    }
    ctx.newest = newerTrustedWatermark(ctx.newest, watermarkOf(record, options.timeZone), ctx.timeLimit);
    yield record;
  }
}

/**
 * Core's stop rule: the {@link OLD_CALLS_TO_STOP}-th consecutive call older than `since` or the
 * incremental cutoff (the list is newest first, but one wrong old time must not end the run:
 * stray-old-call.ts), read with the transform's parser so it agrees with the partition dates;
 * and `maxRecords` counted here when `until` skips calls (they must not count). Core offers each
 * call once, in list order, so the count of consecutive old calls is exact. A resumed run starts
 * counting at 0: no checkpoint is taken while old calls are held (window-records.ts).
 */
function stopRule(ctx: ExportRunContext, plan: RunPlan): (call: CallLog) => boolean {
  const { options } = ctx;
  const oldest = lowerBound(options.window.since, plan.cutoff);
  const max = options.maxRecords;
  let inWindow = ctx.counters.records;
  let oldInARow = 0;
  return (call) => {
    // Core passes non-object records through (the transform quarantines them): never assume one.
    const instant = timeOfCallInstant(
      (call as { time_of_call?: unknown } | null)?.time_of_call,
      options.timeZone,
    );
    if (isOlderThan(instant, oldest)) {
      oldInARow += 1;
      return oldInARow >= OLD_CALLS_TO_STOP;
    }
    oldInARow = 0;
    if (max === undefined || options.window.until === undefined) return false;
    if (windowPosition(instant, options.window) !== 'inside') return false;
    inWindow += 1;
    return inWindow > max;
  };
}

/** The later of `since` and the incremental cutoff, if any. */
function lowerBound(since: number | undefined, cutoff: number | undefined): number | undefined {
  if (since === undefined) return cutoff;
  return cutoff === undefined ? since : Math.max(since, cutoff);
}
