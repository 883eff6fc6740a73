/**
 * The engine's entry points: one raw call log → rows of the four tables, in one pass, keyed by
 * natural ids, or a quarantined record with a stable reason code. The rows are built by
 * `flatten-record.ts` (calls), `flatten-interaction.ts`, `flatten-webhooks.ts`, each row by
 * `row-builder.ts`.
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
import { coerceValue, isAbsent } from './coerce.js';
import type { FlatCallLog, QuarantinedRecord } from './flat-call-log.js';
import { flattenRecord } from './flatten-record.js';
import { type ResolvedTransformOptions, resolveTransformOptions, type TransformOptions } from './options.js';
import { maskSecretsDeep } from './redact.js';

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
