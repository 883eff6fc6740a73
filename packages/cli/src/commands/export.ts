import type { TransformOptions } from '@omnidim-stream/transform';
import {
  checkSourceOptions,
  openCallLogSource,
  type SourceCounters,
  type SourceOptions,
  startSimulator,
} from '../engine.js';
import { EXPORT_DEFAULTS, type ExportOptions } from '../export-options.js';
import type { CliIo } from '../io.js';
import { createProgress, type ProgressState } from '../progress.js';
import type { RawArchive } from '../raw-archive.js';
import { runPipeline } from '../run-pipeline.js';
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
 * `for await` stops core's paging.
 */
export async function* windowRecords(
  source: AsyncIterable<unknown>,
  options: {
    window: TimeWindow;
    timeZone: string;
    maxRecords: number | undefined;
    raw: RawArchive | undefined;
    counters: WindowCounters;
    onRecord?: () => void;
  },
): AsyncGenerator<unknown> {
  const { window, timeZone, maxRecords, raw, counters } = options;
  if (maxRecords !== undefined && maxRecords <= 0) return;
  for await (const record of source) {
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

async function exportFrom(
  { apiKey, baseUrl }: { apiKey: string; baseUrl: string },
  transform: TransformOptions,
  options: ExportOptions,
  io: CliIo,
  context: { runId: string; signal: AbortSignal; summary: RunSummary },
): Promise<RunSummary> {
  const summary = context.summary;
  const now = io.now ?? Date.now;
  const state: ProgressState = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  const progress = createProgress({
    enabled: io.isTTY && !options.quiet && !options.json,
    stream: io.stderr,
    state,
    now,
  });
  const counters: WindowCounters = { records: 0, skippedNewerThanUntil: 0 };
  // Core may stop paging by itself when nothing is skipped; with --until, skipped calls must not count.
  const coreMaxRecords = options.window.until === undefined ? options.maxRecords : undefined;
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
  // Opened lazily, from inside the pipeline, once the transform and sink accepted their options.
  const sourceOptions: SourceOptions = {
    apiKey,
    baseUrl,
    pageSize: options.pageSize,
    concurrency: options.concurrency,
    filters: options.filters,
    ...(coreMaxRecords === undefined ? {} : { maxRecords: coreMaxRecords }),
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
  checkSourceOptions(sourceOptions);
  async function* source(): AsyncGenerator<unknown> {
    const opened = openCallLogSource(sourceOptions);
    sourceCounters = opened.counters;
    yield* opened.records;
  }
  try {
    const result = await runPipeline({
      records: (raw) =>
        windowRecords(source(), {
          window: options.window,
          timeZone: options.timeZone,
          maxRecords: options.maxRecords,
          raw,
          counters,
          onRecord: () => {
            state.records = counters.records;
            progress.update();
          },
        }),
      outDir: options.outDir,
      format: options.format,
      tables: options.tables,
      compression: options.compression,
      rowsPerFile: options.rowsPerFile,
      transform,
      runId: context.runId,
      raw: options.raw,
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
        };
      },
      signal: context.signal,
    });
    summary.counts = Object.fromEntries(options.tables.map((t) => [t, result.rows[t] ?? 0]));
    summary.files = result.files;
    summary.filesWritten = result.files.length;
    summary.quarantined = result.quarantined;
    summary.raw = result.raw;
    return summary;
  } finally {
    syncCounters();
    progress.done();
  }
}
