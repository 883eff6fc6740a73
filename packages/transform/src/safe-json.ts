/**
 * JSON text for the `json` and `extra` columns of any value the flattener stores, including the
 * ones JSON.stringify cannot write faithfully (bigint throws, a non-finite number becomes `null`).
 */
import { MAX_VALUE_DEPTH } from './redact.js';

/**
 * JSON text of any value; bigint and non-finite numbers become strings. Values parsed from
 * JSON have neither (bar `1e400` → Infinity), so the plain native `JSON.stringify` runs first and
 * the replacer (a JS call per key, several times slower) only when the text might hide one:
 * bigint throws, and a non-finite number is written `null`.
 *
 * @example
 * safeJson({ n: 1n, x: Infinity }); // '{"n":"1","x":"Infinity"}'
 */
export function safeJson(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    return replacerJson(value);
  }
  if (text === undefined) return replacerJson(value);
  return text.includes('null') && hasNonFiniteNumber(value, 0) ? replacerJson(value) : text;
}

function replacerJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) =>
      typeof v === 'bigint' || (typeof v === 'number' && !Number.isFinite(v)) ? String(v) : v,
    ) ?? 'null'
  );
}

/** True when `value` holds a non-finite number (or is too deep to tell: the slow path decides). */
function hasNonFiniteNumber(value: unknown, depth: number): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value !== 'object' || value === null) return false;
  if (depth > MAX_VALUE_DEPTH) return true;
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return true;
  if (Array.isArray(value)) {
    for (const item of value) if (hasNonFiniteNumber(item, depth + 1)) return true;
    return false;
  }
  for (const key of Object.keys(value)) {
    if (hasNonFiniteNumber((value as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}
