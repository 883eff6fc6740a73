/**
 * The one options-check kit of every package (issue 15): each check returns the value it was
 * given, typed, or throws {@link InvalidOptionError} naming the option, what was expected and
 * what was received. Library entry points pass camelCase option paths (`retry.limit`); the CLI
 * passes the flag (`--page-size`) and its text, so a bad flag fails the same way as a bad option.
 */
import { InvalidOptionError } from './errors.js';
import { formatUrlForMessage } from './url-for-message.js';

/** Inclusive bounds of a numeric option. */
export interface Range {
  readonly min: number;
  readonly max: number;
}

/** How a range reads in a message: `an integer ≥ 1` when there is no real upper bound. */
function describeRange(kind: 'an integer' | 'a number', { min, max }: Range): string {
  return max >= Number.MAX_SAFE_INTEGER ? `${kind} ≥ ${min}` : `${kind} from ${min} to ${max}`;
}

/**
 * A safe integer within `range`.
 *
 * @example
 * checkInteger('pageSize', 100, { min: 1, max: 150 }); // 100
 */
export function checkInteger(option: string, value: unknown, range: Range): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new InvalidOptionError(option, describeRange('an integer', range), value);
  }
  return value;
}

/**
 * A finite number within `range`.
 *
 * @example
 * checkNumber('faults.rate', 0.2, { min: 0, max: 1 }); // 0.2
 */
export function checkNumber(option: string, value: unknown, range: Range): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < range.min || value > range.max) {
    throw new InvalidOptionError(option, describeRange('a number', range), value);
  }
  return value;
}

/**
 * Command-line text of an integer (digits only: no sign, exponent or fraction) within `range`.
 * The text, not a parsed number, is what the message echoes.
 *
 * @example
 * checkIntegerText('--page-size', '100', { min: 1, max: 150 }); // 100
 */
export function checkIntegerText(option: string, text: string, range: Range): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < range.min || value > range.max) {
    throw new InvalidOptionError(option, describeRange('an integer', range), text);
  }
  return value;
}

/**
 * Command-line text of a non-negative decimal (`0.25`, `3`) within `range`.
 *
 * @example
 * checkNumberText('--fault-rate', '0.25', { min: 0, max: 1 }); // 0.25
 */
export function checkNumberText(option: string, text: string, range: Range): number {
  const value = /^\d+(\.\d+)?$/.test(text) ? Number(text) : Number.NaN;
  if (Number.isNaN(value) || value < range.min || value > range.max) {
    throw new InvalidOptionError(option, describeRange('a number', range), text);
  }
  return value;
}

/**
 * One of `allowed`. `expected` overrides how the list reads in the message.
 *
 * @example
 * checkOneOf('format', 'csv', ['parquet', 'csv', 'ndjson']); // 'csv'
 */
export function checkOneOf<T extends string>(
  option: string,
  value: unknown,
  allowed: readonly T[],
  expected = `one of ${allowed.map((a) => `"${a}"`).join(', ')}`,
): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new InvalidOptionError(option, expected, value);
}

/**
 * `true` or `false`.
 *
 * @example
 * checkBoolean('allowEmpty', false); // false
 */
export function checkBoolean(option: string, value: unknown, expected = 'a boolean'): boolean {
  if (typeof value === 'boolean') return value;
  throw new InvalidOptionError(option, expected, value);
}

/**
 * A function, or `undefined`.
 *
 * @example
 * checkOptionalFunction('onPage', undefined); // undefined
 */
export function checkOptionalFunction(
  option: string,
  value: unknown,
): ((...args: never[]) => unknown) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'function') throw new InvalidOptionError(option, 'a function', value);
  return value as (...args: never[]) => unknown;
}

/**
 * A plain object (not `null`, not an array); `expected` says which keys it may hold.
 *
 * @example
 * checkObject('retry', {}); // {}
 */
export function checkObject(option: string, value: unknown, expected = 'an object'): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidOptionError(option, expected, value);
  }
  return value as Record<string, unknown>;
}

/** True for hosts where plain http cannot leave the machine: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host === '::1') return true;
  const m = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  return m?.slice(1).every((part) => Number(part) <= 255) ?? false;
}

/** What {@link checkApiUrl} accepts, in the words of its messages. */
export const API_URL_EXPECTED =
  'an https URL (http only for 127.0.0.0/8, ::1 or localhost) without credentials, query or fragment';

/**
 * An API root: https (plain http only for loopback hosts), no credentials, query or fragment
 * (they would end up in logs and messages; refused rather than silently dropped, since the
 * request would not be the one asked for). The URL in a message always goes through
 * {@link formatUrlForMessage} (issue 13): a key passed as `?api_key=…`, `user:pass@` or `#…` is
 * never echoed, not even when the URL does not parse.
 *
 * @example
 * checkApiUrl('baseUrl', 'http://127.0.0.1:8787/api/v1').host; // '127.0.0.1:8787'
 */
export function checkApiUrl(option: string, value: unknown): URL {
  if (typeof value !== 'string') throw new InvalidOptionError(option, API_URL_EXPECTED, value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidOptionError(option, API_URL_EXPECTED, formatUrlForMessage(value));
  }
  if (url.username !== '' || url.password !== '') {
    throw new InvalidOptionError(option, API_URL_EXPECTED, `${formatUrlForMessage(url)} with credentials`);
  }
  if (url.search !== '' || url.hash !== '') {
    const part = url.search !== '' ? 'query string' : 'fragment';
    throw new InvalidOptionError(option, API_URL_EXPECTED, `${formatUrlForMessage(url)} with a ${part}`);
  }
  const ok = url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  if (!ok) throw new InvalidOptionError(option, API_URL_EXPECTED, formatUrlForMessage(url));
  return url;
}
