/**
 * `post_call_actions.call_recording_webhook_ids` → `webhooks` rows, with the `payload_*`
 * columns derived from the JSON payload each webhook carries inside a string.
 */
import { coerceToRowValue, isAbsent, MISFIT_VALUE } from './coerce.js';
import { PAYLOAD_CONVERSATION_KEYS, withoutConversation } from './payload-conversation.js';
import { isPlainObject } from './plain-object.js';
import { checkValueDepth } from './redact.js';
import { type FlattenContext, RowBuilder } from './row-builder.js';
import { safeJson } from './safe-json.js';
import type { LogicalType, TableRows } from './table-schema.js';

/** The key of `post_call_actions` that lists the webhooks. */
export const WEBHOOK_LIST = 'call_recording_webhook_ids';
// Fields handled by hand rather than by name.
const WEBHOOK_SKIP = new Set(['payload']);

/** Adds one `webhooks` row per object of `list`; anything else is kept raw in the call's `extra`. */
export function flattenWebhooks(
  list: unknown,
  call: RowBuilder,
  callId: number,
  ctx: FlattenContext,
  tables: TableRows,
): void {
  const field = `post_call_actions.${WEBHOOK_LIST}`;
  if (isAbsent(list, 'json')) return;
  if (!Array.isArray(list)) {
    call.keep(field, ctx.redactor.scrubValue(list, WEBHOOK_LIST), true);
    return;
  }
  for (let index = 0; index < list.length; index++) {
    const item: unknown = list[index];
    if (!isPlainObject(item)) {
      call.keep(`${field}[${index}]`, ctx.redactor.scrubValue(item), true);
      continue;
    }
    const w = new RowBuilder('webhooks', ctx);
    w.row['call_id'] = callId;
    w.fill(item, WEBHOOK_SKIP);
    fillPayload(w, item['payload'], ctx);
    const bodyAction = ctx.options.redact.responseBodies;
    if (bodyAction !== 'keep') {
      const body = w.row['response_body'];
      if (typeof body === 'string') w.row['response_body'] = ctx.redactor.applyAction(body, bodyAction);
      if (w.extra !== null && 'response_body' in w.extra) {
        w.extra['response_body'] = ctx.redactor.applyAction(safeJson(w.extra['response_body']), bodyAction);
      }
    }
    tables.webhooks.push(w.finish());
  }
}

/**
 * The payload arrives as JSON inside a string (docs/api-notes.md): parse it, derive the useful fields,
 * and store it as JSON text with secrets masked, without its conversation copies unless the
 * `payloadConversation` option is `keep` (payload-conversation.ts). A payload that is not JSON is kept in `extra`.
 */
function fillPayload(w: RowBuilder, raw: unknown, ctx: FlattenContext): void {
  const action = ctx.options.redact.webhookPayloads;
  if (isAbsent(raw, 'json')) return;
  let parsed: unknown = raw;
  if (typeof raw === 'string') {
    try {
      parsed = JSON.parse(raw);
    } catch {
      w.keep('payload', ctx.redactor.applyAction(ctx.redactor.scrubText(raw), action), true);
      return;
    }
  }
  // The conversation copies are left out first (issue 21): never scrubbed, never stringified.
  // Checked for depth all the same, so a record is quarantined exactly as when they were scrubbed.
  let kept = parsed;
  if (isPlainObject(parsed) && ctx.options.payloadConversation === 'drop') {
    kept = withoutConversation(parsed);
    if (kept !== parsed) checkConversationDepth(parsed);
  }
  const payload = ctx.redactor.scrubValue(kept);
  if (isPlainObject(payload)) {
    const tz = ctx.options.timeZone;
    for (const { column, keys, type } of PAYLOAD_DERIVATIONS) {
      let found: unknown;
      for (const key of keys) {
        if (!isAbsent(payload[key], type)) {
          found = payload[key];
          break;
        }
      }
      if (found === undefined) continue;
      // Derived copies are best effort: the payload column keeps the raw value, so a misfit is not lost.
      const coerced = coerceToRowValue(found, type, tz);
      if (coerced !== MISFIT_VALUE) w.row[column] = coerced;
    }
  }
  const text = safeJson(payload);
  w.row['payload'] = action === 'keep' ? text : JSON.stringify(ctx.redactor.applyAction(text, action));
}

/** The depth checks that scrubbing the payload's dropped conversation copies made (payload 0, call_report 1). */
function checkConversationDepth(payload: Record<string, unknown>): void {
  const report = payload['call_report'] as Record<string, unknown>;
  for (const key of PAYLOAD_CONVERSATION_KEYS)
    if (Object.hasOwn(report, key)) checkValueDepth(report[key], 2);
}

/** The `payload_*` columns: the first present key of `keys` in the parsed payload, coerced to `type`. */
const PAYLOAD_DERIVATIONS: readonly { column: string; keys: readonly string[]; type: LogicalType }[] = [
  { column: 'payload_call_id', keys: ['call_id'], type: 'int64' },
  { column: 'payload_bot_id', keys: ['bot_id'], type: 'int64' },
  { column: 'payload_bot_name', keys: ['bot_name'], type: 'string' },
  { column: 'payload_call_status', keys: ['call_status'], type: 'string' },
  { column: 'payload_call_date', keys: ['call_date'], type: 'timestamp' },
  { column: 'payload_start_time', keys: ['start_time'], type: 'timestamp' },
  { column: 'payload_end_time', keys: ['end_time'], type: 'timestamp' },
  { column: 'payload_call_duration', keys: ['call_duration'], type: 'float64' },
  { column: 'payload_bulk_call_id', keys: ['bulk_call_id'], type: 'int64' },
  // The name's key is undocumented; `campaign_name` is what peers have seen next to bulk_call_id.
  { column: 'payload_bulk_call_name', keys: ['bulk_call_name', 'campaign_name'], type: 'string' },
];
