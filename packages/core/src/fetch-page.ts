/**
 * One page of `GET /calls/logs`: request, read whole, parse, validate the envelope, retry.
 *
 * The retry loop wraps fetch AND parse because a body can be cut after the headers (a 200 whose
 * JSON is truncated), and because this API reports some failures as HTTP 200 with an HTML page or
 * `{"status":"error"}` (docs/api-notes.md "Errors"). Policy:
 * - retried: 408, 429, 502, 503, 504 (honouring `Retry-After`), socket errors/resets, timeouts,
 *   non-JSON/HTML/error-shaped 200 bodies, an envelope without a `call_log_data` array;
 * - 500 retried at most `retry.limit500` times: the API answers invalid parameters with a 500;
 * - never retried: 401, 403, any other status;
 * - a short page (fewer rows than `pagesize` while `total_records` says more exist) is suspect
 *   (the 'short' fault: a proxy or server cut the list) and is re-requested up to
 *   {@link SHORT_PAGE_RETRIES} times; if it stays short it is accepted with `short: true` so the
 *   caller can report the shortfall. Rejecting it forever would break exports if the API's count
 *   were ever computed differently from its list (that is inferred, not documented).
 */

import { abortableSleep } from './abort.js';
import type { CallLog, CallLogFilters } from './call-log.js';
import type { RequestContext, RequestError } from './errors.js';
import {
  AbortError,
  ForbiddenError,
  HttpStatusError,
  InvalidResponseError,
  RetryExhaustedError,
  UnauthorizedError,
} from './errors.js';
import type { RetryEvent } from './events.js';
import type { HttpClient, HttpResponse } from './http-client.js';
import type { RetryOptions } from './options.js';
import { checkEnvelope, statusDetail } from './page-envelope.js';
import { type PageScan, scanPage } from './page-scan.js';
import { rememberPageBody } from './record-source.js';
import { computeRetryDelay, parseRetryAfter } from './retry.js';
import { scannedEnvelope, shallowRows } from './shallow-page.js';

/** Re-requests of a page that came back short while `total_records` says more rows exist. */
export const SHORT_PAGE_RETRIES = 2;

const RETRY_STATUSES = new Set([408, 429, 502, 503, 504]);

export interface PageRequest {
  pageno: number;
  pageSize: number;
  filters: CallLogFilters;
}

/** A validated page. */
export interface FetchedPage {
  page: number;
  records: CallLog[];
  total_records: number;
  attempts: number;
  durationMs: number;
  /** Still shorter than `total_records` implies after the short-page retries. */
  short: boolean;
}

export interface FetchPageDeps {
  client: HttpClient;
  apiKey: string;
  retry: Required<RetryOptions>;
  signal: AbortSignal;
  sleep: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  random: () => number;
  onRetry: ((event: RetryEvent) => void) | undefined;
  /** Called before every attempt (stats). */
  onAttempt: (() => void) | undefined;
  /** Remember each record's page body (record-source.ts: the `keepPageBody` option). */
  keepPageBody?: boolean;
  /** Scan pages instead of parsing them; hand on stubs (shallow-page.ts: `shallowRecords`). */
  shallowRecords?: boolean;
}

/** Maps the library's camelCase filters to the API's parameter names. */
export function pageQuery(request: PageRequest): Record<string, string | number> {
  const q: Record<string, string | number> = { pageno: request.pageno, pagesize: request.pageSize };
  if (request.filters.agentId !== undefined) q['agentid'] = request.filters.agentId; // no underscore
  if (request.filters.callStatus !== undefined) q['call_status'] = request.filters.callStatus;
  if (request.filters.bulkCallId !== undefined) q['bulk_call_id'] = request.filters.bulkCallId;
  return q;
}

/**
 * Fetches one page with retries. Rejects with a coded error: UnauthorizedError, ForbiddenError,
 * HttpStatusError, RetryExhaustedError (naming the page and the last cause) or AbortError.
 *
 * @example
 * const page = await fetchPage({ pageno: 1, pageSize: 150, filters: {} }, deps);
 * page.records.length; // ≤ 150
 */
export async function fetchPage(request: PageRequest, deps: FetchPageDeps): Promise<FetchedPage> {
  const started = performance.now();
  const query = pageQuery(request);
  const sleep = deps.sleep ?? abortableSleep;
  let attempt = 0;
  let retries = 0;
  let retries500 = 0;
  let shortRetries = 0;
  for (;;) {
    attempt += 1;
    const context: RequestContext = { page: request.pageno, attempts: attempt };
    let failure: RequestError;
    let retryAfterMs: number | undefined;
    try {
      deps.onAttempt?.();
      const res = await deps.client.get('/calls/logs', query, deps.signal, context);
      const ctx = { ...context, url: deps.client.describeUrl('/calls/logs', query), status: res.status };
      const page = interpret(res, request, ctx, deps.apiKey, deps.shallowRecords === true);
      const canRetryShort = shortRetries < SHORT_PAGE_RETRIES && retries < deps.retry.limit;
      if (!page.short || !canRetryShort) {
        // A shallow page's rows were registered with their byte ranges (shallow-page.ts).
        if (deps.keepPageBody && !deps.shallowRecords) rememberPageBody(res.bytes, page.records);
        return { ...page, attempts: attempt, durationMs: performance.now() - started };
      }
      shortRetries += 1;
      failure = new InvalidResponseError(
        `short page: ${page.records.length} of ${request.pageSize} records while total_records is ${page.total_records}`,
        ctx,
      );
    } catch (error) {
      if (error instanceof AbortError || deps.signal.aborted) throw toAbort(error, deps.signal);
      const e = error as RequestError;
      if (!isRetryable(e)) throw e;
      failure = e;
      if (e.status !== undefined && (e.status === 429 || e.status === 503)) {
        retryAfterMs = (e as RequestError & { retryAfterMs?: number }).retryAfterMs;
      }
    }
    const is500 = failure.status === 500;
    if (retries >= deps.retry.limit || (is500 && retries500 >= deps.retry.limit500)) {
      throw new RetryExhaustedError(
        { page: request.pageno, url: failure.url, status: failure.status, attempts: attempt },
        failure,
      );
    }
    retries += 1;
    if (is500) retries500 += 1;
    const delayMs = computeRetryDelay({
      attempt,
      baseDelayMs: deps.retry.baseDelayMs,
      maxDelayMs: deps.retry.maxDelayMs,
      retryAfterMs,
      maxRetryAfterMs: deps.retry.maxRetryAfterMs,
      random: deps.random,
    });
    deps.onRetry?.({
      page: request.pageno,
      attempt,
      delayMs,
      code: failure.code,
      status: failure.status,
      message: failure.message,
    });
    try {
      await sleep(delayMs, deps.signal);
    } catch (error) {
      throw toAbort(error, deps.signal);
    }
    if (deps.signal.aborted) throw new AbortError(deps.signal.reason);
  }
}

function toAbort(error: unknown, signal: AbortSignal): unknown {
  if (error instanceof AbortError) return error;
  if (signal.aborted) return new AbortError(signal.reason);
  return error;
}

function isRetryable(error: RequestError): boolean {
  switch (error.code) {
    case 'NETWORK':
    case 'TIMEOUT':
    case 'INVALID_RESPONSE':
      return true;
    case 'HTTP_STATUS':
      return error.status === 500 || (error.status !== undefined && RETRY_STATUSES.has(error.status));
    default:
      return false;
  }
}

/** Turns a whole response into a page or a coded error (thrown). */
function interpret(
  res: HttpResponse,
  request: PageRequest,
  ctx: RequestContext,
  apiKey: string,
  shallow: boolean,
): Omit<FetchedPage, 'attempts' | 'durationMs'> {
  const { status } = res;
  if (status === 401) throw new UnauthorizedError(ctx);
  if (status === 403) throw new ForbiddenError(ctx);
  if (status < 200 || status > 299) {
    const error = new HttpStatusError({ ...ctx, status }, statusDetail(status, res.body, apiKey));
    if (status === 429 || status === 503) {
      // Kept as a non-enumerable property: it is retry plumbing, not part of the error's shape.
      Object.defineProperty(error, 'retryAfterMs', { value: parseRetryAfter(res.headers['retry-after']) });
    }
    throw error;
  }
  // The backend is Odoo: a login/error page can come back as HTML with status 200.
  if (String(res.headers['content-type'] ?? '').includes('html')) throw htmlBody(ctx);
  const body = () => res.body;
  if (shallow) {
    const scan = scanBody(res, ctx);
    const { total, short } = checkEnvelope(scannedEnvelope(res.bytes, scan), request, ctx, apiKey, body);
    return { page: request.pageno, records: shallowRows(res.bytes, scan), total_records: total, short };
  }
  if (res.body.trimStart().startsWith('<')) throw htmlBody(ctx);
  let json: unknown;
  try {
    json = JSON.parse(res.body);
  } catch (error) {
    throw notJson(res, ctx, error);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidResponseError('body is not a JSON object', ctx);
  }
  const envelope = json as Record<string, unknown>;
  const records = envelope['call_log_data'];
  const fields = {
    status: envelope['status'],
    success: envelope['success'],
    totalRecords: envelope['total_records'],
    length: Array.isArray(records) ? records.length : undefined,
  };
  const { total, short } = checkEnvelope(fields, request, ctx, apiKey, body);
  return { page: request.pageno, records: records as CallLog[], total_records: total, short };
}

/**
 * The body validated from its bytes (page-scan.ts), never decoded whole when it is good. A body
 * the scan refuses gets the errors the parse path gives it, from its text: HTML when it starts
 * with `<` (after any whitespace `trimStart` removes), else not JSON, with `JSON.parse`'s error
 * as the cause (the scan refuses exactly what it refuses).
 */
function scanBody(res: HttpResponse, ctx: RequestContext): PageScan {
  let scan: PageScan;
  try {
    scan = scanPage(res.bytes);
  } catch (scanError) {
    if (res.body.trimStart().startsWith('<')) throw htmlBody(ctx);
    let cause: unknown = scanError;
    try {
      JSON.parse(res.body);
    } catch (error) {
      cause = error;
    }
    throw notJson(res, ctx, cause);
  }
  if (!scan.isObject) throw new InvalidResponseError('body is not a JSON object', ctx);
  return scan;
}

function htmlBody(ctx: RequestContext): InvalidResponseError {
  return new InvalidResponseError('HTML body instead of JSON', ctx);
}

function notJson(res: HttpResponse, ctx: RequestContext, cause: unknown): InvalidResponseError {
  return new InvalidResponseError(`body is not valid JSON (${res.body.length} bytes; truncated?)`, ctx, {
    cause,
  });
}
