/**
 * Retry arithmetic: the backoff delay and `Retry-After` parsing. Pure functions; the retry loop
 * itself lives in fetch-page.ts because a body can fail after the headers arrived.
 */

/** Inputs of {@link computeRetryDelay}. */
export interface RetryDelayInput {
  /** The attempt that just failed, 1-based. */
  attempt: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Parsed `Retry-After` in ms, if the server sent one. */
  retryAfterMs?: number | undefined;
  /** Cap for `retryAfterMs`. */
  maxRetryAfterMs: number;
  /** Uniform [0, 1) source; injectable for tests. */
  random: () => number;
}

/**
 * Delay before the next attempt. A server's `Retry-After` wins (capped at `maxRetryAfterMs`);
 * otherwise exponential backoff with full jitter: uniform in [0, min(maxDelayMs, base·2^(attempt−1))].
 * Full jitter spreads out the parallel page requests that failed together.
 *
 * @example
 * computeRetryDelay({ attempt: 3, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 60_000, random: () => 0.5 });
 * // 1000 (half of 500·2²)
 */
export function computeRetryDelay(input: RetryDelayInput): number {
  if (input.retryAfterMs !== undefined && Number.isFinite(input.retryAfterMs)) {
    return Math.max(0, Math.min(input.retryAfterMs, input.maxRetryAfterMs));
  }
  const exponent = Math.max(0, Math.min(input.attempt - 1, 52));
  const ceiling = Math.min(input.maxDelayMs, input.baseDelayMs * 2 ** exponent);
  const r = Math.min(Math.max(input.random(), 0), 1);
  return Math.floor(ceiling * r);
}

/**
 * Parses a `Retry-After` header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
 * Returns milliseconds from `now` (never negative), or undefined for a missing or garbage value.
 *
 * @example
 * parseRetryAfter('2'); // 2000
 * parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', Date.parse('Wed, 21 Oct 2015 07:27:58 GMT')); // 2000
 */
export function parseRetryAfter(
  value: string | string[] | undefined,
  now: number = Date.now(),
): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // Only accept something that looks like an HTTP-date; Date.parse alone accepts '1' or '2020'.
  if (!/^[A-Za-z]{3},? /.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
