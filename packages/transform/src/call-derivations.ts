/**
 * The derived columns of `calls` that are computed from other columns rather than copied from a
 * field: the duration in seconds, the cleaned transcript, and the bulk call taken from webhooks.
 */
import type { Row, RowValue } from './table-schema.js';

const BR_ALL = /<br\s*\/?>/gi;
const DURATION_MS = /^(\d+):(\d{1,2})$/;

/**
 * `call_duration_in_seconds` is the number to trust; `call_duration` (`M:S`, total minutes,
 * unpadded, e.g. `65:3` = 3903 s) is parsed only when it is missing.
 *
 * @example
 * resolveDuration(null, '65:3'); // 3903
 */
export function resolveDuration(seconds: RowValue | undefined, text: RowValue | undefined): number | null {
  if (typeof seconds === 'number') return seconds;
  if (typeof text !== 'string') return null;
  const m = DURATION_MS.exec(text.trim());
  if (!m) return null;
  const s = Number(m[2]);
  return s < 60 ? Number(m[1]) * 60 + s : null;
}

/**
 * `call_conversation` separates turns with `<br/>` and pads them with spaces: one line per
 * turn, trimmed, empty lines dropped. `null` when nothing remains.
 *
 * @example
 * cleanTranscript(' USER: hi <br/> LLM: hello <br/>'); // 'USER: hi\nLLM: hello'
 */
export function cleanTranscript(text: RowValue | undefined): string | null {
  if (typeof text !== 'string') return null;
  // One pass over the `<br/>` separators: no split/map/filter arrays per call.
  BR_ALL.lastIndex = 0;
  let out: string | null = null;
  let start = 0;
  // Terminates: every match is non-empty, so the global regex moves forward each turn.
  for (;;) {
    const match = BR_ALL.exec(text);
    const end = match === null ? text.length : match.index;
    const line = text.slice(start, end).trim();
    if (line !== '') out = out === null ? line : `${out}\n${line}`;
    if (match === null) return out;
    start = end + match[0].length;
  }
}

/** Fills a call's missing `bulk_call_id` / `bulk_call_name` from the first webhook payload that has one. */
export function fillBulkCall(row: Row, webhooks: readonly Row[]): void {
  if (row['bulk_call_id'] !== null && row['bulk_call_name'] !== null) return;
  for (const w of webhooks) {
    if (w['payload_bulk_call_id'] === null && w['payload_bulk_call_name'] === null) continue;
    if (row['bulk_call_id'] === null) row['bulk_call_id'] = w['payload_bulk_call_id'] ?? null;
    if (row['bulk_call_name'] === null) row['bulk_call_name'] = w['payload_bulk_call_name'] ?? null;
    return;
  }
}
