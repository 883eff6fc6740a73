import type { TypedTableRows } from './rows.generated.js';

/**
 * What the transform emits for one call log and what dataset sinks consume: the rows of every
 * table plus the partition the rows belong to.
 *
 * The rows of each table are on the object itself (`flat.calls`, `flat.interactions`, …) and,
 * as the very same arrays, under `flat.tables` for code that iterates over table names. Rows
 * are typed per table (`CallsRow`, …: rows.generated.ts, generated from the schemas).
 */
export interface FlatCallLog extends TypedTableRows {
  /** The call's `id`. */
  callId: number;
  /**
   * The call's own date, `YYYY-MM-DD`, in the transform's `timeZone`; `null` when
   * `time_of_call` is missing or unparseable (sinks write it to the Hive default partition).
   */
  partitionDate: string | null;
  tables: TypedTableRows;
  /** How many values fit no column type and were kept raw in an `extra` column instead. */
  coercions: number;
}

/** A record too broken to become a row, set aside with the reason; never dropped silently. */
export interface QuarantinedRecord {
  /** Short stable reason code, e.g. `NOT_AN_OBJECT`, `MISSING_ID`, `INVALID_ID`. */
  reason: string;
  /** Human-readable detail. */
  detail: string;
  /** The record as received. */
  record: unknown;
}
