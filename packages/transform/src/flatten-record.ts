/**
 * A call log already known to have a usable id → rows of the four tables, in one pass: the
 * `calls` row (its fields, `call_request_id`, `post_call_actions`, derived columns), and the
 * rows of its interactions, function calls and webhooks, keyed by natural ids.
 */

import { cleanTranscript, fillBulkCall, resolveDuration } from './call-derivations.js';
import { isAbsent } from './coerce.js';
import type { FlatCallLog } from './flat-call-log.js';
import { flattenInteraction } from './flatten-interaction.js';
import { flattenWebhooks, WEBHOOK_LIST } from './flatten-webhooks.js';
import type { ResolvedTransformOptions } from './options.js';
import { isPlainObject } from './plain-object.js';
import { redactorFor } from './redact.js';
import { type FlattenContext, RowBuilder } from './row-builder.js';
import type { TypedTableRows } from './rows.generated.js';
import type { TableRows } from './table-schema.js';
import { localDateOf } from './time.js';

/** The five `post_call_actions` lists that become JSON columns of `calls`. */
const SERVICE_LISTS: ReadonlySet<string> = new Set([
  'email_service_ids',
  'hubspot_service_ids',
  'slack_service_ids',
  'salesforce_service_ids',
  'google_sheets_service_ids',
]);

// Fields of the call log handled by hand rather than by name.
const CALL_SKIP = new Set(['id', 'call_request_id', 'interactions', 'post_call_actions']);

/**
 * Flattens `log`, whose id `callId` the caller has already checked. Throws `LimitExceededError`
 * for a value nested too deep to redact.
 */
export function flattenRecord(
  log: Record<string, unknown>,
  callId: number,
  options: ResolvedTransformOptions,
): FlatCallLog {
  const ctx: FlattenContext = { options, redactor: redactorFor(options), coercions: 0 };
  const tables: TableRows = { calls: [], interactions: [], function_calls: [], webhooks: [] };
  const call = new RowBuilder('calls', ctx);
  call.row['id'] = callId;
  call.fill(log, CALL_SKIP);

  flattenCallRequest(call, ctx.redactor.scrubValue(log['call_request_id'], 'call_request_id'));

  let functionCallCount = 0;
  const interactions = log['interactions'];
  if (Array.isArray(interactions)) {
    for (let index = 0; index < interactions.length; index++) {
      const item: unknown = interactions[index];
      if (isPlainObject(item)) functionCallCount += flattenInteraction(item, callId, ctx, tables);
      else call.keep(`interactions[${index}]`, ctx.redactor.scrubValue(item), true);
    }
  } else if (!isAbsent(interactions, 'json')) {
    // `interactions: false` / null means none; anything else that is not a list is kept raw.
    call.keep('interactions', ctx.redactor.scrubValue(interactions, 'interactions'), true);
  }

  const actions = log['post_call_actions'];
  if (isPlainObject(actions)) {
    for (const key of Object.keys(actions)) {
      if (key === WEBHOOK_LIST) {
        flattenWebhooks(actions[key], call, callId, ctx, tables);
        continue;
      }
      const value = ctx.redactor.scrubValue(actions[key], key);
      if (SERVICE_LISTS.has(key)) call.set(key, 'json', value, `post_call_actions.${key}`);
      else call.keep(`post_call_actions.${key}`, value, false);
    }
  } else if (!isAbsent(actions, 'json')) {
    call.keep('post_call_actions', ctx.redactor.scrubValue(actions, 'post_call_actions'), true);
  }

  const row = call.row;
  const time = row['time_of_call'];
  const partitionDate = time instanceof Date ? localDateOf(time, options.timeZone) : null;
  row['call_date'] = partitionDate;
  row['call_duration_seconds'] = resolveDuration(row['call_duration_in_seconds'], row['call_duration']);
  row['transcript'] = cleanTranscript(row['call_conversation']);
  row['interaction_count'] = tables.interactions.length;
  row['function_call_count'] = functionCallCount;
  row['webhook_count'] = tables.webhooks.length;
  fillBulkCall(row, tables.webhooks);
  tables.calls.push(call.finish());
  // Each RowBuilder starts from its table's declared columns and only sets those (the generic
  // Row type cannot say so), so the rows are exactly the generated per-table row types.
  const typed = tables as unknown as TypedTableRows;
  return { callId, partitionDate, tables: typed, coercions: ctx.coercions, ...typed };
}

function flattenCallRequest(call: RowBuilder, value: unknown): void {
  if (isAbsent(value, 'json')) return;
  if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (key === 'id') call.set('call_request_id', 'int64', value[key], 'call_request_id.id');
      else if (key === 'type_of_request')
        call.set('call_request_type', 'string', value[key], 'call_request_id.type_of_request');
      else call.keep(`call_request_id.${key}`, value[key], false);
    }
    return;
  }
  // A bare id (number or numeric string) is accepted; anything else is kept raw.
  call.set('call_request_id', 'int64', value, 'call_request_id');
}
