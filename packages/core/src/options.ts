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
import { formatUrlForMessage } from './url-for-message.js';

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

  const retryIn = o['retry'] ?? {};
  if (typeof retryIn !== 'object' || retryIn === null || Array.isArray(retryIn)) {
    throw new InvalidOptionError('retry', 'an object', retryIn);
  }
  for (const key of Object.keys(retryIn)) {
    if (!KNOWN_RETRY.has(key)) throw new InvalidOptionError(`retry.${key}`, 'a known retry option', '(set)');
  }
  const r = retryIn as Record<string, unknown>;
  const d = DEFAULTS.retry;
  const retry: Required<RetryOptions> = {
    limit: integer('retry.limit', r['limit'], d.limit, 0, 100),
    limit500: integer('retry.limit500', r['limit500'], d.limit500, 0, 100),
    baseDelayMs: integer('retry.baseDelayMs', r['baseDelayMs'], d.baseDelayMs, 0, 3_600_000),
    maxDelayMs: integer('retry.maxDelayMs', r['maxDelayMs'], d.maxDelayMs, 0, 3_600_000),
    maxRetryAfterMs: integer('retry.maxRetryAfterMs', r['maxRetryAfterMs'], d.maxRetryAfterMs, 0, 3_600_000),
  };

  const onDeletion = o['onDeletion'] ?? DEFAULTS.onDeletion;
  if (onDeletion !== 'warn' && onDeletion !== 'error') {
    throw new InvalidOptionError('onDeletion', "'warn' or 'error'", onDeletion);
  }

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

  const pageSize = integer('pageSize', o['pageSize'], DEFAULTS.pageSize, 1, MAX_PAGE_SIZE);
  const filters = validateFilters(o['filters']);
  const resume =
    o['resume'] === undefined ? undefined : validateCheckpoint(o['resume'], { pageSize, filters });

  return {
    apiKey,
    baseUrl: validateBaseUrl(o['baseUrl']),
    pageSize,
    concurrency: integer('concurrency', o['concurrency'], DEFAULTS.concurrency, 1, MAX_CONCURRENCY),
    filters,
    maxRecords: limit('maxRecords', o['maxRecords']),
    maxPages: limit('maxPages', o['maxPages']),
    maxStalePages: integer('maxStalePages', o['maxStalePages'], DEFAULTS.maxStalePages, 1, 1_000_000),
    maxResponseBytes: integer(
      'maxResponseBytes',
      o['maxResponseBytes'],
      DEFAULTS.maxResponseBytes,
      1024,
      Number.MAX_SAFE_INTEGER,
    ),
    retry,
    timeoutMs: integer('timeoutMs', o['timeoutMs'], DEFAULTS.timeoutMs, 1, 3_600_000),
    signal: signal as AbortSignal | undefined,
    onDeletion,
    maxRefetchesPerGap: integer(
      'maxRefetchesPerGap',
      o['maxRefetchesPerGap'],
      DEFAULTS.maxRefetchesPerGap,
      1,
      100,
    ),
    dispatcher: dispatcher as Dispatcher | undefined,
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

/** True for hosts where plain http cannot leave the machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m?.slice(1).every((part) => Number(part) <= 255) ?? false;
}

function validateBaseUrl(value: unknown): string {
  if (value === undefined) return DEFAULTS.baseUrl;
  const expected =
    'an https URL (http only for 127.0.0.0/8, ::1 or localhost) without credentials, query or fragment';
  if (typeof value !== 'string') throw new InvalidOptionError('baseUrl', expected, value);
  // Every URL in this message goes through formatUrlForMessage (issue 13): a key passed as
  // `?api_key=…`, `user:pass@` or `#…` is never echoed, even when the URL does not parse.
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidOptionError('baseUrl', expected, formatUrlForMessage(value));
  }
  // Credentials, a query or a fragment would end up in logs and error messages: refuse rather
  // than silently drop them (the request would not be the one the user asked for).
  if (url.username !== '' || url.password !== '') {
    throw new InvalidOptionError('baseUrl', expected, `${formatUrlForMessage(url)} with credentials`);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new InvalidOptionError(
      'baseUrl',
      expected,
      `${formatUrlForMessage(url)} with a ${url.search !== '' ? 'query string' : 'fragment'}`,
    );
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!ok) throw new InvalidOptionError('baseUrl', expected, formatUrlForMessage(url));
  return url.toString().replace(/\/+$/, '');
}

function validateFilters(value: unknown): CallLogFilters {
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError('filters', 'an object { agentId?, callStatus?, bulkCallId? }', value);
  }
  // The API ignores unknown parameters and returns everything (docs/api-notes.md), so a misspelled filter
  // must fail here instead of silently exporting the whole account.
  for (const key of Object.keys(value)) {
    if (!KNOWN_FILTERS.has(key)) {
      throw new InvalidOptionError(`filters.${key}`, 'one of agentId, callStatus, bulkCallId', '(set)');
    }
  }
  const f = value as Record<string, unknown>;
  const out: CallLogFilters = {};
  if (f['agentId'] !== undefined) out.agentId = positiveId('filters.agentId', f['agentId']);
  if (f['bulkCallId'] !== undefined) out.bulkCallId = positiveId('filters.bulkCallId', f['bulkCallId']);
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

function positiveId(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(name, 'a positive integer', value);
  }
  return value;
}

function integer(name: string, value: unknown, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new InvalidOptionError(name, `an integer from ${min} to ${max}`, value);
  }
  return value;
}

function limit(name: string, value: unknown): number {
  if (value === undefined || value === Number.POSITIVE_INFINITY) return Number.POSITIVE_INFINITY;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
    throw new InvalidOptionError(name, 'a positive integer (or Infinity)', value);
  }
  return value;
}

function fn(name: string, value: unknown): ((...args: never[]) => unknown) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidOptionError(name, 'a function', value);
  return value as (...args: never[]) => unknown;
}
