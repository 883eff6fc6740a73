/**
 * The one options object of the call-log source, its defaults (one constant) and its validation
 * (once, before any request). A bad value throws {@link InvalidOptionError} naming the option,
 * what was expected and what was received; the API key is never echoed.
 */
import type { Dispatcher } from 'undici';
import { CALL_STATUSES, type CallLog, type CallLogFilters } from './call-log.js';
import { type CallLogCheckpoint, validateCheckpoint } from './checkpoint.js';
import { InvalidOptionError, RedactedValue } from './errors.js';
import type { DriftEvent, PageEvent, ProgressEvent, RetryEvent } from './events.js';
import {
  checkApiUrl,
  checkInteger,
  checkObject,
  checkOneOf,
  checkOptionalFunction as fn,
} from './option-check.js';

export { isLoopbackHost } from './option-check.js';

/** Retry settings; see `retry.ts` for how the delay is computed. */
export interface RetryOptions {
  /** Retries after the first attempt of one page request (any retryable cause). Default 5. */
  limit?: number;
  /**
   * Retries of an HTTP 500. Default 1. Kept low because this API answers invalid parameters with
   * a 500 rather than a 400 (docs/api-notes.md "Errors"), so a 500 is only sometimes transient.
   */
  limit500?: number;
  /** Base of the exponential backoff (attempt n waits up to base·2^(n-1)). Default 500. */
  baseDelayMs?: number;
  /** Cap of the computed backoff. Default 30 000. */
  maxDelayMs?: number;
  /** Cap applied to a server's `Retry-After`. Default 60 000. */
  maxRetryAfterMs?: number;
}

/** What to do when a deletion during the export is detected. */
export type OnDeletion = 'warn' | 'error';

/** Options of {@link callLogs}, {@link paginateCallLogs} and {@link paginateCallLogPages}. */
export interface CallLogsOptions {
  /** OmniDimension API key, sent only as `Authorization: Bearer …`. Required. */
  apiKey: string;
  /** Default `https://backend.omnidim.io/api/v1`; plain http only for loopback hosts. */
  baseUrl?: string;
  /** Records per page, 1–150 (the API's bound). Default 150. */
  pageSize?: number;
  /** Page requests in flight at once (including the page the consumer waits for), 1–32. Default 4. */
  concurrency?: number;
  /** Sent as `agentid`, `call_status`, `bulk_call_id`. */
  filters?: CallLogFilters;
  /**
   * Stop after this many call logs (a normal end, not an error; `stats.stopReason: 'maxRecords'`).
   * Counts this source's calls only, not those a `resume` checkpoint says were handed on before.
   * Default: no limit.
   */
  maxRecords?: number;
  /**
   * Guard: needing more pages than this throws `LimitExceededError`. Default: no limit. The only
   * bound on a server that sends new ids on every page while `total_records` claims a huge list
   * (indistinguishable from a real huge list); set it for unattended runs.
   */
  maxPages?: number;
  /**
   * Guard against a server that repeats itself (issue 11): this many consecutive pages without
   * a call id not seen before in this run end the export with `LimitExceededError`
   * (`limit: 'maxStalePages'`) instead of paging on for hours. Pages of only drift duplicates
   * (calls pushed down by new ones) stay far below it: that takes more insertions during the run
   * than `maxStalePages × pageSize`. Default 5.
   */
  maxStalePages?: number;
  /**
   * Largest response body read, in bytes (issue 11). A body that grows past it, or whose
   * Content-Length announces more, is a `ResponseTooLargeError` (code RESPONSE_TOO_LARGE, not
   * retried); reading stops and the request is destroyed. Default 16 MiB: 13 times a full page of
   * 150 simulator calls (1.25 MB), and small enough for the README's capped heap
   * (`--max-old-space-size=96`), under which a 45 MB body aborted the process (exit 134).
   */
  maxResponseBytes?: number;
  retry?: RetryOptions;
  /** Whole-request timeout (headers + body) per attempt. Default 60 000, like the official clients. */
  timeoutMs?: number;
  /** Aborts requests and retry sleeps; the iteration then fails with `AbortError` (code ABORTED). */
  signal?: AbortSignal;
  /** Deletion detected during the export: 'warn' emits a drift event, 'error' throws DriftError. Default 'warn'. */
  onDeletion?: OnDeletion;
  /** Refetches allowed to close one gap left by drift. Default 5. */
  maxRefetchesPerGap?: number;
  /** Advanced: an undici Dispatcher to send requests through (not closed by the source). */
  dispatcher?: Dispatcher;
  /**
   * Advanced: remember the body (bytes) of the page each call log was parsed from, for
   * `recordSourceOf(call)` (record-source.ts): hand a worker thread the page instead of
   * serialising each call again. A page's body then lives as long as any of its call logs does
   * (about a sixth more memory per page held). Default false.
   */
  keepPageBody?: boolean;
  /**
   * Engine-only (the flatten workers of `@omnidim-stream/engine` parse each page themselves): do
   * not parse pages on this thread. Each page is validated from its bytes (exactly what
   * `JSON.parse` accepts, page-scan.ts) and each object of `call_log_data` is handed on as a stub
   * holding only its own `id` and `time_of_call`, with its page body and place
   * (`recordSourceOf`); `materializeRecord(call)` parses the whole call log back. Implies
   * `keepPageBody`. Rows that are not objects are handed on whole. Not for consumers that read
   * call logs themselves: every other field is missing from a stub. Default false.
   */
  shallowRecords?: boolean;
  /**
   * Stop rule for newest-first incremental reads: called with each call about to be handed on, in
   * order; the first call for which it returns true is NOT handed on and the source ends normally
   * (no further page is requested, prefetched ones are aborted), with `stats.stoppedEarly` and
   * `stats.stopReason: 'stopWhen'`. Core never parses `time_of_call` (its zone is the caller's
   * choice): pass a predicate built on the transform package's parser, or {@link stopAtOrBelowId}.
   *
   * @example
   * // --since: stop at the first call older than `since` (ms), with the caller's date parser.
   * stopWhen: (call) => (instantOf(call.time_of_call) ?? Infinity) < since
   */
  stopWhen?: (call: CallLog) => boolean;
  /**
   * Continue a source from a checkpoint it reported (`onCheckpoint` or the `checkpoint` getter):
   * same view, next call after `lastId`. Must have this source's `pageSize` and filters
   * (InvalidOptionError before any request). See run-pages.ts "Resume".
   */
  resume?: CallLogCheckpoint;
  /**
   * Called with the checkpoint each time the consumer comes back for more after the last call of a
   * page (it has had every call of that page), and once when the source ends.
   */
  onCheckpoint?: (checkpoint: CallLogCheckpoint) => void;
  onPage?: (event: PageEvent) => void;
  onRetry?: (event: RetryEvent) => void;
  onProgress?: (event: ProgressEvent) => void;
  onDrift?: (event: DriftEvent) => void;
  /** Injectable delay (tests): must reject when `signal` aborts. Default: an abortable timer. */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Injectable randomness for the backoff jitter (tests). Default `Math.random`. */
  random?: () => number;
}

/** Defaults of every optional setting, in one place. */
export const DEFAULTS = {
  baseUrl: 'https://backend.omnidim.io/api/v1',
  pageSize: 150,
  concurrency: 4,
  maxRecords: Number.POSITIVE_INFINITY,
  maxPages: Number.POSITIVE_INFINITY,
  maxStalePages: 5,
  maxResponseBytes: 16 * 1024 * 1024,
  timeoutMs: 60_000,
  onDeletion: 'warn' as OnDeletion,
  maxRefetchesPerGap: 5,
  retry: { limit: 5, limit500: 1, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 60_000 },
} as const;

export const MAX_PAGE_SIZE = 150;
export const MAX_CONCURRENCY = 32;

/** Accepted values of {@link CallLogsOptions.onDeletion}. */
export const ON_DELETION: readonly OnDeletion[] = ['warn', 'error'];

/**
 * Bounds of every numeric option, in one place: the CLI's flags take theirs from here.
 * `maxRecords`/`maxPages` also accept `Infinity` (no limit).
 */
export const LIMITS = {
  pageSize: { min: 1, max: MAX_PAGE_SIZE },
  concurrency: { min: 1, max: MAX_CONCURRENCY },
  maxRecords: { min: 1, max: Number.MAX_SAFE_INTEGER },
  maxPages: { min: 1, max: Number.MAX_SAFE_INTEGER },
  maxStalePages: { min: 1, max: 1_000_000 },
  maxResponseBytes: { min: 1024, max: Number.MAX_SAFE_INTEGER },
  timeoutMs: { min: 1, max: 3_600_000 },
  maxRefetchesPerGap: { min: 1, max: 100 },
  retryCount: { min: 0, max: 100 },
  retryDelayMs: { min: 0, max: 3_600_000 },
  filterId: { min: 1, max: Number.MAX_SAFE_INTEGER },
} as const;

/** Options after defaults and validation. */
export interface ResolvedOptions {
  apiKey: string;
  baseUrl: string;
  pageSize: number;
  concurrency: number;
  filters: CallLogFilters;
  maxRecords: number;
  maxPages: number;
  maxStalePages: number;
  maxResponseBytes: number;
  retry: Required<RetryOptions>;
  timeoutMs: number;
  signal: AbortSignal | undefined;
  onDeletion: OnDeletion;
  maxRefetchesPerGap: number;
  dispatcher: Dispatcher | undefined;
  keepPageBody: boolean;
  shallowRecords: boolean;
  stopWhen: ((call: CallLog) => boolean) | undefined;
  resume: CallLogCheckpoint | undefined;
  onCheckpoint: ((checkpoint: CallLogCheckpoint) => void) | undefined;
  onPage: ((event: PageEvent) => void) | undefined;
  onRetry: ((event: RetryEvent) => void) | undefined;
  onProgress: ((event: ProgressEvent) => void) | undefined;
  onDrift: ((event: DriftEvent) => void) | undefined;
  sleep: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  random: () => number;
}

const KNOWN_OPTIONS = new Set([
  'apiKey',
  'baseUrl',
  'pageSize',
  'concurrency',
  'filters',
  'maxRecords',
  'maxPages',
  'maxStalePages',
  'maxResponseBytes',
  'retry',
  'timeoutMs',
  'signal',
  'onDeletion',
  'maxRefetchesPerGap',
  'dispatcher',
  'keepPageBody',
  'shallowRecords',
  'stopWhen',
  'resume',
  'onCheckpoint',
  'onPage',
  'onRetry',
  'onProgress',
  'onDrift',
  'sleep',
  'random',
]);
const KNOWN_FILTERS = new Set(['agentId', 'callStatus', 'bulkCallId']);
const KNOWN_RETRY = new Set(['limit', 'limit500', 'baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs']);

/**
 * Applies {@link DEFAULTS} and validates every option; throws before any request is made.
 *
 * @example
 * const resolved = resolveOptions({ apiKey: process.env.OMNIDIM_API_KEY ?? '', pageSize: 100 });
 * resolved.concurrency; // 4
 */
export function resolveOptions(options: CallLogsOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object with at least apiKey', options);
  }
  // Unknown keys are refused: a misspelled option (e.g. `pagesize`) would otherwise be ignored.
  for (const key of Object.keys(options)) {
    if (!KNOWN_OPTIONS.has(key))
      throw new InvalidOptionError(key, 'a known option (no such option)', '(set)');
  }
  const o = options as unknown as Record<string, unknown>;

  const apiKey = o['apiKey'];
  if (typeof apiKey !== 'string' || apiKey.trim() === '' || /[\r\n\s]/.test(apiKey)) {
    throw new InvalidOptionError(
      'apiKey',
      'a non-empty string without whitespace',
      apiKey === undefined ? undefined : new RedactedValue(apiKey),
    );
  }

  const retryIn = checkObject('retry', o['retry'] ?? {});
  for (const key of Object.keys(retryIn)) {
    if (!KNOWN_RETRY.has(key)) throw new InvalidOptionError(`retry.${key}`, 'a known retry option', '(set)');
  }
  const r = retryIn as Record<string, unknown>;
  const d = DEFAULTS.retry;
  const retry: Required<RetryOptions> = {
    limit: integer('retry.limit', r['limit'], d.limit, LIMITS.retryCount),
    limit500: integer('retry.limit500', r['limit500'], d.limit500, LIMITS.retryCount),
    baseDelayMs: integer('retry.baseDelayMs', r['baseDelayMs'], d.baseDelayMs, LIMITS.retryDelayMs),
    maxDelayMs: integer('retry.maxDelayMs', r['maxDelayMs'], d.maxDelayMs, LIMITS.retryDelayMs),
    maxRetryAfterMs: integer(
      'retry.maxRetryAfterMs',
      r['maxRetryAfterMs'],
      d.maxRetryAfterMs,
      LIMITS.retryDelayMs,
    ),
  };

  const onDeletion = checkOneOf('onDeletion', o['onDeletion'] ?? DEFAULTS.onDeletion, ON_DELETION);

  const signal = o['signal'];
  if (signal !== undefined && !(signal instanceof AbortSignal)) {
    throw new InvalidOptionError('signal', 'an AbortSignal', signal);
  }
  const dispatcher = o['dispatcher'];
  if (
    dispatcher !== undefined &&
    (typeof dispatcher !== 'object' ||
      dispatcher === null ||
      typeof (dispatcher as { request?: unknown }).request !== 'function')
  ) {
    throw new InvalidOptionError('dispatcher', 'an undici Dispatcher (Agent, Pool, …)', dispatcher);
  }

  const pageSize = integer('pageSize', o['pageSize'], DEFAULTS.pageSize, LIMITS.pageSize);
  const filters = validateFilters(o['filters']);
  const resume =
    o['resume'] === undefined ? undefined : validateCheckpoint(o['resume'], { pageSize, filters });

  return {
    apiKey,
    baseUrl: validateBaseUrl(o['baseUrl']),
    pageSize,
    concurrency: integer('concurrency', o['concurrency'], DEFAULTS.concurrency, LIMITS.concurrency),
    filters,
    maxRecords: limit('maxRecords', o['maxRecords']),
    maxPages: limit('maxPages', o['maxPages']),
    maxStalePages: integer('maxStalePages', o['maxStalePages'], DEFAULTS.maxStalePages, LIMITS.maxStalePages),
    maxResponseBytes: integer(
      'maxResponseBytes',
      o['maxResponseBytes'],
      DEFAULTS.maxResponseBytes,
      LIMITS.maxResponseBytes,
    ),
    retry,
    timeoutMs: integer('timeoutMs', o['timeoutMs'], DEFAULTS.timeoutMs, LIMITS.timeoutMs),
    signal: signal as AbortSignal | undefined,
    onDeletion,
    maxRefetchesPerGap: integer(
      'maxRefetchesPerGap',
      o['maxRefetchesPerGap'],
      DEFAULTS.maxRefetchesPerGap,
      LIMITS.maxRefetchesPerGap,
    ),
    dispatcher: dispatcher as Dispatcher | undefined,
    // A stub's call log is read back from its page body: shallow implies keeping it.
    keepPageBody: flag('keepPageBody', o['keepPageBody']) || flag('shallowRecords', o['shallowRecords']),
    shallowRecords: flag('shallowRecords', o['shallowRecords']),
    stopWhen: fn('stopWhen', o['stopWhen']) as ResolvedOptions['stopWhen'],
    resume,
    onCheckpoint: fn('onCheckpoint', o['onCheckpoint']) as ResolvedOptions['onCheckpoint'],
    onPage: fn('onPage', o['onPage']) as ResolvedOptions['onPage'],
    onRetry: fn('onRetry', o['onRetry']) as ResolvedOptions['onRetry'],
    onProgress: fn('onProgress', o['onProgress']) as ResolvedOptions['onProgress'],
    onDrift: fn('onDrift', o['onDrift']) as ResolvedOptions['onDrift'],
    sleep: fn('sleep', o['sleep']) as ResolvedOptions['sleep'],
    random: (fn('random', o['random']) as (() => number) | undefined) ?? Math.random,
  };
}

function flag(name: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidOptionError(name, 'true or false', value);
  return value;
}

function validateBaseUrl(value: unknown): string {
  if (value === undefined) return DEFAULTS.baseUrl;
  return checkApiUrl('baseUrl', value).toString().replace(/\/+$/, '');
}

function validateFilters(value: unknown): CallLogFilters {
  if (value === undefined) return {};
  const f = checkObject('filters', value, 'an object { agentId?, callStatus?, bulkCallId? }');
  // The API ignores unknown parameters and returns everything (docs/api-notes.md), so a misspelled filter
  // must fail here instead of silently exporting the whole account.
  for (const key of Object.keys(f)) {
    if (!KNOWN_FILTERS.has(key)) {
      throw new InvalidOptionError(`filters.${key}`, 'one of agentId, callStatus, bulkCallId', '(set)');
    }
  }
  const out: CallLogFilters = {};
  if (f['agentId'] !== undefined)
    out.agentId = checkInteger('filters.agentId', f['agentId'], LIMITS.filterId);
  if (f['bulkCallId'] !== undefined)
    out.bulkCallId = checkInteger('filters.bulkCallId', f['bulkCallId'], LIMITS.filterId);
  const status = f['callStatus'];
  if (status !== undefined) {
    if (!(CALL_STATUSES as readonly unknown[]).includes(status)) {
      const hint =
        typeof status === 'string' && status.replace(/[_\s]/g, '-').toLowerCase() === 'no-answer'
          ? " (the API spells it with a hyphen: use 'no-answer')"
          : '';
      throw new InvalidOptionError('filters.callStatus', `one of ${CALL_STATUSES.join(', ')}${hint}`, status);
    }
    out.callStatus = status as CallLogFilters['callStatus'];
  }
  return out;
}

function integer(
  name: string,
  value: unknown,
  fallback: number,
  range: { min: number; max: number },
): number {
  return value === undefined ? fallback : checkInteger(name, value, range);
}

function limit(name: 'maxRecords' | 'maxPages', value: unknown): number {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number')
    throw new InvalidOptionError(name, 'a positive integer (or Infinity)', value);
  return checkInteger(name, value, LIMITS[name]);
}
