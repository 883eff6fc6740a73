import { type ExportCallLogsOptions, exportCallLogs } from '@omnidim-stream/engine';
import { startSimulator } from '@omnidim-stream/simulator';
import type { TransformOptions } from '@omnidim-stream/transform';
import { EXPORT_DEFAULTS, type ExportOptions } from '../export-options.js';
import type { CliIo } from '../io.js';
import { objectStoreOptions } from '../object-store-flags.js';
import { withFlagName } from '../option-flags.js';
import type { RunEvent } from '../run-observer.js';
import { loadApiKey, transformOptionsFor } from '../secrets.js';
import type { RunSummary } from '../summary.js';

/**
 * What `main()` hands a command: its run id, the abort signal, the summary to fill in and the
 * `onEvent` to pass to the engine (progress, log lines and the summary's counts come from it).
 */
export interface RunContext {
  runId: string;
  signal: AbortSignal;
  summary: RunSummary;
  onEvent: (event: RunEvent) => void;
}

/** What an export needs besides its flags, read before the run starts: the key and the transform. */
export interface PreparedExport {
  /** The API and its key; undefined with `--demo` (the run starts its own simulator). */
  source: { apiKey: string; baseUrl: string } | undefined;
  transform: TransformOptions;
}

/**
 * Everything of `export` that can fail on usage (a missing or unreadable key, a hash key file),
 * checked before the run is announced, a simulator starts or a request is made.
 */
export async function prepareExport(options: ExportOptions, io: CliIo): Promise<PreparedExport> {
  const transform = await transformOptionsFor(options, io.env, io.cwd);
  if (options.demo) return { source: undefined, transform };
  const apiKey = await loadApiKey({ env: io.env, apiKeyFile: options.apiKeyFile, cwd: io.cwd });
  return { source: { apiKey, baseUrl: options.baseUrl }, transform };
}

/**
 * `omnidim-stream export`: flags → `exportCallLogs()` (from the API, or with `--demo` from the
 * in-process simulator) → the summary. Errors propagate with their coded class for `main()` to map.
 */
export async function runExport(
  prepared: PreparedExport,
  options: ExportOptions,
  io: CliIo,
  context: RunContext,
): Promise<RunSummary> {
  const { transform } = prepared;
  if (prepared.source) return exportWith(prepared.source, transform, options, io, context);
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
  try {
    await exportCallLogs({
      ...engineOptions(options, source, transform),
      signal: context.signal,
      now: io.now ?? Date.now,
      runId: context.runId,
      onEvent: context.onEvent,
    });
    return context.summary;
  } catch (error) {
    throw withFlagName(error);
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
  'maxQuarantined',
  'workers',
] as const satisfies readonly (keyof ExportOptions & keyof ExportCallLogsOptions)[];

/** The validated flags as the engine's options (unset flags left to the engine's defaults). */
export function engineOptions(
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
    payloadConversation: transform.payloadConversation,
    since: options.window.since,
    until: options.window.until,
    ...objectStoreOptions(options),
  };
  // Unset flags are left out rather than passed as `undefined` (exact optional properties).
  return Object.fromEntries(
    Object.entries(mapped).filter(([, value]) => value !== undefined),
  ) as unknown as ExportCallLogsOptions;
}
