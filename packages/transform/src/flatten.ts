/**
 * The engine: one raw call log → rows of the four tables, in one pass, keyed by natural ids.
 *
 * - Every field lands in the column of its own name, coerced by `coerce.ts`; a value that fits
 *   no type and every unknown field (the API adds fields over time) go to the row's `extra`
 *   JSON column, raw, under their field name. Misfits are counted in `coercions`.
 * - A record missing fields still yields a row with nulls. Only a record that cannot be a row at
 *   all (not an object, no usable `id`) is rejected, with a stable reason code.
 * - Redaction (`redact.ts`) runs on every value before it is stored, so no secret token reaches
 *   any column, `extra` included.
 */
import { InvalidRecordError, LimitExceededError } from '@omnidim-stream/core';
import { coerceToRowValue, coerceValue, isAbsent, MISFIT_VALUE } from './coerce.js';
import type { FlatCallLog, QuarantinedRecord } from './flat-call-log.js';
import { type ResolvedTransformOptions, resolveTransformOptions, type TransformOptions } from './options.js';
import { setOwnField } from './own-field.js';
import { MAX_VALUE_DEPTH, maskKeys, maskSecretsDeep, type Redactor, redactorFor } from './redact.js';
import type { TypedTableRows } from './rows.generated.js';
import { DERIVED_COLUMNS, SCHEMAS } from './schemas.js';
import type { LogicalType, Row, RowValue, TableName, TableRows } from './table-schema.js';
import { localDateOf } from './time.js';
import { wellFormedJsonText, wellFormedString } from './well-formed-text.js';

/** Stable reason codes of {@link QuarantinedRecord.reason}. */
export type QuarantineReason = 'NOT_AN_OBJECT' | 'MISSING_ID' | 'INVALID_ID' | 'TOO_DEEP';

/** Result of {@link tryFlattenCallLog}. */
export type FlattenResult = { ok: true; value: FlatCallLog } | { ok: false; quarantine: QuarantinedRecord };

/** Thrown by {@link flattenCallLog} for a record that cannot become a row (`code` `INVALID_RECORD`). */
export class InvalidCallLogError extends InvalidRecordError {
  readonly reason: QuarantineReason;
  constructor(reason: QuarantineReason, detail: string, options: { cause?: unknown } = {}) {
    super(`${reason}: ${detail}`, options);
    this.reason = reason;
  }
}

/** The five `post_call_actions` lists that become JSON columns of `calls`. */
const SERVICE_LISTS: ReadonlySet<string> = new Set([
  'email_service_ids',
  'hubspot_service_ids',
  'slack_service_ids',
  'salesforce_service_ids',
  'google_sheets_service_ids',
]);
const WEBHOOK_LIST = 'call_recording_webhook_ids';
const BR_ALL = /<br\s*\/?>/gi;
const DURATION_MS = /^(\d+):(\d{1,2})$/;

/** Column → type of the columns filled from a field of the same name, per table. */
const SOURCE_TYPES = Object.fromEntries(
  Object.values(SCHEMAS).map((schema) => {
    const derived = new Set(DERIVED_COLUMNS[schema.name]);
    const types = new Map<string, LogicalType>();
    for (const column of schema.columns) if (!derived.has(column.name)) types.set(column.name, column.type);
    return [schema.name, types];
  }),
) as Record<TableName, Map<string, LogicalType>>;

/** A row with every column null, in schema order (so rows serialise in schema order). */
const TEMPLATES = Object.fromEntries(
  Object.values(SCHEMAS).map((schema) => [
    schema.name,
    Object.fromEntries(schema.columns.map((c) => [c.name, null])),
  ]),
) as Record<TableName, Row>;

// Fields of the call log handled by hand rather than by name.
const CALL_SKIP = new Set(['id', 'call_request_id', 'interactions', 'post_call_actions']);
const INTERACTION_SKIP = new Set(['function_call_data']);
const FUNCTION_SKIP = new Set(['result']);
const WEBHOOK_SKIP = new Set(['payload']);

interface Context {
  readonly options: ResolvedTransformOptions;
  readonly redactor: Redactor;
  coercions: number;
}

/**
 * The text columns of each table as `[name, isJson]` (`string` and `json` types), made
 * well-formed by `RowBuilder.finish()`.
 */
const TEXT_COLUMNS = {} as Record<TableName, readonly (readonly [string, boolean])[]>;
for (const schema of Object.values(SCHEMAS)) {
  TEXT_COLUMNS[schema.name] = schema.columns
    .filter((c) => c.type === 'string' || c.type === 'json')
    .map((c) => [c.name, c.type === 'json'] as const);
}

/** One row under construction: the values, and the `extra` object when something lands there. */
class RowBuilder {
  readonly row: Row;
  extra: Record<string, unknown> | null = null;

  constructor(
    readonly table: TableName,
    private readonly ctx: Context,
  ) {
    this.row = { ...TEMPLATES[table] };
  }

  /** Keeps `value` raw in `extra` under `field`; `misfit` counts it as a coercion failure. */
  keep(field: string, value: unknown, misfit: boolean): void {
    this.extra ??= {};
    setOwnField(this.extra, field, value);
    if (misfit) this.ctx.coercions++;
  }

  /** Coerces `raw` (already scrubbed) into `column`, or keeps it in `extra` under `field`. */
  set(column: string, type: LogicalType, value: unknown, field = column): void {
    const coerced = coerceToRowValue(value, type, this.ctx.options.timeZone);
    if (coerced === MISFIT_VALUE) this.keep(field, value, true);
    else this.row[column] = coerced;
  }

  /** Copies every field of `source` into the column of its name; unknown fields go to `extra`. */
  fill(source: Record<string, unknown>, skip: ReadonlySet<string>): void {
    const types = SOURCE_TYPES[this.table];
    const { redactor, options } = this.ctx;
    const row = this.row;
    const fields = Object.keys(source);
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i]!;
      if (skip.has(field)) continue;
      const value = redactor.scrubValue(source[field], field);
      const type = types.get(field);
      if (type === undefined) {
        this.keep(field, value, false);
        continue;
      }
      const coerced = coerceToRowValue(value, type, options.timeZone);
      if (coerced === MISFIT_VALUE) this.keep(field, value, true);
      else row[field] = coerced;
    }
  }

  finish(): Row {
    const row = this.row;
    // Values were scrubbed on the way in; the names they are kept under are field names from
    // the record (an unknown field `secret_key_…`), so they are masked here, kept unique.
    row['extra'] = this.extra === null ? null : safeJson(maskKeys(this.extra, this.ctx.redactor.scrubText));
    // The same text in NDJSON, CSV and Parquet: lone surrogates (in values, in keys of JSON
    // text) become U+FFFD here, which is what UTF-8 writers store anyway (issue 13).
    for (const [name, isJson] of TEXT_COLUMNS[this.table]) {
      const value = row[name];
      if (typeof value === 'string') row[name] = isJson ? wellFormedJsonText(value) : wellFormedString(value);
    }
    return row;
  }
}

/**
 * Flattens one call log into rows of `calls`, `interactions`, `function_calls` and `webhooks`.
 * Pure: no I/O, no clock, no machine time zone. Throws {@link InvalidCallLogError} for a record
 * that cannot be a row, `InvalidOptionError` for bad options.
 *
 * @example
 * const flat = flattenCallLog(page.call_log_data[0], { timeZone: 'America/New_York' });
 * flat.calls[0].id;                 // 50958 (also flat.tables.calls[0].id)
 * flat.interactions.length;         // 4
 */
export function flattenCallLog(
  log: unknown,
  options?: TransformOptions | ResolvedTransformOptions,
): FlatCallLog {
  const result = tryFlattenCallLog(log, options);
  if (result.ok) return result.value;
  const { reason, detail } = result.quarantine;
  throw new InvalidCallLogError(reason as QuarantineReason, detail);
}

/**
 * Like {@link flattenCallLog}, but a broken record comes back as `{ ok: false, quarantine }`
 * (reason, detail, and the record as received with secret tokens masked) instead of throwing.
 * Bad options still throw `InvalidOptionError`.
 *
 * @example
 * const r = tryFlattenCallLog({ bot_name: 'x' });
 * if (!r.ok) r.quarantine.reason; // 'MISSING_ID'
 */
export function tryFlattenCallLog(
  log: unknown,
  options?: TransformOptions | ResolvedTransformOptions,
): FlattenResult {
  const resolved = resolveTransformOptions(options);
  const quarantine = (reason: QuarantineReason, detail: string): FlattenResult => ({
    ok: false,
    quarantine: { reason, detail, record: maskSecretsDeep(log) },
  });
  if (typeof log !== 'object' || log === null || Array.isArray(log)) {
    const kind = log === null ? 'null' : Array.isArray(log) ? 'an array' : `a ${typeof log}`;
    return quarantine('NOT_AN_OBJECT', `expected a call log object, received ${kind}`);
  }
  const record = log as Record<string, unknown>;
  if (isAbsent(record['id'], 'int64')) {
    return quarantine('MISSING_ID', 'the call log has no id (missing, null, false or "")');
  }
  const id = coerceValue(record['id'], 'int64', 'UTC');
  if (!id.fits || typeof id.value !== 'number' || id.value < 1) {
    // Describe the id by type only: a broken record may carry anything, secrets included.
    return quarantine(
      'INVALID_ID',
      `the call log id is not a positive safe integer (${typeof record['id']})`,
    );
  }
  try {
    return { ok: true, value: flattenRecord(record, id.value, resolved) };
  } catch (error) {
    if (error instanceof LimitExceededError) return quarantine('TOO_DEEP', error.message);
    throw error;
  }
}

function flattenRecord(
  log: Record<string, unknown>,
  callId: number,
  options: ResolvedTransformOptions,
): FlatCallLog {
  const ctx: Context = { options, redactor: redactorFor(options), coercions: 0 };
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

/** Adds the interaction's row and its function-call rows; returns the number of function calls. */
function flattenInteraction(
  item: Record<string, unknown>,
  callId: number,
  ctx: Context,
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

function flattenWebhooks(
  list: unknown,
  call: RowBuilder,
  callId: number,
  ctx: Context,
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
 * The payload arrives as JSON inside a string (NOTES.md): parse it, derive the useful fields,
 * and store it as JSON text with secrets masked. A payload that is not JSON is kept in `extra`.
 */
function fillPayload(w: RowBuilder, raw: unknown, ctx: Context): void {
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
  const payload = ctx.redactor.scrubValue(parsed);
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

function fillBulkCall(row: Row, webhooks: readonly Row[]): void {
  if (row['bulk_call_id'] !== null && row['bulk_call_name'] !== null) return;
  for (const w of webhooks) {
    if (w['payload_bulk_call_id'] === null && w['payload_bulk_call_name'] === null) continue;
    if (row['bulk_call_id'] === null) row['bulk_call_id'] = w['payload_bulk_call_id'] ?? null;
    if (row['bulk_call_name'] === null) row['bulk_call_name'] = w['payload_bulk_call_name'] ?? null;
    return;
  }
}

/**
 * `call_duration_in_seconds` is the number to trust; `call_duration` (`M:S`, total minutes,
 * unpadded, e.g. `65:3` = 3903 s) is parsed only when it is missing.
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

function resultText(value: unknown): string | null {
  if (isAbsent(value, 'string')) return null;
  return typeof value === 'string' ? value : safeJson(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * JSON text of any value; bigint and non-finite numbers become strings. Values parsed from
 * JSON have neither (bar `1e400` → Infinity), so the plain native `JSON.stringify` runs first and
 * the replacer (a JS call per key, several times slower) only when the text might hide one:
 * bigint throws, and a non-finite number is written `null`.
 */
function safeJson(value: unknown): string {
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
