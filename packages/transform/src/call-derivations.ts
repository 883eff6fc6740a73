/**
 * The derived columns of `calls` that are computed from other columns rather than copied from a
 * field: the duration in seconds, the cleaned transcript, and the bulk call taken from webhooks.
 */
import type { Row, RowValue } from './table-schema.js';

/** A `<br/>` separator (any case, spaces before the `/`) starting exactly at `lastIndex`. */
const BR_AT = /<br\s*\/?>/iy;
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
  // One pass over the `<br/>` separators: no split/map/filter arrays per call, and no match
  // array per separator either (a global `exec()` made one per turn, ~3% of an export's
  // allocations): each `<` is tried with the sticky pattern's `test()`. Linear: each `<` is
  // tried once, and a try reads no further than the separator starting there.
  let out: string | null = null;
  let start = 0;
  for (;;) {
    let end = text.length;
    let next = -1;
    for (let at = text.indexOf('<', start); at !== -1; at = text.indexOf('<', at + 1)) {
      BR_AT.lastIndex = at;
      if (BR_AT.test(text)) {
        end = at;
        next = BR_AT.lastIndex;
        break;
      }
    }
    const line = text.slice(start, end).trim();
    if (line !== '') out = out === null ? line : `${out}\n${line}`;
    if (next === -1) return out;
    start = next;
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
