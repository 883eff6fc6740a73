import {
  type ExportCallLogsOptions,
  type ExportEvent,
  exportCallLogs,
  type RunProgress,
} from '@omnidim-stream/engine';
import { startSimulator } from '@omnidim-stream/simulator';
import type { TransformOptions } from '@omnidim-stream/transform';
import { EXPORT_DEFAULTS, type ExportOptions } from '../export-options.js';
import type { CliIo } from '../io.js';
import { withFlagName } from '../option-flags.js';
import { createProgress } from '../progress.js';
import { loadApiKey, transformOptionsFor } from '../secrets.js';
import type { RunSummary } from '../summary.js';

/** What `main()` hands a command: its run id, the abort signal and the summary to fill in. */
export interface RunContext {
  runId: string;
  signal: AbortSignal;
  summary: RunSummary;
}

/**
 * `omnidim-stream export`: flags → `exportCallLogs()` (from the API, or with `--demo` from the
 * in-process simulator) → the summary. Errors propagate with their coded class for `main()` to map.
 */
export async function runExport(options: ExportOptions, io: CliIo, context: RunContext): Promise<RunSummary> {
  // Everything that can fail on usage is checked before the simulator starts or a request is made.
  const transform = await transformOptionsFor(options, io.env, io.cwd);
  if (!options.demo) {
    const apiKey = await loadApiKey({ env: io.env, apiKeyFile: options.apiKeyFile, cwd: io.cwd });
    return exportWith({ apiKey, baseUrl: options.baseUrl }, transform, options, io, context);
  }
  const simulator = await startSimulator({
    records: EXPORT_DEFAULTS.demoRecords,
    pageLatencyMs: EXPORT_DEFAULTS.demoLatencyMs,
    port: 0,
  });
  try {
    return await exportWith(
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

async function exportWith(
  source: { apiKey: string; baseUrl: string },
  transform: TransformOptions,
  options: ExportOptions,
  io: CliIo,
  context: RunContext,
): Promise<RunSummary> {
  const state: RunProgress = { pages: 0, plannedPages: undefined, records: 0, retries: 0 };
  const progress = createProgress({
    enabled: io.isTTY && !options.quiet && !options.json,
    stream: io.stderr,
    state,
    now: io.now ?? Date.now,
  });
  const note = (text: string) => {
    if (!options.quiet) io.stderr.write(`omnidim-stream export: ${text}\n`);
  };
  const onEvent = (event: ExportEvent) => {
    switch (event.type) {
      case 'progress':
        Object.assign(state, event.progress);
        progress.update();
        return;
      case 'plan':
        return note(event.note);
      case 'resume':
        return note(
          `resuming an interrupted run of this command after ${event.calls} call(s) (checkpoint at offset ${event.position})`,
        );
      case 'discard':
        return note(
          `discarding the unfinished run ${event.runId} left in ${options.outDir}/_staging (${event.reason})`,
        );
      case 'warning':
        io.stderr.write(`omnidim-stream export: warning: ${event.message}\n`);
        return;
      case 'end':
        Object.assign(context.summary, event.result);
        return;
    }
  };
  try {
    await exportCallLogs({
      ...engineOptions(options, source, transform),
      signal: context.signal,
      now: io.now ?? Date.now,
      runId: context.runId,
      onEvent,
    });
    return context.summary;
  } catch (error) {
    throw withFlagName(error);
  } finally {
    progress.done();
  }
}

/** Flags whose validated value is the engine option of the same name, unchanged. */
const SAME_NAME_OPTIONS = [
  'outDir',
  'format',
  'tables',
  'compression',
  'rowsPerFile',
  'partitionBy',
  'targetFileSize',
  'csvFormulaGuard',
  'pageSize',
  'concurrency',
  'retries',
  'maxRetryDelayMs',
  'timeoutMs',
  'maxResponseBytes',
  'maxStalePages',
  'maxPages',
  'filters',
  'maxRecords',
  'raw',
  'rawUnredacted',
  'allowEmpty',
  'incremental',
  'checkpointPages',
] as const satisfies readonly (keyof ExportOptions & keyof ExportCallLogsOptions)[];

/** The validated flags as the engine's options (unset flags left to the engine's defaults). */
function engineOptions(
  options: ExportOptions,
  source: { apiKey: string; baseUrl: string },
  transform: TransformOptions,
): ExportCallLogsOptions {
  const mapped: Record<string, unknown> = {
    ...source,
    ...Object.fromEntries(SAME_NAME_OPTIONS.map((key) => [key, options[key]])),
    timeZone: transform.timeZone,
    redact: transform.redact,
    hashKey: transform.hashKey,
    since: options.window.since,
    until: options.window.until,
  };
  // Unset flags are left out rather than passed as `undefined` (exact optional properties).
  return Object.fromEntries(
    Object.entries(mapped).filter(([, value]) => value !== undefined),
  ) as unknown as ExportCallLogsOptions;
}
