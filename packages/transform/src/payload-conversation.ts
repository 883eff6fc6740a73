/**
 * The webhook payload's copies of the conversation (issue 21: "no conversation text written three
 * times unless asked"). The payload's `call_report` repeats the call's conversation twice:
 * `full_conversation` (the text of `calls.call_conversation` with newlines, which is what
 * `calls.transcript` holds) and `interactions` (the turns of the `interactions` table). Measured
 * on simulated calls (README "Conversation text, written once"): they are 16% of the NDJSON
 * bytes and ~10% of the flatten + encode CPU, for no information the other tables lack.
 */
import { setOwnField } from './own-field.js';
import { isPlainObject } from './plain-object.js';

/** What to do with the payload's conversation copies: `drop` (default) or `keep`. */
export type PayloadConversation = 'drop' | 'keep';

/** The accepted values, default first. */
export const PAYLOAD_CONVERSATIONS: readonly PayloadConversation[] = ['drop', 'keep'];

/** The keys of `call_report` that repeat the conversation. */
export const PAYLOAD_CONVERSATION_KEYS: readonly string[] = ['full_conversation', 'interactions'];

/**
 * `payload` without `call_report.full_conversation` and `call_report.interactions`; every other
 * field, and the payload itself when it has neither, as it was. Never changes its argument (the
 * parsed payload may be the caller's object).
 *
 * @example
 * withoutConversation({ call_id: 1, call_report: { summary: 's', full_conversation: 'hi' } });
 * // { call_id: 1, call_report: { summary: 's' } }
 */
export function withoutConversation(payload: Record<string, unknown>): Record<string, unknown> {
  const report = payload['call_report'];
  if (!isPlainObject(report) || !PAYLOAD_CONVERSATION_KEYS.some((key) => Object.hasOwn(report, key))) {
    return payload;
  }
  const kept: Record<string, unknown> = {};
  for (const key of Object.keys(report)) {
    // setOwnField: a parsed payload may hold a `__proto__` key, which must stay a plain field.
    if (!PAYLOAD_CONVERSATION_KEYS.includes(key)) setOwnField(kept, key, report[key]);
  }
  return { ...payload, call_report: kept };
}
