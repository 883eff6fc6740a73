import { isAbsolute, resolve } from 'node:path';
import {
  CALL_STATUSES,
  type CallLogFilters,
  type CallStatus,
  formatUrlForMessage,
  isLoopbackHost,
} from '@omnidim-stream/core';
import { isValidTimeZone, parseWindowBound, type TimeWindow } from '@omnidim-stream/engine';
import { parseByteSize } from './byte-size.js';
import { parseDuration } from './duration.js';
import { UsageError } from './exit-codes.js';

/** The vendor's API root (shared/api/NOTES.md). */
export const DEFAULT_BASE_URL = 'https://backend.omnidim.io/api/v1';
/** Environment variable overriding {@link DEFAULT_BASE_URL}; `--base-url` wins over it. */
export const BASE_URL_ENV = 'OMNIDIM_BASE_URL';

export const FORMATS = ['parquet', 'csv', 'ndjson'] as const;
export type Format = (typeof FORMATS)[number];
export const TABLES = ['calls', 'interactions', 'function_calls', 'webhooks'] as const;
export { CALL_STATUSES };

/**
 * Redaction flags → the transform's `redact` options, one table so `--help`, the mapping and the
 * tests agree. Each takes an action; given bare (`--redact-emails`) it means `redact` (`mask`
 * for secret tokens). `hash` is a keyed HMAC: the key comes from `--hash-key-file` or
 * `OMNIDIM_HASH_KEY`, never from a flag.
 */
export const REDACTION_FLAGS = [
  {
    flag: 'redact-phone-numbers',
    option: 'phoneNumbers',
    actions: ['keep', 'redact', 'hash'],
    describe: 'Phone numbers, at any depth',
  },
  {
    flag: 'redact-emails',
    option: 'emails',
    actions: ['keep', 'redact', 'hash'],
    describe: 'E-mail addresses inside any text',
  },
  {
    flag: 'redact-recording-urls',
    option: 'recordingUrls',
    actions: ['keep', 'redact', 'hash'],
    describe: 'Signed recording links',
  },
  {
    flag: 'redact-webhook-payloads',
    option: 'webhookPayloads',
    actions: ['keep', 'redact', 'hash'],
    describe: 'webhooks.payload column',
  },
  {
    flag: 'redact-response-bodies',
    option: 'responseBodies',
    actions: ['keep', 'redact', 'hash'],
    describe: 'webhooks.response_body column',
  },
  {
    flag: 'redact-secret-tokens',
    option: 'secretTokens',
    actions: ['mask', 'hash'],
    describe: 'secret_key_… tokens (always masked by default)',
  },
] as const;

/** Environment variable holding the HMAC key for `hash` redaction (alternative to `--hash-key-file`). */
export const HASH_KEY_ENV = 'OMNIDIM_HASH_KEY';

/** Codecs each format accepts (the dataset sink's); the first is the default. */
export const COMPRESSIONS: Readonly<Record<Format, readonly string[]>> = {
  parquet: ['snappy', 'gzip', 'brotli', 'none'],
  csv: ['none', 'gzip'],
  ndjson: ['none', 'gzip'],
};

/** Defaults of every export/convert flag, in one place. */
export const EXPORT_DEFAULTS = {
  format: 'parquet' as Format,
  tables: TABLES,
  pageSize: 150,
  concurrency: 4,
  timeZone: 'UTC',
  demoOut: 'demo-out',
  demoRecords: 1000,
  demoLatencyMs: 2,
  /** Incremental runs: the state file inside `--out` when `--state` is given bare. */
  stateName: '_state.json',
  lookback: '24h',
  checkpointPages: 20,
  /** Retries per page after the first attempt (429, 5xx, resets, cut or invalid bodies). */
  retries: 5,
  /** Cap of one retry's wait, backoff and `Retry-After` alike. */
  maxRetryDelay: '30s',
  /** Per-request timeout (the vendor's own clients use 60 s). */
  timeout: '60s',
  /** Largest response body read (a full page of 150 simulator calls is 1.25 MB); core's default. */
  maxResponseSize: '16MiB',
  /** Consecutive pages without a call not read before that end the run (a repeating server). */
  maxStalePages: 5,
} as const;

/** Bounds that keep a typo from turning into a runaway run. */
const LIMITS = {
  pageSize: [1, 150],
  concurrency: [1, 32],
  rowsPerFile: [1, 100_000_000],
  checkpointPages: [0, 1_000_000],
  retries: [0, 100],
  maxStalePages: [1, 1_000_000],
  maxPages: [1, Number.MAX_SAFE_INTEGER],
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
export interface DatasetOptions {
  outDir: string;
  format: Format;
  tables: string[];
  timeZone: string;
  /** The transform's `redact` options (action per kind of sensitive value). */
  redact: Record<string, string>;
  /** Set when some redaction action is `hash`: where the HMAC key comes from. */
  hashKeyFile: string | undefined;
  compression: string | undefined;
  rowsPerFile: number | undefined;
  /** `--csv-formula-guard`: prefix `'` to CSV text cells a spreadsheet would run as a formula. */
  csvFormulaGuard: boolean;
  json: boolean;
  quiet: boolean;
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
}

type Argv = Record<string, unknown>;

/** Validates the dataset flags `export` and `convert` share. */
export function resolveDatasetOptions(argv: Argv, cwd: string, outDefault?: string): DatasetOptions {
  const out = optionalString(argv, 'out') ?? outDefault;
  if (out === undefined || out === '') throw new UsageError('--out: required (the dataset directory)');
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
    // A bare flag (yargs gives '' or true) means the strongest non-hash action.
    const action = raw === '' || raw === true ? (actions[1] ?? actions[0]) : String(raw).trim();
    if (!(actions as readonly string[]).includes(action)) {
      throw new UsageError(
        `--${flag}: expected one of ${actions.join(', ')}, received ${JSON.stringify(action)}`,
      );
    }
    redact[option] = action;
  }
  const format = oneOf(argv, 'format', FORMATS) ?? EXPORT_DEFAULTS.format;
  const csvFormulaGuard = argv['csv-formula-guard'] === true;
  if (csvFormulaGuard && format !== 'csv') {
    throw new UsageError(`--csv-formula-guard: only with --format csv, received --format ${format}`);
  }
  return {
    outDir: isAbsolute(out) ? out : resolve(cwd, out),
    format,
    tables: parseTables(argv),
    timeZone,
    redact,
    hashKeyFile: optionalString(argv, 'hash-key-file'),
    compression: oneOf(argv, 'compression', COMPRESSIONS[format]),
    rowsPerFile: integer(argv, 'rows-per-file', LIMITS.rowsPerFile),
    csvFormulaGuard,
    json: argv['json'] === true,
    quiet: argv['quiet'] === true,
  };
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
  const flag = baseUrlFlag !== undefined ? '--base-url' : BASE_URL_ENV;
  // Every URL in these messages goes through formatUrlForMessage (issue 13): a key passed as
  // `?api_key=…`, `user:pass@` or `#…` is never echoed, not even when the URL does not parse.
  const shown = JSON.stringify(formatUrlForMessage(baseUrl));
  let parsed: URL;
  try {
    parsed = new URL(baseUrl);
  } catch {
    throw new UsageError(`${flag}: expected an http(s) URL like ${DEFAULT_BASE_URL}, received ${shown}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new UsageError(`${flag}: expected an http(s) URL, received ${JSON.stringify(parsed.protocol)}`);
  }
  if (parsed.username || parsed.password)
    throw new UsageError(`${flag}: credentials in the URL are not allowed (received ${shown})`);
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new UsageError(
      `${flag}: a query string or fragment is not allowed (received ${shown}); the key goes in OMNIDIM_API_KEY or --api-key-file`,
    );
  }
  // Checked here rather than left to core so the message names where the URL came from
  // (the flag or the environment variable).
  if (parsed.protocol === 'http:' && !isLoopbackHost(parsed.hostname)) {
    throw new UsageError(
      `${flag}: expected an https URL (plain http only for 127.0.0.0/8, ::1 or localhost), received ${shown}`,
    );
  }
  const since = bound(argv, 'since', dataset.timeZone);
  const until = bound(argv, 'until', dataset.timeZone);
  if (since !== undefined && until !== undefined && since >= until) {
    throw new UsageError('--since: must be earlier than --until');
  }
  const filters: ExportOptions['filters'] = {};
  const agentId = integer(argv, 'agent-id', [1, Number.MAX_SAFE_INTEGER]);
  if (agentId !== undefined) filters.agentId = agentId;
  const callStatus = oneOf(argv, 'call-status', CALL_STATUSES);
  if (callStatus !== undefined) filters.callStatus = callStatus as CallStatus;
  const bulkCallId = integer(argv, 'bulk-call-id', [1, Number.MAX_SAFE_INTEGER]);
  if (bulkCallId !== undefined) filters.bulkCallId = bulkCallId;
  const window = { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
  const maxRecords = integer(argv, 'max-records', [1, Number.MAX_SAFE_INTEGER]);
  return {
    ...dataset,
    demo,
    baseUrl,
    apiKeyFile: optionalString(argv, 'api-key-file'),
    pageSize: integer(argv, 'page-size', LIMITS.pageSize) ?? EXPORT_DEFAULTS.pageSize,
    concurrency: integer(argv, 'concurrency', LIMITS.concurrency) ?? EXPORT_DEFAULTS.concurrency,
    retries: integer(argv, 'retries', LIMITS.retries) ?? EXPORT_DEFAULTS.retries,
    maxRetryDelayMs: duration(argv, 'max-retry-delay', EXPORT_DEFAULTS.maxRetryDelay, 3_600_000),
    timeoutMs: duration(argv, 'timeout', EXPORT_DEFAULTS.timeout, 3_600_000),
    maxResponseBytes: byteSize(argv, 'max-response-size', EXPORT_DEFAULTS.maxResponseSize),
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
  };
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
      ? resolve(outDir, EXPORT_DEFAULTS.stateName)
      : isAbsolute(stateText)
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

function single(argv: Argv, flag: string): unknown {
  const value = argv[flag];
  if (Array.isArray(value)) throw new UsageError(`--${flag}: given ${value.length} times; give it once`);
  return value;
}

function optionalString(argv: Argv, flag: string): string | undefined {
  const value = single(argv, flag);
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new UsageError(`--${flag}: expected a value`);
  return value.trim();
}

function oneOf<T extends string>(argv: Argv, flag: string, allowed: readonly T[]): T | undefined {
  const value = optionalString(argv, flag);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `--${flag}: expected one of ${allowed.join(', ')}, received ${JSON.stringify(value)}`,
    );
  }
  return value as T;
}

function integer(argv: Argv, flag: string, [min, max]: readonly [number, number]): number | undefined {
  const raw = single(argv, flag);
  if (raw === undefined) return undefined;
  const text = String(raw).trim();
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    const range =
      max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`--${flag}: expected ${range}, received ${JSON.stringify(text)}`);
  }
  return value;
}

function duration(argv: Argv, flag: string, fallback: string, maxMs: number): number {
  const text = optionalString(argv, flag) ?? fallback;
  const ms = parseDuration(text);
  if (ms === undefined || ms > maxMs) {
    throw new UsageError(
      `--${flag}: expected a duration like 30s, 2m or 1h (at most ${maxMs / 3_600_000}h), received ${JSON.stringify(text)}`,
    );
  }
  return ms;
}

function byteSize(argv: Argv, flag: string, fallback: string): number {
  const text = optionalString(argv, flag) ?? fallback;
  const bytes = parseByteSize(text);
  // Below 1 KiB not even an error body fits: almost certainly a missing unit.
  if (bytes === undefined || bytes < 1024) {
    throw new UsageError(
      `--${flag}: expected a size of at least 1KiB like 16MiB, 512KiB or 1GiB, received ${JSON.stringify(text)}`,
    );
  }
  return bytes;
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

function parseTables(argv: Argv): string[] {
  const raw = argv['tables'];
  if (raw === undefined) return [...EXPORT_DEFAULTS.tables];
  const names = (Array.isArray(raw) ? raw : [raw])
    .flatMap((v) => String(v).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`--tables: expected one or more of ${TABLES.join(', ')}`);
  for (const name of names) {
    if (!(TABLES as readonly string[]).includes(name)) {
      throw new UsageError(
        `--tables: expected names from ${TABLES.join(', ')}, received ${JSON.stringify(name)}`,
      );
    }
  }
  return [...new Set(names)];
}
