/**
 * An interaction of a call log → one `interactions` row and one `function_calls` row per entry
 * of its `function_call_data` list.
 */
import { isAbsent } from './coerce.js';
import { isPlainObject } from './plain-object.js';
import { type FlattenContext, RowBuilder } from './row-builder.js';
import { safeJson } from './safe-json.js';
import type { TableRows } from './table-schema.js';

// Fields handled by hand rather than by name.
const INTERACTION_SKIP = new Set(['function_call_data']);
const FUNCTION_SKIP = new Set(['result']);

/** Adds the interaction's row and its function-call rows; returns the number of function calls. */
export function flattenInteraction(
  item: Record<string, unknown>,
  callId: number,
  ctx: FlattenContext,
  tables: TableRows,
): number {
  const b = new RowBuilder('interactions', ctx);
  b.row['call_id'] = callId;
  b.fill(item, INTERACTION_SKIP);
  let count = 0;
  const data = item['function_call_data'];
  if (Array.isArray(data)) {
    for (let position = 0; position < data.length; position++) {
      const fn: unknown = data[position];
      if (!isPlainObject(fn)) {
        b.keep(`function_call_data[${position}]`, ctx.redactor.scrubValue(fn), true);
        continue;
      }
      const f = new RowBuilder('function_calls', ctx);
      f.row['call_id'] = callId;
      f.row['interaction_id'] = b.row['id'] ?? null;
      f.row['interaction_sequence'] = b.row['interaction_sequence'] ?? null;
      f.row['position'] = position;
      f.fill(fn, FUNCTION_SKIP);
      f.row['result'] = resultText(ctx.redactor.scrubValue(fn['result'], 'result'));
      tables.function_calls.push(f.finish());
      count++;
    }
  } else if (!isAbsent(data, 'json')) {
    // `false` means "no function call" (Odoo's empty value); any other non-list is kept raw.
    b.keep('function_call_data', ctx.redactor.scrubValue(data, 'function_call_data'), true);
  }
  b.row['function_call_count'] = count;
  tables.interactions.push(b.finish());
  return count;
}

function resultText(value: unknown): string | null {
  if (isAbsent(value, 'string')) return null;
  return typeof value === 'string' ? value : safeJson(value);
}
