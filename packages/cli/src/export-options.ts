import { isAbsolute, resolve } from 'node:path';
import {
  CALL_STATUSES,
  type CallLogFilters,
  checkApiUrl,
  checkOneOf,
  DEFAULTS as SOURCE_DEFAULTS,
  LIMITS as SOURCE_LIMITS,
} from '@omnidim-stream/core';
import {
  isValidTimeZone,
  parseWindowBound,
  type QuarantineLimit,
  resolveQuarantineLimit,
  type TimeWindow,
  WORKER_LIMITS,
} from '@omnidim-stream/engine';
import {
  COMPRESSIONS,
  DATASET_DEFAULTS,
  DEFAULT_FORMAT,
  DEFAULT_PARTITION_GRAIN,
  FORMATS,
  FORMULA_GUARD_FORMAT,
  type Format,
  isS3Url,
  PARTITION_GRAINS,
  type PartitionGrain,
} from '@omnidim-stream/sinks';
import {
  DEFAULT_TRANSFORM_OPTIONS,
  PAYLOAD_CONVERSATIONS,
  type PayloadConversation,
  REDACTION_ACTIONS,
  type ResolvedRedaction,
  TABLE_NAMES,
} from '@omnidim-stream/transform';
import { parseDuration } from './duration.js';
import { UsageError } from './exit-codes.js';
import {
  type Argv,
  asUsage,
  byteSize,
  duration,
  integer,
  nameList,
  oneOf,
  optionalString,
  single,
} from './flag-values.js';
import { checkMetricsPlacement } from './metrics-path.js';
import { type OutputTarget, outputTarget } from './object-store-flags.js';
import { LOG_FORMATS, type LogFormat } from './run-log.js';

// Every vocabulary below is the owning package's own constant (issue 15): the CLI adds flags,
// never a second copy of a list of tables, formats, codecs, actions or statuses.

/** The vendor's API root (docs/api-notes.md): core's default. */
export const DEFAULT_BASE_URL = SOURCE_DEFAULTS.baseUrl;
/** Environment variable overriding {@link DEFAULT_BASE_URL}; `--base-url` wins over it. */
export const BASE_URL_ENV = 'OMNIDIM_BASE_URL';

export {
  CALL_STATUSES,
  COMPRESSIONS,
  FORMATS,
  type Format,
  PARTITION_GRAINS,
  PAYLOAD_CONVERSATIONS,
  SOURCE_LIMITS,
};
/** The transform's tables, in its order. */
export const TABLES = TABLE_NAMES;

/** One `--redact-*` flag: the transform option it sets and the actions it accepts. */
export interface RedactionFlag {
  readonly flag: string;
  readonly option: keyof ResolvedRedaction;
  readonly actions: readonly string[];
  readonly describe: string;
}

/** What each redaction flag covers, in `--help` order; flags and actions derive from the transform. */
const REDACTION_HELP: ReadonlyArray<readonly [keyof ResolvedRedaction, string]> = [
  ['phoneNumbers', 'Phone numbers, at any depth'],
  ['emails', 'E-mail addresses inside any text'],
  ['recordingUrls', 'Signed recording links'],
  ['webhookPayloads', 'webhooks.payload column'],
  ['responseBodies', 'webhooks.response_body column'],
  ['secretTokens', 'secret_key_… tokens (always masked by default)'],
];

/**
 * Redaction flags → the transform's `redact` options, one table so `--help`, the mapping and the
 * tests agree. `--redact-phone-numbers` sets `phoneNumbers`, with the transform's own actions
 * ({@link REDACTION_ACTIONS}). Given bare (`--redact-emails`) a flag means its second action.
 * `hash` is a keyed HMAC: the key comes from `--hash-key-file` or `OMNIDIM_HASH_KEY`, never from
 * a flag.
 */
export const REDACTION_FLAGS: readonly RedactionFlag[] = REDACTION_HELP.map(([option, describe]) => ({
  flag: `redact-${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
  option,
  actions: REDACTION_ACTIONS[option],
  describe,
}));

/** Environment variable holding the HMAC key for `hash` redaction (alternative to `--hash-key-file`). */
export const HASH_KEY_ENV = 'OMNIDIM_HASH_KEY';

const MIB = 1024 * 1024;

/**
 * Defaults of every export/convert flag, in one place: the source's, the transform's and the
 * sink's come from those packages; the rest are the CLI's own.
 */
export const EXPORT_DEFAULTS = {
  format: DEFAULT_FORMAT,
  tables: TABLES,
  pageSize: SOURCE_DEFAULTS.pageSize,
  concurrency: SOURCE_DEFAULTS.concurrency,
  timeZone: DEFAULT_TRANSFORM_OPTIONS.timeZone,
  /** The webhook payload's conversation copies (README "Conversation text, written once"). */
  payloadConversation: DEFAULT_TRANSFORM_OPTIONS.payloadConversation,
  demoOut: 'demo-out',
  demoRecords: 1000,
  demoLatencyMs: 2,
  /** Incremental runs: the state file inside `--out` when `--state` is given bare. */
  stateName: '_state.json',
  lookback: '24h',
  checkpointPages: 20,
  /** Partition grain of a new lake (README "Lake layout": why month). */
  partitionBy: DEFAULT_PARTITION_GRAIN,
  /** Target data file size: the sink's default. */
  targetFileSize: `${DATASET_DEFAULTS.bytesPerFile / MIB}MiB`,
  /** Retries per page after the first attempt (429, 5xx, resets, cut or invalid bodies). */
  retries: SOURCE_DEFAULTS.retry.limit,
  /** Cap of one retry's wait, backoff and `Retry-After` alike (core's backoff cap). */
  maxRetryDelay: `${SOURCE_DEFAULTS.retry.maxDelayMs / 1000}s`,
  /** Per-request timeout (the vendor's own clients use 60 s). */
  timeout: `${SOURCE_DEFAULTS.timeoutMs / 1000}s`,
  /** Largest response body read (a full page of 150 simulator calls is 1.25 MB); core's default. */
  maxResponseSize: `${SOURCE_DEFAULTS.maxResponseBytes / MIB}MiB`,
  /** Consecutive pages without a call not read before that end the run (a repeating server). */
  maxStalePages: SOURCE_DEFAULTS.maxStalePages,
} as const;

/** Bounds that keep a typo from turning into a runaway run: the source's own, plus the CLI's. */
const LIMITS = {
  pageSize: SOURCE_LIMITS.pageSize,
  concurrency: SOURCE_LIMITS.concurrency,
  retries: SOURCE_LIMITS.retryCount,
  maxStalePages: SOURCE_LIMITS.maxStalePages,
  maxPages: SOURCE_LIMITS.maxPages,
  maxRecords: SOURCE_LIMITS.maxRecords,
  filterId: SOURCE_LIMITS.filterId,
  durationMs: SOURCE_LIMITS.timeoutMs.max,
  minResponseBytes: SOURCE_LIMITS.maxResponseBytes.min,
  rowsPerFile: { min: 1, max: 100_000_000 },
  checkpointPages: { min: 0, max: 1_000_000 },
} as const;

/** `--state` / `--lookback` / `--full`: an incremental, scheduled export. */
export interface IncrementalOptions {
  /** Absolute path of the state file. */
  stateFile: string;
  /** The `--lookback` text (recorded in the state) and its value. */
  lookback: string;
  lookbackMs: number;
  /** `--full`: ignore the state, export everything (overwrite) and write a new state. */
  full: boolean;
}

/** Dataset options shared by `export` and `convert`, validated. */
export interface DatasetOptions extends OutputTarget {
  format: Format;
  tables: string[];
  timeZone: string;
  /** The transform's `redact` options (action per kind of sensitive value). */
  redact: Record<string, string>;
  /** Set when some redaction action is `hash`: where the HMAC key comes from. */
  hashKeyFile: string | undefined;
  /** `--payload-conversation`: the transform's `payloadConversation`. */
  payloadConversation: PayloadConversation;
  compression: string | undefined;
  rowsPerFile: number | undefined;
  /** `--partition-by`: the lake's grain (a lake keeps the grain it was created with). */
  partitionBy: PartitionGrain;
  /** `--target-file-size` in bytes. */
  targetFileSize: number;
  /** `--csv-formula-guard`: prefix `'` to CSV text cells a spreadsheet would run as a formula. */
  csvFormulaGuard: boolean;
  json: boolean;
  quiet: boolean;
  /** `--log-format`: stderr lines as text (default) or one JSON object each. */
  logFormat: LogFormat;
  /** `--metrics-file`: absolute path of the Prometheus textfile written at the end of the run. */
  metricsFile: string | undefined;
  /** `--max-quarantined N|P%`: the engine's `maxQuarantined`. */
  maxQuarantined: QuarantineLimit | undefined;
  /** `--workers N`: the engine's `workers` (unset: the engine's default from the usable CPUs). */
  workers: number | undefined;
}

/** Everything `export` needs, validated once (bad value → {@link UsageError} naming the flag). */
export interface ExportOptions extends DatasetOptions {
  demo: boolean;
  baseUrl: string;
  apiKeyFile: string | undefined;
  pageSize: number;
  concurrency: number;
  /** `--retries`, `--max-retry-delay`, `--timeout`. */
  retries: number;
  maxRetryDelayMs: number;
  timeoutMs: number;
  /** `--max-response-size` in bytes, `--max-stale-pages`, `--max-pages` (safety bounds, exit 4). */
  maxResponseBytes: number;
  maxStalePages: number;
  maxPages: number | undefined;
  filters: CallLogFilters;
  window: TimeWindow;
  maxRecords: number | undefined;
  raw: boolean;
  /** `--raw-unredacted`: the raw archive keeps call logs verbatim (secret tokens included). */
  rawUnredacted: boolean;
  /**
   * `--allow-empty`: a full export that finds no call may replace a dataset that holds calls.
   * Off by default: an API that suddenly answers `total_records: 0` must not empty a lake.
   */
  allowEmpty: boolean;
  /** Set with `--state` (or `--lookback`): incremental runs. */
  incremental: IncrementalOptions | undefined;
  /** Checkpoint every N pages (crash resume); 0 = never. */
  checkpointPages: number;
  /** `--dry-run`: check the key with one request and print what would run; write nothing. */
  dryRun: boolean;
}

/** Validates the dataset flags `export` and `convert` share. */
export function resolveDatasetOptions(argv: Argv, cwd: string, outDefault?: string): DatasetOptions {
  const out = optionalString(argv, 'out') ?? outDefault;
  if (out === undefined || out === '')
    throw new UsageError('--out: required (the dataset directory, or s3://bucket/prefix)');
  const timeZone = optionalString(argv, 'time-zone') ?? EXPORT_DEFAULTS.timeZone;
  if (!isValidTimeZone(timeZone)) {
    throw new UsageError(
      `--time-zone: expected an IANA zone name like Europe/Paris, received ${JSON.stringify(timeZone)}`,
    );
  }
  const redact: Record<string, string> = {};
  for (const { flag, option, actions } of REDACTION_FLAGS) {
    const raw = single(argv, flag);
    if (raw === undefined) continue;
    // A bare flag (yargs gives '' or true) means the action after the default.
    const action = raw === '' || raw === true ? (actions[1] ?? actions[0] ?? '') : String(raw).trim();
    redact[option] = asUsage(() => checkOneOfFlag(flag, action, actions));
  }
  const format = oneOf(argv, 'format', FORMATS) ?? EXPORT_DEFAULTS.format;
  const csvFormulaGuard = argv['csv-formula-guard'] === true;
  if (csvFormulaGuard && format !== FORMULA_GUARD_FORMAT) {
    throw new UsageError(`--csv-formula-guard: only with --format csv, received --format ${format}`);
  }
  const target = outputTarget(argv, out, cwd);
  const metricsFile = absolutePath(optionalString(argv, 'metrics-file'), cwd);
  // A bucket target cannot hold a local file: only a local lake needs the placement check.
  if (metricsFile !== undefined && target.s3 === undefined) checkMetricsPlacement(metricsFile, target.outDir);
  return {
    ...target,
    format,
    tables: nameList(argv, 'tables', TABLES) ?? [...EXPORT_DEFAULTS.tables],
    timeZone,
    redact,
    hashKeyFile: optionalString(argv, 'hash-key-file'),
    payloadConversation:
      oneOf(argv, 'payload-conversation', PAYLOAD_CONVERSATIONS) ?? EXPORT_DEFAULTS.payloadConversation,
    compression: oneOf(argv, 'compression', COMPRESSIONS[format] as readonly string[]),
    rowsPerFile: integer(argv, 'rows-per-file', LIMITS.rowsPerFile),
    partitionBy: oneOf(argv, 'partition-by', PARTITION_GRAINS) ?? EXPORT_DEFAULTS.partitionBy,
    targetFileSize: byteSize(argv, 'target-file-size', EXPORT_DEFAULTS.targetFileSize, MIB),
    csvFormulaGuard,
    json: argv['json'] === true,
    quiet: argv['quiet'] === true,
    logFormat: oneOf(argv, 'log-format', LOG_FORMATS) ?? 'text',
    metricsFile,
    maxQuarantined: quarantineLimit(optionalString(argv, 'max-quarantined')),
    workers: integer(argv, 'workers', WORKER_LIMITS),
  };
}

function absolutePath(path: string | undefined, cwd: string): string | undefined {
  if (path === undefined) return undefined;
  return isAbsolute(path) ? path : resolve(cwd, path);
}

/** `--max-quarantined 5` or `2%`, checked by the engine's own rule, worded for the flag. */
function quarantineLimit(text: string | undefined): QuarantineLimit | undefined {
  if (text === undefined) return undefined;
  const value = /^\d+$/.test(text.trim()) ? Number(text) : (text.trim() as QuarantineLimit);
  try {
    resolveQuarantineLimit(value);
  } catch {
    throw new UsageError(
      `--max-quarantined: expected a count (5) or a share of the calls read (2%, 0.5%), received ${JSON.stringify(text)}`,
    );
  }
  return value;
}

/**
 * Validates `export`'s flags and environment, before any request or write.
 *
 * @example
 * ```ts
 * resolveExportOptions({ out: 'lake', 'page-size': '100' }, {}, process.cwd());
 * ```
 */
export function resolveExportOptions(
  argv: Argv,
  env: Record<string, string | undefined>,
  cwd: string,
): ExportOptions {
  const demo = argv['demo'] === true;
  const dataset = resolveDatasetOptions(argv, cwd, demo ? EXPORT_DEFAULTS.demoOut : undefined);
  const baseUrlFlag = optionalString(argv, 'base-url');
  if (demo && baseUrlFlag !== undefined)
    throw new UsageError('--base-url: not allowed with --demo (the demo starts its own server)');
  const baseUrl = baseUrlFlag ?? env[BASE_URL_ENV] ?? DEFAULT_BASE_URL;
  // Named after where the URL came from (the flag or the environment variable); core's check,
  // which never echoes credentials, a query or a fragment (issue 13).
  asUsage(() => checkApiUrl(baseUrlFlag !== undefined ? '--base-url' : BASE_URL_ENV, baseUrl));
  const since = bound(argv, 'since', dataset.timeZone);
  const until = bound(argv, 'until', dataset.timeZone);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError('--since: must be earlier than --until');
  }
  const filters: ExportOptions['filters'] = {};
  const agentId = integer(argv, 'agent-id', LIMITS.filterId);
  if (agentId !== undefined) filters.agentId = agentId;
  const callStatus = oneOf(argv, 'call-status', CALL_STATUSES);
  if (callStatus !== undefined) filters.callStatus = callStatus;
  const bulkCallId = integer(argv, 'bulk-call-id', LIMITS.filterId);
  if (bulkCallId !== undefined) filters.bulkCallId = bulkCallId;
  const window = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
  const maxRecords = integer(argv, 'max-records', LIMITS.maxRecords);
  return {
    ...dataset,
    demo,
    baseUrl,
    apiKeyFile: optionalString(argv, 'api-key-file'),
    pageSize: integer(argv, 'page-size', LIMITS.pageSize) ?? EXPORT_DEFAULTS.pageSize,
    concurrency: integer(argv, 'concurrency', LIMITS.concurrency) ?? EXPORT_DEFAULTS.concurrency,
    retries: integer(argv, 'retries', LIMITS.retries) ?? EXPORT_DEFAULTS.retries,
    maxRetryDelayMs: duration(argv, 'max-retry-delay', EXPORT_DEFAULTS.maxRetryDelay, LIMITS.durationMs),
    timeoutMs: duration(argv, 'timeout', EXPORT_DEFAULTS.timeout, LIMITS.durationMs),
    maxResponseBytes: byteSize(
      argv,
      'max-response-size',
      EXPORT_DEFAULTS.maxResponseSize,
      LIMITS.minResponseBytes,
    ),
    maxStalePages: integer(argv, 'max-stale-pages', LIMITS.maxStalePages) ?? EXPORT_DEFAULTS.maxStalePages,
    maxPages: integer(argv, 'max-pages', LIMITS.maxPages),
    filters,
    window,
    maxRecords,
    raw: argv['raw'] === true,
    rawUnredacted: rawUnredacted(argv),
    allowEmpty: argv['allow-empty'] === true,
    incremental: incrementalOptions(argv, dataset.outDir, cwd, {
      partial: since !== undefined || until !== undefined || maxRecords !== undefined,
      demo,
    }),
    checkpointPages:
      integer(argv, 'checkpoint-pages', LIMITS.checkpointPages) ?? EXPORT_DEFAULTS.checkpointPages,
    dryRun: dryRun(argv, demo),
  };
}

function dryRun(argv: Argv, demo: boolean): boolean {
  const dry = argv['dry-run'] === true;
  if (dry && demo) throw new UsageError('--dry-run: not with --demo (the demo writes its own lake)');
  return dry;
}

function rawUnredacted(argv: Argv): boolean {
  const unredacted = argv['raw-unredacted'] === true;
  if (unredacted && argv['raw'] !== true) {
    throw new UsageError('--raw-unredacted: only with --raw (it keeps the raw archive verbatim)');
  }
  return unredacted;
}

function incrementalOptions(
  argv: Argv,
  outDir: string,
  cwd: string,
  { partial, demo }: { partial: boolean; demo: boolean },
): IncrementalOptions | undefined {
  const stateRaw = single(argv, 'state');
  const lookbackText = optionalString(argv, 'lookback');
  const full = argv['full'] === true;
  if (stateRaw === undefined && lookbackText === undefined) {
    if (full) throw new UsageError('--full: only with --state (it restarts an incremental export)');
    return undefined;
  }
  if (demo) throw new UsageError('--state: not with --demo (the demo simulator starts fresh each time)');
  // A state describes the whole list; a window or a cap would make the lake partial for good.
  if (partial) {
    throw new UsageError(
      '--state: cannot be combined with --since, --until or --max-records (an incremental lake holds every call)',
    );
  }
  const stateText =
    stateRaw === undefined || stateRaw === '' || stateRaw === true ? '' : String(stateRaw).trim();
  const stateFile =
    stateText === ''
      ? isS3Url(outDir)
        ? // In the bucket beside the data: a container keeps no disk between runs.
          `${outDir}/${EXPORT_DEFAULTS.stateName}`
        : resolve(outDir, EXPORT_DEFAULTS.stateName)
      : isS3Url(outDir) || isAbsolute(stateText)
        ? stateText
        : resolve(cwd, stateText);
  const lookback = lookbackText ?? EXPORT_DEFAULTS.lookback;
  const lookbackMs = parseDuration(lookback);
  if (lookbackMs === undefined) {
    throw new UsageError(
      `--lookback: expected a duration like 24h, 90m or 2d (at most 366d), received ${JSON.stringify(lookback)}`,
    );
  }
  return { stateFile, lookback, lookbackMs, full };
}

function checkOneOfFlag(flag: string, action: string, actions: readonly string[]): string {
  return checkOneOf(`--${flag}`, action, actions, `one of ${actions.join(', ')}`);
}

function bound(argv: Argv, flag: string, timeZone: string): number | undefined {
  const text = optionalString(argv, flag);
  if (text === undefined) return undefined;
  const instant = parseWindowBound(text, timeZone);
  if (instant === undefined) {
    throw new UsageError(
      `--${flag}: expected a date (2026-05-01), a local date-time (2026-05-01T08:00) or an ISO instant (2026-05-01T08:00:00Z), received ${JSON.stringify(text)}`,
    );
  }
  return instant;
}
