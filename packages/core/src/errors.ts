/**
 * Every error omnidim-stream throws is an {@link OmnidimError} with a stable `code` from one
 * closed union. Callers branch on `code` (or the `is*` guards), never on message text.
 *
 * Like undici's `errors.js`, each class carries a brand symbol (`Symbol.for`) so that
 * `isOmnidimError()` still works when two copies of the package are installed.
 *
 * No message, URL or enumerable property ever holds the API key: constructors take only what
 * is safe to log, and request URLs are passed through {@link formatUrlForMessage} first.
 */
import { formatUrlForMessage } from './url-for-message.js';

/**
 * Every stable machine-readable error code, one closed list (README "Library" names each).
 * `USAGE` and `INPUT` are thrown by the CLI (packages/cli/src/exit-codes.ts) but belong here so
 * that one union covers every error a caller can meet.
 */
export const ERROR_CODES = [
  'INVALID_OPTION',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'HTTP_STATUS',
  'INVALID_RESPONSE',
  'TIMEOUT',
  'NETWORK',
  'TLS',
  'RETRY_EXHAUSTED',
  'ABORTED',
  'LIMIT_EXCEEDED',
  'RESPONSE_TOO_LARGE',
  'DRIFT',
  'INVALID_RECORD',
  'SINK',
  'LOCKED',
  'INCOMPLETE',
  'USAGE',
  'INPUT',
  'INTERNAL',
] as const;

/** Stable machine-readable error codes. */
export type OmnidimErrorCode = (typeof ERROR_CODES)[number];

const BRAND = Symbol.for('omnidim-stream.error');

export interface OmnidimErrorOptions {
  cause?: unknown;
}

/** Base class of every omnidim-stream error. */
export class OmnidimError extends Error {
  readonly code: OmnidimErrorCode;

  constructor(code: OmnidimErrorCode, message: string, options: OmnidimErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
    Object.defineProperty(this, BRAND, { value: true, enumerable: false });
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    // Subclasses keep normal prototype checks; the base class also accepts branded errors
    // from another installed copy of this package. `this` is the class `instanceof` was asked
    // about, which is exactly what must be compared here.
    // biome-ignore lint/complexity/noThisInStatic: the receiver decides which check applies
    if (this !== OmnidimError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return isOmnidimError(value);
  }
}

/** True for any omnidim-stream error, even one thrown by another installed copy. */
export function isOmnidimError(value: unknown): value is OmnidimError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** A bad option: thrown before any request or write, naming the option, what was expected and what was received. */
export class InvalidOptionError extends OmnidimError {
  readonly option: string;
  /** What the option accepts, in words. */
  readonly expected: string;
  /** What was given, as the message shows it (a {@link RedactedValue} only by its kind). */
  readonly received: string;
  constructor(option: string, expected: string, received: unknown, options: OmnidimErrorOptions = {}) {
    const shown = describe(received);
    super('INVALID_OPTION', `Invalid option "${option}": expected ${expected}, received ${shown}`, options);
    this.option = option;
    this.expected = expected;
    this.received = shown;
  }
}

/** Context about the page request that failed; safe to log. */
export interface RequestContext {
  /** 1-based page number, when the request was for a page. */
  page?: number;
  /** Request URL; kept as scheme, host, port and path only ({@link formatUrlForMessage}). */
  url?: string;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** Attempts made so far (1 = first try). */
  attempts?: number;
}

/** An HTTP-level failure carrying safe request context. */
export class RequestError extends OmnidimError {
  readonly page: number | undefined;
  readonly url: string | undefined;
  readonly status: number | undefined;
  readonly attempts: number | undefined;

  constructor(
    code: OmnidimErrorCode,
    message: string,
    context: RequestContext = {},
    options: OmnidimErrorOptions = {},
  ) {
    super(code, message, options);
    this.page = context.page;
    this.url = context.url === undefined ? undefined : formatUrlForMessage(context.url);
    this.status = context.status;
    this.attempts = context.attempts;
  }
}

/** 401: the API key is missing or wrong. Never retried. */
export class UnauthorizedError extends RequestError {
  constructor(context: RequestContext = {}, options: OmnidimErrorOptions = {}) {
    super(
      'UNAUTHORIZED',
      `The API rejected the API key (HTTP 401)${where(context)}; check OMNIDIM_API_KEY`,
      context,
      options,
    );
  }
}

/** 403: the key may not use this endpoint. Never retried. */
export class ForbiddenError extends RequestError {
  constructor(context: RequestContext = {}, options: OmnidimErrorOptions = {}) {
    super(
      'FORBIDDEN',
      `The API key is not allowed to use this endpoint (HTTP 403)${where(context)}`,
      context,
      options,
    );
  }
}

/** Any other unexpected HTTP status. */
export class HttpStatusError extends RequestError {
  constructor(context: RequestContext & { status: number }, detail = '', options: OmnidimErrorOptions = {}) {
    super(
      'HTTP_STATUS',
      `HTTP ${context.status}${where(context)}${detail ? `: ${detail}` : ''}`,
      context,
      options,
    );
  }
}

/** A response that is not the documented envelope: HTML, cut JSON, `{status:"error"}` with 200, … */
export class InvalidResponseError extends RequestError {
  constructor(detail: string, context: RequestContext = {}, options: OmnidimErrorOptions = {}) {
    super('INVALID_RESPONSE', `Invalid API response${where(context)}: ${detail}`, context, options);
  }
}

/** A request that took longer than `timeoutMs`. */
export class TimeoutError extends RequestError {
  constructor(timeoutMs: number, context: RequestContext = {}, options: OmnidimErrorOptions = {}) {
    super('TIMEOUT', `Request timed out after ${timeoutMs} ms${where(context)}`, context, options);
  }
}

/** A socket-level failure (reset, refused, closed early). */
export class NetworkError extends RequestError {
  constructor(detail: string, context: RequestContext = {}, options: OmnidimErrorOptions = {}) {
    super('NETWORK', `Network error${where(context)}: ${detail}`, context, options);
  }
}

/**
 * The server's TLS certificate was rejected (self-signed, expired, wrong host name, unknown
 * issuer). Permanent, so never retried, and never "fixed" by turning verification off.
 */
export class TlsError extends RequestError {
  constructor(detail: string, context: RequestContext = {}, options: OmnidimErrorOptions = {}) {
    super(
      'TLS',
      `TLS certificate of the API server rejected${where(context)}: ${detail}; certificate verification stays on (use a trusted certificate or NODE_EXTRA_CA_CERTS)`,
      context,
      options,
    );
  }
}

/** Retries ran out; `cause` is the last failure. */
export class RetryExhaustedError extends RequestError {
  constructor(context: RequestContext, last: Error) {
    super(
      'RETRY_EXHAUSTED',
      `Gave up${pageOf(context)} after ${context.attempts ?? '?'} attempts: ${last.message}`,
      context,
      { cause: last },
    );
  }
}

/**
 * A response body grew past `maxResponseBytes` (or its Content-Length announced more): reading
 * stopped there and the request was destroyed, so one hostile or broken response cannot exhaust
 * memory (issue 11). Not retried: the same page would be as large again.
 */
export class ResponseTooLargeError extends RequestError {
  readonly limitBytes: number;
  constructor(limitBytes: number, seen: string, context: RequestContext = {}) {
    super(
      'RESPONSE_TOO_LARGE',
      `Response${where(context)} is larger than maxResponseBytes = ${limitBytes} bytes (${seen}); raise the limit (CLI: --max-response-size) only if a page can really be that large`,
      context,
    );
    this.limitBytes = limitBytes;
  }
}

/** The operation was aborted through an `AbortSignal` or `destroy()`. */
export class AbortError extends OmnidimError {
  constructor(reason?: unknown) {
    super('ABORTED', 'The operation was aborted', reason === undefined ? {} : { cause: reason });
  }
}

/**
 * Two parts of omnidim-stream disagree about the same data: a bug, never the API's fault (e.g. a
 * flatten worker parsed a page and found other calls than the main thread's scan of it, issue 21).
 * The run fails with nothing committed; the CLI exits 1.
 */
export class InternalError extends OmnidimError {
  constructor(message: string) {
    super('INTERNAL', message);
  }
}

/** A safety bound (`maxPages`, `maxRecords` hard limits, loop guards) was hit. */
export class LimitExceededError extends OmnidimError {
  readonly limit: string;
  constructor(limit: string, detail: string) {
    super('LIMIT_EXCEEDED', `Limit "${limit}" exceeded: ${detail}`);
    this.limit = limit;
  }
}

/**
 * A full export found no call at all where the dataset it would replace holds some (issue 11):
 * an API that suddenly answers `total_records: 0` (a wrong account, a backend incident) must not
 * empty a lake and exit 0. A safety bound, so code `LIMIT_EXCEEDED` (exit 4: retry at the next
 * tick); the caller lifts it when an empty result is expected (`--allow-empty` in the CLI).
 */
export class EmptyResultError extends OmnidimError {
  /** Rows the dataset holds now (left untouched). */
  readonly previousRows: number;
  constructor(previousRows: number, detail: string) {
    super('LIMIT_EXCEEDED', detail);
    this.previousRows = previousRows;
  }
}

/** The source changed during the export in a way that could not be reconciled (e.g. deletions). */
export class DriftError extends OmnidimError {
  constructor(detail: string, options: OmnidimErrorOptions = {}) {
    super('DRIFT', `The call-log list changed during the export: ${detail}`, options);
  }
}

/** A record too broken to become a row (used for quarantine reasons). */
export class InvalidRecordError extends OmnidimError {
  constructor(detail: string, options: OmnidimErrorOptions = {}) {
    super('INVALID_RECORD', `Invalid call log: ${detail}`, options);
  }
}

// SinkError, DatasetLockedError and CommittedWithCleanupError (codes SINK, LOCKED) live with the
// code that throws them: packages/sinks/src/errors.ts. Core knows nothing about files.

/** The export finished with fewer records than the API said it had. */
export class IncompleteExportError extends OmnidimError {
  readonly missing: number;
  constructor(missing: number, detail: string) {
    const what = missing > 0 ? `${missing} call(s) missing` : 'not proven complete';
    super('INCOMPLETE', `Export incomplete: ${what}; ${detail}`);
    this.missing = missing;
  }
}

/**
 * ` on page 3 (GET https://host:443/api/v1/calls/logs)`: which request failed, with its URL as
 * {@link formatUrlForMessage} shows it (no credentials, no query string), so "connection refused"
 * or an HTML 404 names the host and path an operator has to fix (issue 19).
 */
function where(context: RequestContext): string {
  const url = context.url === undefined ? '' : ` (GET ${formatUrlForMessage(context.url)})`;
  return `${pageOf(context)}${url}`;
}

/** ` on page 3`, or nothing: the page alone, for a message that quotes its cause (which names the URL). */
function pageOf(context: RequestContext): string {
  return context.page === undefined ? '' : ` on page ${context.page}`;
}

/**
 * Stand-in for a secret passed as `received` to {@link InvalidOptionError}: only its kind is
 * described (e.g. `a number (redacted)`), never its value.
 */
export class RedactedValue {
  readonly kind: string;
  constructor(value: unknown) {
    this.kind = value === null ? 'null' : typeof value;
  }
}

function describe(value: unknown): string {
  if (value instanceof RedactedValue) return `a ${value.kind} (redacted)`;
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null || typeof value === 'bigint') {
    return String(value);
  }
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
