/**
 * The checks of a page's envelope after its body parsed (or scanned: page-scan.ts) as a JSON
 * object, shared by the two ways fetch-page.ts reads a page so that both refuse the same pages
 * with the same errors: an error-shaped body, no `call_log_data` array, a bad `total_records`,
 * more rows than asked for; and the short-page verdict.
 */
import type { RequestContext } from './errors.js';
import { InvalidResponseError } from './errors.js';

/** What the checks read from the envelope (each `undefined` when the key is absent). */
export interface EnvelopeFields {
  status: unknown;
  success: unknown;
  totalRecords: unknown;
  /** The length of `call_log_data` when it is an array, else undefined. */
  length: number | undefined;
}

/** The page's place: its number and size as requested. */
export interface EnvelopeRequest {
  pageno: number;
  pageSize: number;
}

/**
 * Checks the envelope of a 2xx JSON object body; throws an {@link InvalidResponseError} (retried
 * by fetch-page.ts) or returns `total_records` and whether the page is short. `body` gives the
 * body's text for an error message (only read on that path).
 *
 * @example
 * checkEnvelope({ status: 'success', success: undefined, totalRecords: 3, length: 3 }, { pageno: 1, pageSize: 150 }, { status: 200 }, 'key', () => '');
 * // { total: 3, short: false }
 */
export function checkEnvelope(
  fields: EnvelopeFields,
  request: EnvelopeRequest,
  ctx: RequestContext,
  apiKey: string,
  body: () => string,
): { total: number; short: boolean } {
  if (fields.status === 'error' || fields.success === false) {
    throw new InvalidResponseError(
      `error-shaped body with HTTP ${ctx.status}: ${errorDetail(body(), apiKey)}`,
      ctx,
    );
  }
  const length = fields.length;
  if (length === undefined) throw new InvalidResponseError('no call_log_data array in the envelope', ctx);
  const total = toCount(fields.totalRecords);
  if (total === undefined) throw new InvalidResponseError('total_records is not a non-negative integer', ctx);
  if (length > request.pageSize) {
    throw new InvalidResponseError(`${length} records for pagesize ${request.pageSize}`, ctx);
  }
  const offset = (request.pageno - 1) * request.pageSize;
  return { total, short: length < request.pageSize && offset + length < total };
}

function toCount(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0 ? n : undefined;
}

/**
 * The detail of a non-2xx answer. An HTML 404 is what the backend (Odoo) answers for a path it
 * does not serve (docs/api-notes.md): almost always a base URL without `/api/v1` or with a typo,
 * so the message says where to look (issue 19).
 */
export function statusDetail(status: number, body: string, apiKey: string): string {
  const detail = errorDetail(body, apiKey);
  if (status !== 404 || !body.trimStart().startsWith('<')) return detail;
  return `${detail}; the server does not serve this path: check the base URL (CLI: --base-url or OMNIDIM_BASE_URL), the API root, e.g. https://backend.omnidim.io/api/v1`;
}

/** A short, single-line, key-free description of an error body for messages. */
export function errorDetail(body: string, apiKey: string): string {
  let detail = body;
  try {
    const json = JSON.parse(body) as Record<string, unknown>;
    const parts = [json['error'], json['error_description'], json['message']].filter(
      (p): p is string => typeof p === 'string',
    );
    if (parts.length > 0) detail = parts.join(': ');
  } catch {
    detail = body.trimStart().startsWith('<') ? 'HTML body' : body;
  }
  detail = detail.split(apiKey).join('[REDACTED]').replace(/\s+/g, ' ').trim();
  return detail.length > 200 ? `${detail.slice(0, 197)}...` : detail;
}
