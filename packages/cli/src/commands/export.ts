import { createHash } from 'node:crypto';
import {
  type CallLog,
  type CallLogCheckpoint,
  type CallLogStats,
  completeness,
  EmptyResultError,
  filtersFingerprint,
  IncompleteExportError,
} from '@omnidim-stream/core';
import { readManifest } from '@omnidim-stream/sinks';
import { parseApiDateTime, type TransformOptions } from '@omnidim-stream/transform';
import {
  type CallLogSource,
  checkSourceOptions,
  openCallLogSource,
  type SourceCounters,
  type SourceOptions,
  startSimulator,
} from '../engine.js';
import { EXPORT_DEFAULTS, type ExportOptions } from '../export-options.js';
import { newerTrustedWatermark, planRun, type RunPlan, trustedTimeLimit } from '../incremental.js';
import type { CliIo } from '../io.js';
import { createProgress, type ProgressState } from '../progress.js';
import { CheckpointMark, runPipeline } from '../run-pipeline.js';
import { type PreparedRunState, prepareRunState, RUN_STATE_VERSION, type Watermark } from '../run-state.js';
import { loadApiKey, transformOptionsFor } from '../secrets.js';
import type { RunSummary } from '../summary.js';
import { type TimeWindow, timeOfCallInstant, windowPosition } from '../time-window.js';

/** Counters of the export's own stage (after core, before the transform). */
export interface WindowCounters {
  records: number;
  skippedNewerThanUntil: number;
}

/**
 * Applies `--since` / `--until` / `--max-records` to the newest-first source and tees each kept
 * call log into the raw archive. The API has no date filter (shared/api/NOTES.md), but the list is
 * newest first, so the first call older than `--since` ends the loop, and breaking out of the
 * `for await` stops core's paging (the export itself hands `--since` to core's `stopWhen`, so
 * that the source ends normally and its completeness can be checked). {@link CheckpointMark}s
 * pass through unchanged.
 */
export async function* windowRecords(
  source: AsyncIterable<unknown>,
  options: {
    window: TimeWindow;
    timeZone: string;
    maxRecords: number | undefined;
    raw: { write(record: unknown): Promise<void> } | undefined;
    counters: WindowCounters;
    onRecord?: () => void;
  },
): AsyncGenerator<unknown> {
  const { window, timeZone, maxRecords, raw, counters } = options;
  if (maxRecords !== undefined && maxRecords <= 0) return;
  for await (const record of source) {
    if (record instanceof CheckpointMark) {
      yield record;
      continue;
    }
    const time = (record as { time_of_call?: unknown } | null)?.time_of_call;
    const position = windowPosition(timeOfCallInstant(time, timeZone), window);
    if (position === 'older') break;
    if (position === 'newer') {
      counters.skippedNewerThanUntil += 1;
      continue;
    }
    if (raw) await raw.write(record);
    counters.records += 1;
    options.onRecord?.();
    yield record;
    if (maxRecords !== undefined && counters.records >= maxRecords) break;
  }
}

/**
 * `omnidim-stream export`: the API (or, with `--demo`, the in-process simulator) → tables.
 * Returns the run's summary; errors propagate with their coded class for `main()` to map.
 */
export async function runExport(
  options: ExportOptions,
  io: CliIo,
  context: { runId: string; signal: AbortSignal; summary: RunSummary },
): Promise<RunSummary> {
  // Everything that can fail on usage is checked before the simulator starts or a request is made.
  const transform = await transformOptionsFor(options, io.env, io.cwd);
  if (!options.demo) {
    const apiKey = await loadApiKey({ env: io.env, apiKeyFile: options.apiKeyFile, cwd: io.cwd });
    return exportFrom({ apiKey, baseUrl: options.baseUrl }, transform, options, io, context);
  }
  const simulator = await startSimulator({
    records: EXPORT_DEFAULTS.demoRecords,
    pageLatencyMs: EXPORT_DEFAULTS.demoLatencyMs,
    port: 0,
  });
  try {
    return await exportFrom(
      { apiKey: simulator.apiKey, baseUrl: simulator.url },
      transform,
      options,
      io,
      context,
    );
  } finally {
    await simulator.close();
  }
}

/** What an export stores in each checkpoint (the pipeline adds its own counters). */
interface ExportCheckpointState {
  core: CallLogCheckpoint;
  counters: WindowCounters;
  newest: Watermark | null;
}

/**
 * The options that decide what a run writes, hashed: a crashed run's checkpoint is resumed only
 * by the same command (same source, filters, window, format, redaction, and for incremental runs
 * the same state). Concurrency, progress and output flags don't matter; the key is never included.
 */
function fingerprintOf(options: ExportOptions, plan: RunPlan): string {
  const material = {
    command: 'export',
    baseUrl: options.baseUrl,
    format: options.format,
    compression: options.compression ?? null,
    tables: [...options.tables].sort(),
    timeZone: options.timeZone,
    redact: options.redact,
    filters: filtersFingerprint(options.filters),
    pageSize: options.pageSize,
    window: options.window,
    maxRecords: options.maxRecords ?? null,
    raw: options.raw,
    rawUnredacted: options.rawUnredacted,
    rowsPerFile: options.rowsPerFile ?? null,
    csvFormulaGuard: options.csvFormulaGuard,
    plan: plan.kind,
    cutoff: plan.cutoff ?? null,
    stateRun: plan.previous?.lastRunId ?? null,
  };
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

function watermarkOf(record: unknown, timeZone: string): Watermark {
  const log = record as { id?: unknown; time_of_call?: unknown } | null;
  const id = log?.id;
  const text = typeof log?.time_of_call === 'string' ? log.time_of_call : null;
  const instant = text === null ? null : parseApiDateTime(text, timeZone);
  return {
    newestId: typeof id === 'number' || typeof id === 'string' ? id : null,
    newestTime: instant ? instant.toISOString() : null,
    newestTimeOfCall: text,
  };
}

/**
 * A full export replaces the whole dataset, so one that found no call would leave an empty lake
 * and exit 0 when the API suddenly answers `total_records: 0` (a wrong account, a backend
 * incident). Refused (exit 4, nothing committed) when the dataset holds rows, unless
 * `--allow-empty`. A shrink that is not to zero is not refused: deletions, a new filter or
 * `--since` shrink a lake legitimately, and no threshold tells those apart from an API fault.
 */
async function refuseEmptyReplacement(
  options: ExportOptions,
  counters: WindowCounters,
  seen: { totalAtStart: number | undefined },
): Promise<void> {
  if (counters.records > 0) return;
  const previous = await readManifest(options.outDir).catch(() => undefined);
  const rows = previous?.files.reduce((n, f) => n + f.rows, 0) ?? 0;
  if (rows === 0) return;
  const calls = previous?.files.filter((f) => f.table === 'calls').reduce((n, f) => n + f.rows, 0) ?? 0;
  throw new EmptyResultError(
    rows,
    `The export found no call (the API announced total_records ${seen.totalAtStart ?? 'unknown'}) but ${options.outDir} holds ${calls} call(s) (${rows} rows): refusing to replace it with an empty dataset. Nothing was committed; the previous dataset${options.incremental ? ' and state are' : ' is'} unchanged. Pass --allow-empty if an empty result is expected`,
  );
}

async function exportFrom(
  { apiKey, baseUrl }: { apiKey: string; baseUrl: string },
  transform: TransformOptions,
  options: ExportOptions,
  io: CliIo,
  context: { runId: string; signal: AbortSignal; summary: RunSummary },
): Promise<RunSummary> {
  const summary = context.summary;
  const now = io.now ?? Date.now;
  // Call times past this are not trusted for the watermark (a wrong zone, a bad record: issue 11).
  const timeLimit = trustedTimeLimit(now());
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
  );
  if (plan.note && !options.quiet) io.stderr.write(`omnidim-stream export: ${plan.note}\n`);
  summary.mode = options.incremental ? plan.kind : 'full';
  summary.incremental = options.incremental
    ? {
        stateFile: options.incremental.stateFile,
        lookback: options.incremental.lookback,
        cutoff: plan.cutoff === undefined ? null : new Date(plan.cutoff).toISOString(),
        cutoffDate: plan.cutoffDate ?? null,
        previousRunId: plan.previous?.lastRunId ?? null,
        stateWritten: false,
      }
    : null;
  const state: ProgressState = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  const progress = createProgress({
    enabled: io.isTTY && !options.quiet && !options.json,
    stream: io.stderr,
    state,
    now,
  });
  const counters: WindowCounters = { records: 0, skippedNewerThanUntil: 0 };
  let newest: Watermark | null = null;
  let opened: CallLogSource | undefined;
  let sourceCounters: SourceCounters | undefined;
  const syncCounters = () => {
    summary.records = counters.records;
    summary.skippedNewerThanUntil = counters.skippedNewerThanUntil;
    if (!sourceCounters) return;
    summary.pages = sourceCounters.pages;
    summary.retries = sourceCounters.retries;
    summary.duplicatesDropped = sourceCounters.duplicatesDropped;
    summary.driftSeen = sourceCounters.driftSeen;
  };
  const checkCompleteness = (stats: CallLogStats) => {
    // Core counts the rows missing from pages that stayed short after their retries (its
    // `shortfall`), also when the stop rule fired inside such a page, so `missing` is complete.
    const c = completeness(stats);
    summary.completeness = { ...c, quarantined: summary.quarantined };
    return c;
  };
  const baseSource: SourceOptions = {
    apiKey,
    baseUrl,
    pageSize: options.pageSize,
    concurrency: options.concurrency,
    retries: options.retries,
    maxRetryDelayMs: options.maxRetryDelayMs,
    timeoutMs: options.timeoutMs,
    maxResponseBytes: options.maxResponseBytes,
    maxStalePages: options.maxStalePages,
    ...(options.maxPages === undefined ? {} : { maxPages: options.maxPages }),
    filters: options.filters,
    signal: context.signal,
    onUpdate: (c) => {
      state.pages = c.pages;
      state.retries = c.retries;
      if (c.plannedPages !== undefined) {
        const cap =
          options.maxRecords === undefined
            ? Number.POSITIVE_INFINITY
            : Math.ceil(options.maxRecords / options.pageSize);
        state.plannedPages = Math.min(c.plannedPages, cap);
      }
      progress.update();
    },
  };
  checkSourceOptions(baseSource);

  /**
   * Core's source, resumed from a checkpoint when there is one, with the stop rules handed to
   * core (so it ends normally and completeness can be checked) and a {@link CheckpointMark}
   * after every `checkpointPages` pages.
   */
  async function* source(resumed: ExportCheckpointState | undefined): AsyncGenerator<unknown> {
    if (resumed) {
      counters.records = resumed.counters.records;
      counters.skippedNewerThanUntil = resumed.counters.skippedNewerThanUntil;
      newest = resumed.newest;
    }
    // Stop at the first call older than --since or the incremental cutoff (the list is newest
    // first; NOTES.md), parsed with the transform's parser so it agrees with the partition dates.
    const oldest = Math.max(
      options.window.since ?? Number.NEGATIVE_INFINITY,
      plan.cutoff ?? Number.NEGATIVE_INFINITY,
    );
    const tooOld = (call: CallLog): boolean => {
      if (oldest === Number.NEGATIVE_INFINITY || typeof call.time_of_call !== 'string') return false;
      const instant = parseApiDateTime(call.time_of_call, options.timeZone);
      return instant !== null && instant.getTime() < oldest;
    };
    // --max-records: core counts it, unless --until skips calls (they must not count): then the
    // stop rule counts the calls inside the window itself.
    const max = options.maxRecords;
    let inWindow = counters.records;
    const countInWindow = (call: CallLog): boolean => {
      if (max === undefined || options.window.until === undefined) return false;
      const position = windowPosition(timeOfCallInstant(call.time_of_call, options.timeZone), options.window);
      if (position !== 'inside') return false;
      inWindow += 1;
      return inWindow > max;
    };
    const coreMax =
      max === undefined || options.window.until !== undefined
        ? undefined
        : max - (resumed?.core.emitted ?? 0);
    let pagesSince = 0;
    let due: ExportCheckpointState | undefined;
    opened = openCallLogSource({
      ...baseSource,
      ...(coreMax === undefined ? {} : coreMax > 0 ? { maxRecords: coreMax } : {}),
      stopWhen:
        coreMax !== undefined && coreMax <= 0 ? () => true : (call) => tooOld(call) || countInWindow(call),
      ...(resumed ? { resume: resumed.core } : {}),
      onCheckpoint: (checkpoint) => {
        pagesSince += 1;
        if (options.checkpointPages > 0 && pagesSince >= options.checkpointPages) {
          pagesSince = 0;
          // Counters now cover exactly the calls of the pages before this boundary.
          due = { core: checkpoint, counters: { ...counters }, newest };
        }
      },
    });
    sourceCounters = opened.counters;
    for await (const record of opened.records) {
      if (due) {
        yield new CheckpointMark(due);
        due = undefined;
      }
      newest = newerTrustedWatermark(newest, watermarkOf(record, options.timeZone), timeLimit);
      yield record;
    }
  }

  let checkpointsWritten = 0;
  // The state is written to its temp file before the data commit (a --state that cannot be
  // written fails while the lake is untouched) and renamed into place after it.
  let preparedState: PreparedRunState | undefined;
  try {
    const result = await runPipeline({
      records: ({ resumed, raw }) => {
        if (resumed && !options.quiet) {
          const r = resumed as ExportCheckpointState;
          io.stderr.write(
            `omnidim-stream export: resuming an interrupted run of this command after ${r.core.emitted} call(s) (checkpoint at offset ${r.core.position})\n`,
          );
        }
        return windowRecords(source(resumed as ExportCheckpointState | undefined), {
          window: options.window,
          timeZone: options.timeZone,
          // Enforced by core (maxRecords / stopWhen), so the source ends normally.
          maxRecords: undefined,
          raw,
          counters,
          onRecord: () => {
            state.records = counters.records;
            progress.update();
          },
        });
      },
      outDir: options.outDir,
      format: options.format,
      tables: options.tables,
      compression: options.compression,
      rowsPerFile: options.rowsPerFile,
      csvFormulaGuard: options.csvFormulaGuard,
      transform,
      runId: context.runId,
      raw: options.raw,
      rawUnredacted: options.rawUnredacted,
      mode: plan.kind === 'incremental' ? 'replacePartitions' : 'overwrite',
      ...(options.checkpointPages > 0 || options.incremental
        ? {
            resume: {
              fingerprint: fingerprintOf(options, plan),
              onDiscard: (runId, reason) => {
                if (!options.quiet) {
                  io.stderr.write(
                    `omnidim-stream export: discarding the unfinished run ${runId} left in ${options.outDir}/_staging (${reason})\n`,
                  );
                }
              },
            },
          }
        : {}),
      beforeCommit: async () => {
        syncCounters();
        if (opened) {
          const c = checkCompleteness(opened.stats);
          // Only a source that ended by itself has a view to compare with.
          if (c.ended && c.missing > 0) {
            throw new IncompleteExportError(
              c.missing,
              `${c.reason}. Nothing was committed; the previous dataset${options.incremental ? ' and state are' : ' is'} unchanged`,
            );
          }
          if (plan.kind === 'full' && !options.allowEmpty) {
            await refuseEmptyReplacement(options, counters, opened.stats);
          }
        }
        if (options.incremental) {
          preparedState = await prepareRunState(options.incremental.stateFile, {
            version: RUN_STATE_VERSION,
            lastRunId: context.runId,
            committedAt: new Date(now()).toISOString(),
            lastMode: plan.kind,
            watermark: newest ??
              plan.previous?.watermark ?? { newestId: null, newestTime: null, newestTimeOfCall: null },
            timeZone: options.timeZone,
            format: options.format,
            tables: [...options.tables],
            filters: filtersFingerprint(options.filters),
            pageSize: options.pageSize,
            lookback: options.incremental.lookback,
            outDir: options.outDir,
          });
        }
      },
      onWarning: (message) => io.stderr.write(`omnidim-stream export: warning: ${message}\n`),
      sourceStats: () => {
        syncCounters();
        return {
          totalRecords: sourceCounters?.totalRecords ?? null,
          records: counters.records,
          skippedNewerThanUntil: counters.skippedNewerThanUntil,
          pages: summary.pages,
          retries: summary.retries,
          duplicatesDropped: summary.duplicatesDropped,
          driftSeen: summary.driftSeen,
          ...(summary.completeness ? { completeness: summary.completeness } : {}),
        };
      },
      signal: context.signal,
    });
    checkpointsWritten = result.checkpoints;
    summary.counts = Object.fromEntries(options.tables.map((t) => [t, result.rows[t] ?? 0]));
    summary.files = result.files;
    summary.filesWritten = result.files.length;
    summary.quarantined = result.quarantined;
    summary.quarantineFile = result.quarantine;
    if (summary.completeness) summary.completeness.quarantined = result.quarantined;
    summary.raw = result.raw;
    summary.resumedFrom = result.resumedFrom;
    summary.resumedCalls = result.resumedCalls;
    if (preparedState) {
      // Only now, after the data commit: a run that failed never moves the state.
      await preparedState.commit();
      preparedState = undefined;
      if (summary.incremental) summary.incremental.stateWritten = true;
    }
    return summary;
  } finally {
    await preparedState?.discard();
    summary.checkpoints = checkpointsWritten;
    if (opened && !summary.completeness) checkCompleteness(opened.stats);
    syncCounters();
    progress.done();
  }
}
